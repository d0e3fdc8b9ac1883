// Experiment 1, the race: every kind on the same data, seed, initialisation
// and schedule; loss and test accuracy drawn as they come in; a table; a
// conclusion from this run's numbers.
import { KINDS, KIND_NAMES, TASKS, STEP_CHOICES, kindStyle, raceConfig } from './config.js';
import { h, legend, figure, select, seconds } from './dom.js';
import { LineChart } from './chart.js';
import { raceConclusion } from './conclusions.js';
import { RACE_FILE } from './store.js';
import { photoTaskId } from './photos.js';
import { panelHeader, arms, spreadOf, spreadText, seedSeries, perSeedBox, matchSummary, matchText, statusWord, pct } from './panel.js';

export const raceKey = (task) => (task === 'photos' ? `race-${photoTaskId()}` : `race-${task}`);

/** The runs the race wants for the current settings. */
export const raceWanted = (state) => state.kinds.map((kind) => raceConfig(state.task, kind, state.steps));

export function racePanel(store, lab) {
  const loss = figure('race-loss', 'Training loss per step (softmax cross-entropy, mean of the last 5 steps)', 'Training loss against step, one line per kind of normalization; the table below gives the final numbers');
  const acc = figure('race-acc', 'Test accuracy (held-out patches, evaluation mode)', 'Test accuracy against step, one line per kind of normalization; the table below gives the final numbers');
  const head = panelHeader(store, lab, { id: 'race', key: () => raceKey(lab.state.task), wanted: () => raceWanted(lab.state), what: 'the networks' });
  const { status } = head;
  const source = h('p', { class: 'lab-source' });
  const tbody = h('tbody');
  const seedBox = perSeedBox('Test accuracy');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
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
    h('p', { class: 'lab-intro', text: 'The same small network (three 3×3 convolution blocks, each followed by the normalization, ReLU and 2×2 max-pooling; global average pooling; a linear layer) learns to classify 32×32 patches cut from photos (the six bundled ones, or yours). Every kind starts from the same weights and sees the same batches in the same order.' }),
    h('div', { class: 'lab-controls' },
      select('race-task', 'Task', Object.entries(TASKS).map(([v, t]) => [v, t.label]), lab.state.task, (task) => lab.update({ task }), 'task'),
      select('race-steps', 'Steps', [...new Set([...STEP_CHOICES, lab.state.steps])].sort((a, b) => a - b).map((s) => [s, String(s)]), lab.state.steps, (s) => lab.update({ steps: Number(s) })),
      ...head.controls),
    h('fieldset', { class: 'lab-kinds' }, h('legend', { text: 'Kinds in the race' }), kindBoxes),
    status, source,
    legend(KIND_NAMES, kindStyle),
    h('div', { class: 'lab-charts' }, loss.element, acc.element),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'lab-table' },
      h('caption', { text: 'Final numbers: mean ± sd (lowest–highest seed), n seeds' }),
      h('thead', {}, h('tr', {}, ['kind', 'test accuracy', 'steps', 'time here (mean)', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t })))),
      tbody)),
    seedBox.element,
    conclusion);

  const lossChart = new LineChart(loss.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'loss', min: 0, max: 2 } });
  const accChart = new LineChart(acc.canvas, { x: { label: 'step', integer: true, min: 0, max: 200 }, y: { label: 'test accuracy', min: 0, max: 1, percent: true } });

  function render() {
    const task = lab.state.task;
    const set = head.update();
    const runs = set.runs;
    const recorded = runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) {
      const seedsShown = [...new Set(runs.map((r) => r.seed))];
      const command = recorded.command.replace(/--norm \S+/, '--norm KIND');
      const perSeed = seedsShown.length < 2 ? command : /--seed \S+/.test(command) ? command.replace(/--seed \S+/, '--seed S') : command.replace(/ --out /, ' --seed S --out ');
      source.append('Recorded with: ', h('code', { text: perSeed }),
        ` for KIND = ${[...arms(runs).keys()].join(', ')}${seedsShown.length > 1 ? ` and S = ${seedsShown.join(', ')}` : ''} (the lighting sweep by `, h('code', { text: 'normscope lab race' }), ').');
    }
    const steps = Math.max(lab.state.steps, ...runs.map((r) => r.steps));
    const classes = TASKS[task].chance;
    lossChart.setAxes({ x: { max: steps }, y: { max: Math.max(2, Math.ceil(-Math.log(classes) + 0.3)) } });
    accChart.setAxes({ x: { max: steps } });
    const byKind = arms(runs);
    lossChart.draw([...byKind].flatMap(([kind, rs]) => [
      ...seedSeries(kindStyle(kind), rs.map((r) => smooth(r.loss).map((l, i) => [i + 1, l]))),
      ...rs.filter((r) => r.status === 'diverged').map((r) => ({
        ...kindStyle(kind), line: false, points: smooth(r.loss).map((l, i) => [i + 1, l]),
        end: { text: `${kindStyle(kind).label} (seed ${r.seed}): diverged at step ${r.diverged?.step}` },
      })),
    ]));
    accChart.draw([...byKind].flatMap(([kind, rs]) => seedSeries(kindStyle(kind), rs.map((r) => r.curve.map((p) => [p.step, p.accuracy])), { dots: true })));
    tbody.replaceChildren(...[...byKind].map(([kind, rs]) => {
      const done = rs.filter((r) => r.status === 'done');
      const other = rs.find((r) => r.status !== 'done');
      // Only runs trained in this browser: a recording's wall time says how busy its machine was, not this one.
      const time = rs[0].source === 'recorded' ? null : spreadOf(rs.map((r) => r.seconds));
      return h('tr', {},
        h('th', { scope: 'row', text: kindStyle(kind).label }),
        h('td', { text: done.length ? spreadText(spreadOf(done.map((r) => r.accuracy))) + (other ? `; ${statusWord(other)}` : '') : statusWord(other) }),
        h('td', { text: stepsText(rs) }),
        h('td', { text: time ? seconds(time.mean) : '—' }),
        h('td', { class: 'lab-match', text: matchSummary(rs) }));
    }));
    seedBox.update([...byKind].map(([kind, rs]) => ({ label: kindStyle(kind).label, runs: rs })), seedValue);
    conclusion.textContent = set.running ? '' : raceConclusion(task, runs);
  }

  function show() {
    store.showRecorded(raceKey(lab.state.task), RACE_FILE(lab.state.task), raceWanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['kinds', 'steps', 'task'], keys: () => [raceKey(lab.state.task)] };
}

/** Steps run of the seeds' steps: "200 / 200", or "40–200 / 200" while they differ. */
function stepsText(rs) {
  const lo = Math.min(...rs.map((r) => r.loss.length));
  const hi = Math.max(...rs.map((r) => r.loss.length));
  return `${lo === hi ? lo : `${lo}–${hi}`} / ${rs[0].steps}`;
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

/** One seed's cell in a per-seed table: its test accuracy (or state), and for a re-run whether it equals the recording. */
export function seedValue(r) {
  const what = r.status === 'done' ? pct(r.accuracy) : r.status === 'running' ? `${r.loss.length}/${r.steps}` : statusWord(r);
  return r.source === 'here' && matchText(r) ? `${what} (${matchText(r) === 'yes, bit for bit' ? 'bit for bit' : matchText(r)})` : what;
}
