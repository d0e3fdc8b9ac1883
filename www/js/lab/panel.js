// What every lab panel shares: its header (the seed count, Run it here, Stop,
// a status line, an optional step slider), and the few ways it shows runs
// over several seeds (arms grouped from the runs, a spread as text, a band
// and a mean for curves, the per-seed table one click away).
//
//   const head = panelHeader(store, lab, { key: () => KEY, wanted: () => configs, what: 'the 15 networks' });
//   … h('div', { class: 'lab-controls' }, …own controls, ...head.controls), head.status …
//   render(): const set = head.update();   // the set of runs, status and buttons brought up to date
import { h, select } from './dom.js';
import * as config from './config.js';
import { seedList } from './store.js';
import { trainsInPage } from './pool.js';

const { kindStyle, workerCount } = config;
/**
 * Seeds "Run it here" offers and trains by default: the vocabulary's
 * `seeds` (min 1, max 10, default 3) once config.js carries it, else those.
 */
const SEEDS = config.SEEDS ?? { max: 10, default: 3 };
export const seedsOf = (state) => seedList(state.seeds ?? SEEDS.default).length;

export const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');

/**
 * The header's parts: `controls` (seed count, Run it here, Stop) to put in
 * the panel's controls row, and the `status` line. `key` and `wanted` are
 * functions (the panel's settings may change); `options()` adds probes or
 * a lighting sweep to the runs; `what` names them in the status line.
 */
export function panelHeader(store, lab, { key, wanted, options = () => ({}), what, runLabel = 'Run it here', stopLabel = 'Stop', id }) {
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const seeds = select(`${id}-seeds`, 'Seeds', seedList(SEEDS.max).map((n) => [n, String(n)]), seedsOf(lab.state), (n) => lab.update({ seeds: Number(n) }), 'seeds');
  const run = h('button', { type: 'button', class: 'lab-run', onclick: () => store.runHere(key(), wanted(), { ...options(), seeds: seedsOf(lab.state) }) }, runLabel);
  const stop = h('button', { type: 'button', class: 'lab-stop', disabled: true, onclick: () => store.stop(key()) }, stopLabel);
  return {
    controls: [seeds, run, stop],
    status,
    /** Bring the status line and buttons up to date; the set of runs now. */
    update() {
      const set = store.runs(key());
      status.textContent = progressText(set, typeof what === 'function' ? what() : what);
      run.disabled = set.running;
      stop.disabled = !set.running;
      return set;
    },
  };
}

/**
 * A labelled range input with its value beside it: `set(value, text, { max, step })`
 * moves it without firing its own `oninput`.
 */
export function slider({ id, label, min, max, step, value, setting, oninput }) {
  const input = h('input', { id, type: 'range', min, max, step, value, 'data-setting': setting });
  const output = h('output', { id: `${id}-value`, for: id });
  input.addEventListener('input', () => oninput(Number(input.value)));
  return {
    element: h('div', { class: 'lab-control' }, h('label', { for: id, text: label }), input, output),
    input,
    set(v, text, { max: top, step: by } = {}) {
      if (top !== undefined) input.max = top;
      if (by !== undefined) input.step = by;
      input.value = v;
      output.textContent = text;
      input.setAttribute('aria-valuetext', text);
    },
  };
}

/** A status line for a set of runs. */
export function progressText(set, what) {
  const runs = set.runs;
  if (set.error) return set.error;
  const n = new Set(runs.map((r) => r.seed)).size;
  const seedWords = `${n} seed${n === 1 ? '' : 's'}`;
  if (!set.running) {
    if (runs.length === 0 && set.wanted?.some((w) => w.task === 'photos')) return `Your photos have no recording to show or compare with: press Run it here to train ${what} on them in this browser.`;
    if (runs.length === 0) return `No recorded runs for these settings: press Run it here to train ${what} in this browser.`;
    if (runs[0].source === 'recorded') {
      const drawn = n > 1 ? ` over ${seedWords} (each seed faint, their mean bold)` : ' with 1 seed';
      return `Showing runs recorded with normscope train${drawn}. Run it here repeats them in this browser, seed by seed.`;
    }
    const stopped = runs.filter((r) => r.status === 'stopped').length;
    return stopped ? `Stopped: ${runs.length - stopped} of ${runs.length} networks finished.` : `Trained in this browser: ${runs.length} networks (${seedWords}).`;
  }
  const ended = runs.filter((r) => !['waiting', 'running'].includes(r.status)).length;
  const now = runs.filter((r) => r.status === 'running').map((r) => `${kindStyle(r.kind).label} ${r.loss.length}/${r.steps}`);
  const workers = workerCount();
  const where = trainsInPage()
    ? "on this page's thread: the training worker could not start here"
    : `${workers} worker${workers === 1 ? '' : 's'}`;
  return `Training in this browser (${where}, ${seedWords}): ${ended} of ${runs.length} done${now.length ? `; now ${now.join(', ')} steps` : ''}.`;
}

export function statusWord(r) {
  if (r.status === 'diverged') return `diverged at step ${r.diverged?.step}`;
  if (r.status === 'error') return r.message;
  return r.status;
}

export function matchText(r) {
  if (r.source === 'recorded') return 'recorded';
  if (r.config?.task === 'photos') return r.status === 'done' || r.status === 'diverged' ? 'no recording of your photos' : '';
  if (!r.match) return r.status === 'done' || r.status === 'diverged' ? 'no recording of this seed' : '';
  return r.match.difference === null ? 'yes, bit for bit' : `no: ${r.match.difference}`;
}

/** One line for a set's re-runs against their recordings: "3 of 3 seeds bit for bit". */
export function matchSummary(runs) {
  const here = runs.filter((r) => r.source === 'here');
  if (here.length === 0) return runs.length ? 'recorded' : '';
  if (here.every((r) => r.config?.task === 'photos')) return 'no recording of your photos';
  const same = here.filter((r) => r.match?.difference === null).length;
  const compared = here.filter((r) => r.match).length;
  if (compared === 0) return here.every((r) => ['done', 'diverged'].includes(r.status)) ? 'no recording of these seeds' : '';
  return same === compared ? `yes, bit for bit (${same} of ${here.length} seeds)` : `no: ${compared - same} of ${compared} seeds differ`;
}

/** Runs grouped into arms by `armOf(run)` (a string), in first-seen order. */
export function arms(runs, armOf = (r) => r.kind) {
  const out = new Map();
  for (const r of runs) {
    const k = armOf(r);
    if (!out.has(k)) out.set(k, []);
    out.get(k).push(r);
  }
  return out;
}

/** n, mean, sample sd (n − 1; 0 when n = 1), min and max of the finite values, or null. */
export function spreadOf(values) {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { n: v.length, mean, sd, min: Math.min(...v), max: Math.max(...v) };
}

/** "96% ± 2.3 (92–98%), n = 5" for fractions shown as percentages (sd in points). */
export function spreadText(s) {
  if (!s) return '—';
  if (s.n === 1) return `${pct(s.mean)}, n = 1`;
  return `${pct(s.mean)} ± ${(s.sd * 100).toFixed(1)} (${pct(s.min)}–${pct(s.max)}), n = ${s.n}`;
}

/**
 * Curves of several seeds as one: at every x that all of them have, the
 * mean, and the band from the lowest to the highest seed.
 * `curves`: [[[x, y], …], …] → { mean: [[x, y]], band: [[x, lo, hi]] }
 */
export function meanCurve(curves) {
  const live = curves.filter((c) => c.length);
  if (live.length === 0) return { mean: [], band: [] };
  const at = live.map((c) => new Map(c.map(([x, y]) => [x, y])));
  const xs = live[0].map(([x]) => x).filter((x) => at.every((m) => m.has(x)));
  const mean = [];
  const band = [];
  for (const x of xs) {
    const ys = at.map((m) => m.get(x));
    mean.push([x, ys.reduce((a, b) => a + b, 0) / ys.length]);
    band.push([x, Math.min(...ys), Math.max(...ys)]);
  }
  return { mean, band };
}

/**
 * The series for one arm's curves: every seed faint and thin, then the
 * mean bold over the band of the seeds' range (one seed: just its line).
 */
export function seedSeries(style, curves, extra = {}) {
  if (curves.length <= 1) return curves.map((points) => ({ ...style, width: 2, points, ...extra }));
  const { mean, band } = meanCurve(curves);
  return [
    ...curves.map((points) => ({ ...style, width: 1, alpha: 0.35, points, dots: false })),
    { ...style, width: 2.5, points: mean, band, ...extra },
  ];
}

/**
 * Final numbers over seeds at category positions: a faint dot per seed and
 * a bold bar at the mean, with a thin line joining the means.
 * `groups`: [[x, [values…]], …]
 */
export function dotSeries(style, groups, { join = true } = {}) {
  const dots = groups.flatMap(([x, values]) => values.filter(Number.isFinite).map((y) => [x, y]));
  const means = groups.map(([x, values]) => [x, spreadOf(values)?.mean ?? NaN]).filter(([, y]) => Number.isFinite(y));
  return [
    { ...style, line: false, dots: true, jitter: true, alpha: 0.45, points: dots },
    { ...style, width: join ? 1.5 : 0, line: join, points: means, bars: means },
  ];
}

/**
 * The per-seed values behind a table, one click away: a <details> (it stays
 * open across redraws) with a table of rows × seeds.
 * `update(rows, value)`: `rows` [{ label, runs }], `value(run)` → text.
 */
export function perSeedBox(caption) {
  const summary = h('summary');
  const body = h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': `${caption}, every seed (scrolls sideways)` });
  const element = h('details', { class: 'lab-seeds' }, summary, body);
  return {
    element,
    update(rows, value) {
      const seeds = [...new Set(rows.flatMap((r) => r.runs.map((x) => x.seed)))].sort((a, b) => a - b);
      element.hidden = seeds.length === 0;
      summary.textContent = `${caption}: every seed (${seeds.length})`;
      body.replaceChildren(h('table', { class: 'lab-table' },
        h('caption', { text: `${caption}, seed by seed` }),
        h('thead', {}, h('tr', {}, h('td'), seeds.map((s) => h('th', { scope: 'col', text: `seed ${s}` })))),
        // Rows straight in the table (no tbody): a panel's `tbody` is its main table's.
        rows.map((row) => h('tr', {}, h('th', { scope: 'row', text: row.label }),
          seeds.map((s) => {
            const r = row.runs.find((x) => x.seed === s);
            return h('td', { text: r ? value(r) : '—' });
          })))));
    },
  };
}
