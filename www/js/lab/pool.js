// The one bridge to the training workers (worker.js): every training run
// of the page goes through here, the lab's panels, the bench and the tests
// alike. A pool shared by every <norm-lab> on the page: one run per worker at
// a time, the rest wait in order. A run is stopped with an AbortSignal
// (waiting: dropped at once; running: between two slices of steps).
//
//   const { record, lighting, probes, ms } = await train(config, { lighting, probes, onProgress, signal });
//
// A run rejects with the engine's message (a bad config field) or with an
// AbortError (`error.step`: where it stopped). A diverged run resolves, its
// record saying where (record.diverged).
import { loadTaskPhotos } from '../tasks.js';
import { photoClasses, photoTaskProblem, photoTaskReady } from './photos.js';
import { workerCount } from './config.js';
import { runTraining } from './trainloop.js';
import { loadEngine } from './engine.js';
import { abortError } from '../worker-bridge.js';
import { startWorker } from '../assets.js';

export { abortError };

// Should the worker fail to start (a host page's policy forbids it), the runs
// go on the page's thread instead, in slices.
let inPage = false;

/** Where the runs train now: on the page's thread (true) or in workers. */
export const trainsInPage = () => inPage;

let nextId = 1;
let slots = null;
// The engine's exports and compiled module (engine.js), set before the first run.
let engine = null;
const waiting = [];

/** A stand-in for a worker that trains on the page's thread (offline file). */
class PageWorker {
  constructor(Trainer) {
    this.Trainer = Trainer;
    this.stopped = new Set();
    this.queue = Promise.resolve();
    this.onmessage = null;
  }

  postMessage(data) {
    if (data.type === 'stop') this.stopped.add(data.id);
    else if (data.type === 'run') {
      const post = (m) => this.onmessage?.({ data: m });
      const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
      this.queue = this.queue.then(() => runTraining(this.Trainer, data, { post, isStopped: () => this.stopped.has(data.id), pause }));
    }
  }

  terminate() {}
}

function startSlot() {
  const slot = { worker: inPage ? new PageWorker(engine.Trainer) : startWorker('js/lab/worker.js'), job: null, answered: false };
  slot.worker.onmessage = ({ data }) => {
    slot.answered = true;
    const job = slot.job;
    if (!job || job.id !== data.id) return;
    if (data.type === 'progress') {
      job.onProgress?.(data);
      return;
    }
    slot.job = null;
    job.signal?.removeEventListener('abort', job.onAbort);
    if (data.type === 'done') job.resolve({ record: data.record, lighting: data.lighting, probes: data.probes, ms: data.ms });
    else if (data.type === 'stopped') job.reject(abortError(data.step));
    else job.reject(new Error(data.message));
    pump();
  };
  slot.worker.onerror = (event) => {
    event.preventDefault?.();
    const job = slot.job;
    slot.job = null;
    slot.worker.terminate();
    if (!slot.answered && !inPage) {
      // The worker could not start here: every run, waiting or
      // handed to a worker, trains on the page's thread instead.
      inPage = true;
      const handed = job ? [job] : [];
      for (const other of slots) {
        other.worker.onerror = null;
        other.worker.terminate();
        if (other.job) handed.push(other.job);
        other.job = null;
      }
      slots = null;
      waiting.unshift(...handed);
      pump();
      return;
    }
    slots[slots.indexOf(slot)] = startSlot();
    job?.reject(new Error(`the training worker stopped (${event.message ?? 'no message'}): reload the page`));
    pump();
  };
  return slot;
}

function pump() {
  slots ??= Array.from({ length: inPage ? 1 : workerCount() }, startSlot);
  for (const slot of slots) {
    if (slot.job || waiting.length === 0) continue;
    const job = waiting.shift();
    slot.job = job;
    job.onAbort = () => slot.worker.postMessage({ type: 'stop', id: job.id });
    job.signal?.addEventListener('abort', job.onAbort, { once: true });
    job.onStart?.();
    // The compiled engine: a worker instantiates it without fetching it again.
    const wasm = inPage ? undefined : engine.module;
    slot.worker.postMessage({ type: 'run', id: job.id, config: job.config, lighting: job.lighting, probes: job.probes, photos: job.photos, wasm });
  }
}

/**
 * Train `config` in a worker. Resolves to { record (RunRecord), lighting
 * ({ axis: [{ value, accuracy }] }), probes (probes.js), ms }; rejects with
 * the engine's message or an AbortError.
 */
export async function train(config, { lighting = {}, probes = null, onProgress, onStart, signal } = {}) {
  engine = await loadEngine();
  // The reader's own task: its classes of photos, as checkPhotoTask passed them.
  if (config.task === 'photos' && !photoTaskReady()) throw new Error(`your photos are not ready to train on: ${photoTaskProblem()}`);
  const photos = config.task === 'photos' ? photoClasses() : await loadTaskPhotos();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(null));
      return;
    }
    const job = { id: nextId++, config, lighting, probes, photos, onProgress, onStart, signal, resolve, reject };
    signal?.addEventListener(
      'abort',
      () => {
        const i = waiting.indexOf(job);
        if (i >= 0) {
          waiting.splice(i, 1);
          reject(abortError(null));
        }
      },
      { once: true },
    );
    waiting.push(job);
    pump();
  });
}
