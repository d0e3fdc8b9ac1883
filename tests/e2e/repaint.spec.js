// The slider repaint is incremental (the original row is kept, only the
// kinds on screen are computed, a burst of input events is one repaint):
// whatever it skips, the page must end up showing exactly what a fresh load
// of the same state shows. Pixels are read back from every canvas.
// (The cube is also redrawn only when the session's version moves.)
import { test, expect } from './fixtures.js';

async function open(page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** Every panel's and histogram's pixels and every figure the grid and the
 * readouts show, keyed by what they show. */
async function shown(page) {
  return page.evaluate(() => {
    const out = {};
    for (const canvas of document.querySelectorAll('#grid canvas')) {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      // A cheap fingerprint of every byte (FNV-1a), plus the size.
      let h = 0x811c9dc5;
      for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
      out[`${canvas.getAttribute('aria-label')}`] = `${canvas.width}×${canvas.height} ${h.toString(16)}`;
    }
    out.stats = [...document.querySelectorAll('#grid .hist-stats')].map((p) => p.textContent);
    out.readouts = [...document.querySelectorAll('#readouts .readout')].map((p) => p.textContent);
    // The N, C, H×W cube and its formula are redrawn only when more than
    // the probe's adjustment changes.
    out.cube = ['.cube-stats', '.cube-live', '#formula-section'].map((q) => document.querySelector(q)?.textContent);
    return out;
  });
}

test('after a burst of slider moves every panel and figure equals a fresh load of the same state', async ({ page, context }) => {
  await open(page);
  // A third kind on screen, so its outputs are computed when it is shown.
  await page.locator('.kinds input[data-kind="layer"]').check();
  const before = await page.locator('#readouts .readout[data-kind="batch"]').textContent();
  // Several input events before the next frame: one repaint must do.
  await page.evaluate(() => {
    const set = (id, v) => {
      const el = document.getElementById(id);
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    };
    for (const c of [0.8, 1.3, 2.1, 1.7]) set('contrast', c);
    set('brightness', -0.1);
  });
  await expect(page.locator('#readouts .readout[data-kind="batch"]')).not.toHaveText(before);
  // The link follows the state (after a short debounce).
  await expect.poll(() => page.url()).toContain('contrast=1.7');
  await expect.poll(() => page.url()).toContain('brightness=-0.1');
  await expect.poll(() => page.url()).toContain('kinds=layer');
  const moved = await shown(page);

  const fresh = await context.newPage();
  await open(fresh, page.url());
  const loaded = await shown(fresh);
  expect(Object.keys(moved).length).toBeGreaterThan(20);
  expect(moved).toEqual(loaded);
  expect(moved.readouts.join(' ')).toContain('layer norm');
});

test('parameters changed between slider moves repaint both rows as a fresh load does', async ({ page, context }) => {
  await open(page);
  await page.locator('#contrast').fill('2.4');
  await expect.poll(() => page.url()).toContain('contrast=2.4');
  // The group count and batch norm's mode change the original row too.
  await page.locator('.kinds input[data-kind="group"]').check();
  await page.locator('#groups').selectOption('1');
  await page.locator('#eval-mode').check();
  await page.locator('#contrast').fill('0.6');
  await expect.poll(() => page.url()).toContain('contrast=0.6');
  await expect.poll(() => page.url()).toContain('groups=1');
  await expect.poll(() => page.url()).toContain('bn=eval');
  const moved = await shown(page);
  const fresh = await context.newPage();
  await open(fresh, page.url());
  expect(moved).toEqual(await shown(fresh));
});
