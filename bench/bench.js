// The in-browser half of `cargo xtask bench`: times normscope's normalize()
// against the peers a web developer would otherwise pick, in one page, on
// the same data. `bench/run.mjs` drives it through `window.runBench`.
import init, { normalize } from '/pkg/normscope.js';
import * as ort from '/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { normModel } from './onnx.js';

const EPS = 1e-5;
const logEl = document.getElementById('log');
const log = (line) => {
  logEl.textContent += `${line}\n`;
};

/** Deterministic test data: per-plane offsets and contrasts, like photos (values in [0, 1.2]). */
function makeData([n, c, h, w]) {
  const plane = h * w;
  const x = new Float32Array(n * c * plane);
  let s = 0x2545f491;
  for (let p = 0; p < n * c; p++) {
    const base = 0.1 + 0.1 * (p % 7);
    const amp = 0.2 + 0.05 * (p % 5);
    const row = x.subarray(p * plane, (p + 1) * plane);
    for (let i = 0; i < plane; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) | 0;
      row[i] = base + amp * ((s >>> 8) / 16777216);
    }
  }
  return x;
}

/** The (n, c) planes sharing one mean and variance, for each kind. */
function planeGroups(kind, [n, c], groups) {
  const out = [];
  if (kind === 'batch') {
    for (let ch = 0; ch < c; ch++) out.push(Array.from({ length: n }, (_, i) => i * c + ch));
    return out;
  }
  const g = kind === 'instance' ? c : kind === 'layer' ? 1 : groups;
  const per = c / g;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < g; k++) out.push(Array.from({ length: per }, (_, j) => i * c + k * per + j));
  }
  return out;
}

/** The naive two-pass loop (JS numbers are f64): also the float64 reference. */
function naive(x, shape, kind, groups, out) {
  const plane = shape[2] * shape[3];
  for (const planes of planeGroups(kind, shape, groups)) {
    let sum = 0;
    for (const p of planes) for (let i = p * plane, e = i + plane; i < e; i++) sum += x[i];
    const count = planes.length * plane;
    const mean = sum / count;
    let ss = 0;
    for (const p of planes) {
      for (let i = p * plane, e = i + plane; i < e; i++) {
        const d = x[i] - mean;
        ss += d * d;
      }
    }
    const inv = 1 / Math.sqrt(ss / count + EPS);
    for (const p of planes) for (let i = p * plane, e = i + plane; i < e; i++) out[i] = (x[i] - mean) * inv;
  }
  return out;
}

function tfjsNorm(x, shape, kind, groups) {
  const tf = globalThis.tf;
  const y = tf.tidy(() => {
    const t = tf.tensor4d(x, shape);
    if (kind === 'batch' || kind === 'instance') {
      const { mean, variance } = tf.moments(t, kind === 'batch' ? [0, 2, 3] : [2, 3], true);
      return t.sub(mean).div(variance.add(EPS).sqrt());
    }
    const g = kind === 'layer' ? 1 : groups;
    const r = t.reshape([shape[0], g, -1]);
    const { mean, variance } = tf.moments(r, [2], true);
    return r.sub(mean).div(variance.add(EPS).sqrt()).reshape(shape);
  });
  const data = y.dataSync();
  y.dispose();
  return data;
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN wins
  }
  return m;
}

/** Median of timed runs: at least `minReps`, more while under `budgetMs`. */
async function time(fn, { minReps = 3, maxReps = 15, budgetMs = 800 } = {}) {
  await fn(); // warm-up (JIT, wasm memory growth, peer session set-up)
  const times = [];
  const start = performance.now();
  while (times.length < minReps || (times.length < maxReps && performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0], reps: times.length };
}

let tfReady = null;
async function tfjsReady() {
  if (!tfReady) {
    tfReady = (async () => {
      // Its threaded build starts workers from blob: URLs that cannot load
      // their script here; TensorFlow.js's default wasm build is single-threaded.
      globalThis.tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      globalThis.tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
      await globalThis.tf.setBackend('wasm');
      await globalThis.tf.ready();
    })();
  }
  return tfReady;
}

/**
 * Run the normalize cases. `only` limits the implementations (e.g. to
 * ['ort'] for the second, two-thread pass); `threads` is onnxruntime-web's
 * thread count (fixed per page load).
 */
async function runBench({ shapes, kinds, groups = 3, threads = 1, only = null }) {
  await init();
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = threads;
  const want = (name) => !only || only.includes(name);
  const results = [];
  for (const shape of shapes) {
    const x = makeData(shape);
    const out = new Float32Array(x.length);
    const ref = new Float32Array(x.length);
    for (const kind of kinds) {
      naive(x, shape, kind, groups, ref);
      const row = { shape, kind, impls: {} };
      const record = (name, t, y) => {
        row.impls[name] = { ...t, maxAbsDiff: y ? maxAbsDiff(y, ref) : null };
        log(`${shape.join('x')} ${kind} ${name}: ${t.median.toFixed(2)} ms`);
      };
      if (want('copy')) {
        record('copy', await time(() => out.set(x)), null);
        // The floor for any API that returns a new array: allocate one and
        // fill it (the fresh pages are faulted in on first write).
        let y = null;
        record('fresh copy', await time(() => {
          y = x.slice();
        }), null);
        y = null;
      }
      if (want('naive')) {
        // As a web developer would write it: a fresh result array per call.
        let y = null;
        const t = await time(() => {
          y = naive(x, shape, kind, groups, new Float32Array(x.length));
        });
        record('naive JS', t, y);
        y = null;
      }
      const opts = { norm: kind, groups, eps: EPS };
      if (want('normscope')) {
        record('normscope (out reused)', await time(() => normalize(x, shape, { ...opts, out })), out);
        let y = null;
        const t = await time(() => {
          y = normalize(x, shape, opts);
        });
        record('normscope (fresh)', t, y);
        y = null;
      }
      if (want('ort')) {
        const session = await ort.InferenceSession.create(normModel(kind, shape, groups, EPS), {
          executionProviders: ['wasm'],
        });
        let y = null;
        const t = await time(async () => {
          const r = await session.run({ X: new ort.Tensor('float32', x, shape) });
          y = r.Y.data;
        });
        record(`onnxruntime-web ${threads}T`, t, y);
        y = null;
        await session.release();
      }
      if (want('tfjs')) {
        await tfjsReady();
        let y = null;
        const t = await time(() => {
          y = tfjsNorm(x, shape, kind, groups);
        });
        record('tfjs wasm', t, y);
        y = null;
      }
      results.push(row);
    }
  }
  return { results, crossOriginIsolated: globalThis.crossOriginIsolated === true, userAgent: navigator.userAgent };
}

window.runBench = runBench;
document.body.dataset.ready = 'true';
