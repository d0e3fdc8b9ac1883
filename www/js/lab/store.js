// The lab's runs, shared by its panels, kept per seed. Each set starts from
// the runs recorded with `normscope train` (www/lab/recorded/: a file holds
// every seed of an experiment, `{ experiment, seeds, runs: [{ kind, seed,
// record, … }], summary }`; an older file without `seed` is seed 1) and can
// be repeated in this browser over seeds 1..n; panels listen for 'change'.
//
// A run: { kind, seed, config, source: 'recorded' | 'here', status: 'waiting' |
//   'running' | 'done' | 'diverged' | 'stopped' | 'error', loss: [],
//   curve: [{ step, accuracy }], accuracy, lighting, probes, seconds, command,
//   message, match, trainAccuracy, record }   (match: a re-run compared with the
//   recorded run of the same seed; record: a re-run's RUN.json; probes: what probes.js measured,
//   { after, during }, or null; trainAccuracy: the noise experiment's)
import { train } from './pool.js';
import { fetchFile } from '../assets.js';
import { LIGHTING, raceConfig, lrConfig, sameRun } from './config.js';

const ALL_LIGHTING = Object.fromEntries(Object.entries(LIGHTING).map(([axis, a]) => [axis, a.values]));

/** The recorded file `name` (the bundled copies carry it inside). */
async function fetchRecorded(name) {
  const response = await fetchFile(`lab/recorded/${name}`);
  if (!response.ok) throw new Error(`the recorded runs (${name}) could not be loaded (HTTP ${response.status})`);
  return response.json();
}

function fromRecorded(run) {
  const r = run.record;
  return {
    kind: r.config.norm,
    seed: run.seed ?? r.config.seed ?? 1,
    config: r.config,
    source: 'recorded',
    status: r.diverged ? 'diverged' : 'done',
    loss: r.loss,
    curve: r.test_curve,
    accuracy: r.test_accuracy,
    lighting: run.lighting,
    probes: run.probes ?? null,
    classes: r.classes,
    seconds: run.seconds,
    command: run.command,
    message: r.diverged?.message ?? '',
    steps: r.config.steps,
    diverged: r.diverged,
    trainAccuracy: run.train_accuracy ?? NaN,
    match: null,
  };
}

/** The seeds 1..n a re-run trains (n is clamped to 1–10, the vocabulary's range). */
export const seedList = (n) => Array.from({ length: Math.min(10, Math.max(1, Math.trunc(n) || 1)) }, (_, i) => i + 1);

/** Where a re-run first differs from the recorded run (null: nowhere, bit for bit). */
export function firstDifference(here, recorded) {
  const f = Math.fround;
  if (here.loss.length !== recorded.loss.length) return `it ran ${here.loss.length} steps, the recording ${recorded.loss.length}`;
  for (let i = 0; i < here.loss.length; i++) {
    if (f(here.loss[i]) !== f(recorded.loss[i])) return `loss at step ${i + 1}: ${here.loss[i]} here, ${recorded.loss[i]} recorded`;
  }
  if (here.curve.length !== recorded.curve.length) return 'a different number of test-accuracy points';
  for (let i = 0; i < here.curve.length; i++) {
    if (f(here.curve[i].accuracy) !== f(recorded.curve[i].accuracy)) return `test accuracy at step ${here.curve[i].step}`;
  }
  for (const axis of Object.keys(recorded.lighting ?? {})) {
    const a = here.lighting?.[axis] ?? [];
    const b = recorded.lighting[axis];
    if (a.length !== b.length || a.some((p, i) => f(p.accuracy) !== f(b[i].accuracy))) return `accuracy under changed ${axis}`;
  }
  if (Number.isFinite(recorded.trainAccuracy) && Number.isFinite(here.trainAccuracy) && f(here.trainAccuracy) !== f(recorded.trainAccuracy)) return 'train accuracy';
  if (recorded.probes) {
    const where = differsAt(here.probes, recorded.probes, 'probes');
    if (where) return `${where} differs`;
  }
  return null;
}

/** The first path at which two probe values differ (numbers as float32), or null. */
function differsAt(a, b, path) {
  if (typeof b === 'number') return typeof a === 'number' && (Math.fround(a) === Math.fround(b) || (Number.isNaN(a) && Number.isNaN(b))) ? null : path;
  if (Array.isArray(b)) {
    if (!Array.isArray(a) || a.length !== b.length) return path;
    for (let i = 0; i < b.length; i++) {
      const w = differsAt(a[i], b[i], `${path}[${i}]`);
      if (w) return w;
    }
    return null;
  }
  if (b && typeof b === 'object') {
    if (!a || typeof a !== 'object') return path;
    for (const k of Object.keys(b)) {
      const w = differsAt(a[k], b[k], `${path}.${k}`);
      if (w) return w;
    }
    return null;
  }
  return a === b ? null : path;
}

export class LabStore extends EventTarget {
  constructor() {
    super();
    this.sets = new Map(); // key → { key, runs: [run], recorded: [run], running, controller, error, started }
  }

  emit(key) {
    this.dispatchEvent(new CustomEvent('change', { detail: { key } }));
  }

  set(key) {
    if (!this.sets.has(key)) this.sets.set(key, { key, runs: [], recorded: [], running: false, controller: null, error: '', loaded: null });
    return this.sets.get(key);
  }

  /**
   * Show the recorded runs of `file` (null: none) whose configs are `wanted`: every
   * recorded seed of each, in `wanted`'s order and then by seed (a config
   * with no recording is simply absent).
   */
  async showRecorded(key, file, wanted) {
    const set = this.set(key);
    if (set.running) return;
    try {
      // No file: runs of the reader's own photos, which nothing recorded.
      set.loaded ??= file === null ? Promise.resolve([]) : fetchRecorded(file).then((f) => f.runs.map(fromRecorded));
      set.recorded = await set.loaded;
      set.error = '';
    } catch (error) {
      set.loaded = null;
      set.recorded = [];
      set.error = error.message;
    }
    if (set.running) return;
    set.runs = wanted.flatMap((w) => set.recorded.filter((r) => sameRun(r.config, w)).sort((a, b) => a.seed - b.seed));
    set.wanted = wanted;
    this.emit(key);
  }

  /**
   * Train every config in `wanted` here with seeds 1..`seeds` (stopping any
   * earlier run of this set); `probes` (probes.js) says what else each run
   * measures, `lighting` which test-time lighting sweep follows training
   * ({} for none). Each run is compared with the recording of its own seed.
   */
  async runHere(key, wanted, { probes = null, lighting = ALL_LIGHTING, seeds = 1 } = {}) {
    const set = this.set(key);
    this.stop(key);
    const controller = new AbortController();
    set.controller = controller;
    set.running = true;
    set.error = '';
    set.wanted = wanted;
    const configs = wanted.flatMap((w) => seedList(seeds).map((seed) => ({ ...w, seed })));
    set.runs = configs.map((config) => ({
      kind: config.norm, seed: config.seed, config, source: 'here', status: 'waiting', loss: [], curve: [], accuracy: NaN,
      lighting: {}, probes: null, seconds: NaN, command: '', message: '', steps: config.steps ?? 200, match: null, trainAccuracy: NaN,
    }));
    this.emit(key);
    await Promise.all(
      set.runs.map(async (run) => {
        try {
          const result = await train(run.config, {
            lighting,
            probes,
            signal: controller.signal,
            onStart: () => {
              run.status = 'running';
              this.emit(key);
            },
            onProgress: (p) => {
              run.loss.push(...p.loss);
              run.curve = p.curve;
              run.steps = p.steps;
              if (p.during?.length) {
                run.probes ??= { after: {}, during: [] };
                run.probes.during.push(...p.during);
              }
              this.emit(key);
            },
          });
          const r = result.record;
          Object.assign(run, {
            // The whole RUN.json too, as `normscope train` writes it.
            record: r,
            config: r.config,
            loss: r.loss,
            curve: r.test_curve,
            accuracy: r.test_accuracy,
            lighting: result.lighting,
            probes: result.probes,
            classes: r.classes,
            seconds: result.ms / 1000,
            status: r.diverged ? 'diverged' : 'done',
            diverged: r.diverged,
            message: r.diverged?.message ?? '',
            trainAccuracy: result.probes?.after?.train_accuracy ?? NaN,
          });
          const recorded = set.recorded.find((x) => sameRun(x.config, r.config));
          if (recorded) run.match = { difference: firstDifference(run, recorded) };
        } catch (error) {
          run.status = error.name === 'AbortError' ? 'stopped' : 'error';
          run.message = error.message;
        }
        this.emit(key);
      }),
    );
    if (set.controller === controller) {
      set.running = false;
      set.controller = null;
      this.emit(key);
    }
  }

  stop(key) {
    const set = this.set(key);
    set.controller?.abort();
  }

  runs(key) {
    return this.set(key);
  }
}

/** The race's recorded file; null for the reader's own photos (no recording). */
export const RACE_FILE = (task) => (task === 'photos' ? null : `race-${task}.json`);
export const LR_FILE = 'lr.json';
export { raceConfig, lrConfig };
