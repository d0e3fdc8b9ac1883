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
