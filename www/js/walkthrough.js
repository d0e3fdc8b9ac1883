// The classroom walk-through's steps put on the page: the batch of
// bundled samples each step names, its state, and its action.
import { decode, fetchSample } from './engine.js';
import { stepState, STEPS } from './classroom.js';
import { applyState } from './sharing.js';
import { describeRunning, fillGroups, showNeighbourResult } from './training.js';

/** Decoded bundled samples, kept for the walk-through's batches. */
export const decodedSamples = new Map();

async function decodedSample(name) {
  if (!decodedSamples.has(name)) decodedSamples.set(name, await decode(`${name}.jpg`, await fetchSample(name)));
  return decodedSamples.get(name);
}

/** Make the batch exactly `names` (bundled samples), every adjustment reset. */
async function setBatch(page, names) {
  const current = Array.from({ length: page.session.length }, (_, i) => page.session.name(i));
  const wanted = names.map((n) => `${n}.jpg`);
  if (current.join('/') !== wanted.join('/')) {
    const images = await Promise.all(names.map(decodedSample));
    while (page.session.length > 1) page.session.remove(page.session.length - 1);
    images.forEach((img, k) => page.session.addRgba(wanted[k], img.rgba, img.width, img.height));
    page.session.remove(0);
  }
  for (let i = 0; i < page.session.length; i++) page.session.setAdjustment(i, 1, 0, 1, false);
}

/** Put the whole page in walk-through step `i`. */
export async function goToStep(page, i) {
  const state = stepState(i);
  await setBatch(page, state.samples);
  if (page.session.size !== state.size) {
    page.session.setSize(state.size);
    page.$('size-select').value = String(state.size);
  }
  if (STEPS[i].action === 'train') {
    page.session.setBnMode('train');
    page.session.resetRunning();
    page.session.train(20, 8, 7);
  }
  applyState(page, state, []);
  fillGroups(page);
  page.scope.rebuildGrid();
  page.scope.refreshTray();
  page.scope.applySliders();
  describeRunning(page);
  page.$('neighbour-result').replaceChildren();
  await showLabStep(page, STEPS[i].lab);
  if (STEPS[i].action === 'neighbours') {
    showNeighbourResult(page, 'Gave every other image a random contrast and brightness:', page.session.neighbourSensitivity(1));
    page.$('walk-text').append(' ');
    const results = page.$('neighbour-result').cloneNode(true);
    results.removeAttribute('id');
    results.removeAttribute('aria-live');
    page.$('walk-text').append(results);
  }
}

/** Where the walk-through box lives for the steps before the lab (under the sliders). */
let home = null;

/**
 * Put one lab experiment into the walk-through box (or empty it): a
 * `<norm-lab>` of its own, sharing the page's runs, without the link keys.
 * For a lab step the box moves to the top of the lab's section, at full
 * width, and is scrolled into view; for the other steps it goes back.
 */
async function showLabStep(page, attributes) {
  const walk = page.$('walk');
  const box = page.$('walk-lab');
  home ??= { parent: walk.parentNode, next: walk.nextSibling };
  box.replaceChildren();
  box.hidden = !attributes;
  const hadFocus = walk.contains(document.activeElement);
  const focused = document.activeElement;
  if (attributes) page.$('walk-lab-slot').append(walk);
  else if (walk.parentNode !== home.parent) home.parent.insertBefore(walk, home.next);
  walk.classList.toggle('walk-in-lab', Boolean(attributes));
  // Moving a node drops its focus: give it back, so the keys keep working.
  if (hadFocus && !walk.contains(document.activeElement)) (walk.contains(focused) ? focused : walk).focus({ preventScroll: true });
  if (!attributes) return;
  await customElements.whenDefined('norm-lab');
  const lab = document.createElement('norm-lab');
  for (const [name, value] of Object.entries(attributes)) lab.setAttribute(name, value);
  box.append(lab);
  walk.scrollIntoView({ block: 'start' });
}
