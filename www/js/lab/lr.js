// Experiment 8: learning-rate tolerance. No normalization against batch
// norm at one high peak learning rate; a run whose loss stops being a
// number is drawn up to that step and marked, never continued as garbage.
import { LR_CHOICES, LR_KINDS, kindStyle, lrConfig } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { lrConclusion } from './conclusions.js';
import { seedValue } from './race.js';
import { LR_FILE } from './store.js';
import { panelHeader, arms, spreadOf, spreadText, seedSeries, perSeedBox, matchSummary, statusWord } from './panel.js';
import { fileFor, keyFor, taskOf, taskName } from './photos.js';

const KEY = 'lr';
const wanted = (state) => LR_KINDS.map((kind) => lrConfig(kind, state.lr, taskOf(state)));

export function lrPanel(store, lab) {
  const fig = figure('lr-loss', 'Training loss per step at this learning rate (each seed faint, their mean bold; a cross marks a diverged run)', 'Training loss against step for no normalization and batch norm; a diverged run ends in a cross; the table below gives the outcome');
  const head = panelHeader(store, lab, { id: 'lr', key: () => keyFor(KEY, lab.state), wanted: () => wanted(lab.state), what: 'both networks' });
  const tbody = h('tbody');
  const seedBox = perSeedBox('Outcome');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'lr', 'aria-labelledby': 'lr-title' },
    h('h3', { id: 'lr-title', text: 'Which network survives a high learning rate?' }),
    h('p', { class: 'lab-intro' }, 'The race\'s network on ', taskName(lab.state), ', with no normalization and with batch norm, trained at a peak learning rate far above the race\'s (cosine schedule, 200 steps).'),
    h('div', { class: 'lab-controls' },
      select('lr-rate', 'Peak learning rate', LR_CHOICES.map((v) => [v, String(v)]), lab.state.lr, (v) => lab.update({ lr: Number(v) })),
      ...head.controls),
    head.status,
    legend(LR_KINDS, kindStyle),
    h('div', { class: 'lab-charts one' }, fig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, h('caption', { text: 'Outcome' }),
      h('thead', {}, h('tr', {}, ['kind', 'outcome', 'test accuracy of the finished seeds', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    seedBox.element,
    conclusion);
  const chart = new LineChart(fig.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'loss', min: 0, max: 4 } });

  function render() {
    const set = head.update();
    const steps = Math.max(200, ...set.runs.map((r) => r.steps));
    const byKind = arms(set.runs);
    chart.setAxes({ x: { max: steps } });
    chart.draw([...byKind].flatMap(([kind, rs]) => [
      // The mean only over seeds that ran every step: a diverged seed is drawn alone, up to its cross.
      ...seedSeries(kindStyle(kind), rs.filter((r) => r.status !== 'diverged').map((r) => r.loss.map((l, i) => [i + 1, l]))),
      ...rs.filter((r) => r.status === 'diverged').map((r) => ({
        ...kindStyle(kind), width: 1.5, points: r.loss.map((l, i) => [i + 1, l]),
        end: { text: `seed ${r.seed}: diverged at step ${r.diverged?.step}` },
      })),
    ]));
    tbody.replaceChildren(...[...byKind].map(([kind, rs]) => {
      const done = rs.filter((r) => r.status === 'done');
      const diverged = rs.filter((r) => r.status === 'diverged');
      const pending = rs.filter((r) => ['waiting', 'running'].includes(r.status)).length;
      const other = rs.filter((r) => ['stopped', 'error'].includes(r.status));
      const outcome = [
        done.length ? `finished in ${done.length} of ${rs.length} seeds` : '',
        diverged.length ? `diverged in ${diverged.length} of ${rs.length} (at step ${diverged.map((r) => r.diverged?.step).join(', ')})` : '',
        pending ? `${pending} still training or waiting` : '',
        other.length ? `${[...new Set(other.map(statusWord))].join(', ')} in ${other.length} of ${rs.length}` : '',
      ].filter(Boolean).join('; ');
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(kind).label }),
        h('td', { text: outcome }),
        h('td', { text: done.length ? spreadText(spreadOf(done.map((r) => r.accuracy))) : '—' }),
        h('td', { class: 'lab-match', text: matchSummary(rs) }));
    }));
    seedBox.update([...byKind].map(([kind, rs]) => ({ label: kindStyle(kind).label, runs: rs })), seedValue);
    conclusion.textContent = set.running ? '' : lrConclusion(lab.state.lr, set.runs);
  }

  function show() {
    store.showRecorded(keyFor(KEY, lab.state), fileFor(LR_FILE, lab.state), wanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['lr', 'task'], keys: () => [keyFor(KEY, lab.state)] };
}
