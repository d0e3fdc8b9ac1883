// Export: the grid, histograms and numbers as one PNG download.
import { test, expect } from './fixtures.js';
import { readFileSync } from 'node:fs';

test('Download the panels as PNG gives a real picture of the grid', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the panels as PNG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('normscope-contrast0.5-gamma1.png');
  const bytes = readFileSync(await file.path());
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  // 3 columns (input, batch, instance) of 256 px plus the row titles; 3 rows with histograms.
  expect(width).toBe(150 + 3 * (256 + 8));
  expect(height).toBeGreaterThan(3 * 256);
  // Decode it in the page and check the batch-norm panel region is not blank.
  const spread = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(150 + 264, 32, 256, 256);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < data.length; i += 4) {
      sum += data[i + 1];
      sq += data[i + 1] ** 2;
    }
    const n = data.length / 4;
    return Math.sqrt(sq / n - (sum / n) ** 2);
  }, bytes.toString('base64'));
  expect(spread).toBeGreaterThan(10);
  await expect(page.locator('#status')).toContainText('Saved normscope-contrast0.5-gamma1.png');
});
