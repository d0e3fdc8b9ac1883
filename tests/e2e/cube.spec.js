// The N, C, H×W cube and the live formula: the highlighted set and the
// printed count follow the kind and the keyboard selection, the μ printed
// is the one the grid shows, and the formula's y is the core's own output.
import { wcagAxe } from './axe.js';
import { test, expect } from './fixtures.js';


test.afterEach(async ({ page }) => {
  const others = await page.evaluate(() => (window.cspViolations || []).filter((v) => !v.source.endsWith('/pkg/normscope.js')));
  expect(others, 'CSP violations outside the plotters text measurement').toEqual([]);
});

async function ready(page) {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push({ directive: e.violatedDirective, source: e.sourceFile });
    });
  });
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  const size = Number(await page.locator('#size-select').inputValue());
  const images = await page.locator('#tray > li').count();
  return { size, images };
}

const shownCount = async (page) => Number(await page.locator('#cube-count').getAttribute('data-value'));
const shownMean = async (page) => Number(await page.locator('#cube-mean').getAttribute('data-value'));

async function chooseKind(page, kind) {
  await page.locator(`input[name="cube-kind"][value="${kind}"]`).check();
}

test('keyboard selection highlights the values that share one mean and variance', async ({ page }) => {
  const { size, images } = await ready(page);
  expect(images).toBeGreaterThan(1);
  const plane = size * size;
  const widget = page.locator('.cube-widget');
  await expect(widget).toHaveAttribute('aria-label', /Batch cube/);
  const live = page.locator('.cube-live');
  const shared = page.locator('svg.cube polygon.cube-top.is-shared');

  await chooseKind(page, 'batch');
  await widget.focus();
  await expect(live).toContainText('image 0');
  expect(await shownCount(page)).toBe(images * plane);
  await expect(shared).toHaveCount(Math.min(images, 10)); // one top cell per drawn image

  // → moves to the next image: batch norm still pools the same channel of all images.
  await page.keyboard.press('ArrowRight');
  await expect(live).toContainText('image 1');
  expect(await shownCount(page)).toBe(images * plane);
  await expect(page.locator('svg.cube polygon.cube-top.is-shared[data-n="1"]')).toHaveCount(1);

  await chooseKind(page, 'instance');
  await widget.focus();
  await page.keyboard.press('ArrowUp'); // channel G
  await expect(live).toContainText('image 1');
  await expect(live).toContainText('channel G');
  expect(await shownCount(page)).toBe(plane);
  await expect(shared).toHaveCount(1);
  await expect(page.locator('svg.cube polygon.cube-top.is-shared[data-n="1"][data-c="1"]')).toHaveCount(1);

  await chooseKind(page, 'layer');
  expect(await shownCount(page)).toBe(3 * plane);
  await expect(shared).toHaveCount(3);
  await expect(page.locator('svg.cube polygon.cube-top.is-shared:not([data-n="1"])')).toHaveCount(0);

  // With RGB, group norm's G is 1 or 3: the page says which kind it equals.
  await chooseKind(page, 'group');
  await expect(page.locator('.cube-group-note')).toBeVisible();
  await expect(page.locator('.cube-group-note')).toContainText('G = 1 or G = 3');
  const groups = Number(await page.locator('#groups').inputValue());
  expect(await shownCount(page)).toBe((3 / groups) * plane);
});

test('instance μ is the probe channel mean the grid shows, and the formula is the core output', async ({ page }) => {
  await ready(page);
  await chooseKind(page, 'instance');
  // The grid's original-row input stats: "R: μ 0.45, σ 0.22 · G: …".
  const gridText = await page.locator('.grid .hist-stats').first().textContent();
  const gridMeans = [...gridText.matchAll(/μ (-?[\d.]+)/g)].map((m) => Number(m[1]));
  expect(gridMeans).toHaveLength(3);
  const probe = await page.locator('#tray .is-probe').count();
  expect(probe).toBe(1);

  const widget = page.locator('.cube-widget');
  await widget.focus();
  await page.keyboard.press('Home'); // image 0 is the probe at start
  for (let c = 0; c < 3; c++) {
    await expect(page.locator('.cube-live')).toContainText(`channel ${'RGB'[c]}`);
    expect((await shownMean(page)).toFixed(2)).toBe(gridMeans[c].toFixed(2));

    const f = page.locator('#formula-section');
    const x = Number(await f.getAttribute('data-x'));
    const y = Number(await f.getAttribute('data-y'));
    const core = Number(await page.locator('.formula-check').getAttribute('data-value'));
    const mean = await shownMean(page);
    const sigma = Number(await page.locator('#cube-sigma').getAttribute('data-value'));
    // y computed in the page from the printed numbers equals the core's normalized value.
    expect(Math.abs(y - core)).toBeLessThan(1e-4);
    expect(Math.abs((x - mean) / Math.sqrt(sigma * sigma + 1e-5) - y)).toBeLessThan(1e-4);
    // The MathML shows the same numbers.
    const math = await page.locator('.formula-numeric math').textContent();
    expect(math).toContain(y.toFixed(4).replace('-', '−'));
    expect(math).toContain(mean.toFixed(4));
    await page.keyboard.press('ArrowUp');
  }
});

test('the formula follows the probe slider and another image; evaluation mode says so', async ({ page }) => {
  const { images } = await ready(page);
  await chooseKind(page, 'batch');
  const f = page.locator('#formula-section');
  const check = page.locator('.formula-check');

  // Another image: the core's value and the page's formula still agree.
  await page.locator('.cube-widget').focus();
  await page.keyboard.press('End');
  await expect(page.locator('.cube-live')).toContainText(`image ${images - 1}`);
  const y = Number(await f.getAttribute('data-y'));
  expect(Math.abs(y - Number(await check.getAttribute('data-value')))).toBeLessThan(1e-4);

  // Pixel slider moves x.
  const before = await f.getAttribute('data-x');
  await page.locator('#cube-pixel').fill('0');
  await expect(page.locator('#cube-pixel-value')).toHaveText('row 0, column 0');
  await expect(f).toHaveAttribute('data-row', '0');
  expect(await f.getAttribute('data-x')).not.toBe(before);

  // Evaluation mode: running statistics, count 0, nothing highlighted.
  await page.locator('#eval-mode').check();
  await expect(page.locator('#cube-count')).toHaveAttribute('data-value', '0');
  await expect(page.locator('.cube-live')).toContainText('evaluation mode');
  await expect(page.locator('svg.cube polygon.is-shared')).toHaveCount(0);
  await expect(page.locator('.formula-where')).toContainText('running statistics');
});

test('a big batch stays readable: ten images drawn, the rest counted', async ({ page }) => {
  const { size, images } = await ready(page);
  const samples = ['astronaut', 'brick', 'camera', 'chelsea', 'coffee', 'hubble', 'ihc', 'retina', 'rocket'];
  await page.locator('#file-input').setInputFiles(samples.map((s) => `www/samples/${s}.jpg`));
  const total = images + samples.length;
  await expect(page.locator('#tray > li')).toHaveCount(total);
  await chooseKind(page, 'batch');
  await expect(page.locator('.cube-live')).toContainText(`${(total * size * size).toLocaleString('en-US')} values`);
  await expect(page.locator('svg.cube polygon.cube-top.is-shared')).toHaveCount(10);
  await expect(page.locator('svg.cube .cube-more')).toHaveText(`+${total - 10} more`);
  await expect(page.locator('.cube-more-note')).toContainText('share the statistics too');
  // The drawn window follows the selection to the last image.
  await page.locator('.cube-widget').focus();
  await page.keyboard.press('End');
  await expect(page.locator(`svg.cube polygon.cube-top[data-n="${total - 1}"]`)).toHaveCount(3);
  await expect(page.locator('svg.cube .cube-tick.is-current').first()).toHaveText(String(total - 1));
});

test('cube and formula fit a phone and a laptop; screenshot', async ({ page }) => {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await ready(page);
    await chooseKind(page, 'instance');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    const box = await page.locator('svg.cube').boundingBox();
    expect(box.width).toBeGreaterThan(250);
    const math = await page.locator('.formula-numeric').boundingBox();
    expect(math.width).toBeLessThanOrEqual(width);
  }
  await page.locator('.cube-widget').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  const [top, bottom] = await page.evaluate(() => [
    document.getElementById('cube-section').getBoundingClientRect().top + scrollY,
    document.getElementById('formula-section').getBoundingClientRect().bottom + scrollY,
  ]);
  await page.screenshot({ path: 'tests/e2e/artifacts/cube.png', fullPage: true, clip: { x: 0, y: top, width: 1280, height: bottom - top } });
});

test('the cube and formula sections pass axe (WCAG 2.1 A/AA)', async ({ page }) => {
  await ready(page);
  for (const kind of ['batch', 'group']) {
    await chooseKind(page, kind);
    const result = await wcagAxe(page)
      .include('#cube-section')
      .include('#formula-section')
      .analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);
  }
});
