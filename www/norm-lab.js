// <norm-lab>: small networks trained in the page (in workers) to answer
// "why not instance norm for classifiers?". One script tag and the element:
//
//   <script type="module" src="https://example.org/normscope/norm-lab.js"></script>
//   <norm-lab experiment="lighting"></norm-lab>
//
// Attributes (all optional):
//   experiment   one experiment only: race, lighting, pooled, batch, neighbours,
//                evalmode, both, lr or noise (default: all, in that order)
//   use-url      read and write the lab-* parameters of the page's address
//                (the normscope page sets it; embeds usually do not)
//   loading      "lazy": start (fetch the recorded runs and the training
//                engine, then set data-ready) only when the element first
//                comes within a screen of the viewport, as <img loading=lazy>
//                does (the normscope page sets it); otherwise at once
//   task, steps, seeds, kinds, axis, at, lr, compare, checkpoint   starting settings,
//                as the lab-* parameters (task=day-night; task=photos: the
//                reader's own photos, js/lab/photos.js, added in the page, seeds=5: the seeds
//                "Run it here" trains, kinds=batch,instance,
//                compare=batch,group: the kinds experiment 5 compares,
//                checkpoint=100: the training step its heat maps show, …)
//   channel, stage (pooled), momentum, momenta (evalmode)   likewise
//                (channel=auto|0…31, stage=norm|relu|features,
//                momentum=0.1, momenta=0.01,0.1,0.5,1)
//                Every one is an entry of www/lab/settings.json (js/lab/state.js).
//
// It first shows runs recorded with `normscope train` (www/lab/recorded/);
// "Run it here" trains the same configs in module workers (js/lab/pool.js).
//
// Once started (data-ready="true"), a script (the notebook widget) may use:
//   lab.settings              the settings now: { task, steps, kinds, axis, at, lr, … }
//                             (state.js's, one per lab-* parameter)
//   lab.applySettings(patch)  change them as the controls do: validated like
//                             the attributes (a bad value keeps its setting and
//                             gets a notice); the panels are redrawn
//   lab.shown                 [{ experiment, keys }]: each panel's runs in lab.store
//   lab.store                 the runs (js/lab/store.js; 'change' events)
//   'normlab-change' event    the settings changed (detail: the settings)
import { LabStore } from './js/lab/store.js';
import { SETTING_NAMES, parseLabState, readsSetting, reshows, serializeLabState, writeLabState } from './js/lab/state.js';
import { racePanel } from './js/lab/race.js';
import { lightingPanel } from './js/lab/lighting.js';
import { lrPanel } from './js/lab/lr.js';
import { batchPanel } from './js/lab/batch.js';
import { pooledPanel } from './js/lab/pooled.js';
import { evalmodePanel } from './js/lab/evalmode.js';
import { neighboursPanel } from './js/lab/neighbours.js';
import { bothPanel } from './js/lab/both.js';
import { noisePanel } from './js/lab/noise.js';
import { h } from './js/lab/dom.js';
import { loadEngine } from './js/lab/engine.js';
import { fetchFile } from './js/assets.js';
import { ensureClasses, onPhotoTask, photoTaskBuilder, photoTaskId, taskWords } from './js/lab/photos.js';

// In the issues' order: 1 race, 2 lighting, 3 pooled, 4 batch, 5 neighbours,
// 6 evalmode, 7 both, 8 lr, 9 noise.
const PANELS = {
  race: racePanel, lighting: lightingPanel, pooled: pooledPanel, batch: batchPanel,
  neighbours: neighboursPanel, evalmode: evalmodePanel, both: bothPanel, lr: lrPanel, noise: noisePanel,
};

let sheetPromise = null;
/** The lab's stylesheet as a constructable sheet shared by every lab (rem → em: the widget's own size). */
function sheet() {
  if (!sheetPromise) {
    sheetPromise = (async () => {
      const response = await fetchFile('norm-lab.css');
      if (!response.ok) throw new Error(`norm-lab.css: HTTP ${response.status}`);
      const text = await response.text();
      const s = new CSSStyleSheet();
      s.replaceSync(text.replace(/(\d)rem\b/g, '$1em'));
      return s;
    })();
  }
  return sheetPromise;
}

/**
 * Resolves when `element` first comes within a screen's height of the
 * viewport: the lab fetches its recorded runs and its engine only then, so
 * a visitor who never scrolls to it downloads neither.
 */
function nearViewport(element) {
  if (typeof IntersectionObserver !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        resolve();
      },
      { rootMargin: '100% 0px' },
    );
    observer.observe(element);
  });
}

/** One store for every lab on the page: the same runs, trained once. */
let sharedStore = null;

export class NormLabElement extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.started = false;
  }

  connectedCallback() {
    if (this.started) return;
    this.started = true;
    this.start();
  }

  async start() {
    const root = this.shadowRoot;
    try {
      root.adoptedStyleSheets = [await sheet()];
    } catch {
      root.append(h('link', { rel: 'stylesheet', href: new URL('norm-lab.css', import.meta.url).href }));
    }
    const pairs = [];
    for (const name of SETTING_NAMES) if (this.hasAttribute(name)) pairs.push([`lab-${name}`, this.getAttribute(name)]);
    const fromAttributes = parseLabState(new URLSearchParams(pairs));
    const useUrl = this.hasAttribute('use-url');
    const fromUrl = useUrl ? parseLabState(location.search) : null;
    const notices = [...fromAttributes.notices.map((n) => n.replace('Ignored lab-', 'Ignored the attribute ')), ...(fromUrl?.notices ?? [])];
    const state = fromUrl && [...new URLSearchParams(location.search).keys()].some((k) => k.startsWith('lab-')) ? fromUrl.state : fromAttributes.state;
    const only = this.getAttribute('experiment');
    const known = only !== null && Object.hasOwn(PANELS, only);
    if (only !== null && !known) notices.push(`Ignored experiment=${JSON.stringify(only.slice(0, 30))}: choose ${Object.keys(PANELS).join(', ')}.`);
    const names = known ? [only] : Object.keys(PANELS);

    sharedStore ??= new LabStore();
    const store = sharedStore;
    const lab = {
      state,
      update: (patch) => {
        const before = { ...lab.state };
        Object.assign(lab.state, patch);
        if (useUrl) writeLabState(lab.state);
        const changed = Object.keys(lab.state).filter((k) => String(before[k]) !== String(lab.state[k]));
        const reload = changed.some(reshows);
        if (changed.includes('task')) {
          for (const name of body.querySelectorAll('.lab-task-name')) name.textContent = taskWords(lab.state);
          showBuilder();
          if (builder && !builder.element.isConnected) notice.after(builder.element);
        }
        // A setting shown by more than one panel (the task, the lighting axis,
        // the checkpoint): every control showing it follows.
        for (const key of changed) {
          for (const control of body.querySelectorAll(`[data-setting="${key}"]`)) control.value = String(lab.state[key]);
        }
        // Only the panels that read a changed setting (the table's `panels`):
        // a slider in one panel must not redraw all eight.
        for (const p of panels) {
          if (!changed.some((k) => readsSetting(p.name, k))) continue;
          if (reload) p.show();
          p.render();
        }
        this.dispatchEvent(new CustomEvent('normlab-change', { detail: this.settings }));
      },
    };
    const notice = h('div', { class: 'lab-notice', role: 'status', hidden: notices.length === 0 }, notices.map((n) => h('p', { text: n })));
    const body = h('div', { class: 'lab', part: 'body' });
    let panels = [];
    // "Your photos": the task builder, shown while that task is chosen.
    let builder = null;
    const showBuilder = () => {
      if (lab.state.task === 'photos') {
        ensureClasses();
        builder ??= photoTaskBuilder();
      }
      if (builder) builder.element.hidden = lab.state.task !== 'photos';
    };
    // A changed photo task is a new set of runs for every panel on it.
    onPhotoTask(() => {
      // Runs of an earlier version of the task stop: their photos changed.
      for (const [key, set] of store.sets) if (set.running && /-photos#\d+$/.test(key) && !key.endsWith(`-${photoTaskId()}`)) store.stop(key);
      if (lab.state.task !== 'photos') return;
      for (const p of panels) {
        p.show();
        p.render();
      }
    });
    // (Re)build the panels from lab.state: their controls show its values.
    this.build = () => {
      panels = names.map((name) => Object.assign(PANELS[name](store, lab), { name }));
      showBuilder();
      body.replaceChildren(notice, ...(builder ? [builder.element] : []), ...panels.map((p) => p.element));
      for (const p of panels) {
        p.render();
        p.show();
      }
    };
    this.say = (lines) => {
      notice.replaceChildren(...lines.map((n) => h('p', { text: n })));
      notice.hidden = lines.length === 0;
    };
    this.lab = lab;
    this.store = store;
    this.panelList = () => panels;
    root.append(body);
    store.addEventListener('change', ({ detail }) => {
      for (const p of panels) if (p.keys().includes(detail.key)) p.render();
    });
    if (this.getAttribute('loading') === 'lazy') await nearViewport(this);
    // The engine before the panels: they may compute with it as they draw,
    // and "Run it here" then starts at once. Without it the recorded runs
    // still show; a run says again why it cannot start.
    try {
      await loadEngine();
    } catch (error) {
      this.say([...notices, `The training engine could not be loaded (${error.message}).`]);
    }
    this.build();
    this.dataset.ready = 'true';
  }

  /** The settings now (a copy), or null before the lab has started. */
  get settings() {
    return this.lab ? structuredClone(this.lab.state) : null;
  }

  /**
   * Change settings as the controls would, checked as the attributes are:
   * a bad value keeps its setting and is named in the notice line. Returns
   * the notices ([] when all were taken).
   */
  applySettings(patch) {
    if (!this.lab) return ['the lab has not started yet'];
    const now = this.lab.state;
    // Every setting as its attribute spells it, then the patch's over them
    // (only the patch's own keys that are settings: it may come from a notebook).
    const has = (key) => patch !== null && typeof patch === 'object' && Object.hasOwn(patch, key);
    const params = serializeLabState(now, { changedOnly: false });
    if (has('axis') && !has('at')) params.delete('lab-at');
    for (const key of SETTING_NAMES) {
      if (has(key)) params.set(`lab-${key}`, Array.isArray(patch[key]) ? patch[key].join(',') : String(patch[key]));
    }
    const { state, notices } = parseLabState(params);
    const refused = (key) => notices.some((n) => n.startsWith(`Ignored lab-${key}=`));
    // Only what the patch names changes (and `at` with its axis): any other
    // setting, one a panel keeps that has no attribute too, stays as it is.
    const next = { ...now };
    for (const key of SETTING_NAMES) if (has(key) && key !== 'at' && !refused(key)) next[key] = state[key];
    if (has('axis') ? !refused('axis') : has('at') && !refused('at')) next.at = state.at;
    this.say(notices.map((n) => n.replace('Ignored lab-', 'Ignored ')));
    if (JSON.stringify(next) !== JSON.stringify(now)) {
      this.lab.update(next);
      this.build();
    }
    return notices;
  }

  /** What each panel shows: [{ experiment, keys }] (keys of lab.store's sets). */
  get shown() {
    return this.panelList ? this.panelList().map((p) => ({ experiment: p.name, keys: p.keys() })) : [];
  }
}

if (!customElements.get('norm-lab')) customElements.define('norm-lab', NormLabElement);
