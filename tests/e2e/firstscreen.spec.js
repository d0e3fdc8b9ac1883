// The first screen: without scrolling, a visitor sees the contrast slider,
// the adjusted probe's input, batch-norm and instance-norm panels with their
// readouts, and moving the slider visibly changes the input and batch-norm
// panels right there. Screenshots go to tests/e2e/artifacts/ (look at them).
import { test, expect } from './fixtures.js';

async function open(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** The RGBA bytes a canvas shows, as a Buffer. */
async function pixels(locator) {
  const b64 = await locator.evaluate((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

/** How many bytes differ by more than 10 between two same-sized buffers. */
function changedBytes(a, b) {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 10) n++;
  return n;
}

const panel = (page, kind) => page.getByRole('img', { name: `Adjusted probe, ${kind}`, exact: true });
const KINDS = ['input', 'batch norm', 'instance norm'];

for (const [name, width, height, minSide] of [
  ['desktop', 1280, 800, 160],
  ['phone', 375, 812, 96],
]) {
  test(`first screen at ${width}×${height}: slider, three adjusted panels and readouts, live`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await open(page);
    expect(await page.evaluate(() => window.scrollY), 'the page opens at the top').toBe(0);

    await expect(page.locator('#contrast'), 'the contrast slider').toBeInViewport({ ratio: 1 });
    await expect(page.locator('#reset'), 'the other probe controls').toBeInViewport({ ratio: 1 });
    for (const kind of KINDS) {
      const p = panel(page, kind);
      await expect(p, `adjusted ${kind} panel in view`).toBeInViewport({ ratio: 1 });
      const box = await p.boundingBox();
      expect(box.width, `adjusted ${kind} panel width`).toBeGreaterThanOrEqual(minSide);
      expect(box.height, `adjusted ${kind} panel height`).toBeGreaterThanOrEqual(minSide);
    }
    // Three abreast: one row of panels, left to right.
    const boxes = await Promise.all(KINDS.map((k) => panel(page, k).boundingBox()));
    expect(Math.abs(boxes[0].y - boxes[2].y), 'the three panels share a row').toBeLessThan(2);
    expect(boxes[0].x).toBeLessThan(boxes[1].x);
    expect(boxes[1].x).toBeLessThan(boxes[2].x);
    for (const kind of ['batch', 'instance']) {
      const readout = page.locator(`#readouts .readout[data-kind="${kind}"]`);
      await expect(readout, `${kind} readout in view`).toBeInViewport({ ratio: 1 });
      // One line: no taller than two lines of its own text.
      const lines = await readout.evaluate((el) => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight));
      expect(lines, `${kind} readout is one line`).toBeLessThan(2.2);
    }
    await page.screenshot({ path: `tests/e2e/artifacts/first-screen-${name}.png` });

    // Moving the slider changes the input and batch-norm panels in place.
    const before = await Promise.all(KINDS.map((k) => pixels(panel(page, k))));
    const batchReadout = await page.locator('#readouts .readout[data-kind="batch"]').textContent();
    await page.locator('#contrast').fill('1.6');
    await expect(page.locator('#readouts .readout[data-kind="batch"]')).not.toHaveText(batchReadout);
    const after = await Promise.all(KINDS.map((k) => pixels(panel(page, k))));
    const side = Math.sqrt(before[0].length / 4);
    expect(changedBytes(before[0], after[0]), 'input panel changed').toBeGreaterThan(side * side * 0.2);
    expect(changedBytes(before[1], after[1]), 'batch-norm panel changed').toBeGreaterThan(side * side * 0.2);
    expect(await page.evaluate(() => window.scrollY), 'nothing scrolled').toBe(0);
    for (const kind of KINDS) await expect(panel(page, kind)).toBeInViewport({ ratio: 1 });
    await page.screenshot({ path: `tests/e2e/artifacts/first-screen-${name}-moved.png` });
  });
}
