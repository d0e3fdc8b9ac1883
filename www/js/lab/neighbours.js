// Experiment 5: your neighbours during training. One fixed batch of 8
// held-out patches; at checkpoints of the race's training on "what is it?"
// the engine (src/nn/neighbours.rs, probe `neighbours`) darkens one image at
// a time and measures how far every image's class probabilities move, in
// training mode, on a copy of the network. An 8×8 heat map per kind; a
// table of the same numbers; the same image among two sets of companions.
import { KINDS, kindStyle, raceConfig } from './config.js';
import { h, legend, figure } from './dom.js';
import { LineChart } from './chart.js';
import { HeatMap, ScaleLegend } from './grids.js';
import { neighboursConclusion, neighbourFigures } from './conclusions.js';
import { panelHeader, slider as rangeInput, arms, seedSeries, perSeedBox, matchSummary, statusWord, pct } from './panel.js';
import { fileFor, keyFor, taskOf } from './photos.js';

const KEY = 'neighbours';
const FILE = 'neighbours.json';
const every = (steps) => Math.min(25, steps);
export const neighboursWanted = (state) => state.compare.map((kind) => raceConfig(taskOf(state), kind, state.steps));
export const NEIGHBOUR_PROBES = (steps) => ({ every: every(steps), during: ['neighbours'] });

/** Short row names: "1 brick". */
const rowLabels = (labels, classes) => labels.map((l, i) => `${i + 1} ${classes?.[l] ?? l}`);
const fmt = (v) => (v === 0 ? '0' : v < 0.0005 ? v.toExponential(1) : v.toFixed(3));

/** The checkpoint of a run nearest to `step` (or null). */
export function checkpointAt(run, step) {
  const during = run.probes?.during ?? [];
  if (during.length === 0) return null;
  return during.reduce((best, d) => (Math.abs(d.step - step) < Math.abs(best.step - step) ? d : best));
}

export function neighboursPanel(store, lab) {
  const head = panelHeader(store, lab, {
    id: 'neighbours', key: () => keyFor(KEY, lab.state), wanted: () => neighboursWanted(lab.state),
    options: () => ({ probes: NEIGHBOUR_PROBES(lab.state.steps), lighting: {} }), what: () => `the ${lab.state.compare.length} networks`,
  });
  const { status } = head;
  const source = h('p', { class: 'lab-source' });
  const stepSlider = rangeInput({ id: 'neighbours-step', label: 'Training step', min: 0, max: 200, step: 25, value: lab.state.checkpoint, setting: 'checkpoint', oninput: (v) => lab.update({ checkpoint: v }) });
  const seedBox = perSeedBox('Off-diagonal ÷ diagonal at this step');
  const kindBoxes = KINDS.map((k) => h('label', {},
    h('input', { type: 'checkbox', id: `neighbours-kind-${k.kind}`, value: k.kind, checked: lab.state.compare.includes(k.kind), onchange: () => {
      const compare = KINDS.map((x) => x.kind).filter((name) => kindBoxes.some((l) => l.firstChild.value === name && l.firstChild.checked));
      if (compare.length === 0) {
        status.textContent = 'Keep at least one kind to compare.';
        return;
      }
      lab.update({ compare });
    } }), ` ${k.label}`));
  const maps = h('div', { class: 'lab-maps' });
  const legendBox = h('div');
  const scaleCanvas = h('canvas', { class: 'lab-scale', role: 'img', 'aria-label': '' });
  const scale = new ScaleLegend(scaleCanvas);
  const ratioFig = figure('neighbours-ratio', 'Largest effect on another image ÷ mean effect on the darkened image itself, over training (each seed faint, their mean bold)', 'The largest off-diagonal entry divided by the mean diagonal entry against training step, one line per kind; the table gives the numbers');
  const ratioChart = new LineChart(ratioFig.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'off-diagonal ÷ diagonal', min: 0, max: 1 } });
  const tbody = h('tbody');
  const sameBody = h('tbody');
  const sameCaption = h('caption');
  const mapsCaption = h('caption');
  const details = h('div', { class: 'lab-matrices' });
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'neighbours', 'aria-labelledby': 'neighbours-title' },
    h('h3', { id: 'neighbours-title', text: 'Does one image in a batch change the answer for another?' }),
    h('p', { class: 'lab-intro', text: 'Eight held-out patches (the classes in turn) go through the network together as one batch, in training mode — batch norm uses this batch\'s statistics, as in every training step. Column j: image j alone is darkened (x ← x²); each cell: how far row i\'s class probabilities moved (half the summed absolute change: 0 = not at all, 1 = completely). The networks are the race\'s, on "what is it?", measured every 25 steps on a copy, so training goes on exactly as in the race.' }),
    h('div', { class: 'lab-controls' },
      stepSlider.element,
      ...head.controls),
    h('fieldset', { class: 'lab-kinds' }, h('legend', { text: 'Kinds to compare' }), kindBoxes),
    status, source,
    maps,
    h('figure', { class: 'lab-figure lab-scale-figure' }, scaleCanvas, h('figcaption', { text: 'Colour scale (square root, shared by the maps at this step); white with 0: exactly zero; outlined in orange: the diagonal (an image and itself)' })),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' },
      mapsCaption,
      h('thead', {}, h('tr', {}, ['kind', 'mean diagonal', 'largest off-diagonal', 'off ÷ diagonal', 'off-diagonal cells exactly 0', 'test accuracy', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    seedBox.element,
    details,
    legendBox,
    h('div', { class: 'lab-charts one' }, ratioFig.element),
    h('h4', { text: 'The same image in two different batches' }),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' },
      sameCaption,
      h('thead', {}, h('tr', {}, ['kind', 'batch A: mixed companions', 'batch B: 7 companions of one class', 'evaluation mode (running statistics)'].map((t) => h('th', { scope: 'col', text: t })))),
      sameBody)),
    conclusion);
  const heatmaps = new Map(); // kind → { element, map, canvas }

  function heatFor(kind) {
    if (!heatmaps.has(kind)) {
      const canvas = h('canvas', { class: 'lab-heat', role: 'img', id: `neighbours-map-${kind}` });
      const caption = h('figcaption');
      heatmaps.set(kind, { element: h('figure', { class: 'lab-figure' }, canvas, caption), map: new HeatMap(canvas), canvas, caption });
    }
    return heatmaps.get(kind);
  }

  function render() {
    const set = head.update();
    const all = set.runs;
    // The maps and tables show one network per kind (its lowest seed: a
    // batch's images are the same in every seed, its network is not); the
    // ratio over training and the per-seed table show every seed.
    const runs = [...arms(all).values()].map((rs) => [...rs].sort((a, b) => a.seed - b.seed)[0]);
    const steps = Math.max(lab.state.steps, ...all.map((r) => r.steps));
    const want = Math.min(lab.state.checkpoint, steps);
    const points = runs.map((r) => ({ run: r, point: checkpointAt(r, want) }));
    const step = points.find((p) => p.point)?.point.step ?? want;
    stepSlider.set(want, `step ${step}`, { max: steps, step: every(steps) });
    stepSlider.input.setAttribute('aria-valuetext', `step ${step} of ${steps}`);
    const shownSeed = runs[0]?.seed;
    mapsCaption.textContent = shownSeed === undefined ? 'The maps in numbers' : `The maps in numbers (seed ${shownSeed})`;
    const recorded = runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) {
      source.append('Recorded with: ', h('code', { text: recorded.command.replace(/--norm \S+/, '--norm KIND') }),
        ` for KIND = ${runs.map((r) => r.kind).join(', ')}; the maps by `, h('code', { text: 'normscope lab neighbours' }), '.');
    }
    const shown = points.filter((p) => p.point);
    const max = Math.max(0, ...shown.flatMap((p) => p.point.neighbours.influence.flat()));
    scale.draw(max, 'probability moved');
    scaleCanvas.setAttribute('aria-label', `Colour scale from 0 (lightest) to ${fmt(max)} (darkest blue); white cells marked 0 are exactly zero`);
    maps.replaceChildren(...shown.map(({ run: r, point }) => {
      const hm = heatFor(r.kind);
      const f = neighbourFigures(point.neighbours.influence);
      hm.map.draw(point.neighbours.influence, { max, rowLabels: rowLabels(point.neighbours.labels, r.classes) });
      hm.caption.textContent = `${kindStyle(r.kind).label} at step ${point.step}`;
      hm.canvas.setAttribute('aria-label', `Heat map for ${kindStyle(r.kind).label} at step ${point.step}: mean diagonal ${fmt(f.diagonal)}, largest off-diagonal ${fmt(f.off)}, ${f.zeros} of ${f.cells} off-diagonal cells exactly 0`);
      return hm.element;
    }));
    tbody.replaceChildren(...points.map(({ run: r, point }) => {
      const f = point ? neighbourFigures(point.neighbours.influence) : null;
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(r.kind).label }),
        h('td', { text: f ? fmt(f.diagonal) : statusWord(r) }),
        h('td', { text: f ? fmt(f.off) : '—' }),
        h('td', { text: f ? (f.diagonal > 0 ? f.ratio.toFixed(3) : '—') : '—' }),
        h('td', { text: f ? `${f.zeros} of ${f.cells}` : '—' }),
        h('td', { text: r.status === 'done' ? pct(r.accuracy) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r) }),
        h('td', { class: 'lab-match', text: matchSummary(all.filter((x) => x.kind === r.kind)) }));
    }));
    seedBox.update([...arms(all)].map(([kind, rs]) => ({ label: kindStyle(kind).label, runs: rs })), (r) => {
      const p = checkpointAt(r, want);
      return p ? neighbourFigures(p.neighbours.influence).ratio.toFixed(3) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r);
    });
    details.replaceChildren(...shown.map(({ run: r, point }) => {
      const labels = rowLabels(point.neighbours.labels, r.classes);
      return h('details', {}, h('summary', { text: `Every cell for ${kindStyle(r.kind).label} at step ${point.step}` }),
        h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': `${kindStyle(r.kind).label}: every cell (scrolls sideways)` }, h('table', { class: 'lab-table lab-matrix' },
          h('caption', { text: `Row i, column j: how far image i's probabilities moved when image j was darkened (${kindStyle(r.kind).label}, step ${point.step})` }),
          h('thead', {}, h('tr', {}, h('td'), labels.map((_, j) => h('th', { scope: 'col', text: `j = ${j + 1}` })))),
          h('tbody', {}, point.neighbours.influence.map((row, i) => h('tr', {}, h('th', { scope: 'row', text: labels[i] }), row.map((v) => h('td', { text: fmt(v) }))))))));
    }));
    legendBox.replaceChildren(legend(runs.map((r) => r.kind), kindStyle));
    const series = [...arms(all)].flatMap(([kind, rs]) => seedSeries(kindStyle(kind),
      rs.map((r) => (r.probes?.during ?? []).map((d) => [d.step, neighbourFigures(d.neighbours.influence).ratio])), { dots: true }));
    const top = Math.max(1, ...series.flatMap((s) => s.points.map((pt) => pt[1])));
    ratioChart.setAxes({ x: { max: steps }, y: { max: Math.ceil(top * 4) / 4 } });
    ratioChart.draw(series, [{ x: step, text: `step ${step}` }]);
    const first = shown[0]?.point.neighbours;
    const classes = shown[0]?.run.classes;
    const cls = (l) => classes?.[l] ?? `class ${l}`;
    sameCaption.textContent = first
      ? `Image 1 (a ${cls(first.same_image.label)} patch) at step ${step}: probability of ${cls(first.same_image.label)}, and the class it is called. Batch A is the batch above; in batch B its 7 companions are all ${cls(first.same_image.companions_b)} patches.`
      : 'The same image in two batches';
    sameBody.replaceChildren(...shown.map(({ run: r, point }) => {
      const s = point.neighbours.same_image;
      const say = (p) => `${pct(p[s.label])} (called ${cls(argmax(p))})`;
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(r.kind).label }),
        h('td', { text: say(s.batch_a) }),
        h('td', { text: say(s.batch_b) }),
        h('td', { text: say(s.eval) }));
    }));
    conclusion.textContent = set.running ? '' : neighboursConclusion(shown.map(({ run: r, point }) => ({ kind: r.kind, point, classes: r.classes, during: r.probes?.during ?? [] })));
  }

  function show() {
    store.showRecorded(keyFor(KEY, lab.state), fileFor(FILE, lab.state), neighboursWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['checkpoint', 'compare', 'steps', 'task'], keys: () => [keyFor(KEY, lab.state)] };
}

export function argmax(p) {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}
