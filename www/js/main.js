// Start-up: wasm, one Session, the bundled samples, the state a link asks
// for, and the controls, wired by concern: adding.js (adding images),
// training.js (kinds' parameters, neighbours, training), sharing.js (the
// link and the PNG), walkthrough.js (the classroom's steps).
import { startWasm, createSession, decode, fetchSample } from './engine.js';
import { Scope } from './scope.js';
import { parseState } from './urlstate.js';
import { Cube } from './cube.js';
import { startClassifier } from './classify.js';
import { startClassroom } from './classroom.js';
import { wireAdding } from './adding.js';
import { describeRunning, wireNeighbours, wireParams, wireTraining } from './training.js';
import { applyState, scheduleUrlUpdate, showNotices, wireShare } from './sharing.js';
import { decodedSamples, goToStep } from './walkthrough.js';
import { setBatchSource } from './lab/photos.js';

const $ = (id) => document.getElementById(id);
const status = $('status');

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

/** What every part of the page shares. */
const page = { $, say, session: null, scope: null, urlReady: false };

let cube = null;
// session.version when the cube last drew: a probe slider move leaves it.
let cubeDrawn = null;

async function boot() {
  say('Loading…');
  // The link is checked against the core's limits: wasm first.
  await startWasm();
  const { state, notices } = parseState(location.search);
  if (state.embed) document.documentElement.classList.add('is-embed');
  $('size-select').value = String(state.size);
  const session = await createSession(state.size);
  page.session = session;
  // The lab's "Your photos" can take the batch's photos (as the page keeps them).
  setBatchSource(() => Array.from({ length: session.length }, (_, i) => ({ name: session.name(i), ...session.sourceRgb(i) })));
  page.scope = new Scope($, session, {
    say,
    // Kinds not on screen are computed when they are shown.
    shownKindsOnly: true,
    onRender() {
      if (cube && session.version !== cubeDrawn) {
        cubeDrawn = session.version;
        cube.update(session);
      }
      document.body.dataset.ready = 'true';
      scheduleUrlUpdate(page);
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
  applyState(page, state, notices);
  showNotices(page, notices);
  wireAdding(page);
  page.scope.wire();
  wireParams(page);
  wireNeighbours(page);
  wireTraining(page);
  wireShare(page);
  cube = new Cube($('cube-section'));
  page.scope.refreshTray();
  page.scope.applySliders();
  describeRunning(page);
  startClassifier();
  startClassroom($, {
    goToStep: (i) => goToStep(page, i),
    reset: () => page.scope.setAdjustment({ contrast: 1, brightness: 0, gamma: 1, clip: false }),
  });
  page.urlReady = true;
  scheduleUrlUpdate(page);
  say(`${session.length} sample photos loaded. Move the sliders, or add your own photos.`);
}

boot().catch((error) => {
  say(`normscope could not start: ${error.message}`, true);
  console.error(error);
});
