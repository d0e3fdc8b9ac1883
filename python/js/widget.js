// The notebook widget's front end (anywidget): the page's <norm-scope>
// element, kept in step with the traits of the Python `normscope.Scope`.
// `cargo xtask pybundle` bundles it with the page's modules and the wasm
// (python/normscope/_static/widget.js); nothing here fetches anything.
//
//   Python trait                      element
//   contrast brightness gamma clip -> attributes (the element applies them live)
//   probe kinds diff groups rho eps bn features
//                                  -> the element's Session and Scope, live
//   _images size controls compact  -> a new element
//   every repaint (normscope-change) -> the sliders, probe, kinds, diff and
//                                       the readout back into the traits
//   the element's message line      -> status
// Keys pressed in it stay in it (keys.js): JupyterLab would take the arrows.
import './norm-scope.js';
import { keepKeys } from './keys.js';
import { setTraits } from './traits.js';

const ADJUSTMENT = ['contrast', 'brightness', 'gamma', 'clip'];
const SESSION = ['groups', 'rho', 'eps', 'bn', 'features'];
const REBUILD = ['_images', 'size', 'controls', 'compact'];
const ALWAYS = ['batch', 'instance'];

/** The bytes of a binary buffer as the widget comm delivers it. */
function bytesOf(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('an image arrived without its data');
}

/** The images, as the element's `imageSources` (own copies of the bytes). */
function imageSources(model) {
  return model.get('_images').map((item) =>
    item.rgba
      ? { label: item.label, width: item.width, height: item.height, rgba: new Uint8ClampedArray(bytesOf(item.rgba)) }
      : { label: item.label, bytes: bytesOf(item.bytes).slice() },
  );
}

const flag = (on) => (on ? '1' : '0');

/** A new <norm-scope> from the traits. */
function createView(model) {
  const view = document.createElement('norm-scope');
  const set = (name, value) => view.setAttribute(name, String(value));
  for (const name of ['contrast', 'brightness', 'gamma', 'groups', 'rho', 'eps', 'bn', 'size', 'probe']) set(name, model.get(name));
  set('clip', flag(model.get('clip')));
  set('features', flag(model.get('features')));
  set('kinds', model.get('kinds').join(','));
  const controls = model.get('controls');
  set('controls', controls.length ? controls.join(',') : 'none');
  if (model.get('compact')) view.setAttribute('compact', '');
  view.imageSources = imageSources(model);
  return view;
}

export function render({ model, el }) {
  const releaseKeys = keepKeys(el);
  let view = null;
  let started = false;
  let statusObserver = null;

  const update = (values) => setTraits(model, values);

  const say = (text) => {
    if (view) view.say([text], true);
  };

  /** The traits the element has no attribute for once it runs. */
  const applyLive = () => {
    const scope = view?.scope;
    if (!scope) return;
    const session = view.session;
    const probe = model.get('probe');
    if (probe !== session.probe) {
      if (probe < session.length) {
        session.setProbe(probe);
        scope.syncSliders();
        scope.refreshTray();
      } else say(`probe ${probe}: the batch has ${session.length} image(s)`);
    }
    const kinds = model.get('kinds');
    let grid = false;
    for (const box of scope.kindBoxes()) {
      const on = kinds.includes(box.dataset.kind);
      grid ||= box.checked !== on;
      box.checked = on;
    }
    const diff = view.shadowRoot.getElementById('show-diff');
    if (diff && diff.checked !== model.get('diff')) {
      diff.checked = model.get('diff');
      grid = true;
    }
    try {
      // Each call is a no-op when nothing changes. Feature maps first: they
      // change the channel count that G must divide.
      session.setFeatureMaps(model.get('features'));
      session.setParams(model.get('groups'), model.get('rho'), model.get('eps'));
      session.setBnMode(model.get('bn'));
    } catch (error) {
      say(error.message);
    }
    if (grid) scope.rebuildGrid();
    else scope.repaint();
  };

  const onRepaint = () => {
    const scope = view.scope;
    if (!started) {
      // The first repaint: the element started from the attributes; what
      // they cannot carry (the difference maps box) follows now.
      started = true;
      applyLive();
    }
    const v = scope.sliderValues();
    update({
      contrast: v.contrast,
      brightness: v.brightness,
      gamma: v.gamma,
      clip: v.clip,
      probe: view.session.probe,
      kinds: scope.shownKinds().filter((k) => !ALWAYS.includes(k)),
      diff: scope.showDiff(),
      readout: JSON.parse(JSON.stringify(view.readout)),
    });
  };

  const watchStatus = () => {
    const box = view.shadowRoot.getElementById('status');
    const report = () => {
      const text = box.hidden ? '' : [...box.querySelectorAll('p')].map((p) => p.textContent).join('\n');
      update({ status: text });
    };
    statusObserver = new MutationObserver(report);
    statusObserver.observe(box, { childList: true, subtree: true, characterData: true, attributes: true });
  };

  const mount = () => {
    if (statusObserver) statusObserver.disconnect();
    started = false;
    try {
      view = createView(model);
    } catch (error) {
      const p = document.createElement('p');
      p.textContent = `normscope could not start: ${error.message}`;
      el.replaceChildren(p);
      update({ status: p.textContent });
      return;
    }
    view.addEventListener('normscope-change', onRepaint);
    el.replaceChildren(view);
    watchStatus();
  };

  const handlers = [];
  const on = (names, handler) => {
    for (const name of names) {
      model.on(`change:${name}`, handler);
      handlers.push([`change:${name}`, handler]);
    }
  };
  on(ADJUSTMENT, () => {
    if (!view) return;
    for (const name of ADJUSTMENT) {
      const value = name === 'clip' ? flag(model.get(name)) : String(model.get(name));
      if (view.getAttribute(name) !== value) view.setAttribute(name, value);
    }
  });
  on(['probe', 'kinds', 'diff', ...SESSION], () => {
    if (started) applyLive();
    else if (view) {
      // Not running yet: the attributes are still read at the start.
      view.remove();
      mount();
    }
  });
  on(REBUILD, mount);
  mount();

  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
    if (statusObserver) statusObserver.disconnect();
    releaseKeys();
  };
}
