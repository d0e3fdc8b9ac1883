// The batch-norm and neighbour experiments on the page: the kinds'
// parameters (group count, ρ, feature maps), re-contrasted, replaced and
// shuffled neighbours, and training the running statistics.
import { decode, fetchSample, availableSamples } from './engine.js';
import { clearCanvas, fitCanvas } from './grid.js';
import { KIND_LABELS, changeInWords, channelName, fmt } from './format.js';

/** The group counts that divide the channel count, the current one chosen. */
export function fillGroups(page) {
  const select = page.$('groups');
  const channels = page.session.channels;
  const current = page.session.params().groups;
  select.replaceChildren();
  for (let g = 1; g <= channels; g++) {
    if (channels % g !== 0) continue;
    const option = document.createElement('option');
    option.value = String(g);
    const note = g === 1 ? ' (= layer norm)' : g === channels ? ' (= instance norm)' : '';
    option.textContent = `${g}${note}`;
    option.selected = g === current;
    select.append(option);
  }
}

function applyParams(page) {
  const p = page.session.params();
  const rho = Number(page.$('rho').value);
  page.$('rho-value').textContent = rho.toFixed(2);
  try {
    page.session.setParams(Number(page.$('groups').value), rho, p.eps);
  } catch (error) {
    page.say(error.message, true);
  }
  page.scope.repaint();
}

/** Wire the group count, ρ and feature-map mode. */
export function wireParams(page) {
  fillGroups(page);
  page.$('groups').addEventListener('change', () => applyParams(page));
  page.$('rho').addEventListener('input', () => applyParams(page));
  page.$('feature-maps').addEventListener('change', (e) => {
    page.session.setFeatureMaps(e.target.checked);
    fillGroups(page);
    describeRunning(page);
    page.scope.repaint();
  });
}

/** Show, per kind on screen, how much the probe's output moved. */
export function showNeighbourResult(page, what, result) {
  const root = page.$('neighbour-result');
  root.replaceChildren();
  const heading = document.createElement('p');
  heading.textContent = what;
  root.append(heading);
  for (const kind of page.scope.shownKinds()) {
    const p = document.createElement('p');
    p.className = 'readout';
    p.dataset.kind = kind;
    const words = changeInWords(result[kind].unchanged, result[kind].max_abs);
    p.dataset.state = words === 'unchanged' ? 'unchanged' : 'changed';
    p.textContent = `${KIND_LABELS[kind]}: the probe's output ${words} (max |Δ| = ${fmt(result[kind].max_abs)})`;
    root.append(p);
  }
}

/** Bundled samples not in the batch right now, in random order. */
function unusedSamples(page) {
  const inBatch = new Set(Array.from({ length: page.session.length }, (_, i) => page.session.name(i)));
  return availableSamples()
    .filter((name) => !inBatch.has(`${name}.jpg`))
    .sort(() => Math.random() - 0.5);
}

async function replaceNeighbours(page) {
  const pool = unusedSamples(page);
  const others = page.session.length - 1;
  if (others === 0 || pool.length === 0) {
    page.say('Add at least one more image first: the probe has no neighbours to replace.', true);
    return;
  }
  page.session.pinProbe();
  const probeName = page.session.name(page.session.probe);
  const unique = pool.slice(0, others);
  const decoded = await Promise.all(
    unique.map(async (name) => [name, await decode(`${name}.jpg`, await fetchSample(name))]),
  );
  // Keep the batch size: with fewer unused photos than neighbours, repeat them.
  const picks = Array.from({ length: others }, (_, k) => decoded[k % decoded.length]);
  for (let i = page.session.length - 1; i >= 0; i--) if (i !== page.session.probe) page.session.remove(i);
  for (const [name, img] of picks) page.session.addRgba(`${name}.jpg`, img.rgba, img.width, img.height);
  const result = page.session.changeSincePin();
  showNeighbourResult(page, `Replaced the neighbours of ${probeName} with ${picks.map(([n]) => n).join(', ')}:`, result);
  page.scope.refreshTray();
  page.scope.repaint();
}

function shuffleBatch(page) {
  if (page.session.length < 2) return;
  page.session.pinProbe();
  for (let i = page.session.length - 1; i > 0; i--) page.session.moveImage(i, Math.floor(Math.random() * (i + 1)));
  showNeighbourResult(page, 'Shuffled the order of the batch:', page.session.changeSincePin());
  page.scope.refreshTray();
  page.scope.repaint();
}

/** Wire the neighbour experiments: re-contrast, replace, shuffle. */
export function wireNeighbours(page) {
  let seed = 1;
  page.$('neighbours').addEventListener('click', () => {
    showNeighbourResult(page, 'Gave every other image a random contrast and brightness:', page.session.neighbourSensitivity(seed++));
  });
  page.$('replace-neighbours').addEventListener('click', () => {
    replaceNeighbours(page).catch((error) => page.say(`Could not replace the neighbours: ${error.message}`, true));
  });
  page.$('shuffle').addEventListener('click', () => shuffleBatch(page));
}

/** The running statistics in words and as a chart. */
export function describeRunning(page) {
  const r = page.session.running();
  const chans = r.mean.map((m, c) => `${channelName(c, r.mean.length)} μ ${fmt(m, 3)}, σ² ${fmt(r.var[c], 3)}`).join(' · ');
  page.$('running-text').textContent = `After ${r.steps} training step${r.steps === 1 ? '' : 's'}: ${chans}`;
  // No empty frame before there is data: a hint instead of the chart.
  page.$('running-hint').hidden = r.steps > 0;
  page.$('running-chart').hidden = r.steps === 0;
  if (r.steps === 0) return;
  const ratio = fitCanvas(page.$('running-chart'), 0.42) || 1;
  clearCanvas(page.$('running-chart'));
  page.session.drawRunning(page.$('running-chart'), ratio);
  page.$('running-chart').setAttribute('aria-label', `Running statistics after ${r.steps} steps: ${chans}`);
}

/** Wire training, reset, momentum and evaluation mode. */
export function wireTraining(page) {
  let seed = 1;
  page.$('train').addEventListener('click', () => {
    page.session.train(10, 8, seed++);
    describeRunning(page);
    page.scope.repaint();
  });
  page.$('reset-running').addEventListener('click', () => {
    page.session.resetRunning();
    describeRunning(page);
    page.scope.repaint();
  });
  page.$('momentum').addEventListener('input', (e) => {
    const m = Number(e.target.value);
    page.$('momentum-value').textContent = m.toFixed(2);
    page.session.setMomentum(m);
  });
  page.$('eval-mode').addEventListener('change', (e) => {
    page.session.setBnMode(e.target.checked ? 'eval' : 'train');
    page.scope.repaint();
  });
}
