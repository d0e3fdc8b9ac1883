// Experiment 7: both together. (a) Batch-instance norm learns, per
// channel, how much batch norm (ρ = 1) and instance norm (ρ = 0) to mix;
// the engine's probe `rho` reads ρ every 25 steps of training on both tasks,
// drawn as a histogram per block at a chosen step and the mean over
// training. (b) IBN-Net's trade: the race's networks, accuracy at the
// training lighting against the worst accuracy over a lighting sweep.
import { BUNDLED_TASKS, LIGHTING, TASKS, kindStyle, raceConfig } from './config.js';
import { h, legend, figure, select } from './dom.js';
import { LineChart } from './chart.js';
import { Bars } from './grids.js';
import { rhoConclusion, rhoFigures, tradeConclusion, tradeFigures } from './conclusions.js';
import { raceKey, raceWanted } from './race.js';
import { panelHeader, slider as rangeInput, arms, spreadOf, spreadText, seedSeries, perSeedBox, matchSummary, statusWord, pct } from './panel.js';
import { RACE_FILE } from './store.js';
import { checkpointAt } from './neighbours.js';

const KEY = 'both';
const FILE = 'both.json';
// ρ is read on the bundled tasks; the trade-off below follows the lab's task.
const TASK_NAMES = BUNDLED_TASKS;
const every = (steps) => Math.min(25, steps);
export const bothWanted = (state) => TASK_NAMES.map((task) => raceConfig(task, 'batch-instance', state.steps));
export const BOTH_PROBES = (steps) => ({ every: every(steps), during: ['rho'] });

/** Blocks told apart by colour (Okabe–Ito) and, in the line chart, the tasks by dash. */
const BLOCK_COLORS = ['#0072b2', '#e69f00', '#009e73'];
const TASK_DASH = { what: [], 'day-night': [7, 4] };
const EDGES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const AXIS_NAMES = { contrast: 'Contrast', brightness: 'Brightness', gamma: 'Gamma' };

/** Counts of `values` in the bins of EDGES (1 falls in the last bin). */
function histogram(values) {
  const counts = new Array(EDGES.length - 1).fill(0);
  for (const v of values) counts[Math.min(EDGES.length - 2, Math.max(0, Math.floor(v * 10)))]++;
  return counts;
}

export function bothPanel(store, lab) {
  const head = panelHeader(store, lab, {
    id: 'both', key: () => KEY, wanted: () => bothWanted(lab.state),
    options: () => ({ probes: BOTH_PROBES(lab.state.steps), lighting: {} }), what: 'the 2 networks',
  });
  const source = h('p', { class: 'lab-source' });
  const stepSlider = rangeInput({ id: 'both-step', label: 'Training step', min: 0, max: 200, step: 25, value: lab.state.checkpoint, setting: 'checkpoint', oninput: (v) => lab.update({ checkpoint: v }) });
  const rhoSeeds = perSeedBox('Mean ρ over every channel at this step');
  const histFigs = TASK_NAMES.map((task) => figure(`both-hist-${task}`, `ρ per channel on ${TASKS[task].short}`, ''));
  const hists = histFigs.map((f) => new Bars(f.canvas));
  const meanFig = figure('both-mean', 'Mean ρ per block over training (solid: what is it; dashed: day or night)', 'Mean rho of each block against training step, for both tasks; the table gives the numbers');
  const meanChart = new LineChart(meanFig.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'mean ρ (1 = batch norm)', min: 0, max: 1 } });
  const rhoBody = h('tbody');
  const rhoCaption = h('caption');
  const rhoText = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });

  // (b) the race's networks.
  const raceHead = panelHeader(store, lab, {
    id: 'both-race', key: () => raceKey(lab.state.task), wanted: () => raceWanted(lab.state), what: 'the race', runLabel: 'Run the race here', stopLabel: 'Stop the race',
  });
  const tradeSeeds = perSeedBox('At the training lighting and at worst');
  const tradeFig = figure('both-trade', 'Each kind: accuracy at the training lighting (across) against its worst accuracy over the sweep (up); a faint dot per seed, a bold dot at their mean', 'Scatter plot, one point per kind of normalization: accuracy at the training lighting against the worst accuracy over the lighting sweep; the table gives the numbers');
  const tradeChart = new LineChart(tradeFig.canvas, { x: { label: 'accuracy at the training lighting', min: 0, max: 1, tickLabel: (t) => `${Math.round(t * 100)}%` }, y: { label: 'worst accuracy over the sweep', min: 0, max: 1, percent: true } });
  const tradeBody = h('tbody');
  const tradeCaption = h('caption');
  const tradeText = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const tradeLegend = h('div');

  const element = h('section', { class: 'lab-panel', 'data-experiment': 'both', 'aria-labelledby': 'both-title' },
    h('h3', { id: 'both-title', text: 'Given both, does a network choose batch norm or instance norm?' }),
    h('p', { class: 'lab-intro', text: 'Batch-instance norm (Nam & Kim 2018) mixes the two per channel: ρ·(batch-normalized) + (1 − ρ)·(instance-normalized), with ρ learned and kept in [0, 1]; ρ = 1 is batch norm, ρ = 0 instance norm. Every ρ starts at 0.5. Here it is read every 25 steps while the race\'s batch-instance network trains, on both tasks.' }),
    h('div', { class: 'lab-controls' },
      stepSlider.element,
      ...head.controls),
    head.status, source,
    h('ul', { class: 'lab-legend', 'aria-label': 'Block colours' }, BLOCK_COLORS.map((c, b) => h('li', {}, swatch(c), ` block ${b + 1}`))),
    h('div', { class: 'lab-charts' }, histFigs.map((f) => f.element)),
    h('div', { class: 'lab-charts one' }, meanFig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, rhoCaption,
      h('thead', {}, h('tr', {}, ['task', 'block', 'channels', 'mean ρ at step 0', 'mean ρ now', 'above 0.5', 'lowest', 'highest', 'test accuracy', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      rhoBody)),
    rhoSeeds.element,
    rhoText,
    h('h4', { text: 'IBN-Net\'s trade: accuracy against robustness to lighting' }),
    h('p', { class: 'lab-intro', text: 'IBN-Net (Pan et al. 2018, IBN-a) puts instance norm on half the channels in every residual block of its first three stages and batch norm everywhere else, and reports better accuracy and better robustness to appearance changes together. The lab\'s IBN is adapted from IBN-a for a three-block network: instance norm on half the channels of the first block only. The race\'s networks, tested under the lighting sweep of the experiment above (batch norm in evaluation mode).' }),
    h('div', { class: 'lab-controls' },
      select('both-task', 'Task', Object.entries(TASKS).map(([v, t]) => [v, t.label]), lab.state.task, (task) => lab.update({ task }), 'task'),
      select('both-axis', 'Change', Object.entries(AXIS_NAMES), lab.state.axis, (axis) => lab.update({ axis, at: LIGHTING[axis].values.indexOf(LIGHTING[axis].trained) }), 'axis'),
      ...raceHead.controls),
    raceHead.status,
    tradeLegend,
    h('div', { class: 'lab-charts one' }, tradeFig.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' }, tradeCaption,
      h('thead', {}, h('tr', {}, ['kind', 'at the training lighting', 'worst over the sweep', 'worst at', 'drop (points)'].map((t) => h('th', { scope: 'col', text: t })))),
      tradeBody)),
    tradeSeeds.element,
    tradeText);

  function renderRho() {
    const set = head.update();
    const all = set.runs;
    // Histograms and the table: one network per task (its lowest seed); the
    // mean over training and the per-seed table: every seed.
    const runs = [...arms(all, (r) => r.config.task).values()].map((rs) => [...rs].sort((a, b) => a.seed - b.seed)[0]);
    const steps = Math.max(lab.state.steps, ...all.map((r) => r.steps));
    const want = Math.min(lab.state.checkpoint, steps);
    const at = runs.map((r) => ({ run: r, point: checkpointAt(r, want), start: r.probes?.during?.[0] ?? null }));
    const step = at.find((x) => x.point)?.point.step ?? want;
    stepSlider.set(want, `step ${step}`, { max: steps, step: every(steps) });
    stepSlider.input.setAttribute('aria-valuetext', `step ${step} of ${steps}`);
    const recorded = runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) {
      source.append('Recorded with: ', h('code', { text: recorded.command.replace(/--task \S+/, '--task TASK') }),
        ` for TASK = ${runs.map((r) => r.config.task).join(', ')}; ρ by `, h('code', { text: 'normscope lab both' }), '.');
    }
    TASK_NAMES.forEach((task, k) => {
      const x = at.find((a) => a.run.config.task === task);
      const rho = x?.point?.rho ?? [];
      histFigs[k].element.querySelector('figcaption').textContent = `ρ per channel on ${TASKS[task].short}${x ? ` (seed ${x.run.seed})` : ''}`;
      hists[k].draw(rho.map((values, b) => ({ color: BLOCK_COLORS[b], values: histogram(values) })), { edges: EDGES, xLabel: 'ρ (0 = instance norm, 1 = batch norm)', yLabel: 'channels' });
      const summary = rho.map((values, b) => `block ${b + 1}: ${histogram(values).join(', ')}`).join('; ');
      histFigs[k].canvas.setAttribute('aria-label', rho.length
        ? `Histogram of rho at step ${x.point.step} on ${TASKS[task].short}, channels per bin of width 0.1 from 0 to 1 — ${summary}`
        : `No rho measured on ${TASKS[task].short} yet`);
    });
    meanChart.setAxes({ x: { max: steps } });
    meanChart.draw([...arms(all, (r) => r.config.task)].flatMap(([task, rs]) => [0, 1, 2].flatMap((b) => seedSeries(
      { color: BLOCK_COLORS[b], dash: TASK_DASH[task] ?? [] },
      rs.map((r) => (r.probes?.during ?? []).filter((d) => d.rho[b]).map((d) => [d.step, rhoFigures(d.rho[b]).mean])), { dots: true }))),
    [{ x: step, text: `step ${step}` }]);
    rhoCaption.textContent = `Batch-instance norm's ρ at step ${step}${runs.length ? ` (seed ${runs[0].seed})` : ''}`;
    rhoSeeds.update([...arms(all, (r) => r.config.task)].map(([task, rs]) => ({ label: TASKS[task].short, runs: rs })), (r) => {
      const p = checkpointAt(r, want);
      return p?.rho?.length ? rhoFigures(p.rho.flat()).mean.toFixed(3) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r);
    });
    rhoBody.replaceChildren(...at.flatMap(({ run: r, point, start }) => (point?.rho ?? [null]).map((values, b) => {
      const f = values ? rhoFigures(values) : null;
      const f0 = start?.rho?.[b] ? rhoFigures(start.rho[b]) : null;
      return h('tr', {},
        h('th', { scope: 'row', text: TASKS[r.config.task].short }),
        h('td', { text: values ? `block ${b + 1}` : '—' }),
        h('td', { text: f ? String(f.count) : '—' }),
        h('td', { text: f0 ? f0.mean.toFixed(3) : '—' }),
        h('td', { text: f ? f.mean.toFixed(3) : statusWord(r) }),
        h('td', { text: f ? `${f.above} of ${f.count}` : '—' }),
        h('td', { text: f ? f.min.toFixed(3) : '—' }),
        h('td', { text: f ? f.max.toFixed(3) : '—' }),
        h('td', { text: r.status === 'done' ? pct(r.accuracy) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r) }),
        h('td', { class: 'lab-match', text: matchSummary(all.filter((x) => x.config.task === r.config.task)) }));
    })));
    rhoText.textContent = set.running ? '' : rhoConclusion(at.filter((x) => x.point).map(({ run: r, point }) => ({ task: r.config.task, step: point.step, rho: point.rho })));
  }

  function renderTrade() {
    const { task, axis } = lab.state;
    const set = raceHead.update();
    const spec = LIGHTING[axis];
    const rows = set.runs.filter((r) => r.status === 'done' && r.lighting?.[axis]?.length).map((r) => ({ run: r, ...tradeFigures(r, axis) }));
    const byKind = arms(rows, (x) => x.run.kind);
    tradeLegend.replaceChildren(legend([...byKind.keys()], kindStyle));
    tradeChart.draw([...byKind].flatMap(([kind, xs]) => {
      const mean = [spreadOf(xs.map((x) => x.trained)).mean, spreadOf(xs.map((x) => x.worst)).mean];
      return [
        ...(xs.length > 1 ? [{ ...kindStyle(kind), line: false, dots: true, alpha: 0.35, points: xs.map((x) => [x.trained, x.worst]) }] : []),
        { ...kindStyle(kind), line: false, dots: true, points: [mean], pointLabel: kindStyle(kind).label },
      ];
    }));
    tradeCaption.textContent = `${TASKS[task].short}: ${spec.label} from ${spec.values[0]} to ${spec.values[spec.values.length - 1]} (trained at ${spec.trained})`;
    tradeBody.replaceChildren(...[...byKind].map(([kind, xs]) => {
      const drop = spreadOf(xs.map((x) => x.trained - x.worst));
      const worstAt = [...new Set(xs.map((x) => x.worstAt))];
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(kind).label }),
        h('td', { text: spreadText(spreadOf(xs.map((x) => x.trained))) }),
        h('td', { text: spreadText(spreadOf(xs.map((x) => x.worst))) }),
        h('td', { text: `${spec.label} = ${worstAt.join(' or ')}` }),
        h('td', { text: String(Math.round(drop.mean * 100)) }));
    }));
    tradeSeeds.update([...byKind].map(([kind, xs]) => ({ label: kindStyle(kind).label, runs: xs.map((x) => ({ seed: x.run.seed, x })) })),
      ({ x }) => `${pct(x.trained)} / ${pct(x.worst)}`);
    tradeText.textContent = set.running ? '' : tradeConclusion(task, axis, rows);
  }

  function render() {
    renderRho();
    renderTrade();
  }

  function show() {
    store.showRecorded(KEY, FILE, bothWanted(lab.state));
    store.showRecorded(raceKey(lab.state.task), RACE_FILE(lab.state.task), raceWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['axis', 'checkpoint', 'steps', 'task'], keys: () => [KEY, raceKey(lab.state.task)] };
}

function swatch(color) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  const rect = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ x: 0, y: 1, width: 14, height: 10, fill: color })) rect.setAttribute(k, String(v));
  svg.append(rect);
  return svg;
}
