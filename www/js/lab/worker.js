// The lab's training worker: trains one network at a time with the wasm
// engine, so the page never waits on a step. Started by pool.js.
//
// In:  { type: 'run', id, config, lighting, photos }
//        config:   RunRecord config fields (missing ones: engine defaults)
//        lighting: { axis: [values] } measured after training (may be {})
//      { type: 'stop', id }             stop that run between two slices
// Out: { type: 'progress', id, step, steps, loss: [new losses], curve }
//      { type: 'done', id, record, lighting, ms }   (a diverged run too:
//        record.diverged says where)
//      { type: 'stopped', id, step }
//      { type: 'error', id, message }   a bad config or an engine failure
import init, { Trainer } from '../../pkg/normscope.js';
import { shiftOf } from './config.js';

const ready = init();
const stopped = new Set();
let queue = Promise.resolve();

// Each step(n) call is sized to take about this long: a stop is seen
// within a fraction of a second and the curves grow smoothly.
const SLICE_MS = 80;

function yieldToMessages() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function message(error) {
  if (error instanceof WebAssembly.RuntimeError) return `the training engine failed (${error.message}): reload the page`;
  return String(error && error.message ? error.message : error);
}

async function run({ id, config, lighting, photos }) {
  let trainer = null;
  try {
    await ready;
    trainer = new Trainer(config, photos);
    const steps = trainer.steps();
    const t0 = performance.now();
    let sent = 0;
    let chunk = 1;
    let diverged = false;
    const report = () => {
      const record = trainer.record();
      self.postMessage({ type: 'progress', id, step: record.loss.length, steps, loss: record.loss.slice(sent), curve: record.test_curve });
      sent = record.loss.length;
    };
    while (!trainer.isDone()) {
      if (stopped.has(id)) {
        self.postMessage({ type: 'stopped', id, step: trainer.stepsDone() });
        return;
      }
      const s0 = performance.now();
      try {
        trainer.step(chunk);
      } catch (error) {
        // Divergence: the trainer keeps the steps before it and says where.
        if (!trainer.record().diverged) throw error;
        diverged = true;
      }
      const ms = performance.now() - s0;
      report();
      if (diverged) break;
      chunk = Math.max(1, Math.min(chunk * 2, Math.round((chunk * SLICE_MS) / Math.max(ms, 1))));
      await yieldToMessages();
    }
    const ms = performance.now() - t0;
    const sweep = {};
    if (!diverged) {
      for (const [axis, values] of Object.entries(lighting ?? {})) {
        sweep[axis] = values.map((value) => ({ value, accuracy: trainer.shiftAccuracy(...shiftOf(axis, value)) }));
      }
    }
    self.postMessage({ type: 'done', id, record: trainer.record(), lighting: sweep, ms });
  } catch (error) {
    self.postMessage({ type: 'error', id, message: message(error) });
  } finally {
    stopped.delete(id);
    if (trainer) trainer.free();
  }
}

self.onmessage = ({ data }) => {
  if (data.type === 'stop') stopped.add(data.id);
  else if (data.type === 'run') queue = queue.then(() => run(data));
};
