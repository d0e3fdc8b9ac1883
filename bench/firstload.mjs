// What a new visitor downloads (not a test: it prints figures). In headless
// Chromium at 1280×800 against a running server:
//
//   cargo xtask serve --no-build --port 8305 &   # after cargo xtask build
//   node bench/firstload.mjs --port 8305
//
// Prints each file the first load fetches without scrolling (how often, raw
// and zlib -9 bytes), the totals, then what scrolling to the lab adds.
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', 8305));

const browser = await chromium.launch(CHROMIUM_LAUNCH);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
let files = new Map();
let revalidated = 0;
let pending = [];
page.on('response', (response) => {
  const url = new URL(response.url());
  if (url.protocol !== 'http:') return;
  pending.push((async () => {
    const { responseBodySize } = await response.request().sizes();
    // A revalidation (304 Not Modified) brings no bytes: the cached copy is used.
    if (responseBodySize === 0 && response.status() !== 204) {
      revalidated += 1;
      if (process.env.SHOW_REVALIDATED) console.log(`  (revalidated ${url.pathname})`);
      return;
    }
    const body = await response.body().catch(() => Buffer.alloc(0));
    const seen = files.get(url.pathname) ?? { count: 0, raw: 0, gzip: 0 };
    seen.count += 1;
    seen.raw += body.length;
    seen.gzip += gzipSync(body, { level: 9 }).length;
    files.set(url.pathname, seen);
  })().catch(() => {}));
});

async function report(title) {
  await Promise.all(pending);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  console.log(title);
  let raw = 0;
  let gzip = 0;
  let count = 0;
  for (const [path, f] of [...files].sort((a, b) => b[1].gzip - a[1].gzip)) {
    console.log(`  ${path.padEnd(44)} ×${f.count}  ${kb(f.raw).padStart(10)} raw  ${kb(f.gzip).padStart(10)} gzip`);
    raw += f.raw;
    gzip += f.gzip;
    count += f.count;
  }
  const wasm = [...files].filter(([p]) => p.endsWith('.wasm')).reduce((n, [, f]) => n + f.gzip, 0);
  console.log(`  ${count} downloads of ${files.size} files: ${kb(raw)} raw, ${kb(gzip)} gzip (wasm ${kb(wasm)} gzip); ${revalidated} more requests revalidated a cached copy`);
}

await page.goto(`http://127.0.0.1:${port}/`);
await page.locator('body[data-ready="true"]').waitFor();
await page.waitForLoadState('networkidle');
await page.waitForTimeout(1000);
await report('first load, no scrolling:');
files = new Map();
pending = [];
revalidated = 0;
await page.locator('norm-lab').scrollIntoViewIfNeeded();
await page.locator('norm-lab[data-ready="true"]').waitFor({ timeout: 120_000 });
await page.waitForLoadState('networkidle');
await page.waitForTimeout(1000);
await report('then scrolling to the lab adds:');
await browser.close();
