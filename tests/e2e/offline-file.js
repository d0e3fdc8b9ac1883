// The offline single file (dist/normscope.html, made by `cargo xtask dist`)
// opened from disk, with every request that leaves file: refused and kept,
// so a test can assert that none was made.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from './fixtures.js';

/** Open dist/normscope.html + `suffix` (query and hash); returns the list of refused requests. */
export async function openOfflineFile(page, suffix = '') {
  const file = resolve('dist/normscope.html');
  test.skip(!existsSync(file), 'run `cargo xtask dist` first (cargo xtask test does)');
  const network = [];
  await page.route('**', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    network.push(route.request().url());
    return route.abort();
  });
  await page.goto(`${pathToFileURL(file).href}${suffix}`);
  return network;
}
