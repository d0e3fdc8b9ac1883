// Cold load → first panels drawn: the Vite-built page of a project that
// installed the npm package, against the project's own page, in the same
// run on the same machine, both served by the same static server
// (tests/npm-project.js). Prints figures; passes or fails on nothing.
//
//   cargo xtask pack && node bench/coldload.mjs [--runs 7]
//
// Each load is a fresh browser context (empty cache) at 1280×800; "drawn" is
// the first `data-ready` on <body> (the page) or <norm-scope> (the widget),
// both set by the same Scope after its first repaint, in ms from navigation
// start. The two pages alternate, so load on the machine hits both alike.
// Also: which wasm each first load fetched, with its gzip size (zlib -9),
// against the page's budget (xtask/src/pkgbuild.rs: 200 KB for the page's
// wasm + glue), and the installed package's size.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';
import { makeProject, ROOT, serveStatic } from '../tests/npm-project.js';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('--runs needs a whole number of at least 1');
  process.exit(2);
}

function treeSize(dir) {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    if (s.isDirectory()) {
      const [f, b] = treeSize(path);
      files += f;
      bytes += b;
    } else {
      files += 1;
      bytes += s.size;
    }
  }
  return [files, bytes];
}

const project = makeProject(join(ROOT, 'target', 'npm-bench'));
const vite = await serveStatic({ '/': project.dist });
const own = await serveStatic({ '/': join(ROOT, 'www'), '/pkg/': join(ROOT, 'pkg'), '/tasks/': join(ROOT, 'assets', 'tasks') });
const PAGES = [
  ['Vite build, npm package', `${vite.origin}/`],
  ["the project's own page", `${own.origin}/`],
];

const browser = await chromium.launch(CHROMIUM_LAUNCH);

/** One cold load: ms to the first data-ready, and the wasm files fetched on the way. */
async function load(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((changes, observer) => {
      if (changes.some((c) => c.target.getAttribute('data-ready') === 'true')) {
        window.drawnAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, attributeFilter: ['data-ready'], subtree: true });
  });
  const bodies = new Map();
  page.on('response', (response) => {
    if (response.url().endsWith('.wasm')) bodies.set(response.url(), response.body().catch(() => null));
  });
  await page.goto(url);
  await page.waitForFunction(() => window.drawnAt !== undefined, null, { timeout: 60_000 });
  const { ms, before } = await page.evaluate(() => ({
    ms: window.drawnAt,
    before: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm') && e.startTime < window.drawnAt).map((e) => e.name),
  }));
  const wasm = [];
  for (const name of before) {
    const body = await bodies.get(name);
    if (body) wasm.push({ name: new URL(name).pathname, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
  }
  await context.close();
  return { ms, wasm };
}

const times = PAGES.map(() => []);
const firstWasm = PAGES.map(() => []);
for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? [0, 1] : [1, 0];
  for (const i of order) {
    const { ms, wasm } = await load(PAGES[i][1]);
    times[i].push(ms);
    if (run === 0) firstWasm[i] = wasm;
  }
}
await browser.close();
await vite.close();
await own.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

console.log(`\ncold load -> first panels drawn (ms from navigation start; ${RUNS} loads each, alternating; 1280x800)`);
console.log('| page | median | min–max | n |\n|---|---|---|---|');
PAGES.forEach(([name], i) => {
  const xs = times[i];
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} | ${xs.length} |`);
});
console.log(`Vite page ÷ own page (medians): ${(median(times[0]) / median(times[1])).toFixed(2)}`);

console.log('\nwasm fetched before the first panels were drawn (first load), gzip -9:');
PAGES.forEach(([name], i) => {
  for (const w of firstWasm[i]) console.log(`  ${name}: ${w.name} ${kb(w.raw)} raw, ${kb(w.gzip)} gzip`);
});
// The budget is the page's module's (wasm + glue); in the Vite build the glue
// is inside Vite's chunk, so the wasm alone is set against it here. The
// engine's wasm shows up only when a lab is within a screen of the first view.
const pageWasm = firstWasm[0].filter((w) => /\/normscope_bg[-.]/.test(w.name)).reduce((a, w) => a + w.gzip, 0);
console.log(`  Vite page, the page's module: ${kb(pageWasm)} gzip, ${((100 * pageWasm) / 200_000).toFixed(0)}% of its 200 kB budget (wasm + glue)`);

const [files, bytes] = treeSize(join(project.dir, 'node_modules', 'normscope'));
console.log(`\ninstalled package (node_modules/normscope): ${files} files, ${kb(bytes)} (${(bytes / 1024).toFixed(1)} KiB)`);
console.log(`npm install ${project.seconds.install.toFixed(1)} s, vite build ${project.seconds.build.toFixed(1)} s`);
