// Charts and numbers as a reader sees them: histogram and running-statistics
// canvases are drawn at their displayed size times the device pixel ratio
// (so the chart code's 11 px minimum is 11 CSS px on screen), and numbers
// that round to zero read 0.000, not −1.5e-9.
import { test, expect } from './fixtures.js';

async function open(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** Canvases whose backing size is not their displayed size × ratio. */
async function misfit(page, selector) {
  return page.locator(selector).evaluateAll((canvases) =>
    canvases
      .filter((c) => c.checkVisibility())
      .map((c) => {
        const ratio = window.devicePixelRatio;
        const r = c.getBoundingClientRect();
        return { label: c.getAttribute('aria-label').slice(0, 40), w: c.width, h: c.height, want: [r.width * ratio, r.height * ratio] };
      })
      .filter((c) => Math.abs(c.w - c.want[0]) > 1.5 || Math.abs(c.h - c.want[1]) > 1.5),
  );
}

test.describe('on a high-density screen', () => {
  test.use({ deviceScaleFactor: 2 });
  for (const [name, width] of [['desktop', 1280], ['phone', 375]]) {
    test(`charts are drawn at displayed size × devicePixelRatio (${name})`, async ({ page }) => {
      await page.setViewportSize({ width, height: 800 });
      await open(page);
      expect(await page.evaluate(() => window.devicePixelRatio)).toBe(2);
      const hists = page.locator('#grid canvas.hist');
      expect(await hists.count()).toBe(6);
      await expect.poll(() => misfit(page, '#grid canvas.hist')).toEqual([]);
      // Each histogram is wide enough to read: at least 200 CSS px.
      const widths = await hists.evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().width));
      for (const w of widths) expect(w).toBeGreaterThanOrEqual(200);
      await page.getByRole('button', { name: 'Train 10 steps' }).click();
      await expect(page.locator('#running-chart')).toBeVisible();
      expect(await misfit(page, '#running-chart')).toEqual([]);
      // A resize redraws the histograms at the new size, still readable.
      await page.setViewportSize({ width: width === 1280 ? 1000 : 360, height: 800 });
      await expect.poll(() => misfit(page, '#grid canvas.hist')).toEqual([]);
      const resized = await hists.evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().width));
      for (const w of resized) expect(w).toBeGreaterThanOrEqual(200);
      // Every kind shown: narrow columns, histograms still at least 200 px wide.
      await page.setViewportSize({ width, height: 800 });
      for (const box of await page.locator('.kinds input[data-kind]').all()) await box.check();
      await expect(hists).toHaveCount(12);
      await expect.poll(() => misfit(page, '#grid canvas.hist')).toEqual([]);
      const many = await hists.evaluateAll((cs) => cs.map((c) => c.getBoundingClientRect().width));
      for (const w of many) expect(w).toBeGreaterThanOrEqual(200);
    });
  }
});

test('numbers read as people read them', async ({ page }) => {
  await open(page);
  const out = await page.evaluate(async () => {
    const { fmt, fmtSmall } = await import('/js/format.js');
    return [fmt(-1.5e-9), fmt(-0.0004), fmt(0.0004), fmt(1.23456, 2), fmt(-2.5, 2), fmt(12345), fmtSmall(1e-5, 4), fmtSmall(0.25, 4), fmt(0, 2)];
  });
  expect(out).toEqual(['0.000', '0.000', '0.000', '1.23', '-2.50', '1.2e+4', '1.0e-5', '0.2500', '0.00']);
  // Nothing on the comparison shows an exponent or a negative zero: instance
  // norm's means are zero up to rounding and read 0.00.
  const text = await page.locator('#grid-section').innerText();
  expect(text).not.toMatch(/\de-\d/);
  expect(text).not.toMatch(/-0\.0+\b(?!\d)/);
  await expect(page.getByRole('img', { name: /^Histogram of adjusted · instance norm\. R: μ 0\.00, σ 1\.00/ })).toHaveCount(1);
});

for (const [name, width] of [['desktop', 1280], ['phone', 375]]) {
  test(`SVG chart text is at least 11 CSS px as displayed (${name})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await open(page);
    await expect(page.locator('#classify-section')).toHaveAttribute('data-ready', 'true');
    const small = await page.locator('svg text').evaluateAll((texts) =>
      texts
        .filter((t) => t.getBoundingClientRect().width > 0 && t.textContent.trim())
        .map((t) => {
          const svg = t.ownerSVGElement;
          const vb = svg.viewBox.baseVal;
          const scale = vb && vb.width ? svg.getBoundingClientRect().width / vb.width : 1;
          return { text: t.textContent.trim().slice(0, 20), px: parseFloat(getComputedStyle(t).fontSize) * scale };
        })
        .filter((t) => t.px < 10.95),
    );
    expect(small).toEqual([]);
  });
}
