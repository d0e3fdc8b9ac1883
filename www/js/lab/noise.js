// Experiment 9: does batch norm's noise help? Batch norm standardizes each
// image with its batch's statistics, so the same image comes out a little
// different in every batch; that noise is said to act as a regulariser.
// Batch, group and no normalization are trained at batch sizes 4, 8 and 32
// with the batch experiment's rule (the same 3200 images, peak learning
// rate scaled with the batch), and each network's accuracy on its own
// training patches is set against its test accuracy: the gap, per seed.
import * as config from './config.js';
import { h, legend, figure } from './dom.js';
import { LineChart } from './chart.js';
import * as conclusions from './conclusions.js';
import { seedValue } from './race.js';
import { panelHeader, arms, spreadOf, spreadText, dotSeries, perSeedBox, statusWord, pct } from './panel.js';
import { engineMeasures } from './probes.js';
import { Trainer } from '../../pkg/normscope_engine.js';
import { fileFor, keyFor, taskOf } from './photos.js';

const { batchConfig, kindStyle } = config;
const KEY = 'noise';
const FILE = 'noise.json';
// The kinds and sizes come from the lab's vocabulary once config.js carries
// them (interface 2: `noise.kinds`, `noise.sizes`); until then its values.
const KINDS = config.NOISE_KINDS ?? ['batch', 'group', 'none'];
const SIZES = config.NOISE_SIZES ?? [4, 8, 32];
// A re-run measures train accuracy when this engine build can (the recorded
// runs always carry it); otherwise its table says so.
const MEASURES_TRAIN = engineMeasures(Trainer, 'train_accuracy');
const PROBES = MEASURES_TRAIN ? { after: ['train_accuracy'] } : null;
const wanted = (state) => KINDS.flatMap((kind) => SIZES.map((b) => batchConfig(kind, b, taskOf(state))));
const axis = { label: 'images per step (batch)', min: 1.5, max: 5.5, ticks: SIZES.map(Math.log2), tickLabel: (t) => String(2 ** t) };
const gapOf = (r) => r.trainAccuracy - r.accuracy;
const points = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}` : '—');

/** "+3.1 ± 1.2 (+1.0 to +4.5), n = 5": a gap in points over seeds. */
function gapText(s) {
  if (!s) return '—';
  if (s.n === 1) return `${points(s.mean)}, n = 1`;
  return `${points(s.mean)} ± ${(s.sd * 100).toFixed(1)} (${points(s.min)} to ${points(s.max)}), n = ${s.n}`;
}

export function noisePanel(store, lab) {
  const gapFig = figure('noise-gap', 'Train accuracy minus test accuracy, in points (a faint dot per seed, a bar at their mean)', 'The gap between accuracy on the training patches and on the test patches against batch size, for batch, group and no normalization, a dot per seed and a bar at the mean; the table below gives the numbers');
  const testFig = figure('noise-test', 'Test accuracy (a faint dot per seed, a bar at their mean)', 'Test accuracy against batch size for batch, group and no normalization, a dot per seed and a bar at the mean; the table below gives the numbers');
  const head = panelHeader(store, lab, { id: 'noise', key: () => keyFor(KEY, lab.state), wanted: () => wanted(lab.state), options: () => ({ probes: PROBES, lighting: {} }), what: `the ${KINDS.length * SIZES.length} networks` });
  const source = h('p', { class: 'lab-source' });
  const tbody = h('tbody');
  const seedBox = perSeedBox('Train − test gap (points)');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'noise', 'aria-labelledby': 'noise-title' },
    h('h3', { id: 'noise-title', text: 'Does batch norm\'s noise help?' }),
    h('p', { class: 'lab-intro', text: `Batch norm standardizes each image with the mean and variance of its batch, so the same image comes out a little different in every batch. Ioffe & Szegedy (2015) found that batch norm also acts as a regulariser, and smaller batches make the noise larger. If that is what happens here, batch norm's gap between accuracy on its own training patches and on the test patches should narrow as the batch shrinks, while group norm and no normalization, which never look across the batch, should show no such trend. The race's network on "what is it?", trained with ${SIZES.join(', ')} images per step as in the batch-size experiment: every run sees the same 3200 images, with the peak learning rate scaled with the batch. So a smaller batch also means more steps at a lower rate, for every kind alike. Both accuracies are measured in evaluation mode after the last step.` }),
    h('div', { class: 'lab-controls' }, ...head.controls),
    head.status, source,
    legend(KINDS, kindStyle),
    h('div', { class: 'lab-charts' }, gapFig.element, testFig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' },
      h('table', { class: 'lab-table' }, h('caption', { text: 'Train accuracy, test accuracy and their gap: mean ± sd (lowest–highest seed), n seeds' }),
        h('thead', {}, h('tr', {}, ['kind', 'batch', 'train accuracy', 'test accuracy', 'gap (points)'].map((t) => h('th', { scope: 'col', text: t })))),
        tbody)),
    seedBox.element,
    conclusion);
  const gapChart = new LineChart(gapFig.canvas, { x: { ...axis }, y: { label: 'train − test accuracy', min: -0.1, max: 0.5, percent: true } });
  const testChart = new LineChart(testFig.canvas, { x: { ...axis }, y: { label: 'test accuracy', min: 0, max: 1, percent: true } });

  function render() {
    const set = head.update();
    const recorded = set.runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) source.append('Recorded with: ', h('code', { text: 'normscope lab noise' }), ` (each run: ${recorded.command.replace(/--norm \S+/, '--norm KIND').replace(/--batch \S+/, '--batch B').replace(/--seed \S+/, '--seed S')}).`);
    const cells = arms(set.runs, (r) => `${r.kind} ${r.config.batch}`);
    const cell = (kind, b) => cells.get(`${kind} ${b}`) ?? [];
    const measured = (rs) => rs.filter((r) => r.status === 'done' && Number.isFinite(r.trainAccuracy));
    const gaps = KINDS.flatMap((kind) => SIZES.flatMap((b) => measured(cell(kind, b)).map(gapOf)));
    const top = Math.max(0.1, ...gaps);
    const bottom = Math.min(0, ...gaps);
    gapChart.setAxes({ y: { min: Math.floor(bottom * 20) / 20, max: Math.ceil(top * 20) / 20 } });
    gapChart.draw(KINDS.flatMap((kind) => dotSeries(kindStyle(kind), SIZES.map((b) => [Math.log2(b), measured(cell(kind, b)).map(gapOf)]))));
    testChart.draw(KINDS.flatMap((kind) => dotSeries(kindStyle(kind), SIZES.map((b) => [Math.log2(b), cell(kind, b).filter((r) => r.status === 'done').map((r) => r.accuracy)]))));
    tbody.replaceChildren(...KINDS.flatMap((kind) => SIZES.map((b) => {
      const rs = cell(kind, b);
      const done = rs.filter((r) => r.status === 'done');
      const m = measured(rs);
      const other = rs.find((r) => r.status !== 'done');
      const waiting = rs.length === 0 ? '—' : other?.status === 'running' ? `${other.loss.length}/${other.steps}` : other ? statusWord(other) : '—';
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(kind).label }),
        h('td', { text: String(b) }),
        h('td', { text: m.length ? spreadText(spreadOf(m.map((r) => r.trainAccuracy))) : done.length ? 'not measured by this browser\'s engine' : waiting }),
        h('td', { text: done.length ? spreadText(spreadOf(done.map((r) => r.accuracy))) : waiting }),
        h('td', { text: m.length ? gapText(spreadOf(m.map(gapOf))) : '—' }));
    })));
    seedBox.update(KINDS.flatMap((kind) => SIZES.map((b) => ({ label: `${kindStyle(kind).label}, batch ${b}`, runs: cell(kind, b) }))),
      (r) => (r.status === 'done' && Number.isFinite(r.trainAccuracy) ? `${points(gapOf(r))} (train ${pct(r.trainAccuracy)}, test ${pct(r.accuracy)})` : seedValue(r)));
    // The sentences are computed in Rust from the runs (findings); none until that is there.
    conclusion.textContent = set.running || !conclusions.noiseConclusion ? '' : conclusions.noiseConclusion(set.runs);
  }

  function show() {
    store.showRecorded(keyFor(KEY, lab.state), fileFor(FILE, lab.state), wanted(lab.state));
  }

  return { element, render, show, settings: ['task'], keys: () => [keyFor(KEY, lab.state)] };
}
