// Experiment 4: batch size. Batch, group and layer norm trained with 2 to 32
// images per step, beside the Group Norm paper's ImageNet figures. Two rules
// (the `hold` setting): every run sees the same number of images (learning
// rate scaled with the batch, as the paper does), or every run takes the
// race's steps at its learning rate (small batches then see fewer images).
import { BATCH_IMAGES, BATCH_KINDS, BATCH_SIZES, DEFAULT_STEPS, PAPER_ERROR, batchConfig, kindStyle, sameStepsConfig } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { batchConclusion } from './conclusions.js';
import { seedValue } from './race.js';
import { panelHeader, arms, spreadOf, spreadText, dotSeries, perSeedBox, statusWord } from './panel.js';
import { fileFor, keyFor, taskOf, taskName } from './photos.js';

// Per rule: the runs' key (and recorded file), their configs, and what the intro says.
const RULES = {
  images: {
    key: 'batch',
    config: batchConfig,
    intro: `Every run sees ${BATCH_IMAGES} images (${BATCH_IMAGES / 2} steps of 2, …, ${BATCH_IMAGES / 32} steps of 32), with the peak learning rate scaled with the batch (0.05 at 32), as the Group Norm paper does. So small batches also take more steps.`,
  },
  steps: {
    key: 'batch-steps',
    config: sameStepsConfig,
    intro: `Every run takes the race's ${DEFAULT_STEPS} steps at the race's learning rate, whatever the batch: small batches see fewer images (${DEFAULT_STEPS * 2} at batch 2, ${DEFAULT_STEPS * 32} at 32). The paper holds the images fixed instead.`,
  },
};
const ruleOf = (state) => RULES[state.hold] ?? RULES.images;
const wanted = (state) => BATCH_KINDS.flatMap((kind) => BATCH_SIZES.map((b) => ruleOf(state).config(kind, b, taskOf(state))));
// The store's key: the rule's, or one per version of the reader's photos.
const keyOf = (state) => keyFor(ruleOf(state).key, state);
const axis = { label: 'images per step (batch)', min: 0.6, max: 5.4, ticks: [1, 2, 3, 4, 5], tickLabel: (t) => String(2 ** t) };

export function batchPanel(store, lab) {
  const ours = figure('batch-ours', 'These runs: test error on the held-out patches (a faint dot per seed, a bar at their mean)', 'Test error against batch size for batch, group and layer norm, a dot per seed and a bar at the mean; the table below gives the numbers');
  const paper = figure('batch-paper', 'The paper\'s figures: ResNet-50 ImageNet validation error (Wu & He 2018, table 3)', 'ImageNet validation error against images per GPU for batch norm and group norm, as reported by Wu and He 2018: batch norm 23.6% at 32 rising to 34.7% at 2, group norm about 24.1% at every size');
  const head = panelHeader(store, lab, { id: 'batch', key: () => keyOf(lab.state), wanted: () => wanted(lab.state), what: 'the 15 networks' });
  const intro = h('p', { class: 'lab-intro' });
  const seedBox = perSeedBox('Test accuracy');
  const thead = h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'kind' }), BATCH_SIZES.map((b) => h('th', { scope: 'col', text: `batch ${b}` }))));
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'batch', 'aria-labelledby': 'batch-title' },
    h('h3', { id: 'batch-title', text: 'What do small batches do to batch norm?' }),
    h('p', { class: 'lab-intro' }, 'The race\'s network on ', taskName(lab.state), ', trained with 2, 4, 8, 16 or 32 images per step. Batch norm\'s statistics come from the batch, so they get noisier as it shrinks; group and layer norm never look across the batch.'),
    intro,
    h('div', { class: 'lab-controls' },
      select('batch-hold', 'Hold fixed', [['images', 'the images seen'], ['steps', 'the steps taken']], lab.state.hold, (v) => lab.update({ hold: v }), 'hold'),
      ...head.controls),
    head.status,
    legend(BATCH_KINDS, kindStyle),
    h('div', { class: 'lab-charts' }, ours.element, paper.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' },
      h('table', { class: 'lab-table' }, h('caption', { text: 'Test accuracy: mean ± sd (lowest–highest seed), n seeds' }), thead, tbody)),
    seedBox.element,
    conclusion);
  const oursChart = new LineChart(ours.canvas, { x: { ...axis }, y: { label: 'test error', min: 0, max: 1, percent: true } });
  const paperChart = new LineChart(paper.canvas, { x: { ...axis, label: 'images per GPU' }, y: { label: 'validation error (%)', min: 20, max: 40 } });
  paperChart.draw(Object.entries(PAPER_ERROR).map(([kind, pts]) => ({ ...kindStyle(kind), dots: true, points: pts.map(([b, e]) => [Math.log2(b), e]) })));

  function render() {
    intro.textContent = ruleOf(lab.state).intro;
    const set = head.update();
    const cells = arms(set.runs, (r) => `${r.kind} ${r.config.batch}`);
    const cell = (kind, b) => cells.get(`${kind} ${b}`) ?? [];
    const errors = (rs) => rs.filter((r) => r.status === 'done').map((r) => 1 - r.accuracy);
    oursChart.draw(BATCH_KINDS.flatMap((kind) => dotSeries(kindStyle(kind), BATCH_SIZES.map((b) => [Math.log2(b), errors(cell(kind, b))]))));
    tbody.replaceChildren(...BATCH_KINDS.map((kind) => h('tr', {},
      h('th', { scope: 'row', text: kindStyle(kind).label }),
      BATCH_SIZES.map((b) => {
        const rs = cell(kind, b);
        const done = rs.filter((r) => r.status === 'done');
        const other = rs.find((r) => r.status !== 'done');
        if (rs.length === 0) return h('td', { text: '—' });
        if (done.length === 0) return h('td', { text: other.status === 'running' ? `${other.loss.length}/${other.steps}` : statusWord(other) });
        return h('td', { text: spreadText(spreadOf(done.map((r) => r.accuracy))) });
      }))));
    seedBox.update(BATCH_KINDS.flatMap((kind) => BATCH_SIZES.map((b) => ({ label: `${kindStyle(kind).label}, batch ${b}`, runs: cell(kind, b) }))), seedValue);
    conclusion.textContent = set.running ? '' : batchConclusion(ruleOf(lab.state).key, set.runs);
  }

  function show() {
    const rule = ruleOf(lab.state);
    store.showRecorded(keyOf(lab.state), fileFor(`${rule.key}.json`, lab.state), wanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['hold', 'task'], keys: () => [keyOf(lab.state)] };
}
