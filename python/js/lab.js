// The notebook's lab (anywidget): the page's <norm-lab> element, kept in
// step with the traits of the Python `normscope.Lab`. Bundled by `cargo
// xtask pybundle` with the page's modules and the wasm into
// python/normscope/_static/widget.js (the loader picks this module for a
// Lab); the task photos and the recorded runs arrive from Python as traits,
// so nothing here fetches anything.
//
//   Python trait                       element
//   experiment                      -> a new element (one panel, or all)
//   every setting of www/lab/settings.json (task steps seeds kinds axis at …)
//                                  <-> applySettings() / 'normlab-change'
//   _tasks _recorded                -> files of the bundle's assets.js
//                                      (tasks/NAME.rgb, lab/recorded/NAME.json)
//   _photos (Lab(task_images=…))    -> the "Your photos" task (js/lab/photos.js)
//   results (read-only)            <-  each set of runs the panels show, when a
//                                      run starts, ends or the recorded ones show
//   status (read-only)             <-  the notice line and each panel's status line
//   lab.run() / lab.stop()          -> the panel's Run it here / Stop button
//
// Training runs in js/lab/worker.js as on the page, started from a blob: URL
// of its own bundle; where that worker cannot start, pool.js trains on the
// page's thread in slices of ~80 ms.
import './norm-lab.js';
import { LIGHTING } from './js/lab/config.js';
import { SETTING_NAMES as SETTINGS } from './js/lab/state.js';
import { keepKeys } from './keys.js';
import { same, setTraits } from './traits.js';
import { provideFiles } from './js/assets.js';
import { setPhotoClasses } from './js/lab/photos.js';

/** The bytes of a binary buffer as the widget comm delivers it. */
function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('a task photo arrived without its data');
}

/** Hand the lab's data to the modules that read it (once per page is enough). */
function installData(model) {
  const files = {};
  for (const [name, value] of Object.entries(model.get('_tasks'))) files[`tasks/${name}.rgb`] = bytesOf(value).slice();
  for (const [name, text] of Object.entries(model.get('_recorded'))) files[`lab/recorded/${name}`] = text;
  provideFiles(files);
  // Lab(task_images=…): the reader's own photo task, made ready in Python.
  const photos = model.get('_photos') ?? [];
  if (photos.length) {
    setPhotoClasses(photos.map((c) => ({ name: c.name, photos: c.photos.map((p) => ({ name: p.name, width: p.width, height: p.height, rgb: bytesOf(p.rgb).slice() })) })));
  }
}

/** The element's settings that are traits, as the traits spell them (`at`: the lighting value, not its index). */
function traitsOf(settings) {
  const out = Object.fromEntries(SETTINGS.map((name) => [name, settings[name]]));
  out.at = LIGHTING[settings.axis].values[settings.at];
  return out;
}

/** One run's numbers for Python (NaN becomes None on the way). */
function summary(run) {
  return {
    kind: run.kind,
    source: run.source,
    status: run.status,
    accuracy: run.accuracy,
    steps: run.steps,
    steps_done: run.loss.length,
    seconds: run.seconds,
    same_as_recorded: run.match ? run.match.difference === null : null,
    difference: run.match?.difference ?? null,
    message: run.message,
    config: run.config,
    loss: run.loss,
    curve: run.curve,
    lighting: run.lighting,
    probes: run.probes,
  };
}

/** Every set of runs the element's panels show, by its key in the store. */
function resultsOf(view) {
  const out = {};
  for (const { experiment, keys } of view.shown) {
    for (const key of keys) {
      if (out[key]) {
        out[key].experiments.push(experiment);
        continue;
      }
      const set = view.store.runs(key);
      out[key] = { experiments: [experiment], running: set.running, error: set.error, runs: set.runs.map(summary) };
    }
  }
  return JSON.parse(JSON.stringify(out));
}

/** What changes `results`: a run's status or source, a set starting or ending, other runs shown. */
function fingerprint(view) {
  return JSON.stringify(view.shown.map(({ experiment, keys }) => [experiment, keys.map((key) => {
    const set = view.store.runs(key);
    return [key, set.running, set.error, set.runs.map((r) => `${r.kind}:${r.source}:${r.status}:${r.steps}`)];
  })]));
}

export function render({ model, el }) {
  let view = null;
  let last = '';
  let timer = 0;
  let detach = () => {};
  const releaseKeys = keepKeys(el);

  const update = (values) => setTraits(model, values);

  const statusText = () => {
    const root = view.shadowRoot;
    const notice = root.querySelector('.lab-notice');
    const lines = notice && !notice.hidden ? [...notice.querySelectorAll('p')].map((p) => p.textContent) : [];
    for (const panel of root.querySelectorAll('.lab-panel')) {
      const text = panel.querySelector('.lab-status')?.textContent;
      if (text) lines.push(`${panel.dataset.experiment}: ${text}`);
    }
    return lines.join('\n');
  };

  // After a repaint (the panels render on the store's 'change'), at most
  // four times a second: progress comes every slice.
  const report = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = 0;
      if (!view?.lab) return;
      const values = { status: statusText() };
      const print = fingerprint(view);
      if (print !== last) {
        last = print;
        values.results = resultsOf(view);
      }
      update(values);
    }, 250);
  };

  const onSettings = () => {
    update(traitsOf(view.settings));
    report();
  };

  const started = () => {
    const store = view.store;
    store.addEventListener('change', report);
    view.addEventListener('normlab-change', onSettings);
    detach = () => {
      store.removeEventListener('change', report);
      clearTimeout(timer);
      timer = 0;
    };
    // Settings Python changed while the element was starting.
    apply();
    onSettings();
  };

  const apply = () => {
    if (!view?.lab) return;
    const now = traitsOf(view.settings);
    const patch = {};
    for (const name of SETTINGS) if (!same(now[name], model.get(name))) patch[name] = model.get(name);
    if ('axis' in patch || 'at' in patch) {
      // `at` is one of the axis' values; Python may send a new axis before
      // the `at` that goes with it: then the axis' own first value, for now.
      const axis = patch.axis ?? now.axis;
      delete patch.at;
      if (Object.hasOwn(LIGHTING, axis) && LIGHTING[axis].values.includes(model.get('at'))) patch.at = model.get('at');
    }
    if (Object.keys(patch).length) view.applySettings(patch);
    // The element has the last word (a value it refused keeps its setting).
    update(traitsOf(view.settings));
    report();
  };

  const mount = () => {
    detach();
    detach = () => {};
    last = '';
    try {
      installData(model);
      view = document.createElement('norm-lab');
      const experiment = model.get('experiment');
      if (experiment) view.setAttribute('experiment', experiment);
      for (const name of SETTINGS) {
        const value = model.get(name);
        view.setAttribute(name, Array.isArray(value) ? value.join(',') : String(value));
      }
    } catch (error) {
      const p = document.createElement('p');
      p.textContent = `normscope could not start the lab: ${error.message}`;
      el.replaceChildren(p);
      update({ status: p.textContent });
      return;
    }
    const current = view;
    const ready = new MutationObserver(() => {
      if (current.dataset.ready !== 'true') return;
      ready.disconnect();
      if (view === current) started();
    });
    ready.observe(current, { attributes: true, attributeFilter: ['data-ready'] });
    el.replaceChildren(view);
  };

  /** Press a panel's button, as a user would: the one experiment shown, or `experiment`. */
  const press = (which, experiment) => {
    if (!view?.lab) {
      update({ status: `the lab has not started yet: ${which === 'run' ? 'run' : 'stop'} it again in a moment` });
      return;
    }
    const panels = [...view.shadowRoot.querySelectorAll('.lab-panel')].filter((p) => !experiment || p.dataset.experiment === experiment);
    const button = panels[0]?.querySelector(which === 'run' ? '.lab-run' : '.lab-stop');
    if (!button) update({ status: `no experiment ${JSON.stringify(experiment)} is shown here` });
    else if (!button.disabled) button.click();
  };

  const handlers = [];
  const on = (event, handler) => {
    model.on(event, handler);
    handlers.push([event, handler]);
  };
  for (const name of SETTINGS) on(`change:${name}`, apply);
  on('change:experiment', mount);
  on('msg:custom', (message) => {
    if (message?.type === 'run' || message?.type === 'stop') press(message.type, message.experiment);
  });
  mount();

  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
    detach();
    releaseKeys();
  };
}
