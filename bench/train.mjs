// The Node half of `cargo xtask bench --train`: training speed of the lab's
// default network natively, in normscope's wasm in headless Chromium, and in
// onnxruntime-web's on-device training, Burn (wasm32), TensorFlow.js and
// ConvNetJS in the same browser, in one run; a plain f32
// matrix-multiply peak for GFLOP/s; and the lab's race of six networks in the lab's
// workers. Prints one table and writes bench/train-results.json.
//
//   node bench/train.mjs --url http://127.0.0.1:8282 [--native target/release/examples/train_speed]
//                        [--python PYTHON --onnx-dir DIR] [--burn | --burn-refused WHY] [--out bench/train-results.json] [--quick]
//
// --python: a Python with onnxruntime-training and onnx, to make the
// onnxruntime-web peer's training artifacts (bench/onnx_artifacts.py) in
// --onnx-dir, which the server serves as /onnx-artifacts/. --burn: the Burn
// peer's wasm-bindgen module is served as /burn-pkg/. `cargo xtask bench
// --train` passes all three.
//
// Each case runs in a fresh page, one after another, so no two compete for
// the two cores. Nothing here passes or fails on a time.
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
const outFile = opt('--out', join(root, 'bench', 'train-results.json'));
const nativeBin = opt('--native', null);
const quick = args.includes('--quick');
const minSeconds = quick ? 1 : 4;
const python = opt('--python', null);
const onnxDir = opt('--onnx-dir', null);
const burn = args.includes('--burn');
const burnRefused = opt('--burn-refused', 'the Burn peer was not built (--burn)');

const browser = await chromium.launch(CHROMIUM_LAUNCH);

let userAgent = null;
/** Run one case in a fresh page; page errors are printed and fail the run. */
async function inPage(c) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`console error: ${m.text()}`);
  });
  page.setDefaultTimeout(0);
  try {
    await page.goto(`${base}/bench/train.html`);
    await page.waitForSelector('body[data-ready="true"]');
    userAgent ??= await page.evaluate(() => navigator.userAgent);
    const r = await page.evaluate((x) => window.trainCase(x), c);
    if (errors.length) throw new Error(`page error in ${c.lib}: ${errors.join('; ')}`);
    return r;
  } finally {
    await context.close();
  }
}

/** The lab's default configuration and the class count, as the wasm Trainer reports them. */
async function labDefaults() {
  const r = await inPage({ lib: 'defaults' });
  if (r.refused) throw new Error(`normscope: ${r.refused}`);
  return r;
}

/** Native steps/s: examples/train_speed.rs times the engine as the page does. */
function nativeCase(config) {
  if (!nativeBin) return { refused: 'no native timing binary given (--native)' };
  const out = execFileSync(nativeBin, [JSON.stringify(config), String(minSeconds)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

/**
 * onnxruntime-web training artifacts for one network and norm
 * (bench/onnx_artifacts.py). Its stderr (onnxruntime's INFO lines) shows
 * only when it fails, in the error execFileSync throws.
 */
function onnxArtifacts(net, norm, classes, eps) {
  const name = `${net.widths.join('-')}_b${net.batch}_c${classes}_${norm}`;
  execFileSync(python, [join(root, 'bench', 'onnx_artifacts.py'), '--out', join(onnxDir, name), '--widths', net.widths.join(','), '--batch', String(net.batch), '--classes', String(classes), '--norm', norm, '--eps', String(eps)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return name;
}

const started = new Date();
const load = loadavg();
const defaults = await labDefaults();
const cfg = defaults.config;
const classes = defaults.classes;
const hyper = {
  lr: cfg.lr,
  momentum: cfg.momentum,
  weightDecay: cfg.weight_decay,
  eps: cfg.eps,
  bnMomentum: cfg.bn_momentum,
  pool: defaults.pool,
  classes,
  minSeconds,
};
const nets = [{ label: 'lab default', widths: cfg.widths, batch: cfg.batch }];
if (!(cfg.widths.join() === '16,32,64' && cfg.batch === 32)) nets.push({ label: 'issue reference', widths: [16, 32, 64], batch: 32 });

const rows = [];
for (const net of nets) {
  const flops = await inPage({ lib: 'flops', widths: net.widths, batch: net.batch, classes });
  const add = (name, norm, r) => {
    const row = { net: net.label, widths: net.widths, batch: net.batch, impl: name, norm, flopsPerStep: flops, load1: loadavg()[0], ...r };
    if (r.stepsPerSecond) row.gflops = (flops * r.stepsPerSecond) / 1e9;
    rows.push(row);
    console.error(`${net.label} ${name} ${norm}: ${r.refused ? `refused: ${r.refused}` : `${r.stepsPerSecond.toFixed(3)} steps/s`}`);
  };
  const nsConfig = (norm) => ({ ...cfg, widths: net.widths, batch: net.batch, norm });
  for (const norm of ['batch', 'none']) {
    add('normscope native', norm, nativeCase(nsConfig(norm)));
    add('normscope wasm', norm, await inPage({ lib: 'normscope', config: nsConfig(norm), minSeconds }));
  }
  const peer = { widths: net.widths, batch: net.batch, ...hyper };
  add('TensorFlow.js cpu', 'batch', await inPage({ lib: 'tfjs', backend: 'cpu', norm: 'batch', ...peer, minSteps: 1 }));
  add('TensorFlow.js cpu', 'none', await inPage({ lib: 'tfjs', backend: 'cpu', norm: 'none', ...peer, minSteps: 1 }));
  add('TensorFlow.js wasm', 'batch', await inPage({ lib: 'tfjs', backend: 'wasm', norm: 'batch', ...peer, minSteps: 1 }));
  add('ConvNetJS', 'none', await inPage({ lib: 'convnetjs', norm: 'none', ...peer }));
  for (const norm of ['batch', 'none']) {
    if (python && onnxDir) {
      const artifacts = onnxArtifacts(net, norm, classes, cfg.eps);
      for (const threads of [1, 2]) add(`onnxruntime-web training, ${threads} thread${threads > 1 ? 's' : ''}`, norm, await inPage({ lib: 'ort', norm, threads, artifacts, ...peer }));
    } else {
      add('onnxruntime-web training', norm, { refused: 'no Python with onnxruntime-training given (--python, --onnx-dir)' });
    }
    add('Burn (Flex, wasm32)', norm, burn ? await inPage({ lib: 'burn', norm, ...peer }) : { refused: burnRefused });
  }
}

const matmul = [];
for (const impl of ['js', 'normscope']) {
  const r = await inPage({ lib: 'matmul', impl, n: 256, minSeconds: quick ? 0.5 : 2 });
  matmul.push({ impl, n: 256, ...r });
}

const raceNorms = ['none', 'batch', 'instance', 'layer', 'group', 'batch-instance'];
const race = await inPage({ lib: 'race', norms: raceNorms, config: cfg });
await browser.close();

// ---- report ---------------------------------------------------------------------
const f = (x, d = 2) => (x == null ? '—' : x.toFixed(d));
const lines = [];
lines.push(`normscope training benchmark, ${started.toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${load.map((l) => l.toFixed(1)).join(' ')}`);
lines.push(`browser: ${userAgent}`);
lines.push(`lab default: task ${cfg.task}, widths ${cfg.widths.join('/')}, batch ${cfg.batch}, ${cfg.steps} steps, ${classes} classes, ${defaults.pool} pooling`);
lines.push('');
lines.push('training steps per second (higher is better); GFLOP/s counts convolutions and the linear layer only; load = 1-minute load average when the case ended');
lines.push('| network | implementation | norm | steps/s | GFLOP/s | steps timed | load | normscope wasm (same norm) ÷ this |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const ours = rows.find((x) => x.net === r.net && x.impl === 'normscope wasm' && x.norm === r.norm);
  const ratio = r.refused || !ours?.stepsPerSecond ? '—' : `${(ours.stepsPerSecond / r.stepsPerSecond).toFixed(2)}×`;
  const cell = r.refused ? `refused: ${r.refused}` : f(r.stepsPerSecond, r.stepsPerSecond < 1 ? 3 : 2);
  lines.push(`| ${r.net} (${r.widths.join('/')}, batch ${r.batch}) | ${r.impl} | ${r.norm} | ${cell} | ${f(r.gflops)} | ${r.steps ?? '—'} | ${f(r.load1, 1)} | ${ratio} |`);
}
lines.push('');
lines.push('normscope wasm against the fastest peer with the same norm, per network (issue 21 target: ≥ 2× with batch norm, ≥ 1.5× without)');
for (const net of nets) {
  for (const norm of ['batch', 'none']) {
    const peers = rows.filter((r) => r.net === net.label && r.norm === norm && !r.impl.startsWith('normscope') && r.stepsPerSecond);
    const fastest = peers.reduce((a, b) => (b.stepsPerSecond > a.stepsPerSecond ? b : a), peers[0]);
    const ours = rows.find((r) => r.net === net.label && r.impl === 'normscope wasm' && r.norm === norm);
    if (!fastest || !ours?.stepsPerSecond) continue;
    const target = norm === 'batch' ? 2 : 1.5;
    const ratio = ours.stepsPerSecond / fastest.stepsPerSecond;
    lines.push(`  ${net.label}, ${norm}: normscope wasm ${f(ours.stepsPerSecond)} steps/s (load ${f(ours.load1, 1)}) ÷ ${fastest.impl} ${f(fastest.stepsPerSecond)} (load ${f(fastest.load1, 1)}) = ${ratio.toFixed(2)}× (target ${target}×: ${ratio >= target ? 'met' : 'not met'})`);
  }
}
lines.push('');
lines.push('versions and settings');
const g = (x) => Number(x.toPrecision(6)); // f32 settings without their f64 tails
const versionOf = (impl) => rows.find((r) => r.impl.startsWith(impl) && r.version)?.version;
lines.push(`  normscope: the wasm Trainer of pkg/ (this build), SGD momentum ${g(cfg.momentum)}, weight decay ${g(cfg.weight_decay)}, lr ${g(cfg.lr)}, batch-norm eps ${g(cfg.eps)}, running statistics kept`);
const ortRow = rows.find((r) => r.impl.startsWith('onnxruntime') && r.artifacts);
if (ortRow) {
  const a = ortRow.artifacts;
  lines.push(`  onnxruntime-web: npm onnxruntime-web 1.19.2 (alias onnxruntime-web-training), /training entry, wasm EP; artifacts by onnxruntime-training ${a.onnxruntime_training}, onnx ${a.onnx}, opset ${a.opset}; optimizer ${a.optimizer}; batch norm ${ortRow.norm === 'batch' ? a.batch_norm : 'from primitives, batch statistics, no running statistics'}; learning rate onnxruntime's default (the web API sets none)`);
}
if (versionOf('Burn')) lines.push(`  Burn: ${versionOf('Burn')}; nn::BatchNorm (running statistics kept), SGD momentum ${g(cfg.momentum)}, weight decay ${g(cfg.weight_decay)}, lr ${g(cfg.lr)}`);
if (versionOf('TensorFlow.js')) lines.push(`  TensorFlow.js ${versionOf('TensorFlow.js')} (tf.layers, trainOnBatch)`);
if (versionOf('ConvNetJS')) lines.push(`  ConvNetJS ${versionOf('ConvNetJS')} (no normalization layer)`);
lines.push('  peers train on one fixed random batch of the same shape; normscope on the task patches; each case in a fresh page, one after another');
lines.push('');
lines.push('f32 matrix multiply, 256×256 by 256×256, in the same browser');
lines.push('| implementation | GFLOP/s |');
lines.push('|---|---|');
for (const m of matmul) lines.push(`| ${m.impl === 'js' ? 'plain JS loop (i-k-j, Float32Array)' : 'normscope wasm'} | ${m.refused ? `— (${m.refused})` : f(m.gflops)} |`);
lines.push('');
lines.push(`race: ${raceNorms.join(', ')} at the lab default (${cfg.steps} steps each, test evaluations included) in ${race.workers} worker(s): ${f(race.seconds, 1)} s (issue 12 target: at most 20 s)`);
for (const r of race.runs ?? []) lines.push(`  ${r.norm}: ${r.steps} steps, test accuracy ${f(r.testAccuracy, 3)}`);
console.log(lines.join('\n'));

writeFileSync(
  outFile,
  `${JSON.stringify({ date: started.toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: load, userAgent, quick, defaults, rows, matmul, race }, null, 1)}\n`,
);
console.log(`\nwrote ${outFile}`);
