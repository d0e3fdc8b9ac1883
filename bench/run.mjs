// The Node half of `cargo xtask bench`: drives headless Chromium against the
// xtask server, prints one table and writes bench/results.json.
//
//   node bench/run.mjs --url http://127.0.0.1:8282 [--out bench/results.json] [--quick] [--shape 8x3x512x512]
//
// Figures are medians of repeated runs on this machine, with every peer in
// the same run, so ratios hold even when the machine is busy. Nothing here
// passes or fails on a time.
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const base = opt('--url', 'http://127.0.0.1:8282');
const outFile = opt('--out', join(root, 'bench', 'results.json'));
const quick = args.includes('--quick');

// `--shape NxCxHxW` (repeatable) times just those shapes.
const chosen = args.flatMap((a, i) => (args[i - 1] === '--shape' ? [a.split('x').map(Number)] : []));
const SHAPES = chosen.length
  ? chosen
  : quick
  ? [[8, 3, 256, 256]]
  : [
      [8, 3, 256, 256],
      [8, 3, 512, 512],
      [1, 3, 3000, 4000],
    ];
const KINDS = ['batch', 'instance', 'layer', 'group'];

const browser = await chromium.launch(CHROMIUM_LAUNCH);

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => console.error(`request failed: ${r.url()}`));
  return { context, page };
}

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1], n: s.length };
};

// ---- 1. normalize() and its peers -----------------------------------------
async function normalizeCases() {
  const rows = [];
  for (const threads of [1, 2]) {
    const { context, page } = await newPage();
    await page.goto(`${base}/bench/`);
    await page.waitForSelector('body[data-ready="true"]');
    const config = { shapes: SHAPES, kinds: KINDS, threads, only: threads === 1 ? null : ['ort'] };
    const r = await page.evaluate((c) => window.runBench(c), config);
    if (threads === 2 && !r.crossOriginIsolated) console.error('note: page not cross-origin isolated; ort used 1 thread');
    for (const row of r.results) {
      const same = rows.find((x) => x.kind === row.kind && x.shape.join() === row.shape.join());
      if (same) Object.assign(same.impls, row.impls);
      else rows.push(row);
    }
    await context.close();
  }
  return rows;
}

// ---- 2. the page: slider → repainted, 12 MP decode, cold load -------------
async function loadPage(page) {
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
}

async function setBatch(page, size) {
  await page.selectOption('#size-select', String(size));
  const want = 8;
  const have = await page.locator('#tray > li').count();
  if (have < want) {
    const extra = ['camera', 'brick', 'ihc'].slice(0, want - have).map((n) => join(root, 'www', 'samples', `${n}.jpg`));
    await page.setInputFiles('#file-input', extra);
    await page.waitForFunction((n) => document.querySelectorAll('#tray > li').length >= n, want);
  }
  await page.waitForTimeout(300);
}

/** Slider `input` events; per event: the frame's work (our rAF before the
 * event to our rAF after it, the page's repaint runs between) and the full
 * latency from dispatch. Also splits the work by wasm call. */
async function sliderLatency(page, moves) {
  return page.evaluate(async (n) => {
    const mod = await import('/pkg/normscope.js');
    const P = mod.Session.prototype;
    const spent = { compute: 0, drawHistogram: 0, panelPixels: 0, readout: 0 };
    // The page computes the kinds on screen (computeKinds): counted as compute.
    const calls = { ...Object.fromEntries(Object.keys(spent).map((k) => [k, k])), computeKinds: 'compute' };
    const orig = {};
    for (const [k, into] of Object.entries(calls)) {
      orig[k] = P[k];
      P[k] = function (...a) {
        const t = performance.now();
        try {
          return orig[k].apply(this, a);
        } finally {
          spent[into] += performance.now() - t;
        }
      };
    }
    const el = document.getElementById('contrast');
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    await frame();
    for (const k of Object.keys(spent)) spent[k] = 0;
    const work = [];
    const full = [];
    for (let i = 0; i < n; i++) {
      const before = frame();
      el.value = String(0.3 + (i % 24) * 0.1);
      const t0 = performance.now();
      el.dispatchEvent(new Event('input', { bubbles: true }));
      const after = frame();
      const [a, c] = await Promise.all([before, after]);
      work.push(c - a);
      full.push(c - t0);
    }
    for (const k of Object.keys(calls)) P[k] = orig[k];
    for (const k of Object.keys(spent)) spent[k] /= n;
    return { work, full, perEvent: spent };
  }, moves);
}

/** A generated 12 MP JPEG (4000×3000, photo-like: gradients, shapes, grain)
 * through the file input, until the frame after it joined the batch. */
async function bigDecode(page) {
  return page.evaluate(async () => {
    const w = 4000;
    const h = 3000;
    const canvas = new OffscreenCanvas(w, h);
    const g = canvas.getContext('2d');
    const grad = g.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, '#345');
    grad.addColorStop(0.5, '#c96');
    grad.addColorStop(1, '#1a3');
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) | 0) >>> 0) / 4294967296;
    for (let i = 0; i < 400; i++) {
      g.fillStyle = `hsl(${rnd() * 360} 50% ${20 + rnd() * 60}%)`;
      g.beginPath();
      g.arc(rnd() * w, rnd() * h, 20 + rnd() * 300, 0, 7);
      g.fill();
    }
    const grain = g.getImageData(0, 0, w, h);
    for (let i = 0; i < grain.data.length; i += 4) {
      const d = (rnd() - 0.5) * 24;
      grain.data[i] += d;
      grain.data[i + 1] += d;
      grain.data[i + 2] += d;
    }
    g.putImageData(grain, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const file = new File([blob], 'big-12mp.jpg', { type: 'image/jpeg' });
    const input = document.getElementById('file-input');
    const tray = document.getElementById('tray');
    const count = tray.children.length;
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    const done = new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        if (tray.children.length > count) {
          obs.disconnect();
          requestAnimationFrame(() => resolve(performance.now()));
        }
      });
      obs.observe(tray, { childList: true });
    });
    const t0 = performance.now();
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const t1 = await done;
    return { ms: t1 - t0, bytes: blob.size };
  });
}

async function coldLoad() {
  const { context, page } = await newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.body && document.body.dataset.ready === 'true') {
        window.__readyAt = performance.now();
        obs.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
  });
  await loadPage(page);
  const ms = await page.evaluate(() => window.__readyAt);
  await context.close();
  return ms;
}

async function pageCases() {
  const out = {};
  const { context, page } = await newPage();
  await loadPage(page);
  for (const size of [256, 512]) {
    await setBatch(page, size);
    const r = await sliderLatency(page, quick ? 15 : 60);
    out[`slider_8x${size}`] = { work: stat(r.work), full: stat(r.full), perEvent: r.perEvent };
  }
  await context.close();
  const decodes = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const p = await newPage();
    await loadPage(p.page);
    decodes.push(await bigDecode(p.page));
    await p.context.close();
  }
  out.decode_12mp = { ...stat(decodes.map((d) => d.ms)), jpegBytes: decodes[0].bytes };
  const loads = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) loads.push(await coldLoad());
  out.cold_load = stat(loads);
  return out;
}

function pkgSize() {
  const dir = join(root, 'pkg');
  let raw = 0;
  let gz = 0;
  const files = {};
  for (const f of readdirSync(dir)) {
    if (!/\.(wasm|js)$/.test(f)) continue;
    const bytes = readFileSync(join(dir, f));
    // The same measure as `cargo xtask build`'s budget: `gzip -9 -c`.
    const g = execFileSync('gzip', ['-9', '-c', join(dir, f)], { maxBuffer: 1 << 26 }).length;
    files[f] = { raw: bytes.length, gzip: g };
    raw += bytes.length;
    gz += g;
  }
  return { files, raw, gzip: gz };
}

// ---- run and report -------------------------------------------------------
const started = new Date();
const load = loadavg();
const normalizeRows = await normalizeCases();
const page = await pageCases();
const pkg = pkgSize();
await browser.close();

const fmt = (x) => (x == null ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const sci = (x) => (x == null ? '' : x === 0 ? '0' : x.toExponential(0));
const PEERS = ['naive JS', 'onnxruntime-web 1T', 'onnxruntime-web 2T', 'tfjs wasm'];
const lines = [];
lines.push(`normscope benchmark, ${started.toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${load.map((l) => l.toFixed(1)).join(' ')}`);
lines.push('');
lines.push('normalize(): median ms (max |Δ| vs float64 naive JS); ratios vs the fastest peer and vs one copy');
lines.push('| shape | kind | copy | fresh copy | normscope out | normscope fresh | naive JS | ort 1T | ort 2T | tfjs wasm | fastest peer ÷ ns out | ns out ÷ copy | fastest peer ÷ ns fresh | ns fresh ÷ fresh copy |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of normalizeRows) {
  const t = (name) => r.impls[name]?.median;
  const cellOf = (name) => {
    const i = r.impls[name];
    return i ? `${fmt(i.median)} (${sci(i.maxAbsDiff)})` : '—';
  };
  const peerTimes = PEERS.map(t).filter((x) => x != null);
  const fastest = Math.min(...peerTimes);
  r.ratios = {
    fastestPeerOverOut: fastest / t('normscope (out reused)'),
    outOverCopy: t('normscope (out reused)') / t('copy'),
    fastestPeerOverFresh: fastest / t('normscope (fresh)'),
    freshOverFreshCopy: t('normscope (fresh)') / t('fresh copy'),
  };
  lines.push(
    `| ${r.shape.join('×')} | ${r.kind} | ${fmt(t('copy'))} | ${fmt(t('fresh copy'))} | ${cellOf('normscope (out reused)')} | ${cellOf('normscope (fresh)')} | ${fmt(t('naive JS'))} | ${cellOf('onnxruntime-web 1T')} | ${cellOf('onnxruntime-web 2T')} | ${cellOf('tfjs wasm')} | ${r.ratios.fastestPeerOverOut.toFixed(1)}× | ${r.ratios.outOverCopy.toFixed(1)}× | ${r.ratios.fastestPeerOverFresh.toFixed(1)}× | ${r.ratios.freshOverFreshCopy.toFixed(1)}× |`,
  );
}
lines.push('');
lines.push('page: ms (median / p95 / max)');
lines.push('| measure | median | p95 | max | n |');
lines.push('|---|---|---|---|---|');
for (const size of [256, 512]) {
  const s = page[`slider_8x${size}`];
  lines.push(`| slider → repainted, 8 × ${size} px (frame work) | ${fmt(s.work.median)} | ${fmt(s.work.p95)} | ${fmt(s.work.max)} | ${s.work.n} |`);
  lines.push(`| slider → repainted, 8 × ${size} px (from input event, incl. wait for frame) | ${fmt(s.full.median)} | ${fmt(s.full.p95)} | ${fmt(s.full.max)} | ${s.full.n} |`);
  const e = s.perEvent;
  lines.push(`| ↳ per event: compute ${fmt(e.compute)}, histograms ${fmt(e.drawHistogram)}, panel pixels ${fmt(e.panelPixels)}, readout ${fmt(e.readout)} | | | | |`);
}
lines.push(`| 12 MP JPEG (${(page.decode_12mp.jpegBytes / 1e6).toFixed(1)} MB) → first render | ${fmt(page.decode_12mp.median)} | ${fmt(page.decode_12mp.p95)} | ${fmt(page.decode_12mp.max)} | ${page.decode_12mp.n} |`);
lines.push(`| cold load → interactive (data-ready) | ${fmt(page.cold_load.median)} | ${fmt(page.cold_load.p95)} | ${fmt(page.cold_load.max)} | ${page.cold_load.n} |`);
lines.push('');
lines.push(`pkg/ (.wasm + .js): ${(pkg.raw / 1024).toFixed(1)} KiB raw, ${(pkg.gzip / 1024).toFixed(1)} KiB gzip -9 (${(pkg.gzip / 1000).toFixed(1)} kB; target ≤ 250 kB)`);
console.log(lines.join('\n'));

writeFileSync(
  outFile,
  `${JSON.stringify({ date: started.toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: load, quick, normalize: normalizeRows, page, pkg }, null, 1)}\n`,
);
console.log(`\nwrote ${outFile}`);
