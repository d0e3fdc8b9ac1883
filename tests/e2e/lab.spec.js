// The lab (<norm-lab>, www/norm-lab.js): recorded runs at first view, a race
// trained in the page's workers whose numbers equal the recorded ones bit for
// bit, stop, divergence, bad link parameters, axe, and screenshots of every
// experiment (tests/e2e/artifacts/lab-*.png).
//
// The short race uses tests/e2e/files/lab/race-what.json, made by
// `cargo run --release --example lab_record -- tests/e2e/files/lab 3 none,batch,instance,layer,group,batch-instance,ibn`
// (served in place of www/lab/recorded/race-what.json), so it takes seconds.
import { wcagAxe } from './axe.js';
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';
import { openOfflineFile } from './offline-file.js';

const KINDS = ['no norm', 'batch', 'instance', 'layer', 'group', 'batch-instance', 'IBN'];
const COLORS = ['#555555', '#0072b2', '#d55e00', '#009e73', '#a8437f', '#b07800', '#3a8fc4'];
const SHORT = readFileSync(new URL('./files/lab/race-what.json', import.meta.url));
const SHORT_STEPS = JSON.parse(SHORT).runs[0].record.config.steps;

const lab = (page) => page.locator('norm-lab');
const panel = (page, name) => lab(page).locator(`[data-experiment="${name}"]`);

async function open(page, query = '') {
  await page.goto(`/${query}#lab`);
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
}

/** Serve the short recorded race instead of the page's 200-step one. */
async function shortRace(page) {
  await page.route('**/lab/recorded/race-what.json', (route) => route.fulfill({ body: SHORT, contentType: 'application/json' }));
}

/** How many pixels of a canvas in a panel are near each colour. */
function colourCounts(page, name, n, colors) {
  return panel(page, name).locator('canvas.lab-chart').nth(n).evaluate((canvas, colors) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
    const counts = colors.map(() => 0);
    for (let i = 0; i < data.length; i += 4) {
      rgb.forEach(([r, g, b], k) => {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40 && data[i + 3] > 200) counts[k]++;
      });
    }
    return counts;
  }, colors);
}

async function violations(page) {
  const result = await wcagAxe(page).include('#lab').analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.split('\n')[1] ?? ''}`));
}

test('the first view shows the recorded runs at once, with their command and a conclusion from their numbers', async ({ page }) => {
  await open(page);
  const race = panel(page, 'race');
  await expect(race.locator('tbody tr')).toHaveCount(KINDS.length);
  await expect(race.locator('.lab-source')).toContainText('normscope train --task what --norm KIND');
  await expect(race.locator('.lab-match').first()).toHaveText('recorded');
  // The conclusion quotes the table's numbers (the mean over the 5 recorded seeds).
  const bn = (await race.locator('tbody tr', { hasText: /^batch\d/ }).locator('td').first().textContent()).match(/^\d+%/)[0];
  await expect(race.locator('.lab-conclusion')).toContainText('On what is it (200 steps, 5 seeds of each kind), test accuracy was');
  await expect(race.locator('.lab-conclusion')).toContainText(bn);
  const counts = await colourCounts(page, 'race', 0, COLORS);
  counts.forEach((c, k) => expect(c, `${KINDS[k]}'s loss curve`).toBeGreaterThan(10));
  await expect(panel(page, 'lighting').locator('tbody tr')).toHaveCount(KINDS.length);
  await expect(panel(page, 'lighting').locator('.lab-conclusion')).toContainText('Over contrast');
  await expect(panel(page, 'lr').locator('tbody tr')).toHaveCount(2);
  await expect(panel(page, 'lr').locator('.lab-conclusion')).toContainText('At a peak learning rate of 1');
  await expect(panel(page, 'lr').locator('tbody tr').first()).toContainText(/diverged in [1-5] of 5 \(at step \d+(, \d+)*\)/);
  const batch = panel(page, 'batch');
  await expect(batch.locator('tbody tr')).toHaveCount(3);
  await expect(batch.locator('tbody td', { hasText: '%' })).toHaveCount(15);
  await expect(batch.locator('.lab-conclusion')).toContainText('The Group Norm paper (ImageNet, ResNet-50, the images held fixed) reports batch norm\'s error rising from 23.6% to 34.7%');
  for (const [width, suffix] of [[1280, ''], [375, '-375']]) {
    await page.setViewportSize({ width, height: 900 });
    for (const name of ['race', 'lighting', 'lr', 'batch']) {
      await panel(page, name).screenshot({ path: `tests/e2e/artifacts/lab-${name}${suffix}.png` });
    }
  }
});

test('a short race trained here draws every kind and equals the recorded run bit for bit', async ({ page }) => {
  test.setTimeout(240_000);
  await shortRace(page);
  await open(page, `?lab-steps=${SHORT_STEPS}`);
  const race = panel(page, 'race');
  await expect(race.locator('.lab-match').first()).toHaveText('recorded');
  // The short recording holds seed 1: train that one seed here.
  await race.getByLabel('Seeds').selectOption('1');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.getByRole('button', { name: 'Stop' })).toBeEnabled();
  await expect(race.locator('.lab-status')).toContainText('Training in this browser');
  const match = race.locator('.lab-match');
  for (let k = 0; k < KINDS.length; k++) await expect(match.nth(k)).toHaveText('yes, bit for bit (1 of 1 seeds)', { timeout: 200_000 });
  await expect(race.locator('.lab-status')).toContainText(`Trained in this browser: ${KINDS.length} networks (1 seed)`);
  // Short runs' curves lie close together: a few pixels of each colour show it is drawn.
  const after = await colourCounts(page, 'race', 0, COLORS);
  after.forEach((c, k) => expect(c, `${KINDS[k]}'s loss curve`).toBeGreaterThan(3));
  // The lighting panel shows the networks just trained.
  await expect(panel(page, 'lighting').locator('.lab-status')).toContainText('Trained in this browser');
  await expect(panel(page, 'lighting').locator('tbody tr')).toHaveCount(KINDS.length);
});

test('Stop ends a race within a second or two and the page keeps working', async ({ page }) => {
  await open(page, '?lab-kinds=batch,instance');
  const race = panel(page, 'race');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toContainText(/now batch \d+\/200/, { timeout: 20_000 });
  await race.getByRole('button', { name: 'Stop' }).click();
  await expect(race.locator('.lab-status')).toContainText('Stopped', { timeout: 3_000 });
  await expect(race.locator('tbody tr').first()).toContainText('stopped');
  await expect(race.getByRole('button', { name: 'Run it here' })).toBeEnabled();
  await expect(race.getByRole('button', { name: 'Stop' })).toBeDisabled();
  // The lighting slider still answers.
  const lighting = panel(page, 'lighting');
  await lighting.getByLabel('Test lighting').fill('0');
  await expect(lighting.locator('caption').first()).toHaveText('Test accuracy at contrast a = 0.25');
});

test('a diverging learning rate is shown as diverged with its step, and nothing freezes', async ({ page }) => {
  await open(page, '?lab-lr=2');
  const lr = panel(page, 'lr');
  await expect(lr.locator('.lab-status')).toContainText('No recorded runs');
  await lr.getByRole('button', { name: 'Run it here' }).click();
  await expect(lr.locator('tbody tr').first()).toContainText(/diverged in \d+ of \d+ \(at step \d+/, { timeout: 60_000 });
  await lr.getByRole('button', { name: 'Stop' }).click();
  await expect(lr.locator('.lab-status')).toContainText('Stopped');
  const counts = await colourCounts(page, 'lr', 0, [COLORS[0]]);
  expect(counts[0], 'the diverged run is drawn up to its step').toBeGreaterThan(10);
});

test('bad lab settings in the link get a message and the defaults', async ({ page }) => {
  await open(page, '?lab-steps=lots&lab-kinds=batch,magic&lab-axis=colour');
  const notice = lab(page).locator('.lab-notice');
  await expect(notice).toContainText('Ignored lab-steps="lots"');
  await expect(notice).toContainText('Ignored lab-kinds="batch,magic"');
  await expect(notice).toContainText('Ignored lab-axis="colour"');
  await expect(panel(page, 'race').locator('tbody tr')).toHaveCount(KINDS.length);
  // The page's own notices do not complain about lab-* parameters.
  await expect(page.locator('#status')).not.toContainText('lab-');
});

test('settings go into the link and come back from it', async ({ page }) => {
  await open(page);
  await panel(page, 'lighting').getByLabel('Change').selectOption('gamma');
  await panel(page, 'race').getByLabel('Task').selectOption('day-night');
  await expect(page).toHaveURL(/lab-task=day-night/);
  await expect(page).toHaveURL(/lab-axis=gamma/);
  await page.reload();
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  await expect(panel(page, 'race').getByLabel('Task')).toHaveValue('day-night');
  await expect(panel(page, 'lighting').getByLabel('Change')).toHaveValue('gamma');
  await expect(panel(page, 'race').locator('.lab-conclusion')).toContainText('day or night');
});

test('a setting changed in one panel reaches every panel that reads it, and only those redraw', async ({ page }) => {
  await open(page);
  const lightingSays = panel(page, 'lighting').locator('.lab-conclusion');
  await expect(lightingSays).not.toBeEmpty();
  const before = await lightingSays.textContent();
  // Count canvas redraws per panel from here on.
  await lab(page).evaluate((el) => {
    el.redraws = {};
    for (const section of el.shadowRoot.querySelectorAll('[data-experiment]')) {
      for (const canvas of section.querySelectorAll('canvas')) {
        const ctx = canvas.getContext('2d');
        const clear = ctx.clearRect.bind(ctx);
        ctx.clearRect = (...a) => {
          el.redraws[section.dataset.experiment] = (el.redraws[section.dataset.experiment] ?? 0) + 1;
          return clear(...a);
        };
      }
    }
  });
  const slider = panel(page, 'lighting').locator('input[type="range"]');
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => lab(page).evaluate((el) => el.redraws.lighting ?? 0)).toBeGreaterThan(0);
  const others = await lab(page).evaluate((el) => Object.keys(el.redraws).filter((k) => k !== 'lighting'));
  expect(others).toEqual([]);
  // The task, changed in the race, is the lighting panel's task too.
  await panel(page, 'race').getByLabel('Task').selectOption('day-night');
  await expect(panel(page, 'lighting').getByLabel('Task')).toHaveValue('day-night');
  await expect(lightingSays).not.toHaveText(before);
  await expect(lightingSays).not.toBeEmpty();
  // The axis, changed in experiment 7, moves the lighting panel's axis and slider.
  await panel(page, 'both').getByLabel('Change').selectOption('gamma');
  await expect(panel(page, 'lighting').getByLabel('Change')).toHaveValue('gamma');
  await expect(slider).toHaveValue('3');
  // The checkpoint is shared by experiments 5 and 7.
  await panel(page, 'both').locator('input[type="range"]').fill('100');
  await expect(panel(page, 'neighbours').locator('input[type="range"]')).toHaveValue('100');
});

test('one experiment embeds on its own', async ({ page }) => {
  await page.goto('/embed.html');
  await page.evaluate(async () => {
    document.body.insertAdjacentHTML('beforeend', '<norm-lab id="one" experiment="lighting" axis="brightness"></norm-lab>');
    await import('/norm-lab.js');
  });
  const one = page.locator('#one');
  await expect(one).toHaveAttribute('data-ready', 'true');
  await expect(one.locator('[data-experiment]')).toHaveCount(1);
  await expect(one.locator('[data-experiment="lighting"] tbody tr')).toHaveCount(KINDS.length);
  await expect(one.locator('.lab-conclusion')).toContainText('Over brightness');
});

for (const width of [1280, 375]) {
  test(`axe: the lab has no WCAG 2.1 A/AA violations at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await open(page);
    await expect(panel(page, 'race').locator('tbody tr')).toHaveCount(KINDS.length);
    expect(await violations(page)).toEqual([]);
  });
}

test('the offline single file carries the lab: recorded runs, and training that can be stopped', async ({ page }) => {
  const network = await openOfflineFile(page, '?lab-kinds=batch,instance#lab');
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  const race = panel(page, 'race');
  await expect(race.locator('tbody tr')).toHaveCount(2);
  await expect(race.locator('.lab-match').first()).toHaveText('recorded');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toContainText(/now batch \d+\/200/, { timeout: 30_000 });
  await race.getByRole('button', { name: 'Stop' }).click();
  await expect(race.locator('.lab-status')).toContainText('Stopped', { timeout: 5_000 });
  expect(network).toEqual([]);
});
