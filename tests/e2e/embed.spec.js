// The <norm-scope> widget on a page whose own CSS is deliberately hostile
// (www/embed.html + www/embed-hostile.css).
import { test, expect } from './fixtures.js';

async function open(page) {
  await page.goto('/embed.html');
  for (const id of ['first', 'second']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await expect(page.locator(`#${id}`)).toHaveAttribute('data-ready', 'true');
  }
}

/** Standard deviation of a canvas's pixel values inside a widget (0 = blank). */
function panelSpread(page, id, n) {
  return page.evaluate(
    ([id, n]) => {
      const canvas = document.getElementById(id).shadowRoot.querySelectorAll('canvas.panel')[n];
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < data.length; i += 4) {
        sum += data[i];
        sq += data[i] * data[i];
      }
      const count = data.length / 4;
      const rect = canvas.getBoundingClientRect();
      return { std: Math.sqrt(sq / count - (sum / count) ** 2), width: rect.width, display: getComputedStyle(canvas).display };
    },
    [id, n],
  );
}

test('widgets render under hostile CSS and leave the host page styled as it was', async ({ page }) => {
  const wasm = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(r.url());
  });
  await open(page);
  for (const [id, panels] of [['first', 3], ['second', 4]]) {
    for (let n = 0; n < panels; n++) {
      const p = await panelSpread(page, id, n);
      expect(p.display, `${id} panel ${n}`).toBe('block');
      expect(p.width, `${id} panel ${n}`).toBeGreaterThan(40);
      expect(p.std, `${id} panel ${n} is blank`).toBeGreaterThan(5);
    }
  }
  // Inside: the widget's own sizes, not the host's 40px !important.
  const inner = await page.evaluate(() => {
    const root = document.getElementById('first').shadowRoot;
    const label = root.querySelector('label[for="contrast"]');
    const cell = root.querySelector('.grid-cell');
    return { font: getComputedStyle(label).fontSize, border: getComputedStyle(cell).borderTopWidth, hist: getComputedStyle(root.querySelector('canvas.hist')).display };
  });
  expect(inner).toEqual({ font: '16px', border: '0px', hist: 'block' });
  // Outside: the host's rules still apply as written, and nothing was added to its document.
  const host = await page.evaluate(() => ({
    box: getComputedStyle(document.getElementById('host-box')).border,
    text: getComputedStyle(document.getElementById('host-text')).fontSize,
    background: getComputedStyle(document.getElementById('host-text')).backgroundColor,
    sheets: [...document.styleSheets].map((s) => new URL(s.href).pathname),
    styles: document.querySelectorAll('style').length,
    htmlAttributes: [...document.documentElement.attributes].map((a) => a.name),
  }));
  expect(host).toEqual({
    box: '5px solid rgb(255, 0, 0)',
    text: '40px',
    background: 'rgb(255, 255, 0)',
    sheets: ['/embed-hostile.css'],
    styles: 0,
    htmlAttributes: ['lang'],
  });
  // Two widgets, one wasm instance on the page, and one download in all: the
  // shared decode worker instantiates the module the page compiled.
  const mainThread = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
  expect(mainThread).toBe(1);
  expect(wasm).toHaveLength(1);
});

test('two widgets work independently and report changes by event', async ({ page }) => {
  await open(page);
  const first = page.locator('#first #readouts');
  const second = page.locator('#second #readouts');
  await expect(page.locator('#first-log')).toContainText('contrast 0.50');
  const secondBefore = await second.innerText();
  const secondLog = await page.locator('#second-log').innerText();
  const firstBefore = await first.innerText();

  await page.locator('#first #contrast').fill('2.5');
  await expect(page.locator('#first #contrast-value')).toHaveText('2.50');
  await expect.poll(() => first.innerText()).not.toBe(firstBefore);
  await expect(page.locator('#first-log')).toContainText('contrast 2.50');
  await expect(first.locator('[data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  await expect(first.locator('[data-kind="batch"]')).toHaveAttribute('data-state', 'changed');
  // The second widget did not move.
  expect(await second.innerText()).toBe(secondBefore);
  await expect(page.locator('#second-log')).toHaveText(secondLog);
  await expect(page.locator('#second #contrast-value')).toHaveText('0.50');

  // And the other way round: the second's gamma breaks its instance-norm invariance alone.
  await page.locator('#second #gamma').fill('2.5');
  await expect(second.locator('[data-kind="instance"]')).toHaveAttribute('data-state', 'changed');
  await expect(first.locator('[data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  // Controls it was not given are absent; compact hides histograms.
  await expect(page.locator('#second #brightness')).toBeHidden();
  await expect(page.locator('#second #tray li')).toHaveCount(4);
  await expect(page.locator('#first #tray')).toBeHidden();
  await expect(page.locator('#second canvas.hist').first()).toBeHidden();

  // The host can drive the adjustment through attributes.
  await page.evaluate(() => document.getElementById('first').setAttribute('gamma', '2'));
  await expect(page.locator('#first #gamma-value')).toHaveText('2.00');
  await expect(first.locator('[data-kind="instance"]')).toHaveAttribute('data-state', 'changed');
  await page.evaluate(() => document.getElementById('first').setAttribute('gamma', 'lots'));
  await expect(page.locator('#first #status')).toContainText('gamma="lots" is not a number; kept the current value.');
  await expect(page.locator('#first #gamma-value')).toHaveText('2.00');
});

test('bad attributes get a readable message and the defaults; the widget starts only when scrolled into view', async ({ page }) => {
  await open(page);
  await page.evaluate(() => {
    const spacer = document.createElement('section');
    spacer.style.height = '6000px';
    const w = document.createElement('norm-scope');
    w.id = 'third';
    w.setAttribute('images', 'chelsea,<img src=x onerror=alert(1)>,javascript:alert(1)');
    w.setAttribute('contrast', '1e309');
    w.setAttribute('kinds', 'batch,evil');
    w.setAttribute('controls', 'contrast,<b>');
    w.setAttribute('probe', '<script>');
    document.body.append(spacer, w);
  });
  await page.waitForTimeout(800);
  await expect(page.locator('#third')).not.toHaveAttribute('data-ready', 'true');
  await page.locator('#third').scrollIntoViewIfNeeded();
  await expect(page.locator('#third')).toHaveAttribute('data-ready', 'true');
  const status = page.locator('#third #status');
  await expect(status).toBeVisible();
  await expect(status).toContainText('"<img src=x onerror=alert(1)>" is neither a bundled sample');
  await expect(status).toContainText('"javascript:alert(1)"');
  await expect(status).toContainText('contrast="1e309"');
  await expect(status).toContainText('"evil" is not a kind');
  await expect(status).toContainText('controls "<b>"');
  await expect(status).toContainText('probe="<script>"');
  expect(await page.evaluate(() => document.getElementById('third').shadowRoot.querySelectorAll('img, script, b').length)).toBe(0);
  await expect(page.locator('#third #contrast')).toHaveValue('0.5');
  await expect(page.locator('#third #tray li')).toHaveCount(1);
});

test('the widget works when its files are served from another path and origin', async ({ page, context, baseURL }) => {
  const { readFileSync } = await import('node:fs');
  const { resolve, extname } = await import('node:path');
  const types = { '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.wasm': 'application/wasm', '.jpg': 'image/jpeg', '.html': 'text/html' };
  // dist/site (made by `cargo xtask dist`) served as if from a CDN, at a deep path, with CORS.
  await context.route('http://cdn.normscope.test/**', (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/assets\/v1\//, '');
    try {
      const body = readFileSync(resolve('dist/site', path));
      return route.fulfill({ body, headers: { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' } });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
  await context.route(`${baseURL}/docs/chapter/page.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>docs</title>' +
        '<script type="module" src="http://cdn.normscope.test/assets/v1/norm-scope.js"></script></head>' +
        '<body><h1>A chapter</h1><norm-scope images="coffee,retina" contrast="0.6"></norm-scope></body></html>',
    }),
  );
  await page.goto('/docs/chapter/page.html');
  await expect(page.locator('norm-scope')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('norm-scope #tray li')).toHaveCount(2);
  await expect(page.locator('norm-scope #readouts [data-kind="instance"]')).toHaveAttribute('data-state', 'unchanged');
  const p = await page.evaluate(() => {
    const canvas = document.querySelector('norm-scope').shadowRoot.querySelector('canvas.panel');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i];
    return sum / (data.length / 4);
  });
  expect(p).toBeGreaterThan(10);
});

test('the classic-script loader (for mdBook additional-js) starts the widget', async ({ page, context, baseURL }) => {
  await context.route(`${baseURL}/book/chapter_1.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><html lang="en"><head><link rel="icon" href="data:,"><title>book</title>' +
        '<script src="/norm-scope-loader.js"></script></head>' +
        '<body><norm-scope images="hubble" controls="contrast" compact></norm-scope></body></html>',
    }),
  );
  await page.goto('/book/chapter_1.html');
  await expect(page.locator('norm-scope')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('norm-scope #readouts .note')).toContainText('batch of one image');
});

test('axe finds no WCAG 2.1 A/AA violations inside the widgets', async ({ page }) => {
  const { wcagAxe } = await import('./axe.js');
  await open(page);
  // Only the widgets: the demo host page is deliberately badly styled.
  const results = await wcagAxe(page).include('norm-scope').analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.help}`);
  expect(summary).toEqual([]);
  // axe really looked inside the shadow roots.
  expect(results.passes.length).toBeGreaterThan(5);
});
