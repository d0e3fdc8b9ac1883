// "Your photos": the lab's third task, built from the reader's own photos.
// 2–6 named classes, each filled by dropping or picking files or by taking
// the photos of the batch above (the page's tray). Every file goes through
// the page's file judge and decoder (engine.js's decode: checkImage, then
// the browser, at full size) and then through the engine's preparePhoto,
// which checks and scales it exactly as `normscope train --task-dir` does;
// checkPhotoTask runs Dataset::from_classes' own checks on the whole task.
// Training then gets the classes (pool.js sends them as the run's photos).
//
// One task per page, shared by every <norm-lab> on it (like the store):
//   photoClasses()   [{ name, photos: [{ name, width, height, rgb }] }] for the engine
//   photoTaskId()    'photos#N': changes whenever the task does (keys of the store's sets)
//   photoTaskReady() the task passed checkPhotoTask
//   setBatchSource(() => [{ name, width, height, rgb }])   the page's batch, for "Take the batch"
// The photos never leave the computer: nothing here is sent anywhere, and
// the link (lab-task=photos) cannot carry them.
import { h } from './dom.js';
import { loadEngine } from './engine.js';
import { decode, initWasm } from '../engine.js';
import { limits as pageLimits } from '../state.js';

let nextClass = 1;
let version = 0;
const classes = []; // { id, name, photos: [{ name, width, height, rgb, factor }], notes: [] }
let summary = null; // checkPhotoTask's { classes, train, test, pixels } or null
let problem = 'Add at least 2 classes.';
const listeners = new Set();
let batchSource = null;

/** The page's batch, for "Take the batch above" (main.js sets it). */
export function setBatchSource(source) {
  batchSource = source;
  for (const f of listeners) f();
}

export const photoTaskId = () => `photos#${version}`;
export const photoTaskReady = () => summary !== null;
export const photoClassNames = () => (summary ? summary.classes : classes.map((c) => c.name));
export const photoClasses = () => classes.map((c) => ({ name: c.name, photos: c.photos.map(({ name, width, height, rgb }) => ({ name, width, height, rgb })) }));

/** The task a panel that otherwise trains on "what is it?" trains on: the reader's photos when chosen. */
export const taskOf = (state, otherwise = 'what') => (state.task === 'photos' ? 'photos' : otherwise);

/** A panel's key in the store: its own, or one per version of the reader's photo task. */
export const keyFor = (key, state) => (state.task === 'photos' ? `${key}-${photoTaskId()}` : key);

/** The task a panel trains on, in its intro: a span norm-lab.js keeps up to date. */
export const taskName = (state) => h('span', { class: 'lab-task-name', text: taskWords(state) });
export const taskWords = (state) => (state.task === 'photos' ? 'your photos' : '"what is it?"');

/** A panel's recorded file, or null: the reader's photos have no recording. */
export const fileFor = (file, state) => (state.task === 'photos' ? null : file);

/** Why the task cannot train yet (the engine's message), or '' when it can. */
export const photoTaskProblem = () => problem;

/** Call `f` whenever the task changes; returns a function that stops it. */
export function onPhotoTask(f) {
  listeners.add(f);
  return () => listeners.delete(f);
}

async function changed() {
  version++;
  const { checkPhotoTask } = await loadEngine();
  try {
    summary = checkPhotoTask(photoClasses());
    problem = '';
  } catch (error) {
    summary = null;
    problem = error.message;
  }
  for (const f of listeners) f();
}

let limitsCache = null;
async function limits() {
  limitsCache ??= (await loadEngine()).photoTaskLimits();
  return limitsCache;
}

/** The limits, as the builder states them. */
function limitsText(l) {
  return `${l.minClasses}–${l.maxClasses} classes; up to ${l.maxPhotosPerClass} photos per class and ${l.maxTaskPixels / 1e6} megapixels together after scaling; every photo at least ${l.minLongSide}×${l.patch} pixels (one ${l.patch}×${l.patch} training patch, a gap, one test patch). Training holds at most ${(l.maxTaskPixels * 3) / 1e6} MB of scaled photos per network while it cuts ${l.trainPerClass} training and ${l.testPerClass} test patches per class, then only the patches.`;
}

/** Add a class (named `name`, or "class N"); returns it. */
export function addClass(name) {
  const c = { id: nextClass++, name: name ?? `class ${classes.length + 1}`, photos: [], notes: [] };
  classes.push(c);
  changed();
  return c;
}

function removeClass(c) {
  classes.splice(classes.indexOf(c), 1);
  changed();
}

function pixelsNow() {
  return classes.reduce((n, c) => n + c.photos.reduce((m, p) => m + p.width * p.height, 0), 0);
}

/**
 * Add photos to class `c`: `items` are Files (dropped or picked; each is
 * read only when its turn comes) or { name, width, height, rgb } (the
 * batch). Each problem is a note naming the file; the photos already there stay.
 */
async function addPhotos(c, items, onStep = () => {}) {
  const engine = await loadEngine();
  const l = await limits();
  // The page's limits live in its own wasm (the file judge's), started here if the lab stands alone.
  await initWasm();
  const { maxFileBytes } = pageLimits();
  const notes = [];
  let added = 0;
  for (const [k, item] of items.entries()) {
    const where = `${c.name}/${item.name}`;
    onStep(`Adding ${k + 1} of ${items.length} to ${c.name}: ${item.name}…`);
    const isFile = typeof item.arrayBuffer === 'function';
    if (isFile && !engine.isPhotoName(item.name)) {
      notes.push(`${item.name}: not a photo (normscope reads PNG, JPEG, GIF, BMP and WebP files), skipped.`);
      continue;
    }
    if (c.photos.length >= l.maxPhotosPerClass) {
      notes.push(`${item.name}: class "${c.name}" already has ${l.maxPhotosPerClass} photos, the most a class takes; not added.`);
      continue;
    }
    // The core refuses bigger files too, but only after they were read into memory.
    if (isFile && item.size > maxFileBytes) {
      notes.push(`${item.name}: the file is ${(item.size / 1e6).toFixed(0)} MB; normscope reads files up to ${(maxFileBytes / 1e6).toFixed(0)} MB; not added.`);
      continue;
    }
    try {
      let photo;
      if (isFile) {
        const { width, height, rgba } = await decode(item.name, new Uint8Array(await item.arrayBuffer()), { full: true });
        photo = engine.preparePhoto(where, width, height, new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length));
      } else {
        photo = engine.preparePhoto(where, item.width, item.height, item.rgb);
      }
      if (pixelsNow() + photo.width * photo.height > l.maxTaskPixels) {
        notes.push(`${item.name}: with it the photos would come to more than ${l.maxTaskPixels / 1e6} megapixels after scaling, the most a task holds; not added — use fewer or smaller photos.`);
        continue;
      }
      photo.file = item.name;
      c.photos.push(photo);
      added++;
    } catch (error) {
      const message = String(error?.message ?? error);
      notes.push(message.startsWith(`${item.name}:`) || message.startsWith(`${where} `) ? message : `${item.name}: ${message}`);
    }
    // The page gets its turn between two photos.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  c.notes = notes;
  await changed();
  return added;
}

/**
 * The task builder: shown above the lab's panels while the task is "Your
 * photos". `render()` brings it up to date.
 */
export function photoTaskBuilder() {
  const status = h('p', { class: 'lab-status', role: 'status', 'aria-live': 'polite' });
  const ready = h('p', { class: 'photos-ready', 'aria-live': 'polite' });
  const list = h('div', { class: 'photos-classes' });
  const add = h('button', { type: 'button', class: 'photos-add', onclick: () => addClass() }, 'Add a class');
  const limitLine = h('p', { class: 'lab-intro' });
  const element = h('section', { class: 'lab-panel photos-builder', 'aria-labelledby': 'photos-title', 'data-builder': 'photos' },
    h('h3', { id: 'photos-title', text: 'Your photos: a task of your own' }),
    h('p', { class: 'lab-intro', text: 'Make 2 to 6 classes, name them, and fill each with photos: drop files on a class, pick them, or take the photos of the batch above. Every panel below that can use them then trains on them, in this browser. Each photo is checked and scaled as normscope train --task-dir does (block means, shorter side 192–383 px); training patches and test patches come from parts of the photo that never overlap.' }),
    limitLine,
    h('p', { class: 'photos-private', text: 'Your photos never leave this computer: they are decoded and trained on in this page. A link to the lab (Copy link) cannot carry them: whoever opens it adds their own.' }),
    list,
    h('div', { class: 'lab-controls' }, add),
    status, ready);
  limits().then((l) => {
    limitLine.textContent = `Limits: ${limitsText(l)}`;
  });

  function classBox(c) {
    const nameId = `photos-name-${c.id}`;
    const fileId = `photos-file-${c.id}`;
    const name = h('input', { id: nameId, type: 'text', value: c.name, maxlength: 60, autocomplete: 'off' });
    name.addEventListener('change', () => {
      c.name = name.value.trim();
      changed();
    });
    const run = async (items) => {
      const n = await addPhotos(c, items, (text) => { status.textContent = text; });
      status.textContent = `Added ${n} photo${n === 1 ? '' : 's'} to ${c.name}; it has ${c.photos.length}.`;
      render();
    };
    const pick = h('input', { id: fileId, type: 'file', multiple: true, accept: 'image/*', class: 'photos-file' });
    pick.addEventListener('change', async () => {
      const files = [...pick.files];
      pick.value = '';
      await run(files);
    });
    const take = h('button', { type: 'button', hidden: !batchSource, onclick: () => run(batchSource ? batchSource() : []) }, 'Take the batch above');
    const photos = h('ul', { class: 'photos-list', 'aria-label': `Photos of ${c.name}` }, c.photos.map((p, i) => h('li', {},
      thumb(p),
      h('span', { class: 'photos-name', text: p.file ?? p.name, title: p.file ?? p.name }),
      h('button', { type: 'button', 'aria-label': `Remove ${p.name}`, title: `Remove ${p.name}`, onclick: () => {
        c.photos.splice(i, 1);
        changed();
      } }, '✕'))));
    const notes = h('ul', { class: 'photos-notes', hidden: c.notes.length === 0 }, c.notes.map((n) => h('li', { text: n })));
    const box = h('fieldset', { class: 'photos-class', 'data-class': c.name },
      h('legend', { text: `Class ${classes.indexOf(c) + 1}: ${c.name || '(no name)'} — ${c.photos.length} photo${c.photos.length === 1 ? '' : 's'}` }),
      h('div', { class: 'lab-controls' },
        h('div', { class: 'lab-control' }, h('label', { for: nameId, text: 'Name' }), name),
        h('div', { class: 'lab-control' }, h('label', { for: fileId, text: `Add photos to ${c.name || 'this class'}` }), pick),
        take,
        h('button', { type: 'button', onclick: () => removeClass(c) }, `Remove class ${c.name}`)),
      photos, notes);
    box.addEventListener('dragover', (e) => {
      e.preventDefault();
      e.stopPropagation();
      box.classList.add('is-over');
    });
    box.addEventListener('dragleave', () => box.classList.remove('is-over'));
    box.addEventListener('drop', async (e) => {
      // The page's own drop (the batch above) must not take these files too.
      e.preventDefault();
      e.stopPropagation();
      box.classList.remove('is-over');
      await run([...(e.dataTransfer?.files ?? [])]);
    });
    return box;
  }

  let max = 6;
  limits().then((l) => {
    max = l.maxClasses;
    render();
  });

  function render() {
    list.replaceChildren(...classes.map(classBox));
    add.disabled = classes.length >= max;
    ready.textContent = summary
      ? `Ready: ${summary.classes.length} classes (${summary.classes.join(', ')}), ${summary.train} training and ${summary.test} test patches, ${(summary.pixels / 1e6).toFixed(2)} megapixels. Choose Run it here in a panel below.`
      : `Not ready: ${problem}`;
    ready.classList.toggle('is-problem', !summary);
  }
  const stop = onPhotoTask(render);
  render();
  return { element, render, stop };
}

/** A small picture of a prepared photo (RGB → RGBA on a canvas). */
function thumb(p) {
  const canvas = h('canvas', { class: 'photos-thumb', role: 'img', 'aria-label': p.name });
  canvas.width = p.width;
  canvas.height = p.height;
  const rgba = new Uint8ClampedArray(p.width * p.height * 4);
  for (let i = 0, j = 0; i < p.rgb.length; i += 3, j += 4) {
    rgba[j] = p.rgb[i];
    rgba[j + 1] = p.rgb[i + 1];
    rgba[j + 2] = p.rgb[i + 2];
    rgba[j + 3] = 255;
  }
  canvas.getContext('2d').putImageData(new ImageData(rgba, p.width, p.height), 0, 0);
  return canvas;
}

/**
 * Replace the task with classes made ready elsewhere (the notebook's
 * Lab(task_images=…), whose photos Python prepared with the same core
 * calls): [{ name, photos: [{ name, width, height, rgb }] }].
 */
export function setPhotoClasses(list) {
  classes.splice(0, classes.length, ...list.map((c) => ({ id: nextClass++, name: c.name, photos: c.photos.map((p) => ({ ...p })), notes: [] })));
  return changed();
}

/** Start with two empty classes the first time the task is chosen. */
export function ensureClasses() {
  if (classes.length === 0) {
    addClass('class 1');
    addClass('class 2');
  }
}
