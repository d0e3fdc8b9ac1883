// The lab's settings in the page's link (lab-* parameters next to the
// page's own: urlstate.js leaves lab-* to this module) and in <norm-lab>'s
// attributes. One table, www/lab/settings.json, lists every setting (name,
// type, default, allowed values or range, the panels that read it); parsing,
// serializing and the defaults below are driven by it, and the notebook's
// Lab reads the same table. Names are looked up only among the table's and
// the vocabulary's own entries (a Map, Object.hasOwn, Array.includes), so a
// link saying `__proto__` or `toString` is just a bad value.
// Pure functions but for writeLabState, which edits only lab-* parameters of the address.
import TABLE from '../../lab/settings.json' with { type: 'json' };
import { VOCABULARY, LIGHTING } from './config.js';

/** A value the table names with `@path` (a list, a number, or an object's names), read from the vocabulary. */
function fromVocabulary(value, where) {
  if (typeof value !== 'string' || !value.startsWith('@')) return value;
  let found = VOCABULARY;
  for (const key of value.slice(1).split('.')) {
    if (found === null || typeof found !== 'object' || !Object.hasOwn(found, key)) {
      throw new Error(`lab settings: ${where} names ${value}, which vocabulary.json does not have`);
    }
    found = found[key];
  }
  return found !== null && typeof found === 'object' && !Array.isArray(found) ? Object.keys(found) : found;
}

/** Every setting, in the table's order (a setting read by another, like `at` by `axis`, comes after it). */
export const SETTINGS = Object.freeze(TABLE.settings.map((s) => Object.freeze({
  ...s,
  ...Object.fromEntries(['choices', 'min', 'max', 'default'].filter((k) => Object.hasOwn(s, k)).map((k) => [k, fromVocabulary(s[k], `${s.name}.${k}`)])),
})));
const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

/** The settings' names: the lab-* parameters without `lab-`, and the element's attributes. */
export const SETTING_NAMES = Object.freeze(SETTINGS.map((s) => s.name));

/** The table's entry for `name`, or undefined (own entries only). */
export const settingOf = (name) => BY_NAME.get(name);

/** Whether a change of `name` redraws the panel `experiment`. */
export const readsSetting = (experiment, name) => BY_NAME.get(name)?.panels.includes(experiment) ?? false;

/** Whether a change of `name` changes which runs the panels show. */
export const reshows = (name) => BY_NAME.get(name)?.reshows === true;

/** The lighting shown first on an axis: the table's value for it, else the value trained at; as its index. */
function defaultLighting(setting, axis) {
  const sweep = LIGHTING[axis];
  const value = Object.hasOwn(setting.defaults ?? {}, axis) ? setting.defaults[axis] : sweep.trained;
  return sweep.values.indexOf(value);
}

/** A setting's default for a state (only `lighting` settings depend on another). */
function defaultOf(setting, state) {
  if (setting.type === 'lighting') return defaultLighting(setting, state[setting.of]);
  return Array.isArray(setting.default) ? [...setting.default] : setting.default;
}

/** A fresh copy of the settings a lab starts with when nothing says otherwise (lists copied too). */
export function defaultLab() {
  const state = {};
  for (const setting of SETTINGS) state[setting.name] = defaultOf(setting, state);
  return state;
}

export const DEFAULT_LAB = Object.freeze(defaultLab());

const isWhole = (text) => /^\d{1,6}$/.test(text);
/** "a, b or c" */
const either = (items) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/** One setting's value from its text: { value } or { why } (a clause for the notice). */
function parseValue(setting, text, state) {
  const { type, choices } = setting;
  if (type === 'choice') return choices.includes(text) ? { value: text } : { why: `choose ${either(choices)}` };
  if (type === 'number') {
    const i = choices.findIndex((v) => String(v) === text);
    return i >= 0 ? { value: choices[i] } : { why: `choose one of ${either(choices)}` };
  }
  if (type === 'whole') {
    if (setting.also?.includes(text)) return { value: text };
    if (isWhole(text) && Number(text) >= setting.min && Number(text) <= setting.max) return { value: Number(text) };
    const also = setting.also ? `${setting.also.join(' or ')} or ` : '';
    return { why: `it must be ${also}${setting.what ?? ''}a whole number from ${setting.min} to ${setting.max}` };
  }
  if (type === 'subset') {
    const names = text.split(',').map((k) => k.trim()).filter(Boolean);
    if (names.length === 0) return { why: setting.empty };
    if (names.some((k) => !choices.some((c) => String(c) === k))) return { why: `choose from ${choices.join(', ')}` };
    return { value: choices.filter((c) => names.includes(String(c))) };
  }
  if (type === 'lighting') {
    const axis = state[setting.of];
    const values = LIGHTING[axis].values;
    const i = values.findIndex((v) => String(v) === text);
    return i >= 0 ? { value: i } : { why: `for ${axis} choose one of ${either(values)}` };
  }
  throw new Error(`lab settings: ${setting.name} has the unknown type ${JSON.stringify(type)}`);
}

/** One setting's value as a link spells it. */
function formatValue(setting, value, state) {
  if (setting.type === 'lighting') return String(LIGHTING[state[setting.of]].values[value]);
  return Array.isArray(value) ? value.join(',') : String(value);
}

const quote = (text) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Read lab-* parameters: { state, notices }. A bad value keeps its default
 * and gets a notice naming it and why; so does a lab-* name the lab does not have.
 */
export function parseLabState(search) {
  const params = new URLSearchParams(search);
  const state = defaultLab();
  const notices = [];
  for (const key of new Set(params.keys())) {
    if (key.startsWith('lab-') && !BY_NAME.has(key.slice(4))) notices.push(`Ignored the unknown parameter ${quote(key)}: the lab's are lab-${SETTING_NAMES.join(', lab-')}.`);
  }
  for (const setting of SETTINGS) {
    // A setting that depends on another starts from that one's default for it.
    if (setting.type === 'lighting') state[setting.name] = defaultOf(setting, state);
    const text = params.get(`lab-${setting.name}`);
    if (text === null) continue;
    const { value, why } = parseValue(setting, text, state);
    if (why === undefined) state[setting.name] = value;
    else notices.push(`Ignored lab-${setting.name}=${quote(text)}: ${why}.`);
  }
  return { state, notices };
}

/** Every setting of `state` as lab-* parameters (defaults too, unless `changedOnly`). */
export function serializeLabState(state, { changedOnly = true } = {}) {
  const out = new URLSearchParams();
  for (const setting of SETTINGS) {
    const text = formatValue(setting, state[setting.name], state);
    if (!changedOnly || text !== formatValue(setting, defaultOf(setting, state), state)) out.set(`lab-${setting.name}`, text);
  }
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
