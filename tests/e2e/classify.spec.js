// The "what per-image normalization erases" section: with the default darkening
// a threshold on the batch-norm feature separates day from night, while
// instance norm leaves nothing to separate — all computed live, shown as text.
import { test, expect } from './fixtures.js';
import { wcagAxe } from './axe.js';

const section = (page) => page.locator('#classify-section');
const plot = (page, kind) => page.locator(`#classify-section .sep-plot[data-kind="${kind}"]`);

async function accuracy(page, kind) {
  return Number(await plot(page, kind).getAttribute('data-accuracy'));
}

test('batch norm separates day from night, instance norm does not', async ({ page }) => {
  await page.goto('/');
  await expect(section(page)).toHaveAttribute('data-ready', 'true');

  expect(await accuracy(page, 'batch')).toBeGreaterThanOrEqual(0.9);
  expect(await accuracy(page, 'instance')).toBeLessThanOrEqual(0.75);
  expect(await accuracy(page, 'layer')).toBeLessThanOrEqual(0.75);

  // The numbers are visible as text, matching the data attributes.
  const batchText = plot(page, 'batch').locator('figcaption');
  await expect(batchText).toContainText(`accuracy ${(await accuracy(page, 'batch')).toFixed(2)}`);
  await expect(batchText).toContainText(/Fisher ratio (\d+\.\d+|∞)/);
  await expect(plot(page, 'instance').locator('figcaption')).toContainText(/accuracy 0\.\d\d/);
  await expect(plot(page, 'instance').locator('.sep-words')).toContainText(/mean is (exactly )?0/);
  // A threshold is drawn for batch norm, none for instance norm.
  await expect(plot(page, 'batch').locator('line.threshold')).toHaveCount(1);
  await expect(plot(page, 'instance').locator('line.threshold')).toHaveCount(0);
  // Eight markers per plot, each with a text alternative carrying its numbers.
  for (const kind of ['batch', 'instance', 'layer']) {
    await expect(plot(page, kind).locator('.dot-day')).toHaveCount(4);
    await expect(plot(page, kind).locator('.dot-night')).toHaveCount(4);
    await expect(plot(page, kind).locator('svg[role="img"]')).toHaveAttribute('aria-label', /accuracy \d\.\d\d/);
  }
  await expect(page.locator('#classify-summary')).toContainText('instance norm manages');

  await section(page).scrollIntoViewIfNeeded();
  const box = await section(page).evaluate((el) => {
    window.scrollTo(0, 0);
    const r = el.getBoundingClientRect();
    return { x: 0, y: r.top + window.scrollY, width: document.documentElement.clientWidth, height: r.height };
  });
  await page.screenshot({ path: 'tests/e2e/artifacts/classify.png', fullPage: true, clip: box });
});

test('the darkening slider drives the result', async ({ page }) => {
  await page.goto('/');
  await expect(section(page)).toHaveAttribute('data-ready', 'true');
  const slider = page.locator('#classify-darkness');

  // No darkening: day and night are the same photos, nothing can separate them.
  await slider.fill('0');
  await expect(page.locator('#classify-darkness-value')).toHaveText('0.00');
  await expect.poll(() => accuracy(page, 'batch')).toBeLessThanOrEqual(0.75);
  await expect(plot(page, 'batch').locator('line.threshold')).toHaveCount(0);

  // Full darkening: batch norm separates perfectly; instance norm still cannot.
  await slider.fill('1');
  await expect.poll(() => accuracy(page, 'batch')).toBe(1);
  expect(await accuracy(page, 'instance')).toBeLessThanOrEqual(0.75);
  await expect(page.locator('#classify-formula')).toContainText('0.50·(x − 0.5)');

  // Keyboard: the slider is reachable and moves with the arrow keys.
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#classify-darkness-value')).toHaveText('0.95');
});

test('the section works at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/');
  await expect(section(page)).toHaveAttribute('data-ready', 'true');
  const overflow = await section(page).evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(await accuracy(page, 'batch')).toBeGreaterThanOrEqual(0.9);
});

test('the section passes the WCAG 2.1 A/AA checks', async ({ page }) => {
  await page.goto('/');
  await expect(section(page)).toHaveAttribute('data-ready', 'true');
  const result = await wcagAxe(page).include('#classify-section').analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
});

test('the sentence about darkening is worded from the measured numbers', async ({ page }) => {
  await page.goto('/');
  await expect(section(page)).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#classify-sweep')).toContainText('Measured at every step');
  const sweep = await page.locator('#classify-sweep').textContent();
  const match = /sorts all 8 images from a darkening of (\d\.\d\d) up; at (\d\.\d\d) it sorts (\d) of 8/.exec(sweep);
  expect(match, sweep).not.toBeNull();
  const [, from, below, belowCorrect] = match;
  const slider = page.locator('#classify-darkness');
  // At the darkening named, and above, batch norm sorts all eight; one step below, it does not.
  for (const s of [from, '1']) {
    await slider.fill(s);
    await expect.poll(() => accuracy(page, 'batch')).toBe(1);
    await expect(page.locator('#classify-summary')).toContainText('puts all 8 images on the right side');
  }
  await slider.fill(below);
  await expect.poll(() => accuracy(page, 'batch')).toBeCloseTo(Number(belowCorrect) / 8, 5);
  await expect(page.locator('#classify-summary')).toContainText(`sorts only ${belowCorrect} of 8`);
  expect(sweep).toContain('instance norm never better than guessing');
});
