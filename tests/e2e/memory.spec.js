// Memory stays flat: after a warm-up, 1000 slider moves and 100 add/remove
// cycles grow the page's wasm memory by less than 10%. wasm memory never
// shrinks, so a leak per move or per image would show up as growth.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpus');
const jpeg = readFileSync(path.join(corpus, 'ok-baseline.jpg'));

/** Bytes of the page's wasm memory (the module is a singleton per URL). */
const wasmBytes = (page) => page.evaluate(async () => (await import('/pkg/normscope.js')).wasmMemoryBytes());

/** Move the contrast slider `n` times, letting each move repaint. */
const moveSlider = (page, n) => page.evaluate(async (n) => {
  const slider = document.getElementById('contrast');
  for (let i = 0; i < n; i++) {
    slider.value = String(0.2 + ((i * 7) % 56) * 0.05);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    // The page repaints in its own animation-frame callback, which runs first.
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}, n);

/**
 * Add a photo through the file input and remove it with its tray button,
 * `cycles` times, inside the page (one Playwright round trip per cycle
 * would make this test mostly waiting).
 */
const addAndRemove = (page, cycles) => page.evaluate(async ({ cycles, bytes }) => {
  const input = document.getElementById('file-input');
  const status = document.getElementById('status');
  const until = async (check) => {
    for (let k = 0; k < 2000 && !check(); k++) await new Promise((r) => setTimeout(r, 5));
    if (!check()) throw new Error(`timed out; status: ${status.textContent}`);
  };
  for (let i = 0; i < cycles; i++) {
    const name = `cycle-${i}.jpg`;
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    await until(() => status.textContent === 'Added 1 image; the batch has 7.');
    document.querySelector(`button[aria-label="Remove ${name}"]`).click();
    await until(() => status.textContent === `Removed ${name}.`);
  }
}, { cycles, bytes: [...jpeg] });

test('1000 slider moves and 100 add/remove cycles keep wasm memory flat', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  // The smallest working size keeps 1000 repaints quick; the code paths are the same.
  await page.locator('#size-select').selectOption('128');
  // Warm-up: let buffers reach their working size once.
  await moveSlider(page, 50);
  await addAndRemove(page, 5);
  const before = await wasmBytes(page);
  expect(before).toBeGreaterThan(0);

  await moveSlider(page, 1000);
  const afterMoves = await wasmBytes(page);
  await addAndRemove(page, 100);
  const after = await wasmBytes(page);

  test.info().annotations.push({
    type: 'wasm memory (MiB)',
    description: `warm ${(before / 2 ** 20).toFixed(1)}, after moves ${(afterMoves / 2 ** 20).toFixed(1)}, after cycles ${(after / 2 ** 20).toFixed(1)}`,
  });
  console.log(`wasm memory: ${before} → ${afterMoves} → ${after} bytes`);
  expect(after / before, 'growth of wasm memory').toBeLessThan(1.1);
  // The page still shows the batch and repaints.
  await expect(page.locator('#tray > li')).toHaveCount(6);
  await expect(page.locator('.readout[data-kind="instance"]')).toContainText('unchanged');
});
