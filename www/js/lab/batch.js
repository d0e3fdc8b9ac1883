// Experiment 4: batch size. Batch, group and layer norm trained with 2 to 32
// images per step (every run sees the same number of images; learning rate
// scaled with the batch), beside the Group Norm paper's ImageNet figures.
import { BATCH_KINDS, BATCH_SIZES, PAPER_ERROR, batchConfig, kindStyle } from './config.js';
import { h, legend, figure } from './dom.js';
import { LineChart } from './chart.js';
import { batchConclusion, pct } from './conclusions.js';
import { progressText, statusWord } from './race.js';

const KEY = 'batch';
const FILE = 'batch.json';
const wanted = () => BATCH_KINDS.flatMap((kind) => BATCH_SIZES.map((b) => batchConfig(kind, b)));
const axis = { label: 'images per step (batch)', min: 1, max: 5, ticks: [1, 2, 3, 4, 5], tickLabel: (t) => String(2 ** t) };

export function batchPanel(store) {
  const ours = figure('batch-ours', 'This run: test error on the held-out patches', 'Test error against batch size for batch, group and layer norm in this run; the table below gives the numbers');
  const paper = figure('batch-paper', 'The paper\'s figures: ResNet-50 ImageNet validation error (Wu & He 2018, table 3)', 'ImageNet validation error against images per GPU for batch norm and group norm, as reported by Wu and He 2018: batch norm 23.6% at 32 rising to 34.7% at 2, group norm about 24.1% at every size');
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const thead = h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'kind' }), BATCH_SIZES.map((b) => h('th', { scope: 'col', text: `batch ${b}` }))));
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'lab-run', onclick: () => store.runHere(KEY, wanted()) }, 'Run it here');
  const stop = h('button', { type: 'button', class: 'lab-stop', disabled: true, onclick: () => store.stop(KEY) }, 'Stop');
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'batch', 'aria-labelledby': 'batch-title' },
    h('h3', { id: 'batch-title', text: 'What do small batches do to batch norm?' }),
    h('p', { class: 'lab-intro', text: 'The race\'s network on "what is it?", trained with 2, 4, 8, 16 or 32 images per step. Every run sees 3200 images (1600 steps of 2, …, 100 steps of 32), with the peak learning rate scaled with the batch (0.05 at 32), as the Group Norm paper does. Batch norm\'s statistics come from the batch, so they get noisier as it shrinks; group and layer norm never look across the batch.' }),
    h('div', { class: 'lab-controls' }, run, stop),
    status,
    legend(BATCH_KINDS, kindStyle),
    h('div', { class: 'lab-charts' }, ours.element, paper.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' },
      h('table', { class: 'lab-table' }, h('caption', { text: 'Test accuracy in this run' }), thead, tbody)),
    conclusion);
  const oursChart = new LineChart(ours.canvas, { x: { ...axis }, y: { label: 'test error', min: 0, max: 1, percent: true } });
  const paperChart = new LineChart(paper.canvas, { x: { ...axis, label: 'images per GPU' }, y: { label: 'validation error (%)', min: 20, max: 40 } });
  paperChart.draw(Object.entries(PAPER_ERROR).map(([kind, pts]) => ({ ...kindStyle(kind), dots: true, points: pts.map(([b, e]) => [Math.log2(b), e]) })));

  function render() {
    const set = store.runs(KEY);
    status.textContent = progressText(set, 'the 15 networks');
    run.disabled = set.running;
    stop.disabled = !set.running;
    const done = set.runs.filter((r) => r.status === 'done');
    oursChart.draw(BATCH_KINDS.map((kind) => ({
      ...kindStyle(kind), dots: true,
      points: done.filter((r) => r.kind === kind).map((r) => [Math.log2(r.config.batch), 1 - r.accuracy]).sort((a, b) => a[0] - b[0]),
    })));
    tbody.replaceChildren(...BATCH_KINDS.map((kind) => h('tr', {},
      h('th', { scope: 'row', text: kindStyle(kind).label }),
      BATCH_SIZES.map((b) => {
        const r = set.runs.find((x) => x.kind === kind && x.config.batch === b);
        return h('td', { text: !r ? '—' : r.status === 'done' ? pct(r.accuracy) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r) });
      }))));
    conclusion.textContent = set.running ? '' : batchConclusion(set.runs, PAPER_ERROR);
  }

  function show() {
    store.showRecorded(KEY, FILE, wanted());
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: [], keys: () => [KEY] };
}
