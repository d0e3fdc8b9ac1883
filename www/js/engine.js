// The page's handle to the Rust core: one wasm instance, one Session, and a
// decode worker so big photos never freeze the page.
import init, { Session } from '../pkg/normscope.js';

export const SAMPLE_NAMES = ['chelsea', 'coffee', 'astronaut', 'rocket', 'hubble', 'retina'];
export const EXTRA_SAMPLES = ['camera', 'brick', 'ihc'];

let worker = null;
let nextJob = 1;
const pending = new Map();

function decodeWorker() {
  if (!worker) {
    worker = new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' });
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
  const id = nextJob++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    decodeWorker().postMessage({ id, name, bytes }, [bytes.buffer]);
  });
}

/** Initialise wasm once and create a Session; marks <html data-wasm>. */
export async function createSession(size) {
  try {
    await init();
  } catch (error) {
    document.documentElement.dataset.wasm = 'error';
    throw error;
  }
  document.documentElement.dataset.wasm = 'ready';
  return new Session(size);
}

/** Fetch a bundled sample's bytes. */
export async function fetchSample(name) {
  const response = await fetch(new URL(`../samples/${name}.jpg`, import.meta.url));
  if (!response.ok) throw new Error(`${name}.jpg: could not load the bundled sample (${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}
