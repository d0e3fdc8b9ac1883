// Adding a student's own files: through the file picker, by dropping and by
// pasting. File names are shown as text, never as markup; a file that is not
// a usable image is refused with a message that names it and says why, and
// the batch keeps everything it already had.
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';

const file = (path) => readFileSync(new URL(`../../${path}`, import.meta.url));
const HOSTILE = '<img src=x onerror=alert(1)>.png';

async function open(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#tray .tray-item')).toHaveCount(6);
}

/** Names in the tray, in order, as the page shows them. */
const trayNames = (page) => page.locator('#tray .tray-name').allTextContents();

test('the file picker adds JPEG and PNG files; a hostile name stays plain text', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await open(page);
  await page.locator('#file-input').setInputFiles([
    { name: 'brick.jpg', mimeType: 'image/jpeg', buffer: file('www/samples/brick.jpg') },
    { name: 'chelsea.png', mimeType: 'image/png', buffer: file('tests/fixtures/chelsea.png') },
    { name: HOSTILE, mimeType: 'image/png', buffer: file('tests/fixtures/camera.png') },
  ]);
  await expect(page.locator('#tray .tray-item')).toHaveCount(9);
  await expect(page.locator('#status')).toHaveText('Added 3 images; the batch has 9.');
  await expect(page.locator('#status')).not.toHaveClass(/is-error/);
  expect((await trayNames(page)).slice(6)).toEqual(['brick.jpg', 'chelsea.png', HOSTILE]);

  // The name is text: no element was made from it, no script ran.
  const last = page.locator('#tray .tray-item').last();
  await expect(last.locator('.tray-name')).toHaveText(HOSTILE);
  await expect(last.locator('canvas')).toHaveAttribute('aria-label', `Input image 9: ${HOSTILE}`);
  await expect(page.getByRole('button', { name: `Remove ${HOSTILE}` })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('#tray img')).toHaveCount(0);

  // The new images are real pictures: the tray canvas is not blank.
  const colours = await last.locator('canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  expect(colours).toBeGreaterThan(20);

  // Making the hostile file the probe and removing it keeps it text too.
  await page.getByRole('button', { name: `Use as probe: ${HOSTILE}` }).click();
  await expect(page.locator('#tray .tray-item.is-probe .tray-name')).toHaveText(HOSTILE);
  await page.getByRole('button', { name: `Remove ${HOSTILE}` }).click();
  await expect(page.locator('#status')).toHaveText(`Removed ${HOSTILE}.`);
  await expect(page.locator('#tray .tray-item')).toHaveCount(8);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs, 'no dialog may open').toEqual([]);
});

test('broken files are refused by name and reason; the good ones still go in', async ({ page }) => {
  await open(page);
  const before = await trayNames(page);
  await page.locator('#file-input').setInputFiles([
    { name: 'truncated.jpg', mimeType: 'image/jpeg', buffer: file('tests/e2e/files/truncated.jpg') },
    { name: 'camera.jpg', mimeType: 'image/jpeg', buffer: file('www/samples/camera.jpg') },
    { name: 'noise.png', mimeType: 'image/png', buffer: file('tests/e2e/files/noise.png') },
    { name: 'empty.png', mimeType: 'image/png', buffer: file('tests/e2e/files/empty.png') },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: file('tests/e2e/files/notes.txt') },
  ]);
  const status = page.locator('#status');
  await expect(status).toContainText('Added 1 image; the batch has 7.');
  await expect(status).toHaveClass(/is-error/);
  // Each refused file is named with its reason, one problem per line.
  const problems = page.locator('#status .status-problem');
  await expect(problems).toHaveCount(4);
  await expect(problems.nth(0)).toHaveText(/^truncated\.jpg: the JPEG file is cut short/);
  await expect(problems.nth(1)).toHaveText(/^noise\.png: this is not an image file normscope recognizes/);
  await expect(problems.nth(2)).toHaveText(/^empty\.png: the file is empty/);
  await expect(problems.nth(3)).toHaveText(/^notes\.txt: this is a text file, not an image/);
  // Read as text (a screen reader, a copy), the list does not run into its heading.
  await expect(status).toContainText('Not added: truncated.jpg:');
  // The batch kept every image it had and gained only the good one.
  expect(await trayNames(page)).toEqual([...before, 'camera.jpg']);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#readouts .readout[data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');

  // A later good upload clears the error.
  await page.locator('#file-input').setInputFiles([
    { name: 'brick.jpg', mimeType: 'image/jpeg', buffer: file('www/samples/brick.jpg') },
  ]);
  await expect(status).toHaveText('Added 1 image; the batch has 8.');
  await expect(status).not.toHaveClass(/is-error/);
});

test('a full batch of 32 refuses more, by name', async ({ page }) => {
  await open(page);
  const jpeg = file('www/samples/rocket.jpg');
  const files = Array.from({ length: 27 }, (_, i) => ({ name: `copy-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: jpeg }));
  await page.locator('#file-input').setInputFiles(files);
  await expect(page.locator('#status')).toContainText('Added 26 images; the batch has 32.', { timeout: 25_000 });
  await expect(page.locator('#status .status-problem')).toHaveText([/^copy-27\.jpg: the batch already holds 32 images/]);
  await expect(page.locator('#tray .tray-item')).toHaveCount(32);
});

/** Build a DataTransfer in the page from files fetched from the server. */
async function dispatchWithFiles(page, kind, sources) {
  await page.evaluate(
    async ({ kind, sources }) => {
      const dt = new DataTransfer();
      for (const [url, name, type] of sources) {
        const bytes = await (await fetch(url)).arrayBuffer();
        dt.items.add(new File([bytes], name, { type }));
      }
      const event =
        kind === 'drop'
          ? new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })
          : new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
      document.querySelector(kind === 'drop' ? '#grid' : 'body').dispatchEvent(event);
    },
    { kind, sources },
  );
}

test('dropping files on the page adds them and names a bad one', async ({ page }) => {
  await open(page);
  // Dragging over the page shows where a drop would land.
  await page.evaluate(() => document.body.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: new DataTransfer() })));
  await expect(page.locator('body')).toHaveClass(/is-dragging/);
  await dispatchWithFiles(page, 'drop', [
    ['/samples/brick.jpg', 'brick.jpg', 'image/jpeg'],
    ['/samples/SOURCES.md', 'page.png', 'image/png'],
    ['/samples/ihc.jpg', 'ihc.jpg', 'image/jpeg'],
  ]);
  await expect(page.locator('body')).not.toHaveClass(/is-dragging/);
  await expect(page.locator('#status')).toContainText('Added 2 images; the batch has 8.');
  await expect(page.locator('#status .status-problem')).toHaveText([/^page\.png: this is a text file, not an image/]);
  expect((await trayNames(page)).slice(6)).toEqual(['brick.jpg', 'ihc.jpg']);
});

test('pasting an image adds it', async ({ page }) => {
  await open(page);
  await dispatchWithFiles(page, 'paste', [['/samples/camera.jpg', 'image.jpg', 'image/jpeg']]);
  await expect(page.locator('#status')).toHaveText('Added 1 image; the batch has 7.');
  expect((await trayNames(page)).at(-1)).toBe('image.jpg');
});
