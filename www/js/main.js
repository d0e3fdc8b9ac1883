// Boot and wiring: one Session, the bundled samples, and the controls.
import { createSession, decode, fetchSample, SAMPLE_NAMES, EXTRA_SAMPLES } from './engine.js';
import { renderTray } from './tray.js';
import { Grid, clearCanvas } from './grid.js';
import { KIND_LABELS, changeInWords, channelName, fmt } from './format.js';
import { Cube } from './cube.js';
import { startClassifier } from './classify.js';

const $ = (id) => document.getElementById(id);
const MAX_IMAGES = 32;
const MAX_FILE_BYTES = 100 * 1024 * 1024; // as LoadLimits::max_file_bytes in src/tensor.rs
const status = $('status');

let session = null;
const grid = new Grid($('grid'));
let cube = null;
let frameRequested = false;

/** Show `text` in the status line; each of `problems` gets a line of its own. */
function say(text, isError = false, problems = []) {
  status.textContent = text;
  for (const problem of problems) {
    const line = document.createElement('span');
    line.className = 'status-problem';
    line.textContent = problem;
    status.append(line);
  }
  status.classList.toggle('is-error', isError);
}

function shownKinds() {
  const extra = [...document.querySelectorAll('.kinds input[data-kind]')]
    .filter((b) => b.checked)
    .map((b) => b.dataset.kind);
  return ['batch', 'instance', ...extra];
}

function renderReadouts(readout) {
  const root = $('readouts');
  root.replaceChildren();
  const shown = new Set(shownKinds());
  for (const k of readout.kinds) {
    if (!shown.has(k.kind)) continue;
    const p = document.createElement('p');
    p.className = 'readout';
    p.dataset.kind = k.kind;
    const words = k.unchanged ? 'unchanged' : changeInWords(k.invariance.max_abs);
    p.dataset.state = words === 'unchanged' ? 'unchanged' : 'changed';
    const strong = document.createElement('strong');
    strong.textContent = `${KIND_LABELS[k.kind]}: ${words}`;
    const detail = document.createElement('span');
    detail.textContent = ` (max |Δ| = ${fmt(k.invariance.max_abs)}, RMS ${fmt(k.invariance.rms)})`;
    p.append(strong, detail);
    root.append(p);
  }
  if (readout.images === 1) {
    const p = document.createElement('p');
    p.className = 'readout note';
    p.textContent = 'With a batch of one image, batch norm computes the same statistics as instance norm, so the two outputs are identical.';
    root.append(p);
  }
}

/** Recompute and repaint everything, at most once per frame. */
function repaint() {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    if (!session || session.length === 0) return;
    try {
      session.compute();
      const readout = session.readout();
      grid.update(session, readout);
      if (cube) cube.update(session);
      renderReadouts(readout);
      document.body.dataset.ready = 'true';
    } catch (error) {
      say(`Could not update the panels: ${error.message}`, true);
    }
  });
}

function refreshTray() {
  renderTray($('tray'), session, {
    probe(i) {
      session.setProbe(i);
      syncSliders();
      refreshTray();
      repaint();
    },
    move(from, to) {
      if (to < 0 || to >= session.length) return;
      session.moveImage(from, to);
      refreshTray();
      repaint();
    },
    remove(i) {
      const name = session.name(i);
      session.remove(i);
      say(`Removed ${name}.`);
      syncSliders();
      refreshTray();
      repaint();
    },
  });
}

// ---- Adding images -------------------------------------------------------

async function addFiles(files) {
  const list = [...files];
  if (list.length === 0) return;
  let added = 0;
  const problems = [];
  for (const [k, file] of list.entries()) {
    if (session.length >= MAX_IMAGES) {
      problems.push(`${file.name}: the batch already holds ${MAX_IMAGES} images; remove one first`);
      continue;
    }
    // The core refuses bigger files too, but only after they were read
    // into memory: a 4 GB video would take the tab down first.
    if (file.size > MAX_FILE_BYTES) {
      problems.push(`${file.name}: the file is ${(file.size / 1e6).toFixed(0)} MB; normscope accepts files up to ${(MAX_FILE_BYTES / 1e6).toFixed(0)} MB — save a smaller version first`);
      continue;
    }
    say(`Decoding ${k + 1} of ${list.length}: ${file.name}…`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { width, height, rgba } = await decode(file.name, bytes);
      session.addRgba(file.name, rgba, width, height);
      added++;
    } catch (error) {
      const message = String(error && error.message ? error.message : error);
      // Every message names its file; say it here if one ever does not.
      problems.push(message.startsWith(`${file.name}:`) ? message : `${file.name}: ${message}`);
    }
  }
  refreshTray();
  repaint();
  const summary = `Added ${added} image${added === 1 ? '' : 's'}; the batch has ${session.length}.`;
  if (problems.length) say(`${summary} Not added:`, true, problems);
  else say(summary);
}

function wireAdding() {
  $('file-input').addEventListener('change', (e) => {
    addFiles(e.target.files);
    e.target.value = '';
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('is-dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('is-dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('is-dragging');
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
  });
  document.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (files.length) addFiles(files);
  });
  $('size-select').addEventListener('change', (e) => {
    session.setSize(Number(e.target.value));
    refreshTray();
    repaint();
  });
}

// ---- Probe sliders -------------------------------------------------------

const SLIDERS = ['contrast', 'brightness', 'gamma'];

function applySliders() {
  const v = Object.fromEntries(SLIDERS.map((id) => [id, Number($(id).value)]));
  for (const id of SLIDERS) $(`${id}-value`).textContent = v[id].toFixed(2);
  try {
    session.setAdjustment(session.probe, v.contrast, v.brightness, v.gamma, $('clip').checked);
  } catch (error) {
    say(error.message, true);
  }
  repaint();
}

function syncSliders() {
  const a = session.adjustment(session.probe);
  $('contrast').value = a.contrast;
  $('brightness').value = a.brightness;
  $('gamma').value = a.gamma;
  $('clip').checked = a.clip;
  for (const id of SLIDERS) $(`${id}-value`).textContent = Number($(id).value).toFixed(2);
}

function wireSliders() {
  for (const id of SLIDERS) $(id).addEventListener('input', applySliders);
  $('clip').addEventListener('change', applySliders);
  $('reset').addEventListener('click', () => {
    $('contrast').value = 1;
    $('brightness').value = 0;
    $('gamma').value = 1;
    $('clip').checked = false;
    applySliders();
  });
  const rebuild = () => {
    grid.setColumns(shownKinds(), $('show-diff').checked);
    repaint();
  };
  for (const box of document.querySelectorAll('.kinds input')) box.addEventListener('change', rebuild);
  grid.setColumns(shownKinds(), $('show-diff').checked);
  wireParams();
}

// ---- Group count, ρ and feature-map mode -----------------------------------

function fillGroups() {
  const select = $('groups');
  const channels = session.channels;
  const current = session.params().groups;
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

function applyParams() {
  const p = session.params();
  const rho = Number($('rho').value);
  $('rho-value').textContent = rho.toFixed(2);
  try {
    session.setParams(Number($('groups').value), rho, p.eps);
  } catch (error) {
    say(error.message, true);
  }
  repaint();
}

function wireParams() {
  fillGroups();
  $('groups').addEventListener('change', applyParams);
  $('rho').addEventListener('input', applyParams);
  $('feature-maps').addEventListener('change', (e) => {
    session.setFeatureMaps(e.target.checked);
    fillGroups();
    describeRunning();
    repaint();
  });
}

// ---- Neighbours and training ---------------------------------------------

function showNeighbourResult(what, result) {
  const root = $('neighbour-result');
  root.replaceChildren();
  const heading = document.createElement('p');
  heading.textContent = what;
  root.append(heading);
  for (const kind of shownKinds()) {
    const p = document.createElement('p');
    p.className = 'readout';
    p.dataset.kind = kind;
    const words = changeInWords(result[kind].max_abs);
    p.dataset.state = words === 'unchanged' ? 'unchanged' : 'changed';
    p.textContent = `${KIND_LABELS[kind]}: the probe's output ${words} (max |Δ| = ${fmt(result[kind].max_abs)})`;
    root.append(p);
  }
}

/** Bundled samples not in the batch right now, in random order. */
function unusedSamples() {
  const inBatch = new Set(Array.from({ length: session.length }, (_, i) => session.name(i)));
  return [...SAMPLE_NAMES, ...EXTRA_SAMPLES]
    .filter((name) => !inBatch.has(`${name}.jpg`))
    .sort(() => Math.random() - 0.5);
}

async function replaceNeighbours() {
  const pool = unusedSamples();
  const others = session.length - 1;
  if (others === 0 || pool.length === 0) {
    say('Add at least one more image first: the probe has no neighbours to replace.', true);
    return;
  }
  session.pinProbe();
  const probeName = session.name(session.probe);
  const unique = pool.slice(0, others);
  const decoded = await Promise.all(
    unique.map(async (name) => [name, await decode(`${name}.jpg`, await fetchSample(name))]),
  );
  // Keep the batch size: with fewer unused photos than neighbours, repeat them.
  const picks = Array.from({ length: others }, (_, k) => decoded[k % decoded.length]);
  for (let i = session.length - 1; i >= 0; i--) if (i !== session.probe) session.remove(i);
  for (const [name, img] of picks) session.addRgba(`${name}.jpg`, img.rgba, img.width, img.height);
  const result = session.changeSincePin();
  showNeighbourResult(`Replaced the neighbours of ${probeName} with ${picks.map(([n]) => n).join(', ')}:`, result);
  refreshTray();
  repaint();
}

function shuffleBatch() {
  if (session.length < 2) return;
  session.pinProbe();
  for (let i = session.length - 1; i > 0; i--) session.moveImage(i, Math.floor(Math.random() * (i + 1)));
  showNeighbourResult('Shuffled the order of the batch:', session.changeSincePin());
  refreshTray();
  repaint();
}

function wireNeighbours() {
  let seed = 1;
  $('neighbours').addEventListener('click', () => {
    showNeighbourResult('Gave every other image a random contrast and brightness:', session.neighbourSensitivity(seed++));
  });
  $('replace-neighbours').addEventListener('click', () => {
    replaceNeighbours().catch((error) => say(`Could not replace the neighbours: ${error.message}`, true));
  });
  $('shuffle').addEventListener('click', shuffleBatch);
}

function describeRunning() {
  const r = session.running();
  const chans = r.mean.map((m, c) => `${channelName(c, r.mean.length)} μ ${fmt(m, 3)}, σ² ${fmt(r.var[c], 3)}`).join(' · ');
  $('running-text').textContent = `After ${r.steps} training step${r.steps === 1 ? '' : 's'}: ${chans}`;
  clearCanvas($('running-chart'));
  session.drawRunning($('running-chart'));
  $('running-chart').setAttribute('aria-label', `Running statistics after ${r.steps} steps: ${chans}`);
}

function wireTraining() {
  let seed = 1;
  $('train').addEventListener('click', () => {
    session.train(10, 8, seed++);
    describeRunning();
    repaint();
  });
  $('reset-running').addEventListener('click', () => {
    session.resetRunning();
    describeRunning();
    repaint();
  });
  $('momentum').addEventListener('input', (e) => {
    const m = Number(e.target.value);
    $('momentum-value').textContent = m.toFixed(2);
    session.setMomentum(m);
  });
  $('eval-mode').addEventListener('change', (e) => {
    session.setBnMode(e.target.checked ? 'eval' : 'train');
    repaint();
  });
}

// ---- Boot ----------------------------------------------------------------

async function boot() {
  say('Loading…');
  session = await createSession(Number($('size-select').value));
  const samples = await Promise.all(
    SAMPLE_NAMES.map(async (name) => {
      const bytes = await fetchSample(name);
      return [name, await decode(`${name}.jpg`, bytes)];
    }),
  );
  for (const [name, img] of samples) session.addRgba(`${name}.jpg`, img.rgba, img.width, img.height);
  wireAdding();
  wireSliders();
  wireNeighbours();
  wireTraining();
  cube = new Cube($('cube-section'));
  // Start with a visible change so the argument shows before any click.
  $('contrast').value = 0.5;
  $('brightness').value = 0.15;
  refreshTray();
  applySliders();
  describeRunning();
  startClassifier();
  say(`${session.length} sample photos loaded. Move the sliders, or add your own photos.`);
}

boot().catch((error) => {
  say(`normscope could not start: ${error.message}`, true);
  console.error(error);
});
