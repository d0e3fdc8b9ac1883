// The sentences under each chart. They are computed in Rust
// (src/lab/findings/, the same code `normscope lab` prints them with) from
// the runs on screen: every sentence states its number of seeds and calls
// a difference only when it holds across them. This module only turns a
// panel's runs into a lab file and its settings into the Rust names.
// The exports live in the engine's wasm module: norm-lab.js awaits
// loadEngine() (engine.js) before any panel draws, so they are ready here.
import { labConclusions } from '../../pkg/normscope_engine.js';

export { neighbourFigures, rhoFigures, tradeFigures, separation, heaviestChannel, meanSeparation, batchStatsOf } from './figures.js';

export const pct = (x) => `${Math.round(x * 100)}%`;

const ended = (r) => r.status === 'done' || r.status === 'diverged';

/** A panel's run as a lab file's run (interface: `normscope lab`'s EXPERIMENT.json). */
function labRun(r) {
  return {
    record: {
      config: r.config,
      loss: r.loss ?? [],
      test_accuracy: r.accuracy,
      diverged: r.diverged ?? null,
      classes: r.classes ?? [],
    },
    lighting: r.lighting ?? null,
    probes: r.probes ?? null,
    // The noise experiment's accuracy on the training patches (the store's trainAccuracy; NaN: not measured).
    train_accuracy: [r.trainAccuracy, r.train_accuracy].find(Number.isFinite) ?? null,
  };
}

/** The sentences for `experiment`, joined; a readable note if they cannot be computed. */
function say(experiment, runs, settings = {}) {
  try {
    return labConclusions(experiment, { runs }, settings).join(' ');
  } catch (error) {
    return `The conclusions could not be computed: ${error.message}`;
  }
}

/** The race: every kind over its seeds, who led by the rule, instance and group norm against batch norm. */
export function raceConclusion(task, runs) {
  return say('race', runs.filter(ended).map(labRun), { task });
}

/** Lighting at test time: how far each kind's accuracy moved over the sweep. */
export function lightingConclusion(axis, runs) {
  return say('lighting', runs.filter((r) => r.status === 'done').map(labRun), { axis });
}

/** Learning-rate tolerance at one peak rate, over the seeds on screen. */
export function lrConclusion(lr, runs) {
  return say('lr', runs.filter(ended).map(labRun), { lr });
}

/** Batch size (`batch`: images held fixed, `batch-steps`: steps): each kind's error from batch 32 to batch 2 beside the Group Norm paper (its figures are in Rust). */
export function batchConclusion(experiment, runs) {
  return say(experiment, runs.filter((r) => r.status === 'done').map(labRun));
}

/** Does batch norm's noise help? Train–test gaps at each batch size. */
export function noiseConclusion(runs) {
  return say('noise', runs.filter((r) => r.status === 'done').map(labRun));
}

/**
 * Experiment 5 at one checkpoint. items: [{ kind, point: { step, neighbours },
 * classes, seed? }] (without seed, every item counts as seed 1: the counts
 * stay right, the seed named in the same-image sentence is then 1)
 */
export function neighboursConclusion(items) {
  if (items.length === 0) return '';
  const runs = items.map((it) => ({
    record: { config: { norm: it.kind, seed: it.seed ?? 1 }, test_accuracy: 0, classes: it.classes ?? [] },
    probes: { after: {}, during: [it.point] },
  }));
  return say('neighbours', runs, { step: items[0].point.step });
}

/** Experiment 7a: batch-instance norm's ρ. items: [{ task, step, rho, seed? }] */
export function rhoConclusion(items) {
  const withRho = items.filter((x) => x.rho?.length);
  if (withRho.length === 0) return '';
  const runs = withRho.map((x) => ({
    record: { config: { norm: 'batch-instance', task: x.task, seed: x.seed ?? 1 }, test_accuracy: 0 },
    probes: { after: {}, during: [{ step: x.step, rho: x.rho }] },
  }));
  return say('both', runs, { step: withRho[0].step });
}

/** Experiment 7b: IBN against batch norm at the training lighting and at worst. rows: [{ run }] */
export function tradeConclusion(task, axis, rows) {
  return say('both', rows.map((r) => labRun(r.run)), { task, axis });
}

/** What instance norm throws away. rows: [{ kind, channel, pooled, accuracy, seed? }] */
export function pooledConclusion(rows) {
  const runs = rows.map((r) => ({
    record: { config: { norm: r.kind, seed: r.seed ?? r.run?.config?.seed ?? 1 }, test_accuracy: r.accuracy },
    probes: { after: { pooled: r.pooled }, during: [] },
  }));
  const channels = [...new Set(rows.map((r) => r.channel))];
  return say('pooled', runs, channels.length === 1 ? { channel: channels[0] } : {});
}

/** Training vs evaluation mode: `chosen` sets the momentum shown; `runs` every momentum's runs. */
export function evalmodeConclusion(chosen, runs) {
  const momentum = chosen?.config?.bn_momentum;
  return say('evalmode', runs.filter((r) => r.status === 'done').map(labRun), momentum === undefined ? {} : { momentum });
}
