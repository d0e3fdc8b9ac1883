// <norm-lab>: small networks trained in the page (in workers) to answer
// "why not instance norm for classifiers?". One script tag and the element:
//
//   <script type="module" src="https://example.org/normscope/norm-lab.js"></script>
//   <norm-lab experiment="lighting"></norm-lab>
//
// Attributes (all optional):
//   experiment   one experiment only: race, lighting, pooled, batch, neighbours,
//                evalmode, both or lr (default: all, in that order)
//   use-url      read and write the lab-* parameters of the page's address
//                (the normscope page sets it; embeds usually do not)
//   task, steps, kinds, axis, at, lr, compare, checkpoint   starting settings,
//                as the lab-* parameters (task=day-night, kinds=batch,instance,
//                compare=batch,group: the kinds experiment 5 compares,
//                checkpoint=100: the training step its heat maps show, …)
//   channel, stage (pooled), momentum, momenta (evalmode)   likewise
//                (channel=auto|0…31, stage=norm|relu|features,
//                momentum=0.1, momenta=0.01,0.1,0.5,1)
//
// It first shows runs recorded with `normscope train` (www/lab/recorded/);
// "Run it here" trains the same configs in module workers (js/lab/pool.js).
import { LabStore } from './js/lab/store.js';
import { parseLabState, writeLabState } from './js/lab/state.js';
import { racePanel } from './js/lab/race.js';
import { lightingPanel } from './js/lab/lighting.js';
import { lrPanel } from './js/lab/lr.js';
import { batchPanel } from './js/lab/batch.js';
import { pooledPanel } from './js/lab/pooled.js';
import { evalmodePanel } from './js/lab/evalmode.js';
import { neighboursPanel } from './js/lab/neighbours.js';
import { bothPanel } from './js/lab/both.js';
import { h } from './js/lab/dom.js';

// In the order: 1 race, 2 lighting, 3 pooled, 4 batch, 5 neighbours,
// 6 evalmode, 7 both, 8 lr.
const PANELS = {
  race: racePanel, lighting: lightingPanel, pooled: pooledPanel, batch: batchPanel,
  neighbours: neighboursPanel, evalmode: evalmodePanel, both: bothPanel, lr: lrPanel,
};
const ATTRIBUTES = ['task', 'steps', 'kinds', 'axis', 'at', 'lr', 'compare', 'checkpoint', 'channel', 'stage', 'momentum', 'momenta'];

let sheetPromise = null;
/** The lab's stylesheet as a constructable sheet shared by every lab (rem → em: the widget's own size). */
function sheet() {
  if (!sheetPromise) {
    sheetPromise = (async () => {
      const inline = globalThis.NORMSCOPE_OFFLINE?.labCss;
      let text = inline;
      if (!text) {
        const response = await fetch(new URL('norm-lab.css', import.meta.url));
        if (!response.ok) throw new Error(`norm-lab.css: HTTP ${response.status}`);
        text = await response.text();
      }
      const s = new CSSStyleSheet();
      s.replaceSync(text.replace(/(\d)rem\b/g, '$1em'));
      return s;
    })();
  }
  return sheetPromise;
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
    for (const name of ATTRIBUTES) if (this.hasAttribute(name)) pairs.push([`lab-${name}`, this.getAttribute(name)]);
    const fromAttributes = parseLabState(new URLSearchParams(pairs));
    const useUrl = this.hasAttribute('use-url');
    const fromUrl = useUrl ? parseLabState(location.search) : null;
    const notices = [...fromAttributes.notices.map((n) => n.replace('Ignored lab-', 'Ignored the attribute ')), ...(fromUrl?.notices ?? [])];
    const state = fromUrl && [...new URLSearchParams(location.search).keys()].some((k) => k.startsWith('lab-')) ? fromUrl.state : fromAttributes.state;
    const only = this.getAttribute('experiment');
    if (only !== null && !(only in PANELS)) notices.push(`Ignored experiment=${JSON.stringify(only.slice(0, 30))}: choose ${Object.keys(PANELS).join(', ')}.`);
    const names = only in PANELS ? [only] : Object.keys(PANELS);

    sharedStore ??= new LabStore();
    const store = sharedStore;
    const lab = {
      state,
      update: (patch) => {
        const before = { ...lab.state };
        Object.assign(lab.state, patch);
        if (useUrl) writeLabState(lab.state);
        const reload = ['task', 'steps', 'kinds', 'lr', 'compare'].some((k) => String(before[k]) !== String(lab.state[k]));
        for (const p of panels) {
          if (reload) p.show();
          p.render();
        }
      },
    };
    const panels = names.map((name) => PANELS[name](store, lab));
    const notice = h('div', { class: 'lab-notice', role: 'status', hidden: notices.length === 0 }, notices.map((n) => h('p', { text: n })));
    root.append(h('div', { class: 'lab', part: 'body' }, notice, panels.map((p) => p.element)));
    store.addEventListener('change', ({ detail }) => {
      for (const p of panels) if (p.keys().includes(detail.key)) p.render();
    });
    for (const p of panels) {
      p.render();
      p.show();
    }
    this.dataset.ready = 'true';
  }
}

if (!customElements.get('norm-lab')) customElements.define('norm-lab', NormLabElement);
