// The first load, as a new visitor gets it (1280×800, no scrolling): every
// file is downloaded once, the page's wasm module only; the training engine
// and the lab's recorded runs wait until the lab comes near the viewport,
// and then the lab loads them and becomes ready.
import { test, expect } from './fixtures.js';

/**
 * How often each path's bytes arrived, from now on. The decode worker
 * imports modules the page already has: the browser asks again and the
 * server answers 304 Not Modified, without the bytes (a body of 0).
 */
function downloads(page) {
  const seen = new Map();
  const pending = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.protocol !== 'http:') return;
    const counted = response
      .request()
      .sizes()
      .then(({ responseBodySize }) => {
        if (responseBodySize > 0) seen.set(url.pathname, (seen.get(url.pathname) ?? 0) + 1);
      })
      .catch(() => {});
    pending.push(counted);
  });
  return async () => {
    await Promise.all(pending);
    return seen;
  };
}

test('the first load fetches each file once and neither the engine nor the recordings', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const settled = downloads(page);
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.waitForLoadState('networkidle');
  let seen = await settled();
  const paths = [...seen.keys()];
  expect(paths).toContain('/pkg/normscope_bg.wasm');
  const twice = [...seen].filter(([, n]) => n > 1);
  expect(twice, 'files fetched more than once').toEqual([]);
  expect(paths.filter((p) => p.endsWith('.wasm'))).toEqual(['/pkg/normscope_bg.wasm']);
  // The lab's two small tables (settings.json, vocabulary.json) are JSON
  // modules its parser needs at once; its recorded runs and photos wait.
  expect(paths.filter((p) => p.startsWith('/lab/recorded/') || p.startsWith('/tasks/'))).toEqual([]);
  await expect(page.locator('norm-lab')).not.toHaveAttribute('data-ready', 'true');

  // Scrolling to the lab brings its engine and its recorded runs, once each.
  await page.locator('norm-lab').scrollIntoViewIfNeeded();
  await expect(page.locator('norm-lab')).toHaveAttribute('data-ready', 'true');
  await expect.poll(async () => (await settled()).get('/pkg/normscope_engine_bg.wasm') ?? 0).toBe(1);
  await expect.poll(async () => [...(await settled()).keys()].filter((p) => p.startsWith('/lab/recorded/')).length).toBeGreaterThan(0);
  await page.waitForLoadState('networkidle');
  seen = await settled();
  expect([...seen].filter(([, n]) => n > 1), 'files fetched more than once').toEqual([]);
});

test('a run started in the lab trains with the engine the page loaded once', async ({ page }) => {
  test.setTimeout(120_000);
  const settled = downloads(page);
  await page.goto('/?lab-steps=50&lab-kinds=batch#lab');
  await expect(page.locator('norm-lab')).toHaveAttribute('data-ready', 'true');
  const race = page.locator('norm-lab').locator('[data-experiment="race"]');
  await race.getByRole('button', { name: 'Run it here' }).click();
  await expect(race.locator('.lab-status')).toContainText(/Trained in this browser/, { timeout: 100_000 });
  // The workers got the compiled engine from the page: still one download.
  const seen = await settled();
  expect(seen.get('/pkg/normscope_engine_bg.wasm')).toBe(1);
  expect(seen.get('/pkg/normscope_bg.wasm')).toBe(1);
});
