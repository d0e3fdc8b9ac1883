// One page state: the plain object urlstate.js reads from and writes to a
// link (samples, probe, size, adjustments, kinds' parameters, mode), turned
// into Session calls and read back from the Session. The page, the
// <norm-scope> widget and the walk-through all go through here, and the
// facts they share live here too: the bundled samples (this folder owns
// them) and the core's limits (Rust owns them; wasm exports them).
import { limits as coreLimits } from '../pkg/normscope.js';

/** The samples a first view shows, and the others a link may ask for. */
export const SAMPLE_NAMES = ['chelsea', 'coffee', 'astronaut', 'rocket', 'hubble', 'retina'];
export const EXTRA_SAMPLES = ['camera', 'brick', 'ihc'];
/** Every bundled sample name (www/samples/NAME.jpg). */
export const KNOWN_SAMPLES = [...SAMPLE_NAMES, ...EXTRA_SAMPLES];

let cachedLimits = null;

/**
 * The core's limits: { maxImages, maxFileBytes, maxSide, keepShortSide,
 * minSize }. Needs wasm initialised (engine.js initWasm).
 */
export function limits() {
  if (!cachedLimits) cachedLimits = Object.freeze(coreLimits());
  return cachedLimits;
}

/** The sample a session image name stands for (`chelsea.jpg` → `chelsea`), or null. */
export function sampleOf(imageName) {
  const match = /^(.+)\.jpg$/.exec(imageName);
  return match && KNOWN_SAMPLES.includes(match[1]) ? match[1] : null;
}

/**
 * Put a state's session part on `session`: feature-map mode, the kinds'
 * parameters, batch norm's mode, the other images' adjustments and the
 * probe. (The probe's own adjustment is the sliders' business: Scope.)
 */
export function applyToSession(session, state) {
  session.setFeatureMaps(state.features);
  session.setParams(state.groups, state.rho, state.eps);
  session.setBnMode(state.bn);
  for (const o of state.others ?? []) session.setAdjustment(o.index, o.contrast, o.brightness, o.gamma, o.clip);
  session.setProbe(Math.min(state.probe, session.length - 1));
}

/**
 * The session part of the state, read back: the bundled samples in the
 * batch (own photos cannot go into a link), the probe among them, the
 * size, the kinds' group count and eps, and the other images'
 * adjustments, each written as the shortest decimal of its float32.
 */
export function readFromSession(session) {
  const samples = [];
  const others = [];
  let probe = 0;
  for (let i = 0; i < session.length; i++) {
    const sample = sampleOf(session.name(i));
    if (sample === null) continue;
    if (i === session.probe) probe = samples.length;
    const a = session.adjustment(i);
    if (i !== session.probe && (a.contrast !== 1 || a.brightness !== 0 || a.gamma !== 1 || a.clip)) {
      const [contrast, brightness, gamma] = [a.contrast, a.brightness, a.gamma].map((x) => Number(shortF32(x)));
      others.push({ index: samples.length, contrast, brightness, gamma, clip: a.clip });
    }
    samples.push(sample);
  }
  const p = session.params();
  return { samples, probe, size: session.size, groups: p.groups, eps: p.eps, others };
}

/** Whether the batch holds a photo that is not a bundled sample. */
export function hasOwnPhotos(session) {
  return Array.from({ length: session.length }, (_, i) => session.name(i)).some((n) => sampleOf(n) === null);
}

/** The shortest decimal that reads back as the same float32 (the core stores f32). */
export function shortF32(x) {
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === Math.fround(x)) return text;
  }
  return String(x);
}
