// The lab's benchmark (not a test: it prints figures, it never fails on a
// time). In headless Chromium against a running server:
//
//   cargo xtask serve --no-build --port 8305 &   # after cargo xtask build
//   node bench/lab.mjs --port 8305 [--steps 200] [--kinds none,batch,...] [--samples 60]
//                      [--seeds N] [--cores N]
//
// Prints: the lighting slider's input-to-repaint time (median, p95) idle
// and while a race trains in the workers, and the race's wall time.
// --seeds N trains each kind with seeds 1..N (the race's runs, handed to
// the lab's store as its "Run it here" does, lighting sweeps included);
// --cores N makes the page see N cores (the lab starts N - 1 workers).
import { chromium } from 'playwright-core';
import { CHROMIUM_LAUNCH } from '../tests/chromium.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', 8305));
const steps = Number(arg('steps', 200));
const kinds = arg('kinds', 'none,batch,instance,layer,group,batch-instance,ibn');
const samples = Number(arg('samples', 60));
const seeds = Number(arg('seeds', 0));
const cores = Number(arg('cores', 0));

const browser = await chromium.launch(CHROMIUM_LAUNCH);
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
if (cores > 0) {
  await page.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
}
await page.goto(`http://127.0.0.1:${port}/?lab-steps=${steps}&lab-kinds=${kinds}#lab`);
await page.locator('norm-lab[data-ready]').waitFor();
await page.locator('norm-lab').locator('[data-experiment="lighting"]').scrollIntoViewIfNeeded();

/** Input-to-next-frame times (ms) of `n` slider moves. */
const repaint = (n) => page.locator('norm-lab').evaluate(async (lab, n) => {
  const slider = lab.shadowRoot.getElementById('lighting-at');
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    slider.value = String(i % 7);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    out.push(performance.now() - t0);
  }
  return out;
}, n);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms (${s.length} moves)`;
};

const idle = await repaint(samples);
const race = page.locator('norm-lab').locator('[data-experiment="race"]');
const t0 = Date.now();
if (seeds > 0) {
  // The race's own set of runs in the store, so its panel draws every seed.
  await page.locator('norm-lab').evaluate((lab, { seeds, steps, kinds }) => {
    const key = lab.shown.find((s) => s.experiment === 'race').keys[0];
    const configs = [];
    for (const norm of kinds.split(',')) for (let seed = 1; seed <= seeds; seed++) configs.push({ task: lab.settings.task, norm, steps, seed });
    lab.store.runHere(key, configs);
  }, { seeds, steps, kinds });
} else {
  await race.getByRole('button', { name: 'Run it here' }).click();
}
await page.waitForTimeout(2000);
const busy = await repaint(samples);
await race.locator('.lab-status').filter({ hasText: /Trained in this browser|Stopped/ }).waitFor({ timeout: 3_600_000 });
const seconds = (Date.now() - t0) / 1000;
const workers = await page.evaluate(() => Math.max(1, (navigator.hardwareConcurrency || 2) - 1));
console.log(`slider repaint, idle:            ${stats(idle)}`);
console.log(`slider repaint, during the race: ${stats(busy)}`);
const networks = kinds.split(',').length * Math.max(1, seeds);
console.log(`race: ${kinds.split(',').length} kinds × ${Math.max(1, seeds)} seed(s) × ${steps} steps in ${seconds.toFixed(1)} s with ${workers} worker(s) (lighting sweep included): ${((seconds * workers) / networks).toFixed(2)} worker-seconds per network`);
await browser.close();
