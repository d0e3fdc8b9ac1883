// The page's state as a query string, and back. Pure functions: no DOM,
// so they can be tested on their own (state.js turns a state into Session
// calls; the batch size limit is the core's, read through state.js). Every parameter is checked; a
// bad one falls back to its default and yields a notice (plain text, for
// textContent only: it may quote what the link contained).

import { KNOWN_SAMPLES, SAMPLE_NAMES, limits } from './state.js';
import SLIDER_RANGES from './sliders.json' with { type: 'json' };

/** Kinds that are always shown, and the ones a link may add (in this order). */
export const ALWAYS_KINDS = ['batch', 'instance'];
export const EXTRA_KINDS = ['layer', 'group', 'batch-instance'];
export const SIZES = [128, 256, 512];

/** What a link without parameters shows: the page's own first view. */
export const DEFAULT_STATE = Object.freeze({
  samples: Object.freeze([...SAMPLE_NAMES]),
  probe: 0,
  size: 256,
  contrast: 0.5,
  brightness: 0.15,
  gamma: 1,
  clip: false,
  kinds: Object.freeze([]),
  diff: true,
  groups: 3,
  rho: 0.5,
  eps: 1e-5,
  features: false,
  bn: 'train',
  others: Object.freeze([]),
  embed: false,
});

/** Allowed range of each numeric parameter (the probe's sliders: sliders.json). */
export const RANGES = Object.freeze({
  ...Object.fromEntries(Object.entries(SLIDER_RANGES).map(([name, r]) => [name, [r.min, r.max]])),
  rho: [0, 1],
  eps: [1e-12, 1],
});

// Parameter order in a serialized link; also the set of known parameters.
const ORDER = ['samples', 'probe', 'size', 'contrast', 'brightness', 'gamma', 'clip', 'kinds', 'diff', 'groups', 'rho', 'eps', 'features', 'bn', 'others', 'embed'];

/** lab-* parameters belong to the lab (www/js/lab/state.js). */
export const isLabKey = (key) => key.startsWith('lab-');

const DECIMAL = /^[+-]?(\d{1,20}(\.\d{0,20})?|\.\d{1,20})(e[+-]?\d{1,3})?$/i;

/** Quote a value from a link for a notice: short, and visibly quoted. */
function quote(text) {
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(short);
}

function parseNumber(name, text) {
  const [lo, hi] = RANGES[name];
  if (!DECIMAL.test(text)) return { error: `${name}=${quote(text)} is not a number` };
  const x = Number(text);
  if (!Number.isFinite(x) || x < lo || x > hi) return { error: `${name}=${quote(text)} is outside ${lo} to ${hi}` };
  return { value: x };
}

function parseFlag(name, text) {
  if (text === '1' || text === 'true') return { value: true };
  if (text === '0' || text === 'false') return { value: false };
  return { error: `${name}=${quote(text)} should be 1 or 0` };
}

function parseList(text) {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Read a query string (with or without the leading "?").
 * Returns { state, notices }: a complete, valid state and one sentence per
 * parameter that was ignored.
 */
export function parseState(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULT_STATE, samples: [...DEFAULT_STATE.samples], kinds: [] };
  const notices = [];
  const reject = (message) => notices.push(`Ignored ${message}; using the default.`);
  const seen = new Set();
  for (const key of params.keys()) {
    if (seen.has(key)) continue;
    seen.add(key);
    if (!ORDER.includes(key) && !isLabKey(key)) notices.push(`Ignored the unknown parameter ${quote(key)}.`);
    else if (params.getAll(key).length > 1) reject(`${key}, which the link gives more than once`);
  }
  const get = (key) => (params.getAll(key).length === 1 ? params.get(key) : null);

  const samples = get('samples');
  if (samples !== null) {
    const names = parseList(samples);
    const bad = names.find((n) => !KNOWN_SAMPLES.includes(n));
    if (bad !== undefined) reject(`samples: ${quote(bad)} is not a bundled sample (${KNOWN_SAMPLES.join(', ')})`);
    else if (names.length === 0 || names.length > limits().maxImages) reject(`samples: give 1 to ${limits().maxImages} names`);
    else state.samples = names;
  }
  const probe = get('probe');
  if (probe !== null) {
    if (!/^\d{1,2}$/.test(probe) || Number(probe) >= state.samples.length) {
      reject(`probe=${quote(probe)}: it must be an image number from 0 to ${state.samples.length - 1}`);
    } else state.probe = Number(probe);
  }
  const size = get('size');
  if (size !== null) {
    if (!SIZES.map(String).includes(size)) reject(`size=${quote(size)}: use ${SIZES.join(', ')}`);
    else state.size = Number(size);
  }
  for (const name of ['contrast', 'brightness', 'gamma', 'rho', 'eps']) {
    const text = get(name);
    if (text === null) continue;
    const r = parseNumber(name, text);
    if (r.error) reject(r.error);
    else state[name] = r.value;
  }
  for (const [key, field] of [['clip', 'clip'], ['diff', 'diff'], ['features', 'features'], ['embed', 'embed']]) {
    const text = get(key);
    if (text === null) continue;
    const r = parseFlag(key, text);
    if (r.error) reject(r.error);
    else state[field] = r.value;
  }
  const kinds = get('kinds');
  if (kinds !== null) {
    const names = parseList(kinds);
    const bad = names.find((k) => !ALWAYS_KINDS.includes(k) && !EXTRA_KINDS.includes(k));
    if (bad !== undefined) reject(`kinds: ${quote(bad)} is not a kind (${[...ALWAYS_KINDS, ...EXTRA_KINDS].join(', ')})`);
    else state.kinds = EXTRA_KINDS.filter((k) => names.includes(k));
  }
  const bn = get('bn');
  if (bn !== null) {
    if (bn !== 'train' && bn !== 'eval') reject(`bn=${quote(bn)}: use train or eval`);
    else state.bn = bn;
  }
  const others = get('others');
  if (others !== null) {
    const r = parseOthers(others, state);
    if (r.error) reject(r.error);
    else state.others = r.value;
  }
  const groups = get('groups');
  if (groups !== null) {
    const channels = state.features ? 6 : 3;
    if (!/^\d{1,2}$/.test(groups) || Number(groups) < 1 || channels % Number(groups) !== 0) {
      reject(`groups=${quote(groups)}: with ${channels} channels G must divide ${channels}`);
    } else state.groups = Number(groups);
  }
  if (channelsOf(state) % state.groups !== 0) state.groups = DEFAULT_STATE.groups;
  return { state, notices };
}

/**
 * Adjustments of images other than the probe (a former probe keeps its own):
 * `index:contrast:brightness:gamma:clip` joined by ";".
 */
function parseOthers(text, state) {
  const value = [];
  for (const part of text.split(';')) {
    const f = part.split(':');
    if (f.length !== 5 || !/^\d{1,2}$/.test(f[0])) return { error: `others=${quote(text)}: write index:contrast:brightness:gamma:clip` };
    const index = Number(f[0]);
    if (index >= state.samples.length || index === state.probe || value.some((o) => o.index === index)) {
      return { error: `others=${quote(text)}: image ${index} is not another image of the batch` };
    }
    const entry = { index };
    for (const [k, name] of [[1, 'contrast'], [2, 'brightness'], [3, 'gamma']]) {
      const r = parseNumber(name, f[k]);
      if (r.error) return { error: `others: ${r.error}` };
      entry[name] = r.value;
    }
    const clip = parseFlag('clip', f[4]);
    if (clip.error) return { error: `others: ${clip.error}` };
    entry.clip = clip.value;
    value.push(entry);
  }
  return { value };
}

function channelsOf(state) {
  return state.features ? 6 : 3;
}

function same(a, b) {
  return Array.isArray(a) ? a.length === b.length && a.every((x, i) => JSON.stringify(x) === JSON.stringify(b[i])) : a === b;
}

/** Write a state as a query string (no "?"), leaving out every default. */
export function serializeState(state) {
  const out = new URLSearchParams();
  for (const key of ORDER) {
    const value = state[key];
    if (value === undefined || same(value, DEFAULT_STATE[key])) continue;
    if (key === 'others') {
      out.set(key, value.map((o) => [o.index, o.contrast, o.brightness, o.gamma, o.clip ? 1 : 0].join(':')).join(';'));
    } else if (Array.isArray(value)) out.set(key, value.join(','));
    else if (typeof value === 'boolean') out.set(key, value ? '1' : '0');
    else out.set(key, String(value));
  }
  return out.toString().replaceAll('%2C', ',').replaceAll('%3A', ':').replaceAll('%3B', ';');
}
