// Security: no request leaves the page after it loaded, the page runs under
// the server's strict Content-Security-Policy without a single violation,
// user strings (file names) reach the DOM only as text, and URL parameters
// change nothing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { test, expect } from './fixtures.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpus');
const png = readFileSync(path.join(corpus, 'ok-rgb.png'));

/** Count CSP violations from the first byte on. */
async function watchViolations(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber} ${e.blockedURI}`);
    });
  });
}

async function boot(page, url = '/') {
  await page.goto(url);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

/** Use every control once, as a curious student would. */
async function useEverything(page) {
  await page.locator('#contrast').fill('2');
  await page.locator('#brightness').fill('-0.2');
  await page.locator('#gamma').fill('1.5');
  await page.locator('#clip').check();
  await page.locator('#reset').click();
  for (const box of await page.locator('.kinds input').all()) await box.click();
  await page.locator('#rho').fill('0.8');
  await page.locator('#feature-maps').check();
  await page.locator('#feature-maps').uncheck();
  await page.locator('#neighbours').click();
  await page.locator('#train').click();
  await page.locator('#eval-mode').check();
  await page.locator('#momentum').fill('0.5');
  await page.locator('#reset-running').click();
  await page.locator('#size-select').selectOption('128');
  await page.locator('#file-input').setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: png });
  await expect(page.locator('#status')).toHaveText(/^Added 1 image/);
  await page.getByRole('button', { name: 'Use as probe: mine.png' }).click();
  await page.getByRole('button', { name: 'Move mine.png left' }).click();
  await page.getByRole('button', { name: 'Remove mine.png' }).click();
  await expect(page.locator('#status')).toHaveText('Removed mine.png.');
}

test('no request leaves the page after it has loaded', async ({ page }) => {
  await boot(page);
  // Let the first render's stragglers (if any) finish before watching.
  await page.waitForLoadState('networkidle');
  const requests = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
  page.context().on('request', (r) => requests.push(`(context) ${r.method()} ${r.url()}`));
  await useEverything(page);
  await page.waitForTimeout(500);
  expect(requests).toEqual([]);
});

test('the page runs under the strict CSP without a single violation', async ({ page }) => {
  await watchViolations(page);
  const response = await page.goto('/');
  const csp = response.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain("'unsafe-eval'");
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await useEverything(page);
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
  // And the markup itself has nothing the policy would have to block.
  const html = await (await page.request.get('/')).text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/javascript:/i);
});

test('file names reach the page only as text', async ({ page }) => {
  await boot(page);
  const evil = '<img src=x onerror="window.__pwned=1">"\'&amp;.png';
  await page.locator('#file-input').setInputFiles([
    { name: evil, mimeType: 'image/png', buffer: png },
    { name: `broken ${evil}`, mimeType: 'image/png', buffer: Buffer.from('not a png') },
  ]);
  await expect(page.locator('#status')).toHaveText(/^Added 1 image/);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  // No element was made from the name: the only <img> tags are none at all.
  expect(await page.locator('img').count()).toBe(0);
  await expect(page.locator('#status')).toContainText(`broken ${evil}: `);
  await expect(page.locator('#tray .tray-name').last()).toHaveText(evil);
  await expect(page.getByRole('button', { name: `Remove ${evil}` })).toBeVisible();
});

test('URL parameters and fragments change nothing', async ({ page }) => {
  await watchViolations(page);
  const hostile = [
    '/?size=99999&probe=-1&norm=__proto__&groups=0&rho=NaN',
    '/?%3Cscript%3Ealert(1)%3C/script%3E=1',
    '/#<img src=x onerror=alert(1)>',
    '/?constructor[prototype][polluted]=1&__proto__[polluted]=1',
  ];
  for (const url of hostile) {
    await boot(page, url);
    await expect(page.locator('#tray > li'), url).toHaveCount(6);
    await expect(page.locator('#size-select'), url).toHaveValue('256');
    await expect(page.locator('#contrast-value'), url).toHaveText('0.50');
    expect(await page.evaluate(() => ({}).polluted), url).toBeUndefined();
    expect(await page.locator('img').count(), url).toBe(0);
  }
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});
