// The lab's settings in the page's link, as lab-* parameters next to the
// page's own (urlstate.js leaves lab-* to this module). Pure functions but
// for writeLabState, which edits only lab-* parameters of the address.
import { KIND_NAMES, STEP_CHOICES, DEFAULT_STEPS, LR_CHOICES, DEFAULT_LR, LIGHTING, TASKS } from './config.js';
import { POOLED_STAGES, EVAL_MOMENTA, DEFAULT_MOMENTUM } from './config.js';

export const DEFAULT_LAB = Object.freeze({
  task: 'what',
  steps: DEFAULT_STEPS,
  kinds: KIND_NAMES,
  axis: 'contrast',
  at: LIGHTING.contrast.values.indexOf(0.5),
  lr: DEFAULT_LR,
  compare: ['batch', 'instance', 'group'],
  checkpoint: DEFAULT_STEPS,
  // Experiments 3 and 6: the pooled channel ('auto': the classifier's
  // heaviest, per network) and stage; the network whose test batches are
  // shown, and the momenta "Run it here" trains.
  channel: 'auto',
  stage: 'norm',
  momentum: DEFAULT_MOMENTUM,
  momenta: EVAL_MOMENTA,
});

const quote = (text) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** Read the lab-* parameters: { state, notices } (a bad one keeps its default). */
export function parseLabState(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULT_LAB, kinds: [...DEFAULT_LAB.kinds], compare: [...DEFAULT_LAB.compare], momenta: [...DEFAULT_LAB.momenta] };
  const notices = [];
  const bad = (key, value, why) => notices.push(`Ignored lab-${key}=${quote(value)}: ${why}.`);
  const get = (key) => params.get(`lab-${key}`);
  const task = get('task');
  if (task !== null) {
    if (task in TASKS) state.task = task;
    else bad('task', task, `choose ${Object.keys(TASKS).join(' or ')}`);
  }
  const steps = get('steps');
  if (steps !== null) {
    if (/^\d{1,6}$/.test(steps) && Number(steps) >= 1 && Number(steps) <= 2000) state.steps = Number(steps);
    else bad('steps', steps, 'it must be a whole number from 1 to 2000');
  }
  const kinds = get('kinds');
  if (kinds !== null) {
    const names = kinds.split(',').map((k) => k.trim()).filter(Boolean);
    const unknown = names.filter((k) => !KIND_NAMES.includes(k));
    if (unknown.length || names.length === 0) bad('kinds', kinds, `the kinds are ${KIND_NAMES.join(', ')}`);
    else state.kinds = KIND_NAMES.filter((k) => names.includes(k));
  }
  const axis = get('axis');
  if (axis !== null) {
    if (axis in LIGHTING) state.axis = axis;
    else bad('axis', axis, `choose ${Object.keys(LIGHTING).join(', ')}`);
  }
  state.at = LIGHTING[state.axis].values.indexOf(state.axis === 'contrast' ? 0.5 : LIGHTING[state.axis].trained);
  const at = get('at');
  if (at !== null) {
    const values = LIGHTING[state.axis].values;
    const i = values.findIndex((v) => String(v) === at);
    if (i >= 0) state.at = i;
    else bad('at', at, `for ${state.axis} choose one of ${values.join(', ')}`);
  }
  const lr = get('lr');
  if (lr !== null) {
    const i = LR_CHOICES.findIndex((v) => String(v) === lr);
    if (i >= 0) state.lr = LR_CHOICES[i];
    else bad('lr', lr, `choose one of ${LR_CHOICES.join(', ')}`);
  }
  // Experiment 5 (neighbours.js): the kinds compared, and the checkpoint shown.
  const compare = get('compare');
  if (compare !== null) {
    const names = compare.split(',').map((k) => k.trim()).filter(Boolean);
    if (names.length === 0 || names.some((k) => !KIND_NAMES.includes(k))) bad('compare', compare, `the kinds are ${KIND_NAMES.join(', ')}`);
    else state.compare = KIND_NAMES.filter((k) => names.includes(k));
  }
  const checkpoint = get('checkpoint');
  if (checkpoint !== null) {
    if (/^\d{1,4}$/.test(checkpoint) && Number(checkpoint) <= 2000) state.checkpoint = Number(checkpoint);
    else bad('checkpoint', checkpoint, 'it must be a training step, a whole number from 0 to 2000');
  }
  // Experiments 3 and 6.
  const channel = get('channel');
  if (channel !== null) {
    if (channel === 'auto' || /^\d{1,3}$/.test(channel)) state.channel = channel === 'auto' ? 'auto' : Number(channel);
    else bad('channel', channel, 'choose auto or a channel number from 0');
  }
  const stage = get('stage');
  if (stage !== null) {
    if (stage in POOLED_STAGES) state.stage = stage;
    else bad('stage', stage, `choose ${Object.keys(POOLED_STAGES).join(', ')}`);
  }
  const momentum = get('momentum');
  if (momentum !== null) {
    const i = EVAL_MOMENTA.findIndex((v) => String(v) === momentum);
    if (i >= 0) state.momentum = EVAL_MOMENTA[i];
    else bad('momentum', momentum, `choose one of ${EVAL_MOMENTA.join(', ')}`);
  }
  const momenta = get('momenta');
  if (momenta !== null) {
    const picked = momenta.split(',').map((m) => m.trim()).filter(Boolean);
    if (picked.length && picked.every((m) => EVAL_MOMENTA.some((v) => String(v) === m))) state.momenta = EVAL_MOMENTA.filter((v) => picked.includes(String(v)));
    else bad('momenta', momenta, `the momenta are ${EVAL_MOMENTA.join(', ')}`);
  }
  return { state, notices };
}

/** The lab-* parameters for `state`, defaults left out. */
export function serializeLabState(state) {
  const out = new URLSearchParams();
  if (state.task !== DEFAULT_LAB.task) out.set('lab-task', state.task);
  if (state.steps !== DEFAULT_LAB.steps) out.set('lab-steps', String(state.steps));
  if (state.kinds.join(',') !== DEFAULT_LAB.kinds.join(',')) out.set('lab-kinds', state.kinds.join(','));
  if (state.axis !== DEFAULT_LAB.axis) out.set('lab-axis', state.axis);
  const values = LIGHTING[state.axis].values;
  const atDefault = values.indexOf(state.axis === 'contrast' ? 0.5 : LIGHTING[state.axis].trained);
  if (state.at !== atDefault) out.set('lab-at', String(values[state.at]));
  if (state.lr !== DEFAULT_LAB.lr) out.set('lab-lr', String(state.lr));
  if (state.compare.join(',') !== DEFAULT_LAB.compare.join(',')) out.set('lab-compare', state.compare.join(','));
  if (state.checkpoint !== DEFAULT_LAB.checkpoint) out.set('lab-checkpoint', String(state.checkpoint));
  if (state.channel !== DEFAULT_LAB.channel) out.set('lab-channel', String(state.channel));
  if (state.stage !== DEFAULT_LAB.stage) out.set('lab-stage', state.stage);
  if (state.momentum !== DEFAULT_LAB.momentum) out.set('lab-momentum', String(state.momentum));
  if (state.momenta.join(',') !== DEFAULT_LAB.momenta.join(',')) out.set('lab-momenta', state.momenta.join(','));
  return out;
}

/** Put the lab's parameters into the address bar, keeping every other parameter. */
export function writeLabState(state) {
  const url = new URL(location.href);
  for (const key of [...url.searchParams.keys()]) if (key.startsWith('lab-')) url.searchParams.delete(key);
  for (const [key, value] of serializeLabState(state)) url.searchParams.set(key, value);
  const href = url.href.replaceAll('%2C', ',');
  if (href !== location.href) history.replaceState(history.state, '', href);
}
