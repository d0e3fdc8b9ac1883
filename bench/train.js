// The in-browser half of `cargo xtask bench --train`: training steps per
// second of one small convolutional network in normscope's wasm engine and
// in the libraries a web developer could pick instead (onnxruntime-web's
// on-device training, Burn compiled to wasm32, TensorFlow.js, ConvNetJS),
// plus a plain f32 matrix-multiply peak for GFLOP/s. The driver
// (bench/train.mjs) opens a fresh page per case and calls `window.trainCase`.
//
// The network, in every library: three blocks of 3×3 convolution (stride 1,
// padding 1) → normalization → ReLU → 2×2 pooling, then global average
// pooling and one linear layer to the classes, softmax cross-entropy, SGD
// with momentum and weight decay, on 32×32×3 inputs.

const logEl = document.getElementById('log');
const log = (line) => {
  logEl.textContent += `${line}\n`;
};

/** A small seeded generator (the data only has to be the same for every peer). */
function lcg(seed) {
  let s = seed | 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    return (s >>> 8) / 16777216;
  };
}

/** One batch of inputs in [0, 1), NHWC, and integer labels. */
function makeBatch(batch, classes, seed = 7) {
  const rnd = lcg(seed);
  const x = new Float32Array(batch * 32 * 32 * 3);
  for (let i = 0; i < x.length; i++) x[i] = rnd();
  const y = Int32Array.from({ length: batch }, () => Math.floor(rnd() * classes));
  return { x, y };
}

/**
 * Multiply-adds × 2 per training step counted for GFLOP/s: every
 * convolution and the linear layer, forward once and backward twice (the
 * gradient for the input and for the weights; the first convolution's input
 * gradient is not needed and not counted). Normalization, ReLU, pooling and
 * the optimizer are left out, so the figure is a lower bound on the work.
 */
export function trainFlops(widths, batch, classes) {
  let flops = 0;
  let side = 32;
  let cin = 3;
  widths.forEach((cout, i) => {
    const fwd = 2 * side * side * cout * cin * 9;
    flops += fwd * (i === 0 ? 2 : 3);
    cin = cout;
    side /= 2;
  });
  flops += 2 * cin * classes * 3;
  return flops * batch;
}

/**
 * Time a step function: `warm` untimed steps, then steps until at least
 * `minSeconds` have passed and `minSteps` were run (or `maxSteps`).
 */
async function timeSteps(step, { warm = 1, minSeconds = 3, minSteps = 2, maxSteps = 10_000 }) {
  const t0 = performance.now();
  let first = null;
  for (let i = 0; i < warm; i++) first = await step();
  const warmMs = performance.now() - t0;
  let steps = 0;
  let last = first;
  const start = performance.now();
  while (steps < maxSteps && (steps < minSteps || performance.now() - start < minSeconds * 1000)) {
    last = await step();
    steps += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  return { steps, seconds, stepsPerSecond: steps / seconds, warmMs, firstLoss: first, lastLoss: last };
}

// ---- TensorFlow.js ----------------------------------------------------------

async function tfBackend(name) {
  const tf = globalThis.tf;
  if (name === 'wasm') {
    // The threaded build starts workers from blob: URLs that cannot load
    // their script here; the default wasm build is single-threaded anyway.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`TensorFlow.js could not start its ${name} backend`);
  await tf.ready();
}

function tfModel({ widths, classes, norm, pool, lr, momentum, weightDecay, eps, bnMomentum }) {
  const tf = globalThis.tf;
  const model = tf.sequential();
  // PyTorch-style weight decay on the SGD update equals an L2 penalty of wd/2·‖w‖².
  const reg = weightDecay > 0 ? () => tf.regularizers.l2({ l2: weightDecay / 2 }) : () => undefined;
  widths.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [32, 32, 3] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: norm === 'none',
        kernelInitializer: 'heNormal',
        kernelRegularizer: reg(),
      }),
    );
    // TensorFlow's momentum is the weight of the old running value: 1 − PyTorch's.
    if (norm === 'batch') model.add(tf.layers.batchNormalization({ axis: -1, momentum: 1 - bnMomentum, epsilon: eps }));
    else if (norm !== 'none') throw new Error(`TensorFlow.js case: norm ${norm} is not set up here`);
    model.add(tf.layers.reLU());
    model.add(pool === 'avg' ? tf.layers.averagePooling2d({ poolSize: 2 }) : tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: classes, activation: 'softmax', kernelRegularizer: reg() }));
  model.compile({ optimizer: tf.train.momentum(lr, momentum), loss: 'categoricalCrossentropy' });
  return model;
}

async function tfjsCase(c) {
  const tf = globalThis.tf;
  try {
    await tfBackend(c.backend);
  } catch (e) {
    return { refused: `setBackend: ${e.message}` };
  }
  const { x, y } = makeBatch(c.batch, c.classes);
  const xs = tf.tensor4d(x, [c.batch, 32, 32, 3]);
  const ys = tf.oneHot(tf.tensor1d(y, 'int32'), c.classes).toFloat();
  const model = tfModel(c);
  try {
    const t = await timeSteps(async () => {
      const loss = await model.trainOnBatch(xs, ys);
      return Array.isArray(loss) ? loss[0] : loss;
    }, c);
    return { ...t, backend: tf.getBackend(), version: tf.version.tfjs };
  } catch (e) {
    // The wasm backend has no gradient kernels for convolutions: keep its message.
    return { refused: e.message, backend: tf.getBackend(), version: tf.version.tfjs };
  } finally {
    xs.dispose();
    ys.dispose();
    model.dispose();
  }
}

// ---- ConvNetJS --------------------------------------------------------------

async function convnetjsCase(c) {
  const cnn = globalThis.convnetjs;
  if (c.norm !== 'none') return { refused: 'ConvNetJS has no normalization layer' };
  const layers = [{ type: 'input', out_sx: 32, out_sy: 32, out_depth: 3 }];
  for (const filters of c.widths) {
    layers.push({ type: 'conv', sx: 3, filters, stride: 1, pad: 1, activation: 'relu' });
    // ConvNetJS pools by max only.
    layers.push({ type: 'pool', sx: 2, stride: 2 });
  }
  // No average pooling in ConvNetJS: a 4×4 max pool over the whole 4×4 map
  // stands in for global pooling (the same work).
  layers.push({ type: 'pool', sx: 4, stride: 4 });
  layers.push({ type: 'softmax', num_classes: c.classes });
  const net = new cnn.Net();
  net.makeLayers(layers);
  const trainer = new cnn.Trainer(net, {
    method: 'sgd',
    learning_rate: c.lr,
    momentum: c.momentum,
    batch_size: c.batch,
    l2_decay: c.weightDecay,
  });
  const { x, y } = makeBatch(c.batch, c.classes);
  const vols = [];
  for (let n = 0; n < c.batch; n++) {
    const v = new cnn.Vol(32, 32, 3, 0);
    // ConvNetJS's layout is [y][x][channel], like NHWC.
    v.w.set(x.subarray(n * 3072, (n + 1) * 3072));
    vols.push(v);
  }
  // One step = one update = `batch` calls of train() (it updates every batch_size).
  const t = await timeSteps(() => {
    let loss = 0;
    for (let n = 0; n < c.batch; n++) loss += trainer.train(vols[n], y[n]).cost_loss;
    return loss / c.batch;
  }, c);
  return { ...t, version: `npm 0.3.0 (REVISION ${cnn.REVISION})` };
}

/** NHWC (32×32×3 per image, as `makeBatch` makes it) to NCHW, for the peers that take NCHW. */
function toNchw(x, batch) {
  const out = new Float32Array(x.length);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < 1024; i++) {
      for (let ch = 0; ch < 3; ch++) out[n * 3072 + ch * 1024 + i] = x[n * 3072 + i * 3 + ch];
    }
  }
  return out;
}

// ---- onnxruntime-web on-device training -------------------------------------

// npm `onnxruntime-web-training` is onnxruntime-web 1.19.2 under an alias: the
// last releases with the `/training` entry; the page's inference uses 1.30.
const ORT_TRAINING = '/node_modules/onnxruntime-web-training/dist/';

async function ortCase(c) {
  const ort = await import(`${ORT_TRAINING}ort.training.wasm.min.mjs`);
  ort.env.wasm.wasmPaths = ORT_TRAINING;
  ort.env.wasm.numThreads = c.threads;
  // Artifacts made by bench/onnx_artifacts.py for this network and norm (see train.mjs).
  const dir = `/onnx-artifacts/${c.artifacts}/`;
  const info = await (await fetch(`${dir}artifacts.json`)).json();
  const session = await ort.TrainingSession.create(
    {
      checkpointState: `${dir}checkpoint`,
      trainModel: `${dir}training_model.onnx`,
      evalModel: `${dir}eval_model.onnx`,
      optimizerModel: `${dir}optimizer_model.onnx`,
    },
    { executionProviders: ['wasm'] },
  );
  const { x, y } = makeBatch(c.batch, c.classes);
  const feeds = {
    input: new ort.Tensor('float32', toNchw(x, c.batch), [c.batch, 3, 32, 32]),
    labels: new ort.Tensor('int64', BigInt64Array.from(y, (v) => BigInt(v)), [c.batch]),
  };
  // Fetch the loss only: every other output is a gradient, copied out on each step if fetched.
  const lossName = session.trainingOutputNames[0];
  try {
    const t = await timeSteps(async () => {
      const out = await session.runTrainStep(feeds, [lossName]);
      await session.runOptimizerStep();
      await session.lazyResetGrad();
      return out[lossName].data[0];
    }, c);
    return { ...t, version: `onnxruntime-web ${ort.env.versions?.web ?? '1.19.2'} training, ${c.threads} thread(s)`, artifacts: info };
  } finally {
    await session.release();
  }
}

// ---- Burn ---------------------------------------------------------------------

async function burnCase(c) {
  // bench/burn, built to wasm32 and through wasm-bindgen by `cargo xtask bench --train`.
  const burn = await import('/burn-pkg/burn_peer.js');
  await burn.default();
  const { x, y } = makeBatch(c.batch, c.classes);
  const peer = new burn.Peer(Uint32Array.from(c.widths), c.norm === 'batch', c.classes, toNchw(x, c.batch), Int32Array.from(y), c.lr, c.momentum, c.weightDecay, c.eps, c.bnMomentum);
  try {
    const t = await timeSteps(() => peer.step(), c);
    return { ...t, version: burn.burn_version() };
  } finally {
    peer.free();
  }
}

// ---- normscope ------------------------------------------------------------------

async function normscopeCase(c) {
  const mod = await (await import('/js/lab/engine.js')).loadEngine();
  const { loadTaskPhotos } = await import('/js/tasks.js');
  const photos = await loadTaskPhotos();
  // As the native timing (examples/train_speed.rs): a run too long to end
  // here, with test evaluations off, so only training steps are timed.
  const trainer = new mod.Trainer({ ...c.config, steps: 100_000, eval_every: 100_000 }, photos);
  try {
    const t = await timeSteps(() => trainer.step(1).loss, c);
    return { ...t, config: trainer.record().config };
  } finally {
    trainer.free();
  }
}

// ---- matrix multiply peak -----------------------------------------------------

/** C = A·B, row-major, all n×n: the i-k-j loop over Float32Arrays, as a JS developer would write it. */
function matmulJs(a, b, out, n) {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[row + k];
      const bk = k * n;
      for (let j = 0; j < n; j++) out[row + j] += aik * b[bk + j];
    }
  }
}

async function matmulCase(c) {
  const n = c.n;
  const rnd = lcg(3);
  const a = Float32Array.from({ length: n * n }, rnd);
  const b = Float32Array.from({ length: n * n }, rnd);
  const out = new Float32Array(n * n);
  let run;
  if (c.impl === 'js') {
    run = () => matmulJs(a, b, out, n);
  } else {
    const mod = await (await import('/js/lab/engine.js')).loadEngine();
    // Includes copying A and B into wasm memory and C out (3 × 256 KiB at n = 256).
    run = () => mod.matmul(a, b, n, n, n, out);
  }
  const t = await timeSteps(run, { ...c, warm: 2 });
  return { ...t, gflops: (2 * n * n * n * t.stepsPerSecond) / 1e9 };
}

// ---- the race: the networks in the lab's workers, as the lab runs them ---------

async function raceCase(c) {
  const { train } = await import('/js/lab/pool.js');
  const { workerCount } = await import('/js/lab/config.js');
  const t0 = performance.now();
  const runs = await Promise.all(c.norms.map((norm) => train({ ...c.config, norm })));
  const records = runs.map((r) => r.record);
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    workers: workerCount(),
    runs: records.map((r) => ({ norm: r.config.norm, steps: r.loss.length, testAccuracy: r.test_accuracy })),
  };
}

/** The lab's default run as the engine reports it (no figures copied into this page). */
async function defaultsCase() {
  const mod = await (await import('/js/lab/engine.js')).loadEngine();
  const { loadTaskPhotos } = await import('/js/tasks.js');
  const trainer = new mod.Trainer({}, await loadTaskPhotos());
  try {
    return { config: trainer.record().config, classes: trainer.classes().length, pool: POOL };
  } finally {
    trainer.free();
  }
}

const flopsCase = async (c) => trainFlops(c.widths, c.batch, c.classes);

// The engine pools by 2×2 max (src/nn/pool.rs); the peers use the same.
const POOL = 'max';

const CASES = { defaults: defaultsCase, flops: flopsCase, tfjs: tfjsCase, convnetjs: convnetjsCase, ort: ortCase, burn: burnCase, normscope: normscopeCase, matmul: matmulCase, race: raceCase };

window.trainCase = async (c) => {
  const run = CASES[c.lib];
  if (!run) throw new Error(`unknown case library ${c.lib}`);
  log(`${c.lib} ${JSON.stringify(c)}`);
  const r = await run(c);
  log(`→ ${JSON.stringify(r)}`);
  return r;
};
window.trainFlops = trainFlops;
document.body.dataset.ready = 'true';
