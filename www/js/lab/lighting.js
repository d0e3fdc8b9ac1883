// Experiment 2: the networks just trained (the race's), tested on the same
// held-out patches with their lighting changed — contrast, brightness or
// gamma — one curve per kind. Batch norm is in evaluation mode (running
// statistics), as a deployed classifier would be.
import { LIGHTING, kindStyle, TASKS } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { lightingConclusion, pct } from './conclusions.js';
import { raceKey, raceWanted, progressText } from './race.js';
import { RACE_FILE } from './store.js';

const AXIS_NAMES = { contrast: 'Contrast', brightness: 'Brightness', gamma: 'Gamma' };

export function lightingPanel(store, lab) {
  const fig = figure('lighting-chart', 'Test accuracy against the test photos\' lighting (training lighting marked)', 'Test accuracy against the lighting of the test images, one line per kind of normalization; the table below gives the numbers at the chosen lighting');
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const slider = h('input', { id: 'lighting-at', type: 'range', min: 0, max: 6, step: 1, value: lab.state.at, 'data-setting': 'at' });
  const out = h('output', { id: 'lighting-at-value', for: 'lighting-at' });
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'lab-run', onclick: () => store.runHere(raceKey(lab.state.task), raceWanted(lab.state)) }, 'Run it here');
  const stop = h('button', { type: 'button', class: 'lab-stop', disabled: true, onclick: () => store.stop(raceKey(lab.state.task)) }, 'Stop');
  const caption = h('caption');
  slider.addEventListener('input', () => lab.update({ at: Number(slider.value) }));
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'lighting', 'aria-labelledby': 'lighting-title' },
    h('h3', { id: 'lighting-title', text: 'Which networks still work when the test photos are lit differently?' }),
    h('p', { class: 'lab-intro', text: 'The networks from the race, tested on their held-out patches after a change of lighting (x ← x^γ, then a·(x − 0.5) + 0.5 + b, not clipped). Batch norm runs in evaluation mode: it uses the running statistics it kept during training.' }),
    h('div', { class: 'lab-controls' },
      select('lighting-task', 'Task', Object.entries(TASKS).map(([v, t]) => [v, t.label]), lab.state.task, (task) => lab.update({ task }), 'task'),
      select('lighting-axis', 'Change', Object.entries(AXIS_NAMES), lab.state.axis, (axis) => lab.update({ axis, at: LIGHTING[axis].values.indexOf(LIGHTING[axis].trained) }), 'axis'),
      h('div', { class: 'lab-control' }, h('label', { for: 'lighting-at', text: 'Test lighting' }), slider, out),
      run, stop),
    status,
    legend(lab.state.kinds, kindStyle),
    h('div', { class: 'lab-charts one' }, fig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, caption,
      h('thead', {}, h('tr', {}, ['kind', 'trained lighting', 'this lighting', 'change (points)'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    conclusion);
  const chart = new LineChart(fig.canvas, { x: { label: LIGHTING.contrast.label, min: 0.25, max: 2 }, y: { label: 'test accuracy', min: 0, max: 1, percent: true } });

  function render() {
    const set = store.runs(raceKey(lab.state.task));
    const { axis, at } = lab.state;
    const spec = LIGHTING[axis];
    const value = spec.values[at];
    slider.value = at;
    out.textContent = `${spec.label} = ${value}`;
    slider.setAttribute('aria-valuetext', `${spec.label} = ${value}`);
    status.textContent = progressText(set, 'the networks');
    run.disabled = set.running;
    stop.disabled = !set.running;
    const runs = set.runs.filter((r) => r.status === 'done' && r.lighting?.[axis]?.length);
    chart.setAxes({ x: { label: spec.label, min: spec.values[0], max: spec.values[spec.values.length - 1], ticks: spec.values } });
    chart.draw(
      runs.map((r) => ({ ...kindStyle(r.kind), dots: true, points: r.lighting[axis].map((p) => [p.value, p.accuracy]) })),
      [{ x: spec.trained, text: 'trained' }, ...(value !== spec.trained ? [{ x: value, text: 'chosen' }] : [])],
    );
    caption.textContent = `Test accuracy at ${spec.label} = ${value}`;
    tbody.replaceChildren(...runs.map((r) => {
      const pts = r.lighting[axis];
      const base = pts.find((p) => p.value === spec.trained)?.accuracy ?? r.accuracy;
      const here = pts[at]?.accuracy ?? NaN;
      const change = Math.round((here - base) * 100);
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(r.kind).label }),
        h('td', { text: pct(base) }),
        h('td', { text: pct(here) }),
        h('td', { text: `${change > 0 ? '+' : change < 0 ? '−' : '±'}${Math.abs(change)}` }));
    }));
    conclusion.textContent = set.running ? '' : lightingConclusion(axis, set.runs);
  }

  function show() {
    store.showRecorded(raceKey(lab.state.task), RACE_FILE(lab.state.task), raceWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['at', 'axis', 'kinds', 'task'], keys: () => [raceKey(lab.state.task)] };
}
