// The lab over several seeds: the first view states n per arm and draws
// the mean; every seed's value is one keyboard press away; a re-run with 2
// seeds is compared with the recording seed by seed, bit for bit.
//
// The recording is tests/e2e/files/lab/seeds/race-what.json, served in
// place of www/lab/recorded/race-what.json: the lab file's shape (runs with
// kind and seed, a summary) around the RUN.json of
// `normscope train --task what --norm KIND --steps 3 --seed S` for KIND =
// none, batch, instance, layer and S = 1, 2 (its `made_by` says so).
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';

const FILE = readFileSync(new URL('./files/lab/seeds/race-what.json', import.meta.url));
const RECORDED = JSON.parse(FILE);
const STEPS = RECORDED.runs[0].record.config.steps;
const SEEDS = [...new Set(RECORDED.runs.map((r) => r.seed))];

const lab = (page) => page.locator('norm-lab');
const race = (page) => lab(page).locator('[data-experiment="race"]');

async function open(page, query) {
  await page.route('**/lab/recorded/race-what.json', (route) => route.fulfill({ body: FILE, contentType: 'application/json' }));
  await page.goto(`/${query}#lab`);
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
}

/** Test accuracy of `kind` in the recording, per seed. */
const recordedAccuracy = (kind) => RECORDED.runs.filter((r) => r.kind === kind).sort((a, b) => a.seed - b.seed).map((r) => r.record.test_accuracy);
const pct = (x) => `${Math.round(x * 100)}%`;

test('the first view states every arm\'s n and its mean over the recorded seeds', async ({ page }) => {
  expect(SEEDS.length, 'the test recording has more than one seed').toBeGreaterThan(1);
  await open(page, `?lab-steps=${STEPS}&lab-kinds=batch,instance`);
  const rows = race(page).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(race(page).locator('.lab-status')).toContainText(`over ${SEEDS.length} seeds`);
  for (const [k, kind] of ['batch', 'instance'].entries()) {
    const values = recordedAccuracy(kind);
    expect(values).toHaveLength(SEEDS.length);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const cell = rows.nth(k).locator('td').first();
    await expect(cell).toContainText(`n = ${SEEDS.length}`);
    await expect(cell).toContainText(new RegExp(`^${pct(mean)} ± \\d+\\.\\d \\(${pct(Math.min(...values))}–${pct(Math.max(...values))}\\)`));
  }
});

test('every seed\'s value opens from the keyboard, with a visible focus outline', async ({ page }) => {
  await open(page, `?lab-steps=${STEPS}&lab-kinds=batch,instance`);
  const panel = race(page);
  await expect(panel.locator('tbody tr')).toHaveCount(2);
  const summary = panel.locator('details.lab-seeds summary');
  await expect(summary).toHaveText(`Test accuracy: every seed (${SEEDS.length})`);
  // From the table (a scrolling region), one Tab reaches the per-seed toggle.
  await panel.locator('.lab-scroll').first().focus();
  await page.keyboard.press('Tab');
  await expect(summary).toBeFocused();
  const outline = await summary.evaluate((el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth);
  expect(outline).toBe('solid 3px');
  const perSeed = panel.locator('details.lab-seeds table');
  await expect(perSeed).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(perSeed).toBeVisible();
  const batchRow = perSeed.locator('tr', { hasText: /^batch/ });
  const values = recordedAccuracy('batch');
  for (const [i, v] of values.entries()) await expect(batchRow.locator('td').nth(i)).toHaveText(pct(v));
  await expect(perSeed.locator('thead th')).toHaveText(SEEDS.map((s) => `seed ${s}`));
});

test('one arm re-run with 2 seeds equals the recording seed by seed', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, `?lab-steps=${STEPS}&lab-kinds=batch`);
  const panel = race(page);
  await expect(panel.locator('.lab-match')).toHaveText('recorded');
  await panel.getByLabel('Seeds').selectOption('2');
  await panel.getByRole('button', { name: 'Run it here' }).click();
  await expect(panel.locator('.lab-match')).toHaveText('yes, bit for bit (2 of 2 seeds)', { timeout: 100_000 });
  await expect(panel.locator('.lab-status')).toContainText('Trained in this browser: 2 networks (2 seeds)');
  // Seed by seed: each re-run against the recording of its own seed.
  await panel.locator('details.lab-seeds summary').click();
  const cells = panel.locator('details.lab-seeds tr', { hasText: /^batch/ }).locator('td');
  const values = recordedAccuracy('batch');
  await expect(cells).toHaveText(values.slice(0, 2).map((v) => `${pct(v)} (bit for bit)`));
  for (const [width, height, suffix] of [[1280, 800, ''], [375, 800, '-375']]) {
    await page.setViewportSize({ width, height });
    await panel.screenshot({ path: `tests/e2e/artifacts/lab-seeds-race${suffix}.png` });
  }
});

// The batch panel's two rules: the same images for every batch (batch.json)
// or the same steps (batch-steps.json, `normscope lab batch-steps`). The
// figures expected are read from the recorded files themselves.
const recordedFile = (name) => JSON.parse(readFileSync(new URL(`../../www/lab/recorded/${name}`, import.meta.url)));
const meanAccuracy = (file, kind, batch) => {
  const values = file.runs.filter((r) => r.kind === kind && r.record.config.batch === batch).map((r) => r.record.test_accuracy);
  return { n: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length };
};

test('the batch panel holds the steps or the images fixed, each from its own recording', async ({ page }) => {
  const panel = lab(page).locator('[data-experiment="batch"]');
  const cell = (row, col) => panel.locator('table.lab-table tbody tr').nth(row).locator('td').nth(col);
  await page.goto('/?lab-hold=steps#lab');
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.locator('#batch-hold')).toHaveValue('steps');
  await expect(panel.locator('.lab-intro').nth(1)).toContainText('takes the race\'s 200 steps');
  for (const [hold, name] of [['steps', 'batch-steps.json'], ['images', 'batch.json']]) {
    if (hold === 'images') await panel.locator('#batch-hold').selectOption('images');
    const file = recordedFile(name);
    // Row 0 is batch norm, the last column batch 32; row 1 group norm, column 0 batch 2.
    for (const [row, kind, col, batch] of [[0, 'batch', 4, 32], [1, 'group', 0, 2]]) {
      const { n, mean } = meanAccuracy(file, kind, batch);
      expect(n, `${name} has ${kind} at batch ${batch}`).toBe(5);
      await expect(cell(row, col)).toContainText(new RegExp(`^${pct(mean)} ± `));
      await expect(cell(row, col)).toContainText('n = 5');
    }
    await expect(panel.locator('.lab-conclusion')).toContainText(hold === 'steps' ? 'small batches see fewer images' : 'small batches take more steps');
    await expect(panel.locator('.lab-conclusion')).toContainText('5 seeds');
  }
  await expect(panel.locator('.lab-intro').nth(1)).toContainText('sees 3200 images');
  await expect(page).not.toHaveURL(/lab-hold=/);
  await panel.locator('#batch-hold').selectOption('steps');
  await expect(page).toHaveURL(/lab-hold=steps/);
});
