// Experiment 2: the networks just trained (the race's), tested on the same
// held-out patches with their lighting changed — contrast, brightness or
// gamma — one curve per kind. Batch norm is in evaluation mode (running
// statistics), as a deployed classifier would be.
import { LIGHTING, kindStyle, TASKS } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { lightingConclusion } from './conclusions.js';
import { raceKey, raceWanted } from './race.js';
import { RACE_FILE } from './store.js';
import { panelHeader, slider, arms, spreadOf, spreadText, seedSeries, perSeedBox, pct } from './panel.js';

const AXIS_NAMES = { contrast: 'Contrast', brightness: 'Brightness', gamma: 'Gamma' };

export function lightingPanel(store, lab) {
  const fig = figure('lighting-chart', 'Test accuracy against the test photos\' lighting (training lighting marked)', 'Test accuracy against the lighting of the test images, one line per kind of normalization; the table below gives the numbers at the chosen lighting');
  const head = panelHeader(store, lab, { id: 'lighting', key: () => raceKey(lab.state.task), wanted: () => raceWanted(lab.state), what: 'the networks' });
  const at = slider({ id: 'lighting-at', label: 'Test lighting', min: 0, max: 6, step: 1, value: lab.state.at, setting: 'at', oninput: (v) => lab.update({ at: v }) });
  const tbody = h('tbody');
  const seedBox = perSeedBox('Accuracy at the chosen lighting');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const caption = h('caption');
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'lighting', 'aria-labelledby': 'lighting-title' },
    h('h3', { id: 'lighting-title', text: 'Which networks still work when the test photos are lit differently?' }),
    h('p', { class: 'lab-intro', text: 'The networks from the race, tested on their held-out patches after a change of lighting (x ← x^γ, then a·(x − 0.5) + 0.5 + b, not clipped). Batch norm runs in evaluation mode: it uses the running statistics it kept during training.' }),
    h('div', { class: 'lab-controls' },
      select('lighting-task', 'Task', Object.entries(TASKS).map(([v, t]) => [v, t.label]), lab.state.task, (task) => lab.update({ task }), 'task'),
      select('lighting-axis', 'Change', Object.entries(AXIS_NAMES), lab.state.axis, (axis) => lab.update({ axis, at: LIGHTING[axis].values.indexOf(LIGHTING[axis].trained) }), 'axis'),
      at.element,
      ...head.controls),
    head.status,
    legend(lab.state.kinds, kindStyle),
    h('div', { class: 'lab-charts one' }, fig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, caption,
      h('thead', {}, h('tr', {}, ['kind', 'trained lighting', 'this lighting', 'change (points, mean)'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    seedBox.element,
    conclusion);
  const chart = new LineChart(fig.canvas, { x: { label: LIGHTING.contrast.label, min: 0.25, max: 2 }, y: { label: 'test accuracy', min: 0, max: 1, percent: true } });

  function render() {
    const set = head.update();
    const { axis, at: index } = lab.state;
    const spec = LIGHTING[axis];
    const value = spec.values[index];
    at.set(index, `${spec.label} = ${value}`);
    const runs = set.runs.filter((r) => r.status === 'done' && r.lighting?.[axis]?.length);
    const byKind = arms(runs);
    chart.setAxes({ x: { label: spec.label, min: spec.values[0], max: spec.values[spec.values.length - 1], ticks: spec.values } });
    chart.draw(
      [...byKind].flatMap(([kind, rs]) => seedSeries(kindStyle(kind), rs.map((r) => r.lighting[axis].map((p) => [p.value, p.accuracy])), { dots: true })),
      [{ x: spec.trained, text: 'trained' }, ...(value !== spec.trained ? [{ x: value, text: 'chosen' }] : [])],
    );
    caption.textContent = `Test accuracy at ${spec.label} = ${value}`;
    const base = (r) => r.lighting[axis].find((p) => p.value === spec.trained)?.accuracy ?? r.accuracy;
    const here = (r) => r.lighting[axis][index]?.accuracy ?? NaN;
    tbody.replaceChildren(...[...byKind].map(([kind, rs]) => {
      const change = Math.round((spreadOf(rs.map(here)).mean - spreadOf(rs.map(base)).mean) * 100);
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(kind).label }),
        h('td', { text: spreadText(spreadOf(rs.map(base))) }),
        h('td', { text: spreadText(spreadOf(rs.map(here))) }),
        h('td', { text: `${change > 0 ? '+' : change < 0 ? '−' : '±'}${Math.abs(change)}` }));
    }));
    seedBox.update([...byKind].map(([kind, rs]) => ({ label: kindStyle(kind).label, runs: rs })), (r) => `${pct(here(r))} (trained: ${pct(base(r))})`);
    conclusion.textContent = set.running ? '' : lightingConclusion(axis, set.runs);
  }

  function show() {
    store.showRecorded(raceKey(lab.state.task), RACE_FILE(lab.state.task), raceWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['at', 'axis', 'kinds', 'task'], keys: () => [raceKey(lab.state.task)] };
}
