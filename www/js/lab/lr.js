// Experiment 8: learning-rate tolerance. No normalization against batch
// norm at one high peak learning rate; a run whose loss stops being a
// number is drawn up to that step and marked, never continued as garbage.
import { LR_CHOICES, LR_KINDS, kindStyle, lrConfig } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { lrConclusion, pct } from './conclusions.js';
import { progressText, statusWord, matchText } from './race.js';
import { LR_FILE } from './store.js';

const KEY = 'lr';
const wanted = (state) => LR_KINDS.map((kind) => lrConfig(kind, state.lr));

export function lrPanel(store, lab) {
  const fig = figure('lr-loss', 'Training loss per step at this learning rate (a cross marks a diverged run)', 'Training loss against step for no normalization and batch norm; a diverged run ends in a cross; the table below gives the outcome');
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'lab-run', onclick: () => store.runHere(KEY, wanted(lab.state)) }, 'Run it here');
  const stop = h('button', { type: 'button', class: 'lab-stop', disabled: true, onclick: () => store.stop(KEY) }, 'Stop');
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'lr', 'aria-labelledby': 'lr-title' },
    h('h3', { id: 'lr-title', text: 'Which network survives a high learning rate?' }),
    h('p', { class: 'lab-intro', text: 'The race\'s network on "what is it?", with no normalization and with batch norm, trained at a peak learning rate far above the race\'s (cosine schedule, 200 steps).' }),
    h('div', { class: 'lab-controls' },
      select('lr-rate', 'Peak learning rate', LR_CHOICES.map((v) => [v, String(v)]), lab.state.lr, (v) => lab.update({ lr: Number(v) })),
      run, stop),
    status,
    legend(LR_KINDS, kindStyle),
    h('div', { class: 'lab-charts one' }, fig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, h('caption', { text: 'Outcome' }),
      h('thead', {}, h('tr', {}, ['kind', 'outcome', 'test accuracy', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    conclusion);
  const chart = new LineChart(fig.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'loss', min: 0, max: 4 } });

  function render() {
    const set = store.runs(KEY);
    status.textContent = progressText(set, 'both networks');
    run.disabled = set.running;
    stop.disabled = !set.running;
    const steps = Math.max(200, ...set.runs.map((r) => r.steps));
    chart.setAxes({ x: { max: steps } });
    chart.draw(set.runs.map((r) => ({
      ...kindStyle(r.kind), width: 2,
      points: r.loss.map((l, i) => [i + 1, l]),
      end: r.status === 'diverged' ? { text: `diverged at step ${r.diverged?.step}` } : null,
    })));
    tbody.replaceChildren(...set.runs.map((r) => h('tr', {},
      h('th', { scope: 'row', text: kindStyle(r.kind).label }),
      h('td', { text: r.status === 'done' ? `finished ${r.loss.length} steps` : statusWord(r) }),
      h('td', { text: r.status === 'done' ? pct(r.accuracy) : '—' }),
      h('td', { class: 'lab-match', text: matchText(r) }))));
    conclusion.textContent = set.running ? '' : lrConclusion(lab.state.lr, set.runs);
  }

  function show() {
    store.showRecorded(KEY, LR_FILE, wanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['lr'], keys: () => [KEY] };
}
