// Experiment 1, the race: every kind on the same data, seed, initialisation
// and schedule; loss and test accuracy drawn as they come in; a table; a
// conclusion from this run's numbers.
import { KINDS, KIND_NAMES, TASKS, STEP_CHOICES, kindStyle, raceConfig, workerCount } from './config.js';
import { h, legend, figure, select, seconds } from './dom.js';
import { LineChart } from './chart.js';
import { raceConclusion, pct } from './conclusions.js';
import { RACE_FILE } from './store.js';
import { trainsInPage } from './pool.js';

export const raceKey = (task) => `race-${task}`;

/** The runs the race wants for the current settings. */
export const raceWanted = (state) => state.kinds.map((kind) => raceConfig(state.task, kind, state.steps));

/** A status line for a set of runs (shared with the other panels). */
export function progressText(set, what) {
  const runs = set.runs;
  if (set.error) return set.error;
  if (!set.running) {
    if (runs.length === 0) return `No recorded runs for these settings: press Run it here to train ${what} in this browser.`;
    if (runs[0].source === 'recorded') return `Showing runs recorded with normscope train (the same seeds as here). Run it here repeats them in this browser.`;
    const stopped = runs.filter((r) => r.status === 'stopped').length;
    return stopped ? `Stopped: ${runs.length - stopped} of ${runs.length} networks finished.` : `Trained in this browser: ${runs.length} networks.`;
  }
  const ended = runs.filter((r) => !['waiting', 'running'].includes(r.status)).length;
  const now = runs.filter((r) => r.status === 'running').map((r) => `${kindStyle(r.kind).label} ${r.loss.length}/${r.steps}`);
  const workers = workerCount();
  const where = trainsInPage()
    ? "on this page's thread: the training worker could not start here"
    : `${workers} worker${workers === 1 ? '' : 's'}`;
  return `Training in this browser (${where}): ${ended} of ${runs.length} done${now.length ? `; now ${now.join(', ')} steps` : ''}.`;
}

export function racePanel(store, lab) {
  const loss = figure('race-loss', 'Training loss per step (softmax cross-entropy, mean of the last 5 steps)', 'Training loss against step, one line per kind of normalization; the table below gives the final numbers');
  const acc = figure('race-acc', 'Test accuracy (held-out patches, evaluation mode)', 'Test accuracy against step, one line per kind of normalization; the table below gives the final numbers');
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const source = h('p', { class: 'lab-source' });
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'lab-run', onclick: () => store.runHere(raceKey(lab.state.task), raceWanted(lab.state)) }, 'Run it here');
  const stop = h('button', { type: 'button', class: 'lab-stop', disabled: true, onclick: () => store.stop(raceKey(lab.state.task)) }, 'Stop');
  const kindBoxes = KINDS.map((k) => h('label', {},
    h('input', { type: 'checkbox', id: `race-kind-${k.kind}`, value: k.kind, checked: lab.state.kinds.includes(k.kind), onchange: () => {
      const kinds = KIND_NAMES.filter((name) => kindBoxes.some((l) => l.firstChild.value === name && l.firstChild.checked));
      if (kinds.length === 0) {
        status.textContent = 'Keep at least one kind in the race.';
        return;
      }
      lab.update({ kinds });
    } }), ` ${k.label}`));
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'race', 'aria-labelledby': 'race-title' },
    h('h3', { id: 'race-title', text: 'Which normalization trains the best classifier on these photos?' }),
    h('p', { class: 'lab-intro', text: 'The same small network (three 3×3 convolution blocks, each followed by the normalization, ReLU and 2×2 max-pooling; global average pooling; a linear layer) learns to classify 32×32 patches cut from six photos. Every kind starts from the same weights and sees the same batches in the same order.' }),
    h('div', { class: 'lab-controls' },
      select('race-task', 'Task', Object.entries(TASKS).map(([v, t]) => [v, t.label]), lab.state.task, (task) => lab.update({ task }), 'task'),
      select('race-steps', 'Steps', [...new Set([...STEP_CHOICES, lab.state.steps])].sort((a, b) => a - b).map((s) => [s, String(s)]), lab.state.steps, (s) => lab.update({ steps: Number(s) })),
      run, stop),
    h('fieldset', { class: 'lab-kinds' }, h('legend', { text: 'Kinds in the race' }), kindBoxes),
    status, source,
    legend(KIND_NAMES, kindStyle),
    h('div', { class: 'lab-charts' }, loss.element, acc.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' },
      h('caption', { text: 'Final numbers' }),
      h('thead', {}, h('tr', {}, ['kind', 'test accuracy', 'steps', 'time', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    conclusion);

  const lossChart = new LineChart(loss.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'loss', min: 0, max: 2 } });
  const accChart = new LineChart(acc.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'test accuracy', min: 0, max: 1, percent: true } });

  function render() {
    const task = lab.state.task;
    const set = store.runs(raceKey(task));
    const runs = set.runs;
    status.textContent = progressText(set, 'the networks');
    run.disabled = set.running;
    stop.disabled = !set.running;
    const recorded = runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) {
      source.append('Recorded with: ', h('code', { text: recorded.command.replace(/--norm \S+/, '--norm KIND') }),
        ` for KIND = ${runs.map((r) => r.kind).join(', ')} (the lighting sweep and the times by `, h('code', { text: 'cargo run --release --example lab_record' }), ').');
    }
    const steps = Math.max(lab.state.steps, ...runs.map((r) => r.steps));
    const classes = TASKS[task].chance;
    lossChart.setAxes({ x: { max: steps }, y: { max: Math.max(2, Math.ceil(-Math.log(classes) + 0.3)) } });
    accChart.setAxes({ x: { max: steps } });
    const style = (r) => kindStyle(r.kind);
    lossChart.draw(runs.map((r) => ({
      ...style(r), width: 2,
      points: smooth(r.loss).map((l, i) => [i + 1, l]),
      end: r.status === 'diverged' ? { text: `${style(r).label}: diverged at step ${r.diverged?.step}` } : null,
    })));
    accChart.draw(
      runs.map((r) => ({ ...style(r), dots: true, points: r.curve.map((p) => [p.step, p.accuracy]) })),
      [],
    );
    tbody.replaceChildren(...runs.map((r) => h('tr', {},
      h('th', { scope: 'row', text: style(r).label }),
      h('td', { text: r.status === 'done' ? pct(r.accuracy) : statusWord(r) }),
      h('td', { text: `${r.loss.length} / ${r.steps}` }),
      h('td', { text: r.source === 'recorded' ? `${seconds(r.seconds)} (native)` : seconds(r.seconds) }),
      h('td', { class: 'lab-match', text: matchText(r) }))));
    conclusion.textContent = set.running ? '' : raceConclusion(task, runs);
  }

  function show() {
    store.showRecorded(raceKey(lab.state.task), RACE_FILE(lab.state.task), raceWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['kinds', 'steps', 'task'], keys: () => [raceKey(lab.state.task)] };
}

/** A moving average over 5 steps, so batch-to-batch noise does not hide the trend. */
function smooth(values) {
  const out = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= 5) sum -= values[i - 5];
    out.push(sum / Math.min(i + 1, 5));
  }
  return out;
}

export function statusWord(r) {
  if (r.status === 'diverged') return `diverged at step ${r.diverged?.step}`;
  if (r.status === 'error') return r.message;
  return r.status;
}

export function matchText(r) {
  if (r.source === 'recorded') return 'recorded';
  if (!r.match) return r.status === 'done' || r.status === 'diverged' ? 'no recording of this config' : '';
  return r.match.difference === null ? 'yes, bit for bit' : `no: ${r.match.difference}`;
}
