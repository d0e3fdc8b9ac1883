// One training run, stepped in slices so a stop is seen between two of them
// and progress flows out. Used by the worker (worker.js) and, in the offline
// single file where a worker cannot be started from a blob module, on the
// page's own thread (pool.js).
//
// post(message) receives { type: 'progress' | 'done' | 'stopped' | 'error', … }
// as worker.js documents.
import { shiftOf } from './config.js';
import { measure } from './probes.js';

// Each step(n) call is sized to take about this long.
const SLICE_MS = 80;

function message(error) {
  if (error instanceof WebAssembly.RuntimeError) return `the training engine failed (${error.message}): reload the page`;
  return String(error && error.message ? error.message : error);
}

export async function runTraining(Trainer, { id, config, lighting, photos, probes }, { post, isStopped, pause }) {
  let trainer = null;
  try {
    trainer = new Trainer(config, photos);
    const steps = trainer.steps();
    const t0 = performance.now();
    let stepsDone = 0;
    const curve = [];
    let sentDuring = 0;
    let chunk = 1;
    let diverged = false;
    const every = probes?.during?.length ? Math.max(1, probes.every ?? steps) : 0;
    const during = [];
    const checkpoint = () => {
      const step = trainer.stepsDone();
      if (every && step % every === 0) during.push({ step, ...measure(trainer, probes.during) });
    };
    checkpoint();
    while (!trainer.isDone()) {
      if (isStopped()) {
        post({ type: 'stopped', id, step: trainer.stepsDone() });
        return;
      }
      const s0 = performance.now();
      // Never step past a checkpoint: probes see the same steps at any speed.
      const take = every ? Math.min(chunk, every - (trainer.stepsDone() % every)) : chunk;
      // step() returns this slice's losses and test points, so the whole
      // record is serialized only once, at the end (or at a divergence).
      let losses;
      try {
        const slice = trainer.step(take);
        losses = slice.losses;
        curve.push(...slice.curve);
      } catch (error) {
        // Divergence: the trainer keeps the steps before it and says where.
        const record = trainer.record();
        if (!record.diverged) throw error;
        diverged = true;
        losses = record.loss.slice(stepsDone);
        curve.splice(0, curve.length, ...record.test_curve);
      }
      const ms = performance.now() - s0;
      stepsDone += losses.length;
      if (!diverged) checkpoint();
      // New checkpoints travel with the progress, so panels can draw them as they come.
      post({ type: 'progress', id, step: stepsDone, steps, loss: losses, curve: curve.slice(), during: during.slice(sentDuring) });
      sentDuring = during.length;
      if (diverged) break;
      chunk = Math.max(1, Math.min(chunk * 2, Math.round((take * SLICE_MS) / Math.max(ms, 1))));
      await pause();
    }
    const ms = performance.now() - t0;
    const sweep = {};
    if (!diverged) {
      for (const [axis, values] of Object.entries(lighting ?? {})) {
        sweep[axis] = [];
        for (const value of values) {
          sweep[axis].push({ value, accuracy: trainer.shiftAccuracy(...shiftOf(axis, value)) });
          // One test pass per point: on the page's thread (the offline
          // file) the page gets its turn between them.
          await pause();
        }
      }
    }
    const after = diverged ? {} : measure(trainer, probes?.after);
    post({ type: 'done', id, record: trainer.record(), lighting: sweep, probes: { after, during }, ms });
  } catch (error) {
    post({ type: 'error', id, message: message(error) });
  } finally {
    if (trainer) trainer.free();
  }
}
