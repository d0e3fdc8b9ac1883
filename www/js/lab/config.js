// The lab's fixed vocabulary: the kinds that race (names as the engine
// spells them), how each is drawn, the test-time lighting sweep, and the
// training configs each experiment sends to the engine.

/**
 * Every kind, in the race's order. Colours: the Okabe–Ito palette (told
 * apart with the common colour-vision deficiencies); each also has its own
 * dash pattern, so the curves differ in more than colour.
 */
export const KINDS = [
  { kind: 'none', label: 'no norm', color: '#555555', dash: [2, 3] },
  { kind: 'batch', label: 'batch', color: '#0072b2', dash: [] },
  { kind: 'instance', label: 'instance', color: '#d55e00', dash: [8, 3] },
  { kind: 'layer', label: 'layer', color: '#009e73', dash: [4, 2, 1, 2] },
  { kind: 'group', label: 'group', color: '#a8437f', dash: [2, 2] },
  { kind: 'batch-instance', label: 'batch-instance', color: '#b07800', dash: [10, 2, 2, 2] },
  { kind: 'ibn', label: 'IBN', color: '#3a8fc4', dash: [6, 2, 6, 5] },
];

export const KIND_NAMES = KINDS.map((k) => k.kind);

/** How a kind is drawn and named. */
export function kindStyle(kind) {
  return KINDS.find((k) => k.kind === kind) ?? { kind, label: kind, color: '#000', dash: [] };
}

/** The tasks: their names, and what each label means. */
export const TASKS = {
  what: { label: 'What is it? (which photo)', short: 'what is it', chance: 1 / 6 },
  'day-night': { label: 'Day or night? (its lighting)', short: 'day or night', chance: 1 / 2 },
};

/**
 * Test-time lighting measured after training, per axis: the values, and
 * the one the network was trained at. Keep equal to CONTRAST, BRIGHTNESS
 * and GAMMA in examples/lab_record.rs (the recorded runs).
 */
export const LIGHTING = {
  contrast: { values: [0.25, 0.35, 0.5, 0.7, 1, 1.4, 2], trained: 1, label: 'contrast a' },
  brightness: { values: [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3], trained: 0, label: 'brightness b' },
  gamma: { values: [0.4, 0.55, 0.75, 1, 1.35, 1.8, 2.5], trained: 1, label: 'gamma γ' },
};

/** The shift (contrast, brightness, gamma) of one point of an axis. */
export function shiftOf(axis, value) {
  if (axis === 'contrast') return [value, 0, 1];
  if (axis === 'brightness') return [1, value, 1];
  return [1, 0, value];
}

/** Step counts the race offers (200 is the engine's default run). */
export const STEP_CHOICES = [50, 100, 200, 400];
export const DEFAULT_STEPS = 200;

/** Peak learning rates the tolerance experiment offers; the engine's default is 0.05. */
export const LR_CHOICES = [0.05, 0.2, 0.5, 1, 2];
export const DEFAULT_LR = 1;
export const LR_KINDS = ['none', 'batch'];

/** The race's config for one kind (every other field: the engine's defaults). */
export function raceConfig(task, kind, steps) {
  return { task, norm: kind, steps };
}

/** The learning-rate experiment's config for one kind. */
export function lrConfig(kind, lr) {
  return { task: 'what', norm: kind, lr };
}

/**
 * The batch-size experiment: every run sees the same number of images,
 * with the learning rate scaled linearly with the batch (0.05 at 32), as in
 * the Group Norm paper. Keep equal to batch_config in examples/lab_record.rs.
 */
export const BATCH_KINDS = ['batch', 'group', 'layer'];
export const BATCH_SIZES = [2, 4, 8, 16, 32];
export const BATCH_IMAGES = 3200;
export function batchConfig(kind, batch) {
  return { task: 'what', norm: kind, batch, steps: BATCH_IMAGES / batch, lr: Math.fround(0.05) * batch / 32 };
}

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

// ── Experiments 3 and 6 (probes): keep equal to POOLED_KINDS, EVAL_MOMENTA
//    and TEST_BATCH_SIZES in examples/lab_record.rs (the recorded runs). ──

/** Experiment 3: the race's batch- and instance-norm networks, pooled after training. */
export const POOLED_KINDS = ['batch', 'instance'];
export function pooledConfig(kind, steps) {
  return { task: 'what', norm: kind, steps };
}
/** Where the last block's channels are pooled: the names of probe.rs's `Pooled` lists. */
export const POOLED_STAGES = {
  norm: { label: 'norm layer output', short: 'at the norm output' },
  relu: { label: 'after ReLU', short: 'after the ReLU' },
  features: { label: 'classifier input (after max-pool)', short: 'at the classifier input' },
};

/** Experiment 6: batch norm's running-statistics momenta (PyTorch's default: 0.1), and test batch sizes. */
export const EVAL_MOMENTA = [0.01, 0.1, 0.5, 1];
export const DEFAULT_MOMENTUM = 0.1;
export const TEST_BATCH_SIZES = [1, 2, 4, 8, 16, 32];
export function evalmodeConfig(momentum, steps) {
  return { task: 'what', norm: 'batch', bn_momentum: momentum, steps };
}
/** The classes of "what is it?", in label order (keep equal to TASK_PHOTOS in src/nn/data.rs). */
export const WHAT_CLASSES = ['brick', 'grass', 'gravel', 'cat', 'coffee', 'cells'];
