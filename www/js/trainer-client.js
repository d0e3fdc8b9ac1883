// The page's side of training: a pool of module workers (train-worker.js),
// each training one network at a time, with progress callbacks and a stop.
//
//   const pool = new TrainerPool(2);
//   const record = await pool.run(config, { onProgress, signal });
//   await runInWorkers([cfgA, cfgB, ...], { workers: 2 });  // all, in order
//   pool.close();
//
// A run resolves to the RunRecord (a plain object) and rejects with the
// engine's message (a bad config field, "diverged at step k: lower the
// learning rate"), or with an AbortError when its signal stops it.
import { loadTaskPhotos } from './tasks.js';

const workerUrl = () => {
  const url = new URL('./train-worker.js', import.meta.url);
  // A worker script must come from the page's own origin; from elsewhere,
  // start a same-origin blob worker that imports the real one.
  return url.origin === location.origin
    ? url
    : URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
};

function abortError(step) {
  const e = new Error(step == null ? 'stopped' : `stopped at step ${step}`);
  e.name = 'AbortError';
  e.step = step;
  return e;
}

let nextId = 1;

/** One worker and the runs it owes answers for. */
class Slot {
  constructor() {
    this.jobs = new Map();
    this.worker = new Worker(workerUrl(), { type: 'module' });
    this.worker.onmessage = ({ data }) => {
      const job = this.jobs.get(data.id);
      if (!job) return;
      if (data.type === 'progress') {
        job.onProgress?.({ step: data.step, steps: data.steps, loss: data.loss });
        return;
      }
      this.jobs.delete(data.id);
      job.cleanup();
      if (data.type === 'done') job.resolve(data.record);
      else if (data.type === 'stopped') job.reject(abortError(data.step));
      else job.reject(new Error(data.message));
    };
    this.worker.onerror = (event) => {
      event.preventDefault?.();
      this.fail(`the training worker stopped (${event.message ?? 'no message'}): reload the page`);
    };
  }

  fail(message) {
    for (const job of this.jobs.values()) {
      job.cleanup();
      job.reject(new Error(message));
    }
    this.jobs.clear();
  }

  run(config, photos, { onProgress, signal } = {}) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(null));
        return;
      }
      const id = nextId++;
      const onAbort = () => this.worker.postMessage({ type: 'stop', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.jobs.set(id, { resolve, reject, onProgress, cleanup });
      this.worker.postMessage({ type: 'run', id, config, photos });
    });
  }

  get load() {
    return this.jobs.size;
  }

  close() {
    this.fail('the training pool was closed');
    this.worker.terminate();
  }
}

/** A fixed number of training workers; each run goes to the least busy one. */
export class TrainerPool {
  constructor(size = 2) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => new Slot());
  }

  /** Train one network; the task photos are fetched once per page and copied to the worker. */
  async run(config, options = {}) {
    const photos = await loadTaskPhotos();
    const slot = this.slots.reduce((a, b) => (b.load < a.load ? b : a));
    return slot.run(config, photos, options);
  }

  close() {
    for (const s of this.slots) s.close();
  }
}

/**
 * Train every config, `workers` at a time (each worker takes the next
 * waiting config when it is free); resolves to the records in config order.
 */
export async function runInWorkers(configs, { workers = 2, onProgress, signal } = {}) {
  const pool = new TrainerPool(Math.min(workers, configs.length));
  try {
    const records = new Array(configs.length);
    let next = 0;
    const lane = async (slot) => {
      while (next < configs.length) {
        const i = next++;
        const photos = await loadTaskPhotos();
        records[i] = await slot.run(configs[i], photos, {
          signal,
          onProgress: onProgress && ((p) => onProgress(i, p)),
        });
      }
    };
    await Promise.all(pool.slots.map(lane));
    return records;
  } finally {
    pool.close();
  }
}
