// The bad-input corpus (tests/corpus/, see MANIFEST.md) through the page
// door: upload each file as a student would. Every file gets either a new
// image in the tray or a message naming it and the reason; the rest of the
// batch stays, and the tab never freezes.
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpus');
const manifest = JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8'));
const SAMPLES = 6;

/** Record main-thread long tasks so a frozen tab shows up as a number. */
async function watchLongTasks(page) {
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

async function boot(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#tray > li')).toHaveCount(SAMPLES);
}

/** Upload files and wait for the page's summary line. */
async function upload(page, files) {
  await page.locator('#file-input').setInputFiles(files);
  await expect(page.locator('#status')).toHaveText(/^Added \d+ images?; the batch has \d+\./, { timeout: 60_000 });
  return (await page.locator('#status').textContent()) ?? '';
}

test('every corpus file is added or refused by name, and the batch stays', async ({ page }) => {
  test.setTimeout(300_000);
  await watchLongTasks(page);
  await boot(page);
  for (const entry of manifest) {
    const file = path.join(corpus, entry.file);
    const status = await upload(page, file);
    const tray = page.locator('#tray > li');
    if (entry.page === 'ok') {
      expect.soft(status, entry.file).toContain(`Added 1 image; the batch has ${SAMPLES + 1}.`);
      await expect.soft(tray, entry.file).toHaveCount(SAMPLES + 1);
      await expect.soft(tray.last().locator('canvas'), entry.file).toHaveAttribute('aria-label', new RegExp(`${entry.file.replace(/\./g, '\\.')}$`));
      // Remove it again so the batch never reaches its limit.
      await page.getByRole('button', { name: `Remove ${entry.file}` }).click();
      await expect(tray).toHaveCount(SAMPLES);
    } else {
      expect.soft(status, entry.file).toContain(`Added 0 images; the batch has ${SAMPLES}.`);
      expect.soft(status, `${entry.file} is named`).toContain(`${entry.file}: `);
      const lower = status.toLowerCase();
      for (const word of entry.page_says) expect.soft(lower, `${entry.file} says "${word}"`).toContain(word);
      await expect.soft(page.locator('#status'), entry.file).toHaveClass(/is-error/);
      await expect.soft(tray, `${entry.file}: the batch keeps its images`).toHaveCount(SAMPLES);
    }
  }
  // The page still works: the readouts are there and a slider still repaints.
  await page.locator('#contrast').fill('2');
  await expect(page.locator('#contrast-value')).toHaveText('2.00');
  await expect(page.locator('.readout[data-kind="instance"]')).toContainText('unchanged');
  const longest = await page.evaluate(() => window.__longest);
  test.info().annotations.push({ type: 'longest main-thread task', description: `${Math.round(longest)} ms` });
  // Decoding runs in the worker; what is left on the main thread is short.
  expect(longest, 'longest main-thread task (ms)').toBeLessThan(3000);
});

test('one bad file in a dropped batch costs only itself', async ({ page }) => {
  await boot(page);
  const names = ['ok-rgb.png', 'png-truncated.png', 'photo.heic', 'png-100000x100000.png', 'ok-baseline.jpg'];
  const status = await upload(page, names.map((n) => path.join(corpus, n)));
  expect(status).toContain(`Added 2 images; the batch has ${SAMPLES + 2}.`);
  expect(status).toContain('png-truncated.png: ');
  expect(status).toContain('photo.heic: HEIC');
  expect(status).toContain('png-100000x100000.png: the image is 100000×100000 pixels');
  await expect(page.locator('#tray > li')).toHaveCount(SAMPLES + 2);
  await expect(page.locator('#tray canvas').last()).toHaveAttribute('aria-label', /ok-baseline\.jpg$/);
});

test('a 50-megapixel photo decodes while the page keeps answering', async ({ page }) => {
  test.setTimeout(120_000);
  await boot(page);
  await page.locator('#file-input').setInputFiles(path.join(corpus, 'jpeg-50mp.jpg'));
  // While the worker decodes, the sliders still work.
  await page.locator('#brightness').fill('0.3');
  await expect(page.locator('#brightness-value')).toHaveText('0.30');
  await expect(page.locator('#status')).toHaveText(`Added 1 image; the batch has ${SAMPLES + 1}.`, { timeout: 60_000 });
});

test('too many images: the batch stops at 32 and says so by name', async ({ page }) => {
  test.setTimeout(120_000);
  await boot(page);
  const bytes = readFileSync(path.join(corpus, 'ok-rgb.png'));
  const files = Array.from({ length: 30 }, (_, i) => ({ name: `copy-${i + 1}.png`, mimeType: 'image/png', buffer: bytes }));
  const status = await upload(page, files);
  expect(status).toContain('Added 26 images; the batch has 32.');
  expect(status).toContain('copy-27.png: the batch already holds 32 images');
  expect(status).toContain('copy-30.png: ');
  await expect(page.locator('#tray > li')).toHaveCount(32);
});

test.describe('a decoder that hangs or dies', () => {
  test.use({ allowedProblems: [/simulated decoder crash/] });

  test('costs only its own file, and the next file decodes', async ({ page }) => {
    // Stand in for the decode worker: hang on names starting "hang", throw
    // on "crash", and decode everything else with the real decoder.
    await page.route('**/js/decode-worker.js', (route) => route.fulfill({
      contentType: 'text/javascript',
      body: `
        import init from '../pkg/normscope.js';
        import { decodeFile } from './imagefile.js';
        const ready = init();
        const real = async ({ id, name, bytes }) => {
          await ready;
          try {
            const { width, height, rgba } = await decodeFile(name, bytes);
            self.postMessage({ id, width, height, rgba }, [rgba.buffer]);
          } catch (e) { self.postMessage({ id, error: e.message }); }
        };
        self.onmessage = ({ data }) => {
          if (data.name.startsWith('hang')) return;
          if (data.name.startsWith('crash')) throw new Error('simulated decoder crash');
          real(data);
        };`,
    }));
    await boot(page);
    await page.evaluate(async () => (await import('/js/engine.js')).setDecodeTimeout(1500));
    const png = readFileSync(path.join(corpus, 'ok-rgb.png'));
    const as = (name) => ({ name, mimeType: 'image/png', buffer: png });

    let status = await upload(page, [as('hang.png'), as('after-hang.png')]);
    expect(status).toContain(`Added 1 image; the batch has ${SAMPLES + 1}.`);
    expect(status).toContain('hang.png: decoding took longer than 2 s, so it was stopped');

    status = await upload(page, [as('crash.png'), as('after-crash.png')]);
    expect(status).toContain(`Added 1 image; the batch has ${SAMPLES + 2}.`);
    expect(status).toContain('crash.png: the decoder stopped on this file');
    await expect(page.locator('#tray canvas').last()).toHaveAttribute('aria-label', /after-crash\.png$/);
  });
});

// The browser decodes on the page; the core judges each file first, because
// a browser draws a cut-short file as far as it goes without a word.
test('cut-short GIF, WebP, PNG and BMP files are refused by name; the good ones go in', async ({ page }) => {
  await boot(page);
  const names = ['ok-rgb.png', 'gif-no-trailer.gif', 'webp-truncated.webp', 'png-no-iend.png', 'bmp-truncated.bmp', 'gif-short-lzw.gif', 'webp-lossy.webp'];
  const status = await upload(page, names.map((n) => path.join(corpus, n)));
  expect(status).toContain(`Added 2 images; the batch has ${SAMPLES + 2}.`);
  expect(status).toContain('gif-no-trailer.gif: the GIF file is cut short');
  expect(status).toContain('webp-truncated.webp: the WebP file is cut short');
  expect(status).toContain('png-no-iend.png: the PNG file is cut short');
  expect(status).toContain('bmp-truncated.bmp: the BMP file is cut short');
  expect(status).toContain('gif-short-lzw.gif: the GIF file is damaged or cut short (its first picture holds 1000 of its 64×48 pixels)');
  await expect(page.locator('#status')).toHaveClass(/is-error/);
  const labels = await page.locator('#tray canvas').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label')));
  expect(labels.slice(-2)).toEqual(['Input image 7: ok-rgb.png', 'Input image 8: webp-lossy.webp']);
});

test('the browser decodes the stored pixels, upright by EXIF', async ({ page }) => {
  await boot(page);
  const read = (name) => [...readFileSync(path.join(corpus, name))];
  const got = await page.evaluate(async ([png, jpeg]) => {
    const { decode } = await import('/js/engine.js');
    const a = await decode('ok-rgb.png', new Uint8Array(png));
    const b = await decode('jpeg-exif-rotated.jpg', new Uint8Array(jpeg));
    const at = (img, x, y) => [...img.rgba.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];
    return { a: [a.width, a.height, at(a, 0, 0), at(a, 63, 47)], b: [b.width, b.height] };
  }, [read('ok-rgb.png'), read('jpeg-exif-rotated.jpg')]);
  // make_corpus.py's gradient: (x·255/63, y·255/47, 128), unchanged by colour management.
  expect(got.a).toEqual([64, 48, [0, 0, 128, 255], [255, 255, 128, 255]]);
  // Stored 64×48 with EXIF orientation 6 (or 8): shown 48×64.
  expect(got.b).toEqual([48, 64]);
});

/** A 2×1 RGBA PNG: one fully transparent pixel, one half transparent. */
function alphaPng() {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.from([0, 200, 100, 50, 0, 200, 100, 50, 128]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('transparency: the browser keeps no colour under a fully transparent pixel', async ({ page }) => {
  // README, "Limits and hostile input": alpha is dropped; on the page a
  // fully transparent pixel comes out black, a half transparent one keeps its colour.
  await boot(page);
  const got = await page.evaluate(async (png) => {
    const { decode } = await import('/js/engine.js');
    const img = await decode('alpha.png', new Uint8Array(png));
    return [...img.rgba];
  }, [...alphaPng()]);
  expect(got.slice(0, 4)).toEqual([0, 0, 0, 0]);
  const kept = got.slice(4, 7).map((v, i) => Math.abs(v - [200, 100, 50][i]));
  expect(Math.max(...kept)).toBeLessThanOrEqual(2);
  expect(got[7]).toBe(128);
});

test('a whole file the browser still cannot decode is refused by name; the batch stays', async ({ page }) => {
  await boot(page);
  // Every marker in place up to the end marker, but no tables and no scan:
  // the core's structure check passes it, the browser's decoder cannot.
  const sof = [0xff, 0xc0, 0x00, 0x11, 8, 0, 48, 0, 64, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0];
  const buffer = Buffer.from([0xff, 0xd8, ...sof, 0xff, 0xd9]);
  const good = readFileSync(path.join(corpus, 'ok-baseline.jpg'));
  const status = await upload(page, [
    { name: 'no-scan.jpg', mimeType: 'image/jpeg', buffer },
    { name: 'good.jpg', mimeType: 'image/jpeg', buffer: good },
  ]);
  expect(status).toContain(`Added 1 image; the batch has ${SAMPLES + 1}.`);
  expect(status).toContain('no-scan.jpg: the browser could not decode this JPEG file');
  await expect(page.locator('#tray canvas').last()).toHaveAttribute('aria-label', /good\.jpg$/);
});
