// The lab's experiments 5 (your neighbours during training) and 7 (both
// together): the recorded first view with its charts and a conclusion that
// quotes the table, a short re-run in the page equal to its recording bit
// for bit, the link settings, axe at desktop and phone widths, the offline
// file, and screenshots (tests/e2e/artifacts/lab-neighbours*.png, lab-both*.png).
//
// The short runs are recordings made by
//   cargo run --release --example lab_record -- tests/e2e/files/lab neighbours 25 batch,instance,group
//   cargo run --release --example lab_record -- tests/e2e/files/lab both 25
// served in place of www/lab/recorded/{neighbours,both}.json, so a re-run takes seconds.
import { wcagAxe } from './axe.js';
import { readFileSync } from 'node:fs';
import { test, expect } from './fixtures.js';
import { openOfflineFile } from './offline-file.js';

const SHORT_NEIGHBOURS = readFileSync(new URL('./files/lab/neighbours.json', import.meta.url));
const SHORT_BOTH = readFileSync(new URL('./files/lab/both.json', import.meta.url));
const SHORT_STEPS = JSON.parse(SHORT_NEIGHBOURS).runs[0].record.config.steps;

const lab = (page) => page.locator('norm-lab');
const panel = (page, name) => lab(page).locator(`[data-experiment="${name}"]`);

async function open(page, query = '') {
  await page.goto(`/${query}#lab`);
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
}

/** How many canvas pixels are neither white nor near-white (something was drawn). */
function inked(locator) {
  return locator.evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && data[i] + data[i + 1] + data[i + 2] < 600) n++;
    return n;
  });
}

async function violations(page) {
  const result = await wcagAxe(page).include('#lab').analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.split('\n')[1] ?? ''}`));
}

test('experiment 5 first shows the recorded heat maps, their numbers and a conclusion quoting them', async ({ page }) => {
  await open(page);
  const p = panel(page, 'neighbours');
  await expect(p.locator('h3')).toHaveText('Does one image in a batch change the answer for another?');
  const rows = p.locator('table').first().locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(p.locator('.lab-match').first()).toHaveText('recorded');
  await expect(p.locator('.lab-source')).toContainText('normscope train --task what --norm KIND');
  await expect(p.getByRole('slider', { name: 'Training step' })).toHaveValue('200');
  // Batch norm's neighbours move its outputs; instance and group norm's never do (exactly 0).
  const batch = rows.filter({ hasText: /^batch/ });
  const off = await batch.locator('td').nth(1).textContent();
  expect(Number(off)).toBeGreaterThan(0);
  await expect(batch.locator('td').nth(3)).toHaveText('0 of 56');
  for (const kind of ['instance', 'group']) {
    await expect(rows.filter({ hasText: new RegExp(`^${kind}`) }).locator('td').nth(1)).toHaveText('0');
    await expect(rows.filter({ hasText: new RegExp(`^${kind}`) }).locator('td').nth(3)).toHaveText('56 of 56');
  }
  const conclusion = p.locator('.lab-conclusion');
  await expect(conclusion).toContainText(`by up to ${off} with batch norm`);
  await expect(conclusion).toContainText('With instance norm and group norm every one of the 56 off-diagonal entries was exactly 0');
  // The same image in two batches: the table's numbers are the conclusion's.
  const same = p.locator('table').nth(-1).locator('tbody tr').filter({ hasText: /^batch/ });
  const inA = (await same.locator('td').nth(0).textContent()).match(/^\d+%/)[0];
  const inB = (await same.locator('td').nth(1).textContent()).match(/^\d+%/)[0];
  await expect(conclusion).toContainText(`probability ${inA}`);
  await expect(conclusion).toContainText(`and ${inB}`);
  // Three heat maps drawn, each with a text alternative; the ratio chart has batch norm's line.
  await expect(p.locator('canvas.lab-heat')).toHaveCount(3);
  for (const canvas of await p.locator('canvas.lab-heat').all()) {
    expect(await inked(canvas)).toBeGreaterThan(500);
    await expect(canvas).toHaveAttribute('aria-label', /largest off-diagonal/);
  }
  expect(await inked(p.locator('#neighbours-ratio'))).toBeGreaterThan(500);
  // Moving the step slider shows another checkpoint.
  await p.getByRole('slider', { name: 'Training step' }).fill('0');
  await expect(p.locator('#neighbours-step-value')).toHaveText('step 0');
  await expect(conclusion).toContainText('At step 0');
  await p.getByRole('slider', { name: 'Training step' }).fill('200');
  for (const [width, suffix] of [[1280, ''], [375, '-375']]) {
    await page.setViewportSize({ width, height: 900 });
    await p.screenshot({ path: `tests/e2e/artifacts/lab-neighbours${suffix}.png` });
  }
});

test('experiment 5 re-run in the page equals its recording bit for bit, heat maps included', async ({ page }) => {
  test.setTimeout(180_000);
  await page.route('**/lab/recorded/neighbours.json', (route) => route.fulfill({ body: SHORT_NEIGHBOURS, contentType: 'application/json' }));
  await open(page, `?lab-steps=${SHORT_STEPS}`);
  const p = panel(page, 'neighbours');
  await expect(p.locator('.lab-match').first()).toHaveText('recorded');
  // The short recording holds seed 1: train that one seed here.
  await p.getByLabel('Seeds').selectOption('1');
  await p.getByRole('button', { name: 'Run it here' }).click();
  await expect(p.locator('.lab-status')).toContainText('Training in this browser');
  const match = p.locator('.lab-match');
  for (let k = 0; k < 3; k++) await expect(match.nth(k)).toHaveText('yes, bit for bit (1 of 1 seeds)', { timeout: 150_000 });
  await expect(p.locator('.lab-status')).toContainText('Trained in this browser: 3 networks');
  await expect(p.locator('canvas.lab-heat')).toHaveCount(3);
  await expect(p.locator('.lab-conclusion')).toContainText(`At step ${SHORT_STEPS}`);
});

test('experiment 5 settings go into the link; a bad one gets a message', async ({ page }) => {
  await open(page, '?lab-compare=batch,magic&lab-checkpoint=soon');
  const notice = lab(page).locator('.lab-notice');
  await expect(notice).toContainText('Ignored lab-compare="batch,magic"');
  await expect(notice).toContainText('Ignored lab-checkpoint="soon"');
  const p = panel(page, 'neighbours');
  await p.getByLabel('layer').check();
  await p.getByRole('slider', { name: 'Training step' }).fill('100');
  await expect(page).toHaveURL(/lab-compare=batch,instance,layer,group/);
  await expect(page).toHaveURL(/lab-checkpoint=100/);
  await page.reload();
  // The page's lab loads lazily: it starts when it comes near the viewport.
  await lab(page).scrollIntoViewIfNeeded();
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  await expect(p.locator('table').first().locator('tbody tr')).toHaveCount(4);
  await expect(p.locator('#neighbours-step-value')).toHaveText('step 100');
});

test('experiment 7 first shows the recorded ρ on both tasks and the race\'s trade, with conclusions quoting the tables', async ({ page }) => {
  await open(page);
  const p = panel(page, 'both');
  await expect(p.locator('h3')).toHaveText('Given both, does a network choose batch norm or instance norm?');
  const rho = p.locator('table').first().locator('tbody tr');
  await expect(rho).toHaveCount(6);
  await expect(p.locator('.lab-match').first()).toHaveText('recorded');
  await expect(p.locator('.lab-source')).toContainText('normscope train --task TASK --norm batch-instance');
  // Step 0: every ρ is 0.5; step 200: the conclusion quotes the table's means.
  await expect(rho.first().locator('td').nth(2)).toHaveText('0.500');
  const whatMean = await rho.first().locator('td').nth(3).textContent();
  const text = p.locator('.lab-conclusion').first();
  await expect(text).toContainText('On what is it, by step 200');
  await expect(text).toContainText('Nam & Kim (2018)');
  await expect(text).toContainText(`by block ${Number(whatMean).toFixed(2)}`);
  for (const id of ['#both-hist-what', '#both-hist-day-night', '#both-mean', '#both-trade']) expect(await inked(p.locator(id)), id).toBeGreaterThan(300);
  await p.getByRole('slider', { name: 'Training step' }).fill('0');
  await expect(text).toHaveText(/At step 0 every ρ is 0.5/);
  await p.getByRole('slider', { name: 'Training step' }).fill('200');
  // The trade: one row per race kind; IBN's numbers in the conclusion.
  // The panel's own tables (not the per-seed ones inside <details>).
  const trade = p.locator(':scope > .lab-scroll > table').nth(1).locator('tbody tr');
  await expect(trade).toHaveCount(7);
  const ibn = trade.filter({ hasText: /^IBN/ });
  // Each cell is "mean …, n = …": the conclusion quotes the means.
  const mean = async (cell) => (await cell.textContent()).match(/^\d+%/)[0];
  const [trained, worst] = [await mean(ibn.locator('td').nth(0)), await mean(ibn.locator('td').nth(1))];
  // The sentence gives each mean with its spread: "IBN 95% ± 2 (92–98%) and 49% ± 11 (…)".
  await expect(p.locator('.lab-conclusion').nth(1)).toContainText(new RegExp(`IBN ${trained} ± [\\d.]+ \\([^)]*\\) and ${worst} ±`));
  await expect(p.locator('.lab-conclusion').nth(1)).toContainText('Pan et al. (IBN-Net, 2018)');
  for (const [width, suffix] of [[1280, ''], [375, '-375']]) {
    await page.setViewportSize({ width, height: 900 });
    await p.screenshot({ path: `tests/e2e/artifacts/lab-both${suffix}.png` });
  }
});

test('experiment 7 re-run in the page equals its recording bit for bit, ρ included', async ({ page }) => {
  test.setTimeout(180_000);
  await page.route('**/lab/recorded/both.json', (route) => route.fulfill({ body: SHORT_BOTH, contentType: 'application/json' }));
  await open(page, `?lab-steps=${SHORT_STEPS}`);
  const p = panel(page, 'both');
  await expect(p.locator('.lab-match').first()).toHaveText('recorded');
  await p.getByLabel('Seeds').first().selectOption('1');
  await p.getByRole('button', { name: 'Run it here' }).click();
  const match = p.locator('.lab-match');
  for (let k = 0; k < 6; k++) await expect(match.nth(k)).toHaveText('yes, bit for bit (1 of 1 seeds)', { timeout: 150_000 });
  await expect(p.locator('.lab-status').first()).toContainText('Trained in this browser: 2 networks');
  await expect(p.locator('.lab-conclusion').first()).toContainText(`by step ${SHORT_STEPS}`);
});

test('experiments 5 and 7 embed on their own', async ({ page }) => {
  await page.goto('/embed.html');
  await page.evaluate(async () => {
    document.body.insertAdjacentHTML('beforeend', '<norm-lab id="five" experiment="neighbours" compare="batch,layer" checkpoint="50"></norm-lab><norm-lab id="seven" experiment="both"></norm-lab>');
    await import('/norm-lab.js');
  });
  const five = page.locator('#five');
  await expect(five).toHaveAttribute('data-ready', 'true');
  await expect(five.locator('[data-experiment]')).toHaveCount(1);
  await expect(five.locator('canvas.lab-heat')).toHaveCount(2);
  await expect(five.locator('#neighbours-step-value')).toHaveText('step 50');
  await expect(five.locator('.lab-conclusion')).toContainText('With layer norm every one of the 56 off-diagonal entries was exactly 0');
  const seven = page.locator('#seven');
  await expect(seven.locator('[data-experiment]')).toHaveCount(1);
  await expect(seven.locator('section > .lab-scroll > table').nth(1).locator('tbody tr')).toHaveCount(7);
  await expect(seven.locator('.lab-conclusion').nth(1)).toContainText('Pan et al.');
});

for (const width of [1280, 375]) {
  test(`axe: experiments 5 and 7 have no WCAG 2.1 A/AA violations at ${width} px`, async ({ page }) => {
    // Axe over every panel's tables (per-seed ones too) takes a while on a busy machine.
    test.setTimeout(90_000);
    await page.setViewportSize({ width, height: 900 });
    await open(page);
    await expect(panel(page, 'neighbours').locator('canvas.lab-heat')).toHaveCount(3);
    // Open every cell table too.
    for (const d of await panel(page, 'neighbours').locator('details').all()) await d.locator('summary').click();
    expect(await violations(page)).toEqual([]);
  });
}

test('the offline single file carries experiments 5 and 7: recorded maps and ρ, and training on the page thread', async ({ page }) => {
  test.setTimeout(60_000);
  const network = await openOfflineFile(page, '?lab-compare=batch,instance#lab');
  await expect(lab(page)).toHaveAttribute('data-ready', 'true');
  const p = panel(page, 'neighbours');
  await expect(p.locator('canvas.lab-heat')).toHaveCount(2);
  await expect(p.locator('.lab-match').first()).toHaveText('recorded');
  await expect(p.locator('.lab-conclusion')).toContainText('with batch norm');
  await expect(panel(page, 'both').locator('.lab-conclusion').first()).toContainText('Nam & Kim (2018)');
  await p.getByRole('button', { name: 'Run it here' }).click();
  await expect(p.locator('.lab-status')).toContainText(/now batch \d+\/200/, { timeout: 30_000 });
  // The step-0 checkpoint arrives while training goes on.
  await expect(p.locator('canvas.lab-heat')).toHaveCount(1, { timeout: 30_000 });
  await p.getByRole('button', { name: 'Stop' }).click();
  await expect(p.locator('.lab-status')).toContainText('Stopped', { timeout: 5_000 });
  expect(network).toEqual([]);
});
