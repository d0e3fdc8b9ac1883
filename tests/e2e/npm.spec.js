// The npm package as docs authors meet it: the tarball `cargo xtask pack`
// wrote (`cargo xtask test` writes it before the page tests; by hand run
// `cargo xtask pack`), installed with npm into a new project
// (tests/npm-project.js), then loaded three ways — a Vite build, a plain
// <script type="module"> tag, an import map — each served by a plain static
// server (and once more through Vite's dev server). In each: the scope's panels draw, the lab's race trains in module
// workers, nothing fails or 404s, and no request leaves 127.0.0.1.
import { join } from 'node:path';
import { test, expect } from './fixtures.js';
import { HOST_CSP, makeProject, ROOT, serveStatic, startViteDev } from '../npm-project.js';

let project;
let site; // the project folder: plain.html, importmap.html, node_modules/normscope/
let strict; // the same, under the Content-Security-Policy the README gives
let built; // vite build's dist/

test.beforeAll(async () => {
  test.setTimeout(180_000);
  project = makeProject(join(ROOT, 'target', 'npm-e2e'));
  site = await serveStatic({ '/': project.dir });
  strict = await serveStatic({ '/': project.dir }, { 'content-security-policy': HOST_CSP });
  built = await serveStatic({ '/': project.dist });
});

test.afterAll(async () => {
  await site?.close();
  await strict?.close();
  await built?.close();
});

/** Refuse (and list) every request that is not for 127.0.0.1. */
async function stayLocal(context) {
  const away = [];
  await context.route('**', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    away.push(url.href);
    return route.abort();
  });
  return away;
}

/** Standard deviation of a scope panel's pixels (0: blank). */
function panelSpread(page, n) {
  return page.evaluate((n) => {
    const canvas = document.querySelector('norm-scope').shadowRoot.querySelectorAll('canvas.panel')[n];
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < data.length; i += 4) {
      sum += data[i];
      sq += data[i] * data[i];
    }
    const count = data.length / 4;
    return Math.sqrt(sq / count - (sum / count) ** 2);
  }, n);
}

/** Open `url`, see the panels draw, then run the lab's race and see it train in workers. */
async function scopeAndRace(page, url, shots) {
  const away = await stayLocal(page.context());
  const workers = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  const recorded = [];
  page.on('response', (r) => {
    if (/race-what[-\w]*\.json$/.test(r.url()) && r.ok()) recorded.push(r.url());
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url);
  const scope = page.locator('norm-scope');
  await expect(scope).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  for (let n = 0; n < 3; n++) expect(await panelSpread(page, n), `panel ${n} is blank`).toBeGreaterThan(5);
  if (shots) await page.screenshot({ path: `tests/e2e/artifacts/npm-${shots}-1280.png` });

  const lab = page.locator('norm-lab');
  await lab.scrollIntoViewIfNeeded();
  await expect(lab).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  const race = lab.locator('[data-experiment="race"]');
  // The recorded runs came by URL from the package (none is for 3 steps, so the table waits for the run).
  expect(recorded).toHaveLength(1);
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toHaveText('Trained in this browser: 2 networks (1 seed).', { timeout: 90_000 });
  await expect(race.locator('tbody tr')).toHaveCount(2);
  // The decode worker and the training worker, from the host's own origin.
  const origin = new URL(url).origin;
  expect(workers.filter((w) => w.startsWith(origin) && new URL(w).pathname.endsWith('.js')).length, workers.join(', ')).toBeGreaterThanOrEqual(2);
  if (shots) {
    await race.screenshot({ path: `tests/e2e/artifacts/npm-${shots}-race-1280.png` });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `tests/e2e/artifacts/npm-${shots}-375.png` });
    await race.screenshot({ path: `tests/e2e/artifacts/npm-${shots}-race-375.png` });
  }
  expect(away, 'requests that left 127.0.0.1').toEqual([]);
}

test('Vite: `vite build` of a project importing normscope/norm-scope.js and norm-lab.js draws and trains', async ({ page }) => {
  test.setTimeout(150_000);
  const wasm = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
  });
  await scopeAndRace(page, `${built.origin}/`, 'vite');
  // Vite copied and renamed the files the modules fetch: the page's wasm at
  // first, the engine's when the lab came near.
  expect(wasm.map((p) => p.replace(/-[\w-]{8}\.wasm$/, '.wasm'))).toEqual(['/assets/normscope_bg.wasm', '/assets/normscope_engine_bg.wasm']);
});

test("Vite's dev server, with the README's one setting (optimizeDeps.exclude)", async ({ page }) => {
  test.setTimeout(150_000);
  const dev = await startViteDev(project.dir);
  try {
    await scopeAndRace(page, `${dev.origin}/`);
  } finally {
    await dev.close();
  }
});

test('plain files: node_modules/normscope/ served as it is, with a script tag, under a strict CSP', async ({ page }) => {
  test.setTimeout(150_000);
  // A violation of the policy is a console error, which fails the test.
  await scopeAndRace(page, `${strict.origin}/plain.html`);
});

test('no bundler: an import map, and the JS API from the bare name "normscope"', async ({ page }) => {
  test.setTimeout(150_000);
  await scopeAndRace(page, `${site.origin}/importmap.html`);
  const api = await page.evaluate(() => window.apiResult);
  // Instance norm of one 4×4 plane: mean 0, variance 1 (biased), whatever its offset.
  const plane = api.first;
  const mean = plane.reduce((a, b) => a + b, 0) / plane.length;
  const variance = plane.reduce((a, b) => a + (b - mean) ** 2, 0) / plane.length;
  expect(Math.abs(mean)).toBeLessThan(1e-5);
  expect(Math.abs(variance - 1)).toBeLessThan(1e-3);
  expect(api.bad).toMatch(/shape/i);
});
