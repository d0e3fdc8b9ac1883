// The core view shared by the page and the <norm-scope> widget: probe
// sliders, kinds shown, readouts, the tray and the grid over one Session.
// Elements are looked up through `$` (the document's or a shadow root's
// getElementById), so the same code drives both; a missing control is
// simply not wired.
import { renderTray } from './tray.js';
import { Grid } from './grid.js';
import { KIND_LABELS, changeInWords, channelName, fmt, movedChannels } from './format.js';
import SLIDER_RANGES from './sliders.json' with { type: 'json' };

/** The probe's sliders; their range and step live in sliders.json (links and the notebook read it too). */
export const SLIDERS = Object.keys(SLIDER_RANGES);
export { SLIDER_RANGES };

export class Scope {
  /**
   * `$`: id → element or null. `options.say(text, isError)` shows a message;
   * `options.onRender(readout)` runs after every repaint; `options.onChange()`
   * after every change the user makes. With `options.shownKindsOnly`, each
   * repaint computes the kinds on screen only (the readout lists those).
   */
  constructor($, session, options = {}) {
    this.$ = $;
    // Each slider present takes its range and step from the one table.
    for (const id of SLIDERS) {
      const slider = $(id);
      if (slider) Object.assign(slider, SLIDER_RANGES[id]);
    }
    this.session = session;
    this.say = options.say ?? (() => {});
    this.onRender = options.onRender ?? (() => {});
    this.onChange = options.onChange ?? (() => {});
    this.trayActions = options.trayActions ?? null;
    this.grid = new Grid($('grid'));
    // Charts are drawn at their displayed size: redraw when the grid's width changes.
    const gridRoot = $('grid');
    if (gridRoot && typeof ResizeObserver !== 'undefined') {
      let width = 0;
      new ResizeObserver(() => {
        if (gridRoot.clientWidth !== width) {
          width = gridRoot.clientWidth;
          this.repaint();
        }
      }).observe(gridRoot);
    }
    this.frameRequested = false;
    this.shownKindsOnly = options.shownKindsOnly ?? false;
    this.alwaysKinds = ['batch', 'instance'];
  }

  /** The kind checkboxes (extra kinds) inside this view. */
  kindBoxes() {
    const any = this.$('grid');
    const root = any ? any.getRootNode() : document;
    return [...root.querySelectorAll('.kinds input[data-kind]')];
  }

  shownKinds() {
    const extra = this.kindBoxes()
      .filter((b) => b.checked)
      .map((b) => b.dataset.kind);
    return [...this.alwaysKinds, ...extra];
  }

  showDiff() {
    const box = this.$('show-diff');
    return box ? box.checked : true;
  }

  rebuildGrid() {
    this.grid.setColumns(this.shownKinds(), this.showDiff());
    this.repaint();
  }

  renderReadouts(readout) {
    const root = this.$('readouts');
    if (!root) return;
    root.replaceChildren();
    const shown = new Set(this.shownKinds());
    for (const k of readout.kinds) {
      if (!shown.has(k.kind)) continue;
      const p = document.createElement('p');
      p.className = 'readout';
      p.dataset.kind = k.kind;
      const words = changeInWords(k.unchanged, k.invariance.max_abs);
      p.dataset.state = words === 'unchanged' ? 'unchanged' : 'changed';
      const strong = document.createElement('strong');
      strong.textContent = `${KIND_LABELS[k.kind]}: ${words}`;
      const detail = document.createElement('span');
      detail.textContent = ` (max |Δ| = ${fmt(k.invariance.max_abs)}, RMS ${fmt(k.invariance.rms)})`;
      p.append(strong, detail);
      const channels = k.output.original.length;
      if (channels !== 3 && !k.unchanged) {
        // Feature maps: the panels draw three of them, the figures cover all.
        const moved = movedChannels(k.output).map((c) => channelName(c, channels));
        const where = document.createElement('span');
        where.className = 'readout-maps';
        where.textContent = moved.length
          ? ` — maps whose mean or spread moved: ${moved.join(', ')}`
          : ' — no map\'s mean or spread moved';
        p.append(where);
      }
      root.append(p);
    }
    if (readout.images === 1 && readout.bn_mode === 'train') {
      // In evaluation mode batch norm uses its running statistics instead.
      const p = document.createElement('p');
      p.className = 'readout note';
      p.textContent = 'With a batch of one image, batch norm in training mode computes the same statistics as instance norm, so the two outputs are identical.';
      root.append(p);
    }
  }

  /** Recompute and repaint everything, at most once per frame. */
  repaint() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.renderNow();
    });
  }

  renderNow() {
    const session = this.session;
    if (!session || session.length === 0) return;
    try {
      if (this.shownKindsOnly) session.computeKinds(this.shownKinds().join(','));
      else session.compute();
      const readout = session.readout();
      this.grid.update(session, readout);
      this.renderReadouts(readout);
      this.onRender(readout);
    } catch (error) {
      this.say(`Could not update the panels: ${error.message}`, true);
    }
  }

  refreshTray() {
    const list = this.$('tray');
    if (!list) return;
    const session = this.session;
    const actions = this.trayActions ?? {
      probe: (i) => {
        session.setProbe(i);
        this.syncSliders();
        this.refreshTray();
        this.changed();
      },
      move: (from, to) => {
        if (to < 0 || to >= session.length) return;
        session.moveImage(from, to);
        this.refreshTray();
        this.changed();
      },
      remove: (i) => {
        const name = session.name(i);
        session.remove(i);
        this.say(`Removed ${name}.`);
        this.syncSliders();
        this.refreshTray();
        this.changed();
      },
    };
    renderTray(list, session, actions);
  }

  /** Repaint and tell the owner something changed. */
  changed() {
    this.repaint();
    this.onChange();
  }

  sliderValues() {
    const v = {};
    for (const id of SLIDERS) {
      const el = this.$(id);
      v[id] = el ? Number(el.value) : this.session.adjustment(this.session.probe)[id];
    }
    const clip = this.$('clip');
    v.clip = clip ? clip.checked : this.session.adjustment(this.session.probe).clip;
    return v;
  }

  showSliderValues() {
    for (const id of SLIDERS) {
      const el = this.$(id);
      const out = this.$(`${id}-value`);
      if (el && out) out.textContent = Number(el.value).toFixed(2);
    }
  }

  /** Read the sliders into the probe's adjustment. */
  applySliders() {
    const v = this.sliderValues();
    this.showSliderValues();
    try {
      this.session.setAdjustment(this.session.probe, v.contrast, v.brightness, v.gamma, v.clip);
    } catch (error) {
      this.say(error.message, true);
    }
    this.changed();
  }

  /** Set the sliders (those present) and apply them. */
  setAdjustment({ contrast, brightness, gamma, clip }) {
    const set = (id, value) => {
      const el = this.$(id);
      if (el && value !== undefined) el.value = value;
    };
    set('contrast', contrast);
    set('brightness', brightness);
    set('gamma', gamma);
    const box = this.$('clip');
    if (box && clip !== undefined) box.checked = clip;
    if (!this.$('contrast') || !this.$('brightness') || !this.$('gamma') || !box) {
      // Some sliders are hidden (widget): apply the values directly.
      const a = this.session.adjustment(this.session.probe);
      this.session.setAdjustment(
        this.session.probe,
        contrast ?? a.contrast,
        brightness ?? a.brightness,
        gamma ?? a.gamma,
        clip ?? a.clip,
      );
    }
    this.applySliders();
  }

  /** Show the probe's adjustment on the sliders. */
  syncSliders() {
    const a = this.session.adjustment(this.session.probe);
    for (const id of SLIDERS) {
      const el = this.$(id);
      if (el) el.value = a[id];
    }
    const clip = this.$('clip');
    if (clip) clip.checked = a.clip;
    this.showSliderValues();
  }

  /** Wire sliders, reset, kinds and the difference-map box. */
  wire() {
    for (const id of SLIDERS) this.$(id)?.addEventListener('input', () => this.applySliders());
    this.$('clip')?.addEventListener('change', () => this.applySliders());
    this.$('reset')?.addEventListener('click', () => this.setAdjustment({ contrast: 1, brightness: 0, gamma: 1, clip: false }));
    for (const box of [...this.kindBoxes(), this.$('show-diff')]) {
      box?.addEventListener('change', () => {
        this.rebuildGrid();
        this.onChange();
      });
    }
    this.grid.setColumns(this.shownKinds(), this.showDiff());
  }
}
