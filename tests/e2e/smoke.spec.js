// The page loads, its wasm initialises, and nothing on the way errors
// (the fixture fails the test on console errors and failed requests).
import { test, expect } from './fixtures.js';

test('page loads and the wasm module initialises', async ({ page }) => {
  const wasm = page.waitForResponse((r) => new URL(r.url()).pathname === '/pkg/normscope_bg.wasm');
  await page.goto('/');
  const response = await wasm;
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/wasm');
  // The page sets <html data-wasm="ready"> once `await init()` resolved.
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'ready');
  // And the first render (panels and histograms drawn) finished: drawing
  // problems, such as a CSP violation while measuring chart text, show up
  // as console errors before this point.
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});

test('server sends the security headers the page relies on', async ({ request }) => {
  for (const path of ['/', '/pkg/normscope.js', '/no-such-file']) {
    const response = await request.get(path);
    const headers = response.headers();
    expect(headers['content-security-policy'], path).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(headers['content-security-policy'], path).toContain("object-src 'none'");
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['cache-control'], path).toBe('no-cache');
  }
  expect((await request.get('/no-such-file')).status()).toBe(404);
  expect((await request.get('/pkg/normscope.js')).headers()['content-type']).toMatch(/^text\/javascript/);
});
