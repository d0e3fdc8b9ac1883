// The lab's training worker: trains one network at a time with the wasm
// engine (trainloop.js), so the page never waits on a step. Started by pool.js.
//
// In:  { type: 'run', id, config, lighting, photos, probes, wasm }
//        config:   RunRecord config fields (missing ones: engine defaults)
//        lighting: { axis: [values] } measured after training (may be {})
//        photos:   the task photos from tasks.js
//        probes:   what else to measure (probes.js; may be absent)
//        wasm:     the engine's bytes, from a host that bundles this worker
//                  (the notebook widget); absent: pkg/normscope_bg.wasm
//      { type: 'stop', id }             stop that run between two slices
// Out: { type: 'progress', id, step, steps, loss: [new losses], curve }
//      { type: 'done', id, record, lighting, probes, ms }   (a diverged run too:
//        record.diverged says where)
//      { type: 'stopped', id, step }
//      { type: 'error', id, message }   a bad config or an engine failure
import init, { Trainer } from '../../pkg/normscope.js';
import { runTraining } from './trainloop.js';

let ready = null;
const stopped = new Set();
let queue = Promise.resolve();

/** Let queued messages (a stop) in: a zero-delay task, not a clamped timer. */
function pause() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function run(job) {
  try {
    ready ??= init(job.wasm ? { module_or_path: job.wasm } : undefined);
    await ready;
  } catch (error) {
    self.postMessage({ type: 'error', id: job.id, message: `the training engine could not start (${error.message}): reload the page` });
    return;
  }
  await runTraining(Trainer, job, { post: (m) => self.postMessage(m), isStopped: () => stopped.has(job.id), pause });
  stopped.delete(job.id);
}

self.onmessage = ({ data }) => {
  if (data.type === 'stop') stopped.add(data.id);
  else if (data.type === 'run') queue = queue.then(() => run(data));
};
