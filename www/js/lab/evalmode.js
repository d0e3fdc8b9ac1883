// Experiment 6: training vs evaluation mode. The race's batch-norm network
// ("what is it?") is tested with its running statistics (evaluation mode)
// and with each test batch's own statistics (as in training) at several
// test batch sizes, in batches of mixed classes or of one class (probe
// `batchstats`, src/nn/probe.rs, on a copy: the run is not changed); and
// trained with several running-statistics momenta.
import { EVAL_MOMENTA, TEST_BATCH_SIZES, evalmodeConfig } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { batchStatsOf, evalmodeConclusion } from './conclusions.js';
import { panelHeader, arms, spreadOf, spreadText, seedSeries, dotSeries, perSeedBox, matchSummary, statusWord, pct } from './panel.js';
import { fileFor, keyFor, taskOf, taskName } from './photos.js';

const KEY = 'evalmode';
const FILE = 'evalmode.json';
const PROBES = { after: ['batchstats'] };

const LINES = {
  eval: { label: 'evaluation mode (running statistics)', color: '#555555', dash: [6, 4] },
  mixed: { label: 'batch statistics, mixed classes', color: '#0072b2', dash: [] },
  one: { label: 'batch statistics, one class per batch', color: '#d55e00', dash: [2, 2] },
};
const style = (k) => ({ kind: k, ...LINES[k] });
const log2 = Math.log2;

export function evalmodePanel(store, lab) {
  const sizes = figure('evalmode-sizes', 'Test accuracy against the number of test images normalized together', 'Test accuracy against test batch size with batch statistics, for mixed and one-class batches, and the evaluation-mode accuracy as a dashed line; the table below gives the numbers');
  const momenta = figure('evalmode-momentum', 'Evaluation-mode accuracy against the running statistics\' momentum', 'Evaluation-mode test accuracy for each momentum of the running statistics, beside the accuracy with batch statistics of 32 mixed test images; the table below gives the numbers');
  const source = h('p', { class: 'lab-source' });
  const sizeHead = h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'test batch' }), TEST_BATCH_SIZES.map((b) => h('th', { scope: 'col', text: String(b) }))));
  const sizeBody = h('tbody');
  const sizeCaption = h('caption');
  const momBody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const wanted = () => lab.state.momenta.map((m) => evalmodeConfig(m, lab.state.steps, taskOf(lab.state)));
  const head = panelHeader(store, lab, { id: 'evalmode', key: () => keyFor(KEY, lab.state), wanted, options: () => ({ probes: PROBES }), what: 'the batch-norm networks' });
  const { status } = head;
  const seedBox = perSeedBox('Evaluation-mode accuracy');
  const boxes = EVAL_MOMENTA.map((m) => h('label', {},
    h('input', { type: 'checkbox', value: String(m), checked: lab.state.momenta.includes(m), onchange: () => {
      const picked = EVAL_MOMENTA.filter((v) => boxes.some((l) => l.firstChild.value === String(v) && l.firstChild.checked));
      if (picked.length === 0) {
        status.textContent = 'Keep at least one momentum to train.';
        return;
      }
      lab.update({ momenta: picked });
    } }), ` ${m}${m === 0.1 ? ' (PyTorch\'s default)' : ''}`));
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'evalmode', 'aria-labelledby': 'evalmode-title' },
    h('h3', { id: 'evalmode-title', text: 'Does a batch-norm network answer differently in training mode and in evaluation mode?' }),
    h('p', { class: 'lab-intro' }, 'The race\'s batch-norm network on ', taskName(lab.state), '. In training, each channel is standardized with the mean and variance of the batch; the layer also keeps running averages of them, and evaluation mode uses those instead, so an image\'s answer does not depend on the other images (Ioffe & Szegedy 2015 normalize with population statistics at inference for this reason). Here the trained network is also tested with the test batch\'s own statistics: batches of 1 to 32 test images, of mixed classes or of one class only. The running averages follow PyTorch\'s rule r ← (1 − m)·r + m·(batch statistic), with momentum m = 0.1 by default and the unbiased batch variance (PyTorch BatchNorm2d documentation); the networks below differ only in m.'),
    h('div', { class: 'lab-controls' },
      select('evalmode-momentum-pick', 'Evaluation-mode line: momentum', EVAL_MOMENTA.map((m) => [m, String(m)]), lab.state.momentum, (v) => lab.update({ momentum: Number(v) })),
      ...head.controls),
    h('fieldset', { class: 'lab-kinds' }, h('legend', { text: 'Momenta that Run it here trains (fewer: sooner)' }), boxes),
    status, source,
    legend(Object.keys(LINES), style),
    h('div', { class: 'lab-charts' }, sizes.element, momenta.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Test accuracy by test batch (scrolls sideways)' },
      h('table', { class: 'lab-table' }, sizeCaption, sizeHead, sizeBody)),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Test accuracy by momentum (scrolls sideways)' },
      h('table', { class: 'lab-table' }, h('caption', { text: 'Each momentum: evaluation mode against batch statistics' }),
        h('thead', {}, h('tr', {}, ['momentum', 'evaluation mode', 'batch statistics, 32 mixed', 'starting values left', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
        momBody)),
    seedBox.element,
    conclusion);
  const sizeChart = new LineChart(sizes.canvas, {
    x: { label: 'test images per batch', min: 0, max: log2(Math.max(...TEST_BATCH_SIZES)), ticks: TEST_BATCH_SIZES.map(log2), tickLabel: (t) => String(2 ** t) },
    y: { label: 'test accuracy', min: 0, max: 1, percent: true },
  });
  const momChart = new LineChart(momenta.canvas, {
    x: { label: 'momentum of the running statistics', min: -0.5, max: EVAL_MOMENTA.length - 0.5, ticks: EVAL_MOMENTA.map((_, i) => i), tickLabel: (t) => String(EVAL_MOMENTA[t]) },
    y: { label: 'test accuracy', min: 0, max: 1, percent: true },
  });

  function render() {
    const set = head.update();
    const recorded = set.runs.find((r) => r.source === 'recorded');
    const byMomentum = arms(set.runs, (r) => String(Math.fround(r.config.bn_momentum)));
    source.replaceChildren();
    if (recorded) {
      source.append('Recorded with: ', h('code', { text: recorded.command.replace(/--bn-momentum \S+ /, '') }), ' plus ', h('code', { text: '--bn-momentum M' }),
        ` for M = ${[...byMomentum.values()].map((rs) => rs[0].config.bn_momentum).filter((m) => Math.fround(m) !== Math.fround(0.1)).join(', ')} (the test-batch accuracies by `, h('code', { text: 'normscope lab evalmode' }), ').');
    }
    const done = set.runs.filter((r) => r.status === 'done' && batchStatsOf(r));
    const at = (r) => EVAL_MOMENTA.findIndex((v) => Math.fround(v) === Math.fround(r.config.bn_momentum));
    // The chosen momentum's networks (every seed); another momentum when it has none.
    const same = (r) => Math.fround(r.config.bn_momentum) === Math.fround(lab.state.momentum);
    const chosenRuns = done.some(same) ? done.filter(same) : done.filter((r) => at(r) === at(done[0] ?? { config: { bn_momentum: NaN } }));
    const chosen = chosenRuns[0];
    const stats = chosenRuns.map(batchStatsOf);
    const m = chosen?.config.bn_momentum;
    const n = chosenRuns.length;
    sizeCaption.textContent = n ? `Test accuracy, batch norm with momentum ${Number(m.toPrecision(3))}: mean ± sd (lowest–highest seed), n = ${n}` : 'Test accuracy (no finished run yet)';
    const xs = TEST_BATCH_SIZES.map(log2);
    sizeChart.draw(n ? [
      ...seedSeries({ ...LINES.mixed }, stats.map((s) => TEST_BATCH_SIZES.map((b, i) => [xs[i], s.mixed[b]])), { dots: true }),
      ...seedSeries({ ...LINES.one }, stats.map((s) => TEST_BATCH_SIZES.map((b, i) => [xs[i], s.one[b]])), { dots: true }),
      ...seedSeries({ ...LINES.eval }, stats.map((s) => [[xs[0], s.eval], [xs[xs.length - 1], s.eval]])),
    ] : []);
    const over = (f) => spreadText(spreadOf(stats.map(f)));
    sizeBody.replaceChildren(...(n ? [
      h('tr', {}, h('th', { scope: 'row', text: 'batch statistics, mixed' }), TEST_BATCH_SIZES.map((b) => h('td', { text: over((s) => s.mixed[b]) }))),
      h('tr', {}, h('th', { scope: 'row', text: 'batch statistics, one class' }), TEST_BATCH_SIZES.map((b) => h('td', { text: over((s) => s.one[b]) }))),
      h('tr', {}, h('th', { scope: 'row', text: 'evaluation mode' }), h('td', { colspan: TEST_BATCH_SIZES.length, text: `${over((s) => s.eval)} at any batch size (each image on its own)` })),
    ] : []));
    const groups = (f) => EVAL_MOMENTA.map((mm, i) => [i, done.filter((r) => at(r) === i).map((r) => f(batchStatsOf(r)))]);
    momChart.draw([
      ...dotSeries(LINES.eval, groups((b) => b.eval)),
      ...dotSeries(LINES.mixed, groups((b) => b.mixed[32])),
    ]);
    momBody.replaceChildren(...[...byMomentum.values()].map((rs) => {
      const mm = rs[0].config.bn_momentum;
      const measured = rs.filter((r) => r.status === 'done' && batchStatsOf(r));
      const waiting = rs.find((r) => !(r.status === 'done' && batchStatsOf(r)));
      return h('tr', {},
        h('th', { scope: 'row', text: String(Number(mm.toPrecision(3))) }),
        measured.length
          ? [h('td', { text: spreadText(spreadOf(measured.map((r) => batchStatsOf(r).eval))) }), h('td', { text: spreadText(spreadOf(measured.map((r) => batchStatsOf(r).mixed[32]))) }),
            h('td', { text: pct((1 - Math.fround(mm)) ** measured[0].loss.length) })]
          : [h('td', { colspan: 3, text: waiting.status === 'running' ? `${waiting.loss.length}/${waiting.steps}` : statusWord(waiting) })],
        h('td', { class: 'lab-match', text: matchSummary(rs) }));
    }));
    seedBox.update([...byMomentum.values()].map((rs) => ({ label: `momentum ${Number(rs[0].config.bn_momentum.toPrecision(3))}`, runs: rs })),
      (r) => (r.status === 'done' && batchStatsOf(r) ? pct(batchStatsOf(r).eval) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r)));
    conclusion.textContent = set.running ? '' : evalmodeConclusion(chosen, set.runs);
  }

  function show() {
    // Every recorded momentum; "Run it here" trains the ticked ones.
    store.showRecorded(keyFor(KEY, lab.state), fileFor(FILE, lab.state), EVAL_MOMENTA.map((m) => evalmodeConfig(m, lab.state.steps, taskOf(lab.state))));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['momenta', 'momentum', 'steps', 'task'], keys: () => [keyFor(KEY, lab.state)] };
}
