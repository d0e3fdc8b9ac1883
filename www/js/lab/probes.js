// What a run measures besides its RunRecord: named probes that read the
// trained (or training) network through the wasm Trainer handle. A job
// names the probes it wants; trainloop.js calls them in the worker and the
// values travel back with the record (pool.js → store.js → run.probes).
//
//   probes: { after: ['name', …],            measured once, after the last step
//             every: 25, during: ['name', …] }  measured at step 0 and every
//                                                `every` steps (the loop stops
//                                                its slices exactly there, so
//                                                the steps do not depend on speed)
//
// run.probes = { after: { name: value }, during: [{ step, name: value, … }] }
// Each probe: (trainer) => a value that survives postMessage (numbers,
// arrays, plain objects). examples/lab_record.rs records the same probes
// under the same names, so a recorded run and a re-run compare equal.
import { TEST_BATCH_SIZES } from './config.js';

export const PROBES = {
  // Experiments 3 and 6 (src/nn/probe.rs, on a copy of the network):
  // the last block's channels pooled per test image (pooled.js), and test
  // accuracy with running vs test-batch statistics (evalmode.js).
  pooled: (trainer) => trainer.pooled(),
  batchstats: (trainer) => trainer.batchStats(TEST_BATCH_SIZES),
  // Experiments 5 and 7 (neighbours.js, both.js): measured on a clone of the
  // network in the engine (src/nn/neighbours.rs), so the run trains on unchanged.
  neighbours: (trainer) => trainer.neighbours(),
  rho: (trainer) => trainer.rho(),
  // Experiment 9 (noise.js): accuracy on the training patches, evaluation
  // mode, after the last step. Asked for only where the engine has it.
  train_accuracy: (trainer) => trainer.trainAccuracy(),
};

/** Whether this build of the engine can measure probe `name` (the noise panel's train accuracy is new). */
export const engineMeasures = (Trainer, name) => name !== 'train_accuracy' || typeof Trainer.prototype.trainAccuracy === 'function';

/** Measure `names` on `trainer`; an unknown name is an error (a bug). */
export function measure(trainer, names) {
  const out = {};
  for (const name of names ?? []) {
    const probe = PROBES[name];
    if (!probe) throw new Error(`unknown probe ${JSON.stringify(name)}`);
    out[name] = probe(trainer);
  }
  return out;
}
