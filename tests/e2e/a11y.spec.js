// Accessibility: axe finds no WCAG 2.1 A/AA violations, every slider is
// labelled and shows its value, and the keyboard reaches every control with a
// focus outline you can see.
import { test, expect } from './fixtures.js';
import { WCAG_RULES, wcagAxe } from './axe.js';

async function open(page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  // The day/night demo wires its slider once its own photos are loaded.
  await expect(page.locator('#classify-section')).toHaveAttribute('data-ready', 'true');
}

/** axe's violations as short lines, so a failure says what and where. */
async function violations(page) {
  const result = await wcagAxe(page).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.split('\n')[1] ?? ''}`));
}

test('axe runs every WCAG 2.1 A/AA rule, the experimental ones included', async ({ page }) => {
  expect(WCAG_RULES).toContain('label-content-name-mismatch');
  expect(WCAG_RULES.length).toBeGreaterThan(50);
  await open(page);
  const result = await wcagAxe(page).analyze();
  const ran = new Set([...result.passes, ...result.violations, ...result.incomplete, ...result.inapplicable].map((r) => r.id));
  expect(WCAG_RULES.filter((id) => !ran.has(id)), 'rules axe did not run').toEqual([]);
  // The tray's "Use as probe" buttons are among the nodes the 2.5.3 rule passed.
  const checked = result.passes.find((r) => r.id === 'label-content-name-mismatch');
  expect(checked?.nodes.map((n) => n.html).join('\n') ?? '').toMatch(/>Use as probe</);
});

for (const scheme of ['light', 'dark']) {
  test(`axe: no WCAG 2.1 A/AA violations (${scheme} colour scheme)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await open(page);
    expect(await violations(page)).toEqual([]);
  });
}

test('axe: still clean with every column, an error message and trained statistics', async ({ page }) => {
  // Two full axe runs (every WCAG rule) over a page with every column: slow on a busy two-core machine.
  test.setTimeout(90_000);
  await open(page);
  for (const box of await page.locator('.kinds input[data-kind]').all()) await box.check();
  await page.getByLabel('Feature-map mode').check();
  await page.getByRole('button', { name: 'Train 10 steps' }).click();
  await page.getByRole('button', { name: 'Re-contrast the neighbours' }).click();
  await page.locator('#file-input').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture\n') }]);
  await expect(page.locator('#status')).toHaveClass(/is-error/);
  expect(await violations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await violations(page)).toEqual([]);
});

test('at 375 px wide: no violations either', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await open(page);
  expect(await violations(page)).toEqual([]);
});

test('every slider has a label and a visible value that follows it', async ({ page }) => {
  await open(page);
  const sliders = page.locator('input[type="range"]');
  const count = await sliders.count();
  expect(count).toBeGreaterThanOrEqual(5);
  for (let i = 0; i < count; i++) {
    const slider = sliders.nth(i);
    const id = await slider.getAttribute('id');
    const label = page.locator(`label[for="${id}"]`);
    await expect(label, `#${id} has a visible label`).toBeVisible();
    expect((await label.textContent()).trim().length).toBeGreaterThan(2);
    const output = page.locator(`output[for="${id}"]`);
    await expect(output, `#${id} shows its value`).toBeVisible();
    // The shown value follows the keyboard. A plain number is the slider's
    // value to two decimals; other readouts (a pixel position) must change.
    await slider.focus();
    await page.keyboard.press('Home');
    const atMin = (await output.textContent()).trim();
    expect(atMin, `#${id} shows a value at its minimum`).not.toBe('');
    await page.keyboard.press('End');
    await expect(output, `#${id} value follows the slider`).not.toHaveText(atMin);
    if (/^-?\d+\.\d\d$/.test(atMin)) {
      expect(atMin).toBe(Number(await slider.getAttribute('min')).toFixed(2));
      await expect(output).toHaveText(Number(await slider.getAttribute('max')).toFixed(2));
    }
  }
});

test('Tab reaches every slider and button, each with a visible focus outline', async ({ page }) => {
  await open(page);
  const wanted = new Set(
    await page.locator('main input[type="range"], main button, main select, main input[type="checkbox"], #file-input').evaluateAll((els) =>
      els.filter((el) => !el.disabled && el.checkVisibility()).map((el) => el.id || el.getAttribute('aria-label') || el.textContent.trim()),
    ),
  );
  const reached = new Set();
  const noOutline = [];
  for (let i = 0; i < 200 && ![...wanted].every((k) => reached.has(k)); i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      let el = document.activeElement;
      // Inside a widget's shadow root (the lab), the focused element is the root's.
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return null;
      // The file input is visually hidden; its label shows the focus instead.
      const shown = el.id === 'file-input' ? document.querySelector('label[for="file-input"]') : el;
      const style = getComputedStyle(shown);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return { key: el.id || el.getAttribute('aria-label') || el.textContent.trim(), outline };
    });
    if (!info) continue;
    reached.add(info.key);
    if (!info.outline) noOutline.push(info.key);
  }
  expect([...wanted].filter((k) => !reached.has(k)), 'controls Tab never reached').toEqual([]);
  expect(noOutline, 'focused without a visible outline').toEqual([]);
});

test('the skip link is the first Tab stop and jumps to the comparison', async ({ page }) => {
  await open(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the comparison' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('#grid-section')).toBeFocused();
});

test('charts and panels have text alternatives with their numbers', async ({ page }) => {
  await open(page);
  const unlabelled = await page.locator('canvas').evaluateAll((cs) =>
    cs.filter((c) => c.getAttribute('role') !== 'img' || !(c.getAttribute('aria-label') || '').trim()).map((c) => c.outerHTML.slice(0, 80)),
  );
  expect(unlabelled).toEqual([]);
  await expect(page.getByRole('img', { name: /^Histogram of adjusted · instance norm\. R: μ -?[\d.]+(e-?\d+)?, σ [\d.]+/ })).toHaveCount(1);
  await page.getByRole('button', { name: 'Train 10 steps' }).click();
  await expect(page.locator('#running-chart')).toHaveAttribute('aria-label', /after 10 steps: R μ [\d.]+, σ² [\d.]+/);
});
