// The page's handle to the Rust core: one wasm instance, one Session, and a
// decode worker so big photos never freeze the page.
import init, { Session, decodeImage } from '../pkg/normscope.js';

export const SAMPLE_NAMES = ['chelsea', 'coffee', 'astronaut', 'rocket', 'hubble', 'retina'];
export const EXTRA_SAMPLES = ['camera', 'brick', 'ihc'];

// The offline single file (cargo xtask dist) sets this before loading the
// modules: { wasm: Uint8Array, samples: { name: base64 } }. There is no
// file to fetch and no URL for a worker, so decoding runs on the main thread.
const OFFLINE = globalThis.NORMSCOPE_OFFLINE ?? null;

let worker = null;
let wasmReady = null;
let nextJob = 1;
const pending = new Map();

let workerFailed = false;

function decodeWorker() {
  if (!worker) {
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
      const job = pending.get(data.id);
      if (!job) return;
      pending.delete(data.id);
      if (data.error) job.reject(new Error(data.error));
      else job.resolve(data);
    };
    worker.onerror = (event) => {
      for (const job of pending.values()) job.reject(new Error(`the decoder stopped: ${event.message}`));
      pending.clear();
      worker = null;
    };
  }
  return worker;
}

/** Decode file bytes in the worker: resolves to { width, height, rgba }. */
export function decode(name, bytes) {
  if (OFFLINE || workerFailed) return decodeHere(name, bytes);
  let w;
  try {
    w = decodeWorker();
  } catch {
    // The host page's policy forbids workers: decode on this thread.
    workerFailed = true;
    return decodeHere(name, bytes);
  }
  const id = nextJob++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, name, bytes }, [bytes.buffer]);
  });
}

/** Decode on the main thread (offline single file, or no workers allowed). */
async function decodeHere(name, bytes) {
  await initWasm();
  const { width, height, rgba } = decodeImage(name, bytes);
  return { width, height, rgba };
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
  try {
    await initWasm();
  } catch (error) {
    document.documentElement.dataset.wasm = 'error';
    throw error;
  }
  document.documentElement.dataset.wasm = 'ready';
  return new Session(size);
}

/** Bundled samples this copy can load (all of them, except offline). */
export function availableSamples() {
  const all = [...SAMPLE_NAMES, ...EXTRA_SAMPLES];
  return OFFLINE ? all.filter((name) => name in OFFLINE.samples) : all;
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
