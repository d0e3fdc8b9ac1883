// <norm-scope>: the explainer's core view as a custom element for other
// people's pages. One script tag and the element:
//
//   <script type="module" src="https://example.org/normscope/norm-scope.js"></script>
//   <norm-scope images="chelsea,coffee,astronaut" contrast="0.5"></norm-scope>
//
// Built from the page's own modules (engine, scope → tray, grid, format);
// lives in a shadow root, so the host's CSS cannot reach in and its CSS
// cannot leak out. Every widget on a page shares one wasm instance and has
// its own Session. Attributes (all optional, all validated):
//
//   images      bundled sample names and/or image URLs, comma-separated (1–32)
//   probe       index of the image whose adjustment changes (default 0)
//   contrast, brightness, gamma, clip   the probe's starting adjustment
//   kinds       extra kinds shown: layer, group, batch-instance
//   groups, rho, eps, features, bn      as in the page's link parameters
//   size        working size: 128, 256 or 512 (default 128)
//   controls    which controls appear: contrast, brightness, gamma, clip,
//               reset, kinds, tray (default: contrast,brightness,gamma,clip,reset)
//   compact     smaller: no histograms, no difference maps
//
// Property `imageSources`, set before the element starts, gives the images
// as data instead (the notebook widget): [{ label, bytes }] image files or
// [{ label, width, height, rgba }] pixels (rgba a Uint8ClampedArray).
//
// Event: `normscope-change` (bubbles, composed) after every repaint, with
// detail { probe, adjustment, kinds: [{ kind, maxAbs, unchanged }] }.
import { initWasm, openSession, decode, fetchSample } from './js/engine.js';
import { fetchFile } from './js/assets.js';
import { Scope } from './js/scope.js';
import { parseState } from './js/urlstate.js';
import { KNOWN_SAMPLES, applyToSession, limits } from './js/state.js';

const CONTROLS = ['contrast', 'brightness', 'gamma', 'clip', 'reset', 'kinds', 'tray'];
const DEFAULT_CONTROLS = ['contrast', 'brightness', 'gamma', 'clip', 'reset'];
const DEFAULT_IMAGES = ['chelsea', 'coffee', 'astronaut', 'rocket'];
// Attributes handed to urlstate.js's checks, with the same names.
const STATE_ATTRIBUTES = ['contrast', 'brightness', 'gamma', 'clip', 'kinds', 'groups', 'rho', 'eps', 'features', 'bn', 'size'];

const TEMPLATE = `
<div class="ns" part="body">
  <div id="status" class="status" role="status" aria-live="polite" hidden></div>
  <div class="controls ns-controls">
    <div class="control" data-control="contrast">
      <label for="contrast">Contrast <span class="formula">a</span></label>
      <input id="contrast" type="range" value="1">
      <output id="contrast-value" for="contrast">1.00</output>
    </div>
    <div class="control" data-control="brightness">
      <label for="brightness">Brightness <span class="formula">b</span></label>
      <input id="brightness" type="range" value="0">
      <output id="brightness-value" for="brightness">0.00</output>
    </div>
    <div class="control" data-control="gamma">
      <label for="gamma">Gamma <span class="formula">γ</span></label>
      <input id="gamma" type="range" value="1">
      <output id="gamma-value" for="gamma">1.00</output>
    </div>
    <div class="control checkbox" data-control="clip">
      <input id="clip" type="checkbox">
      <label for="clip">Clip to [0, 1]</label>
    </div>
    <button id="reset" type="button" data-control="reset">Reset</button>
  </div>
  <fieldset class="kinds" data-control="kinds">
    <legend>Show also</legend>
    <label><input type="checkbox" data-kind="layer"> layer norm</label>
    <label><input type="checkbox" data-kind="group"> group norm</label>
    <label><input type="checkbox" data-kind="batch-instance"> batch-instance norm</label>
    <label><input type="checkbox" id="show-diff" checked> difference maps</label>
  </fieldset>
  <ul id="tray" class="tray" aria-label="Images in the batch" data-control="tray"></ul>
  <div id="readouts" class="readouts" aria-live="polite"></div>
  <div id="grid" class="grid"></div>
</div>`;

const SHEETS = ['style.css', 'norm-scope.css'];
let sheetsPromise = null;

/**
 * The page's stylesheet and the widget's, as constructable sheets shared by
 * every widget. Sizes in rem would follow the host's <html> font size, so
 * they become em: relative to the widget's own 16 px.
 */
function sheets() {
  if (!sheetsPromise) {
    sheetsPromise = Promise.all(
      SHEETS.map(async (name) => {
        const response = await fetchFile(name);
        if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
        const text = await response.text();
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(text.replace(/(\d)rem\b/g, '$1em'));
        return sheet;
      }),
    );
  }
  return sheetsPromise;
}

/** Split an attribute's comma list. */
function list(text) {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function quote(text) {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** Check the `images` attribute: sample names or http(s)/blob/data URLs. */
function readImages(text, problems) {
  if (text === null) return DEFAULT_IMAGES.map((name) => ({ name }));
  const items = list(text);
  const out = [];
  for (const item of items) {
    if (KNOWN_SAMPLES.includes(item)) {
      out.push({ name: item });
      continue;
    }
    let url = null;
    try {
      url = new URL(item, document.baseURI);
    } catch {
      url = null;
    }
    if (url && ['http:', 'https:', 'blob:', 'data:'].includes(url.protocol) && /[./:]/.test(item)) {
      const last = url.pathname.split('/').pop() || 'image';
      out.push({ url: url.href, label: url.protocol === 'data:' ? 'image' : decodeURIComponent(last).slice(0, 80) });
    } else {
      problems.push(`images: ${quote(item)} is neither a bundled sample (${KNOWN_SAMPLES.join(', ')}) nor an image URL; left out.`);
    }
  }
  const { maxImages } = limits();
  if (out.length > maxImages) {
    problems.push(`images: at most ${maxImages} images; the rest are left out.`);
    out.length = maxImages;
  }
  if (out.length === 0) {
    problems.push('images: no usable image given; showing the bundled samples.');
    return DEFAULT_IMAGES.map((name) => ({ name }));
  }
  return out;
}

async function loadImage(image) {
  if (image.rgba) return [image.label, image];
  if (image.bytes) return [image.label, await decode(image.label, image.bytes)];
  if (image.name) return [`${image.name}.jpg`, await decode(`${image.name}.jpg`, await fetchSample(image.name))];
  const response = await fetch(image.url);
  if (!response.ok) throw new Error(`${image.label}: could not load it (HTTP ${response.status})`);
  return [image.label, await decode(image.label, new Uint8Array(await response.arrayBuffer()))];
}

export class NormScopeElement extends HTMLElement {
  static observedAttributes = ['contrast', 'brightness', 'gamma', 'clip'];

  constructor() {
    super();
    this.scope = null;
    this.session = null;
    this.readout = null;
    this.started = false;
    const root = this.attachShadow({ mode: 'open' });
    sheets().then(
      (list) => {
        root.adoptedStyleSheets = list;
      },
      () => {
        // No fetch or no constructable sheets: plain links (rem sizes then
        // follow the host's root font size).
        for (const sheet of SHEETS) {
          const link = document.createElement('link');
          link.rel = 'stylesheet';
          link.href = new URL(sheet, import.meta.url).href;
          root.prepend(link);
        }
      },
    );
    const template = document.createElement('template');
    template.innerHTML = TEMPLATE; // static markup only: nothing from attributes
    root.append(template.content.cloneNode(true));
  }

  connectedCallback() {
    if (this.started || this.observer) return;
    // Start when scrolled into view (or nearly): a page with many widgets
    // only pays for the ones a reader reaches.
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.observer.disconnect();
          this.start();
        }
      },
      { rootMargin: '200px' },
    );
    this.observer.observe(this);
  }

  disconnectedCallback() {
    if (this.observer && !this.started) {
      this.observer.disconnect();
      this.observer = null;
    }
  }

  attributeChangedCallback(name, old, value) {
    if (!this.scope || old === value) return;
    const text = value === '' && name === 'clip' ? '1' : value;
    const { state, notices } = parseState(new URLSearchParams(text === null ? '' : [[name, text]]));
    if (notices.length) {
      this.say(notices.map((n) => n.replace('; using the default.', '; kept the current value.')), true);
      return;
    }
    this.scope.setAdjustment({ [name]: state[name] });
  }

  $ = (id) => this.shadowRoot.getElementById(id);

  /** Show messages (plain text) above the widget; none hides the box. */
  say(lines, isError = false) {
    const box = this.$('status');
    box.replaceChildren();
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      box.append(p);
    }
    box.hidden = lines.length === 0;
    box.classList.toggle('is-error', isError);
  }

  /** Read and check every attribute: { state, images, controls, problems }. */
  readAttributes() {
    const problems = [];
    const images = this.imageSources ?? readImages(this.getAttribute('images'), problems);
    const pairs = [];
    for (const name of STATE_ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value !== null) pairs.push([name, value === '' && ['clip', 'features'].includes(name) ? '1' : value]);
    }
    if (!this.hasAttribute('size')) pairs.push(['size', '128']);
    const { state, notices } = parseState(new URLSearchParams(pairs));
    problems.push(...notices.map((n) => n.replace('Ignored ', 'Ignored the attribute ')));
    state.probe = 0;
    const probe = this.getAttribute('probe');
    if (probe !== null) {
      if (/^\d{1,2}$/.test(probe) && Number(probe) < images.length) state.probe = Number(probe);
      else problems.push(`Ignored the attribute probe=${quote(probe)}: it must be an image number from 0 to ${images.length - 1}.`);
    }
    let controls = DEFAULT_CONTROLS;
    const wanted = this.getAttribute('controls');
    if (wanted !== null) {
      const names = list(wanted);
      const bad = names.filter((n) => !CONTROLS.includes(n) && n !== 'none');
      if (bad.length) problems.push(`Ignored controls ${bad.map(quote).join(', ')}: choose from ${CONTROLS.join(', ')} (or none).`);
      controls = names.filter((n) => CONTROLS.includes(n));
    }
    if (this.hasAttribute('compact')) state.diff = false;
    return { state, images, controls, problems };
  }

  async start() {
    this.started = true;
    this.say(['Loading…']);
    try {
      // The attributes are checked against the core's limits.
      await initWasm();
    } catch (error) {
      this.say([`normscope could not start: ${error.message}`], true);
      return;
    }
    const { state, images, controls, problems } = this.readAttributes();
    for (const el of this.shadowRoot.querySelectorAll('[data-control]')) el.hidden = !controls.includes(el.dataset.control);
    try {
      const session = await openSession(state.size);
      const loaded = await Promise.allSettled(images.map(loadImage));
      for (const result of loaded) {
        if (result.status === 'fulfilled') {
          const [name, img] = result.value;
          session.addRgba(name, img.rgba, img.width, img.height);
        } else problems.push(result.reason.message);
      }
      if (session.length === 0) throw new Error('none of the images could be loaded');
      this.session = session;
      this.scope = new Scope(this.$, session, {
        say: (text, isError) => this.say([text], isError),
        onRender: (readout) => this.rendered(readout),
      });
      for (const box of this.scope.kindBoxes()) box.checked = state.kinds.includes(box.dataset.kind);
      this.$('show-diff').checked = state.diff;
      applyToSession(session, state);
      this.scope.wire();
      this.scope.refreshTray();
      this.say(problems, problems.length > 0);
      this.scope.setAdjustment(state);
    } catch (error) {
      this.say([...problems, `normscope could not start: ${error.message}`], true);
    }
  }

  rendered(readout) {
    this.readout = readout;
    this.dataset.ready = 'true';
    const a = this.session.adjustment(this.session.probe);
    this.dispatchEvent(
      new CustomEvent('normscope-change', {
        bubbles: true,
        composed: true,
        detail: {
          probe: this.session.probe,
          adjustment: { contrast: a.contrast, brightness: a.brightness, gamma: a.gamma, clip: a.clip },
          kinds: readout.kinds.map((k) => ({ kind: k.kind, maxAbs: k.invariance.max_abs, unchanged: k.unchanged })),
        },
      }),
    );
  }
}

if (!customElements.get('norm-scope')) customElements.define('norm-scope', NormScopeElement);
