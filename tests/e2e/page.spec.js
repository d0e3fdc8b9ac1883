// The explainer page as a student uses it: the samples load, the probe's
// sliders move, and the panels show that instance norm ignores an affine
// contrast change while batch norm does not. Pixels are read back from the
// canvases, so these tests check what is drawn, not only what is written.
import { test, expect } from './fixtures.js';

/** Open the page and wait for wasm and the first render. */
async function open(page) {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
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

/** Largest byte difference and how many bytes differ by more than `over`. */
function compare(a, b, over = 10) {
  expect(a.length).toBe(b.length);
  let max = 0;
  let many = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    if (d > over) many++;
  }
  return { max, many };
}

/** Whether an RGBA buffer holds more than one colour (a blank canvas does not). */
function distinctColours(buf) {
  const seen = new Set();
  for (let i = 0; i < buf.length && seen.size < 50; i += 4) seen.add(buf.readUInt32BE(i));
  return seen.size;
}

const panel = (page, row, kind) => page.getByRole('img', { name: `${row} probe, ${kind}`, exact: true });
const readout = (page, kind) => page.locator(`#readouts .readout[data-kind="${kind}"]`);

/**
 * Wait until the grid has repainted after a control change: the batch-norm
 * readout's numbers move whenever the probe's pixels do, and every panel is
 * painted in the same frame as the readouts.
 */
async function afterRepaint(page, change) {
  const before = await readout(page, 'batch').textContent();
  await change();
  await expect(readout(page, 'batch')).not.toHaveText(before);
}

test('loads the six samples into the tray without errors', async ({ page }) => {
  await open(page);
  const items = page.locator('#tray .tray-item');
  await expect(items).toHaveCount(6);
  await expect(page.locator('#status')).toContainText('6 sample photos loaded');
  for (let i = 0; i < 6; i++) {
    const canvas = items.nth(i).locator('canvas');
    const buf = await pixels(canvas);
    expect(buf.length, `tray image ${i + 1} has its working size`).toBe(256 * 256 * 4);
    expect(distinctColours(buf), `tray image ${i + 1} is not blank`).toBeGreaterThan(20);
  }
  // Every output panel of the default grid is painted too.
  for (const row of ['Original', 'Adjusted']) {
    for (const kind of ['input', 'batch norm', 'instance norm']) {
      expect(distinctColours(await pixels(panel(page, row, kind))), `${row} ${kind}`).toBeGreaterThan(20);
    }
  }
});

test('contrast moves batch norm and leaves instance norm alone (keyboard and fill)', async ({ page }) => {
  await open(page);
  // The page starts with a visible change on the probe: contrast 0.5.
  await expect(page.locator('#contrast-value')).toHaveText('0.50');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'instance')).toContainText('instance norm: unchanged');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  await expect(readout(page, 'batch')).toContainText('batch norm: changed');

  const inst0 = await pixels(panel(page, 'Adjusted', 'instance norm'));
  const batch0 = await pixels(panel(page, 'Adjusted', 'batch norm'));

  // Keyboard: the slider is operable without a mouse.
  await afterRepaint(page, async () => {
    await page.locator('#contrast').focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
  });
  await expect(page.locator('#contrast-value')).toHaveText('1.30');
  const inst1 = await pixels(panel(page, 'Adjusted', 'instance norm'));
  const batch1 = await pixels(panel(page, 'Adjusted', 'batch norm'));
  expect(compare(inst0, inst1).max, 'instance norm panel stays the same').toBeLessThanOrEqual(2);
  expect(compare(batch0, batch1).many, 'batch norm panel changes visibly').toBeGreaterThan(1000);
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');

  // Typing a value in (fill) takes the same path.
  await afterRepaint(page, () => page.locator('#contrast').fill('2.5'));
  await expect(page.locator('#contrast-value')).toHaveText('2.50');
  const inst2 = await pixels(panel(page, 'Adjusted', 'instance norm'));
  const batch2 = await pixels(panel(page, 'Adjusted', 'batch norm'));
  expect(compare(inst0, inst2).max).toBeLessThanOrEqual(2);
  expect(compare(batch1, batch2).many).toBeGreaterThan(1000);
  await expect(readout(page, 'instance')).toContainText('instance norm: unchanged');
  await expect(readout(page, 'batch')).toContainText('batch norm: changed');

  // Brightness is affine too.
  await afterRepaint(page, () => page.locator('#brightness').fill('-0.3'));
  expect(compare(inst0, await pixels(panel(page, 'Adjusted', 'instance norm'))).max).toBeLessThanOrEqual(2);
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
});

test('going back to the same settings shows the same panels and histograms', async ({ page }) => {
  await open(page);
  const canvases = {
    'adjusted input histogram': page.getByRole('img', { name: /^Histogram of adjusted · input\./ }),
    'adjusted batch-norm histogram': page.getByRole('img', { name: /^Histogram of adjusted · batch norm\./ }),
    'adjusted batch-norm panel': panel(page, 'Adjusted', 'batch norm'),
  };
  const before = {};
  for (const [name, c] of Object.entries(canvases)) before[name] = await pixels(c);
  const start = await readout(page, 'batch').textContent();
  await afterRepaint(page, () => page.locator('#contrast').fill('2.5'));
  // Back to 0.50: the readout returns to its first numbers.
  await page.locator('#contrast').fill('0.5');
  await expect(readout(page, 'batch')).toHaveText(start);
  for (const [name, c] of Object.entries(canvases)) {
    // A chart drawn over the old one would keep the old curves.
    expect(compare(before[name], await pixels(c)).max, name).toBeLessThanOrEqual(2);
  }
});

test('gamma and clipping are not affine: instance norm changes', async ({ page }) => {
  await open(page);
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  const inst0 = await pixels(panel(page, 'Adjusted', 'instance norm'));

  await page.locator('#gamma').fill('2');
  await expect(page.locator('#gamma-value')).toHaveText('2.00');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  await expect(readout(page, 'instance')).toContainText('instance norm: changed');
  expect(compare(inst0, await pixels(panel(page, 'Adjusted', 'instance norm'))).many).toBeGreaterThan(1000);

  // Back to γ = 1, then push the contrast high enough to clip.
  await page.locator('#gamma').fill('1');
  await page.locator('#contrast').fill('2.5');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await page.locator('#clip').check();
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  await page.locator('#clip').uncheck();
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');

  // Reset puts the probe back to the identity: nothing changes at all.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(page.locator('#contrast-value')).toHaveText('1.00');
  await expect(page.locator('#brightness-value')).toHaveText('0.00');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
});

test('re-contrasting the neighbours moves batch norm, not instance norm', async ({ page }) => {
  await open(page);
  const result = page.locator('#neighbour-result .readout');
  await expect(result).toHaveCount(0);
  await page.getByRole('button', { name: 'Re-contrast the neighbours' }).click();
  await expect(result.filter({ hasText: 'batch norm:' })).toContainText(/output changed by up to/);
  await expect(result.filter({ hasText: 'instance norm:' })).toContainText(/output unchanged/);
});

test('a batch of one: batch norm equals instance norm', async ({ page }) => {
  await open(page);
  const items = page.locator('#tray .tray-item');
  for (let n = 6; n > 1; n--) {
    await page.getByRole('button', { name: /^Remove / }).last().click();
    await expect(items).toHaveCount(n - 1);
  }
  await expect(page.locator('#status')).toContainText('Removed');
  // The last image cannot be removed: the batch is never empty.
  await expect(page.getByRole('button', { name: /^Remove / })).toBeDisabled();
  await expect(page.locator('#readouts')).toContainText('batch norm in training mode computes the same statistics as instance norm');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'unchanged');
  for (const row of ['Original', 'Adjusted']) {
    const b = await pixels(panel(page, row, 'batch norm'));
    const i = await pixels(panel(page, row, 'instance norm'));
    expect(compare(b, i).max, `${row}: batch and instance panels are identical`).toBeLessThanOrEqual(1);
  }
  // In evaluation mode batch norm uses running statistics: the claim no longer holds and is not made.
  await page.locator('#eval-mode').check();
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  await expect(page.locator('#readouts')).not.toContainText('same statistics as instance norm');
});

test('training updates the running statistics; evaluation mode passes contrast through', async ({ page }) => {
  await open(page);
  const text = page.locator('#running-text');
  const chart = page.locator('#running-chart');
  await expect(text).toContainText('After 0 training steps');
  // Count strongly coloured pixels: the placeholder is black text on white,
  // the chart draws one coloured line per channel.
  const coloured = async () => {
    const buf = await pixels(chart);
    let n = 0;
    for (let i = 0; i < buf.length; i += 4) {
      const [r, g, b] = [buf[i], buf[i + 1], buf[i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  };
  // Before any step there is no empty chart frame: a hint says what to do.
  const hint = page.locator('#running-hint');
  await expect(hint).toBeVisible();
  await expect(hint).toContainText('Train 10 steps');
  await expect(chart).toBeHidden();

  await page.getByRole('button', { name: 'Train 10 steps' }).click();
  await expect(text).toContainText('After 10 training steps');
  // The hint is gone once there is something to plot.
  await expect(hint).toBeHidden();
  await expect(chart).toBeVisible();
  await expect(text).toContainText(/R μ [\d.]+, σ² [\d.]+ · G μ/);
  expect(await coloured(), 'the running chart shows its lines').toBeGreaterThan(200);
  await expect(chart).toHaveAttribute('aria-label', /after 10 steps/);
  await page.getByRole('button', { name: 'Train 10 steps' }).click();
  await expect(text).toContainText('After 20 training steps');

  // Evaluation: batch norm is a fixed affine map per channel, so a contrast
  // change of the probe reaches its output; instance norm still removes it.
  await page.locator('#eval-mode').check();
  await afterRepaint(page, () => page.locator('#contrast').fill('2'));
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');

  await page.getByRole('button', { name: 'Reset running statistics' }).click();
  await expect(text).toContainText('After 0 training steps');
  await expect(chart).toBeHidden();
  await expect(hint).toBeVisible();
});

test('feature-map mode: six maps, instance norm still unchanged', async ({ page }) => {
  await open(page);
  // The batch-norm column's histogram names its channels: R, G, B or F1…F6.
  const hist = page.getByRole('img', { name: /^Histogram of original · batch norm\./ });
  await expect(hist).toHaveAttribute('aria-label', /\. R: μ .* B: μ [^·]*$/);
  const groupOptions = page.locator('#groups option');
  await expect(groupOptions).toHaveCount(2); // 1 and 3 divide three channels

  await page.getByLabel('Feature-map mode').check();
  await expect(hist).toHaveAttribute('aria-label', /\. F1: μ .* F6: μ [^·]*$/);
  await expect(groupOptions).toHaveCount(4); // 1, 2, 3, 6
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  await afterRepaint(page, () => page.locator('#contrast').fill('2'));
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');

  // Group norm (G = 3) changes only the group holding the blur map F6, which
  // the panels (F1–F3) do not draw: the readout says which maps moved, and
  // the drawn group-norm panel is indeed the same in both rows' statistics.
  await page.locator('.kinds input[data-kind="group"]').check();
  await page.locator('.kinds input[data-kind="layer"]').check();
  await page.locator('#groups').selectOption('3');
  await expect(readout(page, 'group')).toHaveAttribute('data-state', 'changed');
  await expect(readout(page, 'group')).toContainText('maps whose mean or spread moved: F5, F6');
  await expect(readout(page, 'layer')).toContainText('moved: F1, F2, F3, F4, F5, F6');
  const drawn = (row) => page.getByRole('img', { name: new RegExp(`^Histogram of ${row} · group norm\\.`) }).getAttribute('aria-label');
  const [orig, adj] = [await drawn('original'), await drawn('adjusted')];
  const firstThree = (label) => label.split(' · ').filter((part) => /F[123]: /.test(part)).join(' · ');
  expect(firstThree(adj)).toBe(firstThree(orig));
  await page.locator('.kinds input[data-kind="group"]').uncheck();
  await page.locator('.kinds input[data-kind="layer"]').uncheck();

  await page.getByLabel('Feature-map mode').uncheck();
  await expect(hist).toHaveAttribute('aria-label', /\. R: μ .* B: μ [^·]*$/);
  await expect(groupOptions).toHaveCount(2);
});

test('layer, group and batch-instance columns appear when checked', async ({ page }) => {
  await open(page);
  const heads = page.locator('#grid .grid-head');
  await expect(heads).toHaveText(['input', 'batch norm', 'instance norm']);
  for (const [kind, label] of [
    ['layer', 'layer norm'],
    ['group', 'group norm'],
    ['batch-instance', 'batch-instance norm'],
  ]) {
    await page.locator(`.kinds input[data-kind="${kind}"]`).check();
    await expect(heads.filter({ hasText: new RegExp(`^${label}$`) })).toHaveCount(1);
    await expect(readout(page, kind)).toContainText(`${label}:`);
    const adjusted = panel(page, 'Adjusted', label);
    await expect(adjusted).toBeVisible();
    await expect.poll(async () => distinctColours(await pixels(adjusted))).toBeGreaterThan(20);
  }
  await expect(heads).toHaveCount(6);
  // Affine change on RGB: layer and group norm (over the whole image or a group
  // of channels sharing the change) cancel it too; ρ = 0.5 mixes in batch norm.
  await expect(readout(page, 'layer')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'batch-instance')).toHaveAttribute('data-state', 'changed');
  await page.locator('#rho').fill('0');
  await expect(page.locator('#rho-value')).toHaveText('0.00');
  await expect(readout(page, 'batch-instance')).toHaveAttribute('data-state', 'unchanged');

  await page.locator('.kinds input[data-kind="layer"]').uncheck();
  await expect(heads).toHaveCount(5);
  await expect(readout(page, 'layer')).toHaveCount(0);
  // Difference maps can be hidden.
  await expect(page.getByRole('img', { name: 'Difference map, batch norm' })).toBeVisible();
  await page.getByLabel('difference maps').uncheck();
  await expect(page.getByRole('img', { name: 'Difference map, batch norm' })).toHaveCount(0);
});

test('reordering the tray and choosing another probe', async ({ page }) => {
  await open(page);
  const names = page.locator('#tray .tray-name');
  await expect(names).toHaveText(['chelsea.jpg', 'coffee.jpg', 'astronaut.jpg', 'rocket.jpg', 'hubble.jpg', 'retina.jpg']);
  const probeItem = page.locator('#tray .tray-item.is-probe');
  await expect(probeItem.locator('.tray-name')).toHaveText('chelsea.jpg');

  // The first image cannot move left, the last cannot move right.
  await expect(page.getByRole('button', { name: 'Move chelsea.jpg left' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Move retina.jpg right' })).toBeDisabled();

  await page.getByRole('button', { name: 'Move coffee.jpg left' }).click();
  await expect(names).toHaveText(['coffee.jpg', 'chelsea.jpg', 'astronaut.jpg', 'rocket.jpg', 'hubble.jpg', 'retina.jpg']);
  // The probe follows its image.
  await expect(probeItem.locator('.tray-name')).toHaveText('chelsea.jpg');
  await page.getByRole('button', { name: 'Move chelsea.jpg right' }).click();
  await expect(names).toHaveText(['coffee.jpg', 'astronaut.jpg', 'chelsea.jpg', 'rocket.jpg', 'hubble.jpg', 'retina.jpg']);
  await expect(probeItem.locator('.tray-name')).toHaveText('chelsea.jpg');

  // Choosing another probe: its own (identity) adjustment shows on the
  // sliders and the grid shows that image.
  const original0 = await pixels(panel(page, 'Original', 'input'));
  const choose = page.getByRole('button', { name: 'Use as probe: hubble.jpg' });
  await expect(choose).toHaveAttribute('aria-pressed', 'false');
  await choose.click();
  await expect(probeItem.locator('.tray-name')).toHaveText('hubble.jpg');
  await expect(page.getByRole('button', { name: 'Probe: hubble.jpg' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#tray .tray-item.is-probe')).toHaveCount(1);
  await expect(page.locator('#contrast-value')).toHaveText('1.00');
  await expect(page.locator('#brightness-value')).toHaveText('0.00');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect
    .poll(async () => compare(original0, await pixels(panel(page, 'Original', 'input'))).many)
    .toBeGreaterThan(1000);
  // The grid's input panel shows the tray's image of the probe.
  const trayHubble = await pixels(page.locator('#tray .tray-item.is-probe canvas'));
  expect(compare(trayHubble, await pixels(panel(page, 'Original', 'input'))).max).toBeLessThanOrEqual(2);
});

test('the working size changes the resolution of every image and panel', async ({ page }) => {
  await open(page);
  for (const size of [128, 512]) {
    await page.getByLabel('Working size').selectOption(String(size));
    await expect(page.locator('#tray .tray-item canvas').first()).toHaveJSProperty('width', size);
    await expect(panel(page, 'Adjusted', 'instance norm')).toHaveJSProperty('width', size);
    const buf = await pixels(panel(page, 'Adjusted', 'batch norm'));
    expect(buf.length).toBe(size * size * 4);
    expect(distinctColours(buf)).toBeGreaterThan(20);
    await expect(page.locator('#tray .tray-item')).toHaveCount(6);
    await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
    await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  }
});

test('screenshots at 1280 px, at 200% zoom and at 375 px wide, with nothing wider than the screen', async ({ page }) => {
  for (const [name, width, height] of [
    ['desktop', 1280, 800],
    // A 1280 × 800 window zoomed to 200% lays the page out in 640 × 400 CSS px.
    ['zoom200', 640, 400],
    ['phone', 375, 740],
  ]) {
    await page.setViewportSize({ width, height });
    await open(page);
    // Nothing may stick out sideways: no horizontal scrolling on a phone.
    const overflow = await page.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > vw + 1 || r.left < -1) && !el.closest('.visually-hidden, .skip');
        })
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`);
      return { scroll: document.documentElement.scrollWidth - vw, wide: wide.slice(0, 10) };
    });
    expect(overflow.wide, `${name}: elements wider than the viewport`).toEqual([]);
    expect(overflow.scroll, `${name}: horizontal scroll`).toBeLessThanOrEqual(0);
    // Text stays readable: nothing visible below 12 px.
    const tiny = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.childNodes.length && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .filter((el) => el.getBoundingClientRect().width > 0 && !el.closest('.visually-hidden'))
        .filter((el) => parseFloat(getComputedStyle(el).fontSize) < 12)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${getComputedStyle(el).fontSize}`)
        .slice(0, 10),
    );
    expect(tiny, `${name}: text smaller than 12 px`).toEqual([]);
    await page.screenshot({ path: `tests/e2e/artifacts/${name}.png`, fullPage: true });
  }
});

test('the ε case the page describes: at contrast 0.2 instance norm changes, the flat Hubble photo most', async ({ page }) => {
  await open(page);
  const maxDelta = async () => Number(/max \|Δ\| = ([\d.]+)/.exec(await readout(page, 'instance').textContent())[1]);
  // The default view (contrast 0.5): unchanged.
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await afterRepaint(page, () => page.locator('#contrast').fill('0.2'));
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  const cat = await maxDelta();
  await page.getByRole('button', { name: 'Use as probe: hubble.jpg' }).click();
  await expect(page.locator('#tray .tray-item.is-probe .tray-name')).toHaveText('hubble.jpg');
  await afterRepaint(page, () => page.locator('#contrast').fill('0.2'));
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  expect(await maxDelta(), 'Hubble changes more than the cat').toBeGreaterThan(2 * cat);
  await expect(page.locator('#why-section')).toContainText('much more for the dark, flat Hubble deep field');
});
