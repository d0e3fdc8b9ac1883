// The offline single file (dist/normscope.html, made by `cargo xtask dist`,
// which `cargo xtask test` runs before these tests): opened from file://
// with every network request refused, it still works.
import { test, expect } from './fixtures.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const FILE = resolve('dist/normscope.html');

test('dist/normscope.html works from file:// with the network blocked', async ({ page }) => {
  expect(existsSync(FILE), 'run `cargo xtask dist` first').toBe(true);
  expect(statSync(FILE).size).toBeGreaterThan(500_000);
  const network = [];
  await page.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    network.push(url);
    return route.abort();
  });
  page.on('request', (r) => {
    if (!/^(file|blob|data):/.test(r.url())) network.push(r.url());
  });
  await page.goto(pathToFileURL(FILE).href);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#tray li')).toHaveCount(6);
  await expect(page.locator('#readouts [data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  await expect(page.locator('#readouts [data-kind="batch"]')).toHaveAttribute('data-state', 'changed');
  // Sliders work, and so does the walk-through by keyboard.
  await page.locator('#gamma').fill('2');
  await expect(page.locator('#readouts [data-kind="instance"]')).toHaveAttribute('data-state', 'changed');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('w');
  await expect(page.locator('#walk')).toHaveAttribute('data-ready', '1');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await expect(page.locator('#walk')).toHaveAttribute('data-ready', '5');
  await expect(page.locator('#tray li')).toHaveCount(1);
  // The second batch (classifier section) decoded its samples from the file too.
  await expect(page.locator('#classify-plots figure')).toHaveCount(3);
  // A link to this state is still offered (file:// plus the query).
  await expect.poll(() => page.locator('#share-url').inputValue()).toMatch(/^file:.*normscope\.html\?/);
  expect(network).toEqual([]);
});

test('the offline file trains in a worker started from its own bundle', async ({ page }) => {
  test.setTimeout(120_000);
  const workers = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.route('**', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  await page.goto(`${pathToFileURL(FILE).href}?lab-steps=2&lab-kinds=batch&lab-seeds=1#lab`);
  const lab = page.locator('norm-lab');
  await expect(lab).toHaveAttribute('data-ready', 'true');
  const race = lab.locator('[data-experiment="race"]');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toContainText(/Training in this browser \(1 worker|Trained in this browser/);
  await expect(race.locator('.lab-status')).toHaveText('Trained in this browser: 1 networks (1 seed).', { timeout: 100_000 });
  // The decode worker and the training worker, both from blob: URLs.
  expect(workers.length).toBeGreaterThanOrEqual(2);
  expect(workers.every((url) => url.startsWith('blob:'))).toBe(true);
});
