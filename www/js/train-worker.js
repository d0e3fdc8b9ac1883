// A module worker that trains one network at a time with the wasm engine,
// so a run never freezes the page. Started by trainer-client.js.
//
// Messages in:
//   { type: 'run', id, config, photos? }  train `config` (the RunRecord's
//        config fields; missing ones take the engine's defaults) on `photos`
//        (the task's [{ name, width, height, rgb }] from tasks.js; fetched
//        here when absent)
//   { type: 'stop', id }                  stop that run between two steps
// Messages out:
//   { type: 'progress', id, step, steps, loss }
//   { type: 'done', id, record }          the RunRecord as a plain object
//   { type: 'stopped', id, step }
//   { type: 'error', id, message }        a bad config, a divergence, a trap
import init, { Trainer } from '../pkg/normscope.js';
import { loadTaskPhotos } from './tasks.js';

const ready = init();
const stopped = new Set();
let queue = Promise.resolve();

// Each step() call is sized to take about this long, so a stop message is
// seen within a fraction of a second and progress arrives smoothly.
const SLICE_MS = 60;

/** Let queued messages (a stop) run: a zero-delay task, not a clamped timer. */
function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function run({ id, config, photos }) {
  let trainer = null;
  try {
    await ready;
    trainer = new Trainer(config ?? {}, photos ?? (await loadTaskPhotos()));
    const steps = trainer.steps();
    let chunk = 1;
    for (;;) {
      if (stopped.has(id)) {
        self.postMessage({ type: 'stopped', id, step: trainer.stepsDone() });
        return;
      }
      const t0 = performance.now();
      const info = trainer.step(chunk);
      const ms = performance.now() - t0;
      self.postMessage({ type: 'progress', id, step: info.step, steps, loss: info.loss });
      if (info.done) break;
      // Grow or shrink the next slice towards SLICE_MS (at least one step).
      chunk = Math.max(1, Math.min(chunk * 2, Math.round((chunk * SLICE_MS) / Math.max(ms, 1))));
      await yieldToMessages();
    }
    self.postMessage({ type: 'done', id, record: trainer.record() });
  } catch (error) {
    const message = error instanceof WebAssembly.RuntimeError
      ? `the training engine failed (${error.message}): reload the page`
      : String(error && error.message ? error.message : error);
    self.postMessage({ type: 'error', id, message });
  } finally {
    stopped.delete(id);
    if (trainer) trainer.free();
  }
}

self.onmessage = ({ data }) => {
  if (data.type === 'stop') {
    stopped.add(data.id);
  } else if (data.type === 'run') {
    // One run at a time per worker; the next waits for this one.
    queue = queue.then(() => run(data));
  }
};
