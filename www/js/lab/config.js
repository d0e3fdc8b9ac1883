// The lab's fixed vocabulary and how it is drawn. The names and numbers
// (kinds, tasks, the test-time lighting sweep, step and seed ranges, each
// experiment's arms) come from www/lab/vocabulary.json, which Rust writes
// (`normscope lab --vocabulary`) and Python and the recorder read too;
// this module adds only presentation (labels, colours, dashes) and the
// training configs each experiment sends to the engine.
import VOCABULARY from '../../lab/vocabulary.json' with { type: 'json' };

export { VOCABULARY };

/**
 * Every kind, in the race's order. Colours: the Okabe–Ito palette (told
 * apart with the common colour-vision deficiencies); each also has its own
 * dash pattern, so the curves differ in more than colour.
 */
const KIND_STYLES = {
  none: { label: 'no norm', color: '#555555', dash: [2, 3] },
  batch: { label: 'batch', color: '#0072b2', dash: [] },
  instance: { label: 'instance', color: '#d55e00', dash: [8, 3] },
  layer: { label: 'layer', color: '#009e73', dash: [4, 2, 1, 2] },
  group: { label: 'group', color: '#a8437f', dash: [2, 2] },
  'batch-instance': { label: 'batch-instance', color: '#b07800', dash: [10, 2, 2, 2] },
  ibn: { label: 'IBN', color: '#3a8fc4', dash: [6, 2, 6, 5] },
};

export const KIND_NAMES = VOCABULARY.kinds;
// A kind the vocabulary gains before it has a style here is drawn plainly, under its own name.
export const KINDS = KIND_NAMES.map((kind) => ({ kind, ...(Object.hasOwn(KIND_STYLES, kind) ? KIND_STYLES[kind] : { label: kind, color: '#000', dash: [] }) }));

/** How a kind is drawn and named. */
export function kindStyle(kind) {
  return KINDS.find((k) => k.kind === kind) ?? { kind, label: kind, color: '#000', dash: [] };
}

const TASK_LABELS = {
  what: { label: 'What is it? (which photo)', short: 'what is it' },
  'day-night': { label: 'Day or night? (its lighting)', short: 'day or night' },
  photos: { label: 'Your photos (classes you make)', short: 'your photos' },
};

/** The tasks: their names, what each label means, and chance (one over the classes). */
export const TASKS = Object.fromEntries(Object.entries(VOCABULARY.tasks).map(([name, task]) => [name, {
  ...(Object.hasOwn(TASK_LABELS, name) ? TASK_LABELS[name] : { label: name, short: name }),
  classes: task.classes,
  chance: 1 / task.classes.length,
}]));

const AXIS_LABELS = { contrast: 'contrast a', brightness: 'brightness b', gamma: 'gamma γ' };

/** Test-time lighting measured after training, per axis: the values, and the one the network was trained at. */
export const LIGHTING = Object.fromEntries(Object.entries(VOCABULARY.lighting).map(([axis, sweep]) => [axis, {
  values: sweep.values,
  trained: sweep.trained,
  label: Object.hasOwn(AXIS_LABELS, axis) ? AXIS_LABELS[axis] : axis,
}]));

/** The shift (contrast, brightness, gamma) of one point of an axis. */
export function shiftOf(axis, value) {
  if (axis === 'contrast') return [value, 0, 1];
  if (axis === 'brightness') return [1, value, 1];
  return [1, 0, value];
}

/** Step counts the race offers (200 is the engine's default run), and the range a setting may take. */
export const STEP_CHOICES = VOCABULARY.steps.choices;
export const DEFAULT_STEPS = VOCABULARY.steps.default;

/** Seeds "Run it here" trains (1..=N), N's range and default, and the N of the recordings. */
export const SEEDS = VOCABULARY.seeds;

/** Peak learning rates the tolerance experiment offers, and the one shown first (the engine's own default is 0.02). */
export const LR_CHOICES = VOCABULARY.lr.choices;
export const DEFAULT_LR = VOCABULARY.lr.default;
export const LR_KINDS = VOCABULARY.lr.kinds;

/** The race's config for one kind (every other field: the engine's defaults). */
export function raceConfig(task, kind, steps) {
  return { task, norm: kind, steps };
}

/** The tasks cut from the bundled photos (the reader's own, `photos`, has no fixed classes). */
export const BUNDLED_TASKS = Object.keys(VOCABULARY.tasks).filter((name) => VOCABULARY.tasks[name].classes.length > 0);

/** The learning-rate experiment's config for one kind. */
export function lrConfig(kind, lr, task = 'what') {
  return { task, norm: kind, lr };
}

/**
 * The batch-size experiment: every run sees the same number of images,
 * with the learning rate scaled linearly with the batch (lr_at_32 at 32),
 * as in the Group Norm paper. The noise experiment uses the same rule.
 */
export const BATCH_KINDS = VOCABULARY.batch.kinds;
export const BATCH_SIZES = VOCABULARY.batch.sizes;
export const BATCH_IMAGES = VOCABULARY.batch.images;
export function batchConfig(kind, batch, task = 'what') {
  return { task, norm: kind, batch, steps: BATCH_IMAGES / batch, lr: Math.fround(VOCABULARY.batch.lr_at_32) * batch / 32 };
}

/**
 * The batch-size experiment's same-steps variant (`normscope lab batch-steps`):
 * the race's config (its steps and learning rate) with only the batch changed,
 * so small batches see fewer images.
 */
export function sameStepsConfig(kind, batch, task = 'what') {
  return { task, norm: kind, batch };
}

/** The noise experiment ("does batch norm's noise help?"): its kinds and batch sizes. */
export const NOISE_KINDS = VOCABULARY.noise.kinds;
export const NOISE_SIZES = VOCABULARY.noise.sizes;

/**
 * The Group Norm paper's ImageNet figures (Wu & He 2018, ResNet-50,
 * validation error % against images per GPU): batch norm and group norm.
 */
export const PAPER_ERROR = {
  batch: [[32, 23.6], [16, 23.7], [8, 24.8], [4, 27.3], [2, 34.7]],
  group: [[32, 24.1], [16, 24.2], [8, 24.0], [4, 24.2], [2, 24.1]],
};

/** The same run? (every field `wanted` names; the rest are the engine's defaults on both sides) */
export function sameRun(config, wanted) {
  const same = (a, b) => {
    if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && a.every((x, i) => same(x, b[i]));
    if (typeof b === 'number') return typeof a === 'number' && Math.fround(a) === Math.fround(b);
    return a === b;
  };
  return Object.entries(wanted).every(([key, value]) => same(config[key], value));
}

/** Workers to train with: one per core, leaving the page one. */
export function workerCount() {
  return Math.max(1, (navigator.hardwareConcurrency || 2) - 1);
}

// ── Experiments 3 and 6 (probes) ──

/** Experiment 3: the race's batch- and instance-norm networks, pooled after training. */
export const POOLED_KINDS = VOCABULARY.pooled.kinds;
export function pooledConfig(kind, steps, task = 'what') {
  return { task, norm: kind, steps };
}
const STAGE_LABELS = {
  norm: { label: 'norm layer output', short: 'at the norm output' },
  relu: { label: 'after ReLU', short: 'after the ReLU' },
  features: { label: 'classifier input (after max-pool)', short: 'at the classifier input' },
};
/** Where the last block's channels are pooled: the names of probe.rs's `Pooled` lists. */
export const POOLED_STAGES = Object.fromEntries(VOCABULARY.pooled.stages.map((stage) => [stage,
  Object.hasOwn(STAGE_LABELS, stage) ? STAGE_LABELS[stage] : { label: stage, short: `at ${stage}` }]));

/** Experiment 6: batch norm's running-statistics momenta (PyTorch's default: 0.1), and test batch sizes. */
export const EVAL_MOMENTA = VOCABULARY.evalmode.momenta;
export const DEFAULT_MOMENTUM = VOCABULARY.evalmode.default_momentum;
export const TEST_BATCH_SIZES = VOCABULARY.evalmode.test_batch_sizes;
export function evalmodeConfig(momentum, steps, task = 'what') {
  return { task, norm: 'batch', bn_momentum: momentum, steps };
}
/** The classes of "what is it?", in label order. */
export const WHAT_CLASSES = VOCABULARY.tasks.what.classes;
