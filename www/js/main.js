// Boot and wiring: one Session, the bundled samples, and the controls.
import { createSession, decode, fetchSample, availableSamples } from './engine.js';
import { clearCanvas } from './grid.js';
import { KIND_LABELS, changeInWords, channelName, fmt } from './format.js';
import { Scope, SLIDERS } from './scope.js';
import { parseState, serializeState, KNOWN_SAMPLES, RANGES, shortF32, isLabKey } from './urlstate.js';
import { Cube } from './cube.js';
import { startClassifier } from './classify.js';
import { startClassroom, stepState, STEPS } from './classroom.js';

const $ = (id) => document.getElementById(id);
const MAX_IMAGES = 32;
const MAX_FILE_BYTES = 100 * 1024 * 1024; // as LoadLimits::max_file_bytes in src/tensor.rs
const status = $('status');

let session = null;
let scope = null;
let cube = null;
// session.version when the cube last drew: a probe slider move leaves it.
let cubeDrawn = null;
let urlReady = false;

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

const shownKinds = () => scope.shownKinds();
const repaint = () => scope.repaint();
const refreshTray = () => scope.refreshTray();
const syncSliders = () => scope.syncSliders();

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

function wireSliders() {
  scope.wire();
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
    const words = changeInWords(result[kind].unchanged, result[kind].max_abs);
    p.dataset.state = words === 'unchanged' ? 'unchanged' : 'changed';
    p.textContent = `${KIND_LABELS[kind]}: the probe's output ${words} (max |Δ| = ${fmt(result[kind].max_abs)})`;
    root.append(p);
  }
}

/** Bundled samples not in the batch right now, in random order. */
function unusedSamples() {
  const inBatch = new Set(Array.from({ length: session.length }, (_, i) => session.name(i)));
  return availableSamples()
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

// ---- State in the URL -----------------------------------------------------

/** Show what the link asked for that could not be used (as text only). */
function showNotices(notices) {
  const box = $('url-notice');
  box.replaceChildren();
  box.hidden = notices.length === 0;
  if (notices.length === 0) return;
  const title = document.createElement('strong');
  title.textContent = 'Some of this link could not be used:';
  const list = document.createElement('ul');
  for (const notice of notices) {
    const item = document.createElement('li');
    item.textContent = notice;
    list.append(item);
  }
  box.append(title, list);
}

/** The page's state as urlstate.js describes it. */
function currentState() {
  const names = [];
  const others = [];
  let probe = 0;
  for (let i = 0; i < session.length; i++) {
    const match = /^(.+)\.jpg$/.exec(session.name(i));
    if (!match || !KNOWN_SAMPLES.includes(match[1])) continue;
    if (i === session.probe) probe = names.length;
    const a = session.adjustment(i);
    if (i !== session.probe && (a.contrast !== 1 || a.brightness !== 0 || a.gamma !== 1 || a.clip)) {
      const [contrast, brightness, gamma] = [a.contrast, a.brightness, a.gamma].map((x) => Number(shortF32(x)));
      others.push({ index: names.length, contrast, brightness, gamma, clip: a.clip });
    }
    names.push(match[1]);
  }
  const v = scope.sliderValues();
  const p = session.params();
  return {
    samples: names.length ? names : parseState('').state.samples,
    probe,
    size: session.size,
    contrast: v.contrast,
    brightness: v.brightness,
    gamma: v.gamma,
    clip: v.clip,
    kinds: shownKinds().filter((k) => k !== 'batch' && k !== 'instance'),
    diff: $('show-diff').checked,
    groups: p.groups,
    rho: Number($('rho').value),
    eps: p.eps,
    features: $('feature-maps').checked,
    bn: $('eval-mode').checked ? 'eval' : 'train',
    others,
    embed: document.documentElement.classList.contains('is-embed'),
  };
}

/** The link that reopens the current view. */
function shareUrl() {
  const query = serializeState(currentState());
  const url = new URL(location.href);
  const lab = [...url.searchParams].filter(([key]) => isLabKey(key));
  url.search = query;
  for (const [key, value] of lab) url.searchParams.append(key, value);
  url.hash = '';
  return url.href;
}

let urlTimer = 0;
function scheduleUrlUpdate() {
  if (!urlReady) return;
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const url = shareUrl();
    $('share-url').value = url;
    if (url !== location.href) history.replaceState(null, '', url);
    const own = Array.from({ length: session.length }, (_, i) => session.name(i)).some(
      (n) => !KNOWN_SAMPLES.some((k) => n === `${k}.jpg`),
    );
    $('share-note').hidden = !own;
  }, 150);
}

/** Download the grid (panels, histograms, numbers) as one PNG. */
function exportPng() {
  const canvas = scope.grid.compose();
  canvas.toBlob((blob) => {
    if (!blob) {
      say('Could not make the PNG: the browser refused to encode the picture.', true);
      return;
    }
    const link = $('export-link');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    const a = scope.sliderValues();
    link.download = `normscope-contrast${a.contrast}-gamma${a.gamma}.png`;
    link.click();
    say(`Saved ${link.download} (${canvas.width}×${canvas.height} px).`);
  }, 'image/png');
}

function wireShare() {
  $('export-png').addEventListener('click', exportPng);
  $('copy-link').addEventListener('click', async () => {
    const url = shareUrl();
    $('share-url').value = url;
    try {
      await navigator.clipboard.writeText(url);
      say('Link copied. It reopens this exact view.');
    } catch {
      $('share-url').select();
      say('Select the link in the box and copy it (Ctrl+C or ⌘C).');
    }
  });
}

/** Put the state on the controls; notices for values a slider had to round. */
function applyState(state, notices) {
  for (const box of scope.kindBoxes()) box.checked = state.kinds.includes(box.dataset.kind);
  $('show-diff').checked = state.diff;
  session.setFeatureMaps(state.features);
  $('feature-maps').checked = state.features;
  session.setParams(state.groups, state.rho, state.eps);
  $('rho').value = state.rho;
  $('rho-value').textContent = Number($('rho').value).toFixed(2);
  session.setBnMode(state.bn);
  $('eval-mode').checked = state.bn === 'eval';
  for (const o of state.others) session.setAdjustment(o.index, o.contrast, o.brightness, o.gamma, o.clip);
  session.setProbe(state.probe);
  for (const id of SLIDERS) $(id).value = state[id];
  $('clip').checked = state.clip;
  for (const id of [...SLIDERS, 'rho']) {
    const shown = Number($(id).value);
    if (shown !== state[id]) {
      notices.push(`${id} ${state[id]} was rounded to ${shown}, the nearest step of its slider (${RANGES[id].join(' to ')}).`);
    }
  }
}

// ---- Classroom walk-through ------------------------------------------------

const decodedSamples = new Map();

async function decodedSample(name) {
  if (!decodedSamples.has(name)) decodedSamples.set(name, await decode(`${name}.jpg`, await fetchSample(name)));
  return decodedSamples.get(name);
}

/** Make the batch exactly `names` (bundled samples), every adjustment reset. */
async function setBatch(names) {
  const current = Array.from({ length: session.length }, (_, i) => session.name(i));
  const wanted = names.map((n) => `${n}.jpg`);
  if (current.join('/') !== wanted.join('/')) {
    const images = await Promise.all(names.map(decodedSample));
    while (session.length > 1) session.remove(session.length - 1);
    images.forEach((img, k) => session.addRgba(wanted[k], img.rgba, img.width, img.height));
    session.remove(0);
  }
  for (let i = 0; i < session.length; i++) session.setAdjustment(i, 1, 0, 1, false);
}

/** Put the whole page in walk-through step `i`. */
async function goToStep(i) {
  const state = stepState(i);
  await setBatch(state.samples);
  if (session.size !== state.size) {
    session.setSize(state.size);
    $('size-select').value = String(state.size);
  }
  if (STEPS[i].action === 'train') {
    session.setBnMode('train');
    session.resetRunning();
    session.train(20, 8, 7);
  }
  applyState(state, []);
  fillGroups();
  scope.rebuildGrid();
  refreshTray();
  scope.applySliders();
  describeRunning();
  $('neighbour-result').replaceChildren();
  if (STEPS[i].action === 'neighbours') {
    showNeighbourResult('Gave every other image a random contrast and brightness:', session.neighbourSensitivity(1));
    $('walk-text').append(' ');
    const results = $('neighbour-result').cloneNode(true);
    results.removeAttribute('id');
    results.removeAttribute('aria-live');
    $('walk-text').append(results);
  }
}

// ---- Boot ----------------------------------------------------------------

async function boot() {
  say('Loading…');
  const { state, notices } = parseState(location.search);
  if (state.embed) document.documentElement.classList.add('is-embed');
  $('size-select').value = String(state.size);
  session = await createSession(state.size);
  scope = new Scope($, session, {
    say,
    // Kinds not on screen are computed when they are shown.
    shownKindsOnly: true,
    onRender() {
      if (cube && session.version !== cubeDrawn) {
        cubeDrawn = session.version;
        cube.update(session);
      }
      document.body.dataset.ready = 'true';
      scheduleUrlUpdate();
    },
  });
  const unique = [...new Set(state.samples)];
  const decoded = new Map(
    await Promise.all(
      unique.map(async (name) => {
        const bytes = await fetchSample(name);
        return [name, await decode(`${name}.jpg`, bytes)];
      }),
    ),
  );
  for (const [name, img] of decoded) decodedSamples.set(name, img);
  for (const name of state.samples) {
    const img = decoded.get(name);
    session.addRgba(`${name}.jpg`, img.rgba, img.width, img.height);
  }
  applyState(state, notices);
  showNotices(notices);
  wireAdding();
  wireSliders();
  wireNeighbours();
  wireTraining();
  wireShare();
  cube = new Cube($('cube-section'));
  refreshTray();
  scope.applySliders();
  describeRunning();
  startClassifier();
  startClassroom($, {
    goToStep,
    reset: () => scope.setAdjustment({ contrast: 1, brightness: 0, gamma: 1, clip: false }),
  });
  urlReady = true;
  scheduleUrlUpdate();
  say(`${session.length} sample photos loaded. Move the sliders, or add your own photos.`);
}

boot().catch((error) => {
  say(`normscope could not start: ${error.message}`, true);
  console.error(error);
});
