// The page's handle to the Rust core: one wasm instance, one Session, and a
// decode worker so big photos never freeze the page.
import init, { Session } from '../pkg/normscope.js';
import { decodeFile } from './imagefile.js';
import { KNOWN_SAMPLES } from './state.js';
import { fetchFile, hasFile, startWorker as newWorker } from './assets.js';

// A file the decoder cannot finish in this time is given up on: the worker
// is stopped and a fresh one takes the next file. A 50-megapixel JPEG takes
// a few seconds on a slow laptop.
let decodeTimeoutMs = 60_000;

/** Change the decode time limit (tests use a short one). */
export function setDecodeTimeout(ms) {
  if (Number.isFinite(ms) && ms > 0) decodeTimeoutMs = ms;
}

let wasmReady = null;
// The page's compiled wasm module, handed to the decode worker so that it
// instantiates the same module instead of downloading it again.
let pageModule = null;
let workerFailed = false;

// One file at a time: the worker is single-threaded anyway, and a job that
// hangs or kills the worker then costs only its own file, never the queue.
let worker = null;
let current = null;
const queue = [];
let nextJob = 1;

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
}

function finish(job, outcome) {
  clearTimeout(job.timer);
  if (current === job) current = null;
  if (outcome.error) job.reject(new Error(outcome.error));
  else job.resolve(outcome);
  pump();
}

function startWorker() {
  worker = newWorker('js/decode-worker.js');
  worker.onmessage = ({ data }) => {
    if (!current || data.id !== current.id) return;
    // A trap inside wasm (out of memory, a bug) may leave the worker's
    // instance broken: replace it before the next file.
    if (data.fatal) stopWorker();
    finish(current, data);
  };
  const died = (what) => (event) => {
    if (event && event.preventDefault) event.preventDefault();
    stopWorker();
    if (current) {
      finish(current, { error: `${current.name}: the decoder ${what} on this file — it may be damaged or too large; try re-saving it as JPEG or PNG` });
    }
  };
  worker.onerror = died('stopped');
  worker.onmessageerror = died('could not send the result');
}

function pump() {
  if (current || queue.length === 0) return;
  const job = queue.shift();
  current = job;
  if (!worker) {
    try {
      startWorker();
    } catch {
      // The host page's policy forbids this worker: decode on this thread.
      workerFailed = true;
      current = null;
      decodeHere(job.name, job.bytes, job.options).then(job.resolve, job.reject);
      pump();
      return;
    }
  }
  job.timer = setTimeout(() => {
    if (current !== job) return;
    stopWorker();
    finish(job, {
      error: `${job.name}: decoding took longer than ${Math.round(decodeTimeoutMs / 1000)} s, so it was stopped — the file may be damaged or too large; try a smaller JPEG or PNG`,
    });
  }, decodeTimeoutMs);
  const { id, name, bytes, options } = job;
  job.bytes = null;
  // The page's compiled module: the worker instantiates it without a second download.
  worker.postMessage({ id, name, bytes, module: pageModule, full: options.full === true }, [bytes.buffer]);
}

/** Decode file bytes in the worker: resolves to { width, height, rgba } (options: imagefile.js's). */
export async function decode(name, bytes, options = {}) {
  if (workerFailed) return decodeHere(name, bytes, options);
  await initWasm();
  return new Promise((resolve, reject) => {
    queue.push({ id: nextJob++, name, bytes, options, resolve, reject, timer: 0 });
    pump();
  });
}

/** Decode on the main thread (the host page allows no workers). */
async function decodeHere(name, bytes, options) {
  await initWasm();
  return decodeFile(name, bytes, options);
}

/**
 * Initialise wasm once per page, however many views ask: every widget on a
 * page shares this one instance (and each has its own Session).
 */
export function initWasm() {
  if (!wasmReady) {
    wasmReady = (async () => {
      const response = await fetchFile('pkg/normscope_bg.wasm');
      if (!response.ok) throw new Error(`normscope_bg.wasm could not be loaded (HTTP ${response.status}): reload the page`);
      pageModule = await WebAssembly.compile(await response.arrayBuffer());
      await init({ module_or_path: pageModule });
    })();
    wasmReady.catch(() => {
      wasmReady = null;
    });
  }
  return wasmReady;
}

/** A new Session over the shared wasm instance (nothing on the page is marked). */
export async function openSession(size) {
  await initWasm();
  return new Session(size);
}

/** Initialise wasm (once) and create a Session; marks <html data-wasm>. */
export async function createSession(size) {
  await startWasm();
  return new Session(size);
}

/** Initialise wasm (once) for the page; marks <html data-wasm> ready or error. */
export async function startWasm() {
  try {
    await initWasm();
  } catch (error) {
    document.documentElement.dataset.wasm = 'error';
    throw error;
  }
  document.documentElement.dataset.wasm = 'ready';
}

/** Bundled samples this copy can load (all of them, but in a copy that left some out). */
export function availableSamples() {
  return KNOWN_SAMPLES.filter((name) => hasFile(`samples/${name}.jpg`));
}

// Each sample's bytes, fetched once per page however many views ask.
const samples = new Map();

/** Fetch a bundled sample's bytes (a copy of its own: decoding hands it to a worker). */
export async function fetchSample(name) {
  if (!hasFile(`samples/${name}.jpg`)) throw new Error(`${name}.jpg: this copy of the page does not include that sample`);
  if (!samples.has(name)) {
    const loading = (async () => {
      const response = await fetchFile(`samples/${name}.jpg`);
      if (!response.ok) throw new Error(`${name}.jpg: could not load the bundled sample (${response.status})`);
      return new Uint8Array(await response.arrayBuffer());
    })();
    samples.set(name, loading);
    loading.catch(() => samples.delete(name));
  }
  return (await samples.get(name)).slice();
}
