// The training worker, the only one: trains one network at a time with the
// wasm engine (trainloop.js), so the page never waits on a step. Started by
// pool.js, the bridge every training run goes through.
//
// In:  { type: 'run', id, config, lighting, photos, probes, wasm }
//        config:   RunRecord config fields (missing ones: engine defaults)
//        lighting: { axis: [values] } measured after training (may be {})
//        photos:   the task photos from tasks.js, or for task 'photos' the
//                  reader's classes (photos.js's photoClasses)
//        probes:   what else to measure (probes.js; may be absent)
//        wasm:     the engine, compiled once by the page (a WebAssembly.Module)
//      { type: 'stop', id }             stop that run between two slices
// Out: { type: 'progress', id, step, steps, loss: [new losses], curve }
//      { type: 'done', id, record, lighting, probes, ms }   (a diverged run too:
//        record.diverged says where)
//      { type: 'stopped', id, step }
//      { type: 'error', id, message }   a bad config or an engine failure
import init, { Trainer } from '../../pkg/normscope_engine.js';
import { runTraining } from './trainloop.js';
import { yieldToMessages as pause } from '../worker-bridge.js';

let ready = null;
const stopped = new Set();
let queue = Promise.resolve();

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
