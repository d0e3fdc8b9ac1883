// Classroom mode by keyboard alone: the shortcuts list, the presentation
// view, and the walk-through whose every step shows one fact.
import { test, expect } from './fixtures.js';

const readout = (page, kind) => page.locator(`#readouts .readout[data-kind="${kind}"]`);

// Six steps on the page's own panels, then the lab's experiments in this order.
const LAB_STEPS = ['race', 'lighting', 'race', 'pooled', 'batch', 'neighbours', 'evalmode', 'both', 'lr'];
const STEPS = 6 + LAB_STEPS.length;

async function step(page, key, n) {
  await page.keyboard.press(key);
  await expect(page.locator('#walk')).toHaveAttribute('data-ready', String(n));
  await expect(page.locator('#walk-count')).toHaveText(`Step ${n} of ${STEPS}`);
}

test('the walk-through works by keyboard alone, forwards and back', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.locator('body').click({ position: { x: 5, y: 5 } });

  // "?" lists the shortcuts in a dialog; Escape closes it.
  await page.keyboard.press('?');
  const dialog = page.locator('#shortcuts-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Page Down');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // 1: contrast down → instance unchanged, batch changed.
  await step(page, 'w', 1);
  await expect(page.locator('#contrast')).toHaveValue('0.4');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  // 2: gamma → the invariance breaks.
  await step(page, 'ArrowRight', 2);
  await expect(page.locator('#gamma')).toHaveValue('2.2');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  // 3: clipping.
  await step(page, 'PageDown', 3);
  await expect(page.locator('#clip')).toBeChecked();
  await expect(page.locator('#gamma')).toHaveValue('1');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'changed');
  // 4: neighbours: the probe's batch-norm output moves, instance norm does not.
  await step(page, 'ArrowRight', 4);
  await expect(page.locator('#walk .readout[data-kind="batch"]')).toHaveAttribute('data-state', 'changed');
  await expect(page.locator('#walk .readout[data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  // 5: a batch of one: batch norm = instance norm.
  await step(page, 'ArrowRight', 5);
  await expect(page.locator('#tray li')).toHaveCount(1);
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'unchanged');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  // 6: evaluation mode: the contrast change passes through batch norm.
  await step(page, 'PageDown', 6);
  await expect(page.locator('#eval-mode')).toBeChecked();
  await expect(page.locator('#tray li')).toHaveCount(6);
  await expect(readout(page, 'batch')).toHaveAttribute('data-state', 'changed');
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');
  await expect(page.locator('#walk-lab')).toBeHidden();

  // Back: each step sets everything again.
  await step(page, 'PageUp', 5);
  await expect(page.locator('#eval-mode')).not.toBeChecked();
  await expect(page.locator('#tray li')).toHaveCount(1);
  await step(page, 'Home', 1);
  await expect(page.locator('#tray li')).toHaveCount(6);
  await expect(page.locator('#clip')).not.toBeChecked();
  await expect(readout(page, 'instance')).toHaveAttribute('data-state', 'unchanged');

  // Escape closes the walk-through.
  await page.keyboard.press('Escape');
  await expect(page.locator('#walk')).toBeHidden();
});

test('presentation view: P turns on large type and the projector theme, Escape leaves it', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const fontBefore = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  await page.keyboard.press('p');
  const html = page.locator('html');
  await expect(html).toHaveClass(/is-presenting/);
  await expect(html).toHaveClass(/theme-projector/);
  await expect(page.locator('#present')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('#walk')).toHaveAttribute('data-ready', '1');
  const look = await page.evaluate(() => ({
    font: parseFloat(getComputedStyle(document.documentElement).fontSize),
    bg: getComputedStyle(document.body).backgroundColor,
    fg: getComputedStyle(document.body).color,
    why: getComputedStyle(document.getElementById('why-section')).display,
  }));
  expect(look.font).toBeGreaterThan(parseFloat(fontBefore));
  expect(look).toMatchObject({ bg: 'rgb(0, 0, 0)', fg: 'rgb(255, 255, 255)', why: 'none' });
  await page.keyboard.press('Escape');
  await expect(html).not.toHaveClass(/is-presenting/);
  // The arrow keys still belong to a focused slider.
  await page.locator('#contrast').focus();
  const before = await page.locator('#contrast').inputValue();
  await page.keyboard.press('ArrowRight');
  expect(Number(await page.locator('#contrast').inputValue())).toBeGreaterThan(Number(before));
  await expect(page.locator('#walk-count')).toHaveText(`Step 1 of ${STEPS}`);
});

test('the walk-through goes on into the lab: each step shows one experiment with the conclusion of its runs', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await step(page, 'w', 1);
  await step(page, 'End', STEPS);
  const walkLab = page.locator('#walk-lab norm-lab');
  const inBox = (name) => walkLab.locator(`[data-experiment="${name}"]`);
  // The box now sits in the lab's section, not under the sliders.
  await expect(page.locator('#lab #walk')).toBeVisible();
  await expect(walkLab).toHaveAttribute('experiment', 'lr');
  await expect(inBox('lr').locator('tbody tr')).toHaveCount(2);
  await expect(inBox('lr').locator('.lab-conclusion')).not.toBeEmpty();
  await expect(page.locator('#walk-next')).toBeDisabled();

  // Back through the lab's steps, each with its one experiment.
  for (let n = STEPS - 1; n >= 7; n--) {
    await step(page, 'PageUp', n);
    await expect(walkLab).toHaveAttribute('experiment', LAB_STEPS[n - 7]);
    await expect(inBox(LAB_STEPS[n - 7]).locator('.lab-conclusion').first()).not.toBeEmpty();
    if (n === 9) await expect(walkLab).toHaveAttribute('task', 'day-night');
    if (n !== 8) continue;
    // An arrow key on the lab's own slider moves that slider, not the walk-through.
    const slider = inBox('lighting').locator('input[type="range"]');
    const before = Number(await slider.inputValue());
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Number(await slider.inputValue())).toBeGreaterThan(before);
    await expect(page.locator('#walk-count')).toHaveText(`Step 8 of ${STEPS}`);
    await page.locator('#walk').focus();
  }
  // Step 7, the race: the same runs and the same sentence as the page's lab below.
  const race = inBox('race');
  await expect(race.locator('tbody tr')).toHaveCount(7);
  const pageRace = page.locator('#lab > norm-lab').locator('[data-experiment="race"]');
  await expect(pageRace.locator('.lab-conclusion')).not.toBeEmpty();
  await expect(race.locator('.lab-conclusion')).toHaveText((await pageRace.locator('.lab-conclusion').textContent()).trim());

  // Back to step 6: the box returns under the sliders, without a lab.
  await page.locator('#walk-prev').click();
  await expect(page.locator('#walk')).toHaveAttribute('data-ready', '6');
  await expect(page.locator('#lab #walk')).toHaveCount(0);
  await expect(page.locator('#walk-lab')).toBeHidden();
  await expect(page.locator('#walk-lab norm-lab')).toHaveCount(0);
});
