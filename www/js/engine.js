// The page's handle to the Rust core: one wasm instance, one Session, and a
// decode worker so big photos never freeze the page.
import init, { Session } from '../pkg/normscope.js';
import { decodeFile } from './imagefile.js';
import { KNOWN_SAMPLES } from './state.js';

// A file the decoder cannot finish in this time is given up on: the worker
// is stopped and a fresh one takes the next file. A 50-megapixel JPEG takes
// a few seconds on a slow laptop.
let decodeTimeoutMs = 60_000;

/** Change the decode time limit (tests use a short one). */
export function setDecodeTimeout(ms) {
  if (Number.isFinite(ms) && ms > 0) decodeTimeoutMs = ms;
}

// The offline single file (cargo xtask dist) sets this before loading the
// modules: { wasm: Uint8Array, samples: { name: base64 } }. There is no
// file to fetch and no URL for a worker, so decoding runs on the main thread.
const OFFLINE = globalThis.NORMSCOPE_OFFLINE ?? null;
let wasmReady = null;
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
  const url = new URL('./decode-worker.js', import.meta.url);
  // A worker script must come from the page's own origin. Served from
  // elsewhere (a widget loaded from another site), start a same-origin
  // blob worker that imports the real one.
  const source =
    url.origin === location.origin
      ? url
      : URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  worker = new Worker(source, { type: 'module' });
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
      decodeHere(job.name, job.bytes).then(job.resolve, job.reject);
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
  const { id, name, bytes } = job;
  job.bytes = null;
  worker.postMessage({ id, name, bytes }, [bytes.buffer]);
}

/** Decode file bytes in the worker: resolves to { width, height, rgba }. */
export function decode(name, bytes) {
  if (OFFLINE || workerFailed) return decodeHere(name, bytes);
  return new Promise((resolve, reject) => {
    queue.push({ id: nextJob++, name, bytes, resolve, reject, timer: 0 });
    pump();
  });
}

/** Decode on the main thread (offline single file, or no workers allowed). */
async function decodeHere(name, bytes) {
  await initWasm();
  return decodeFile(name, bytes);
}

/**
 * Initialise wasm once per page, however many views ask: every widget on a
 * page shares this one instance (and each has its own Session).
 */
export function initWasm() {
  if (!wasmReady) {
    wasmReady = OFFLINE ? init({ module_or_path: OFFLINE.wasm }) : init();
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

/** Bundled samples this copy can load (all of them, except offline). */
export function availableSamples() {
  return OFFLINE ? KNOWN_SAMPLES.filter((name) => name in OFFLINE.samples) : [...KNOWN_SAMPLES];
}

/** Fetch a bundled sample's bytes. */
export async function fetchSample(name) {
  if (OFFLINE) {
    const base64 = OFFLINE.samples[name];
    if (!base64) throw new Error(`${name}.jpg: this offline copy does not include that sample`);
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }
  const response = await fetch(new URL(`../samples/${name}.jpg`, import.meta.url));
  if (!response.ok) throw new Error(`${name}.jpg: could not load the bundled sample (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}
