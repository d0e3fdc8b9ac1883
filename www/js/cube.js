// The N, C, H×W cube: the batch as one block (images × channels × pixels,
// H and W flattened into one axis as the Group Normalization paper draws
// it). Pick an image n and a channel c; the cube highlights every value that
// shares one mean and variance with that plane under the chosen kind, and
// prints the μ and σ the core actually used.
import { KIND_LABELS, channelName, fmt, fmtSmall } from './format.js';
import { Formula } from './formula.js';

const SVG = 'http://www.w3.org/2000/svg';
/** At most this many images are drawn; the rest show as "+k more". */
const MAX_DRAWN = 10;
/** The H×W axis is drawn as this many bands (the values are all there). */
const BANDS = 8;

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function poly(points, attrs, parent) {
  return el('polygon', { points: points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '), ...attrs }, parent);
}

const count = (k) => k.toLocaleString('en-US');

/** Which (image, channel) planes share statistics with (n, c) under `kind`. */
export function sharedPlanes(kind, n, c, images, channels, groups) {
  const all = [];
  for (let i = 0; i < images; i++) for (let j = 0; j < channels; j++) all.push([i, j]);
  const size = channels / groups;
  switch (kind) {
    case 'batch': return all.filter(([, j]) => j === c);
    case 'instance': return all.filter(([i, j]) => i === n && j === c);
    case 'layer': return all.filter(([i]) => i === n);
    case 'group': return all.filter(([i, j]) => i === n && Math.floor(j / size) === Math.floor(c / size));
    default: return [];
  }
}

export class Cube {
  /** `root` is the section; its markup is in index.html. */
  constructor(root) {
    this.root = root;
    this.kind = 'batch';
    this.n = null; // set from the probe on the first update
    this.c = 0;
    this.pixel = null; // flattened index along H×W
    this.session = null;
    this.widget = root.querySelector('.cube-widget');
    this.svg = root.querySelector('svg.cube');
    this.live = root.querySelector('.cube-live');
    this.stats = root.querySelector('.cube-stats');
    this.groupNote = root.querySelector('.cube-group-note');
    this.more = root.querySelector('.cube-more-note');
    this.pixelInput = root.querySelector('#cube-pixel');
    this.pixelText = root.querySelector('#cube-pixel-value');
    this.formula = new Formula(root.ownerDocument.getElementById('formula-section'));

    for (const radio of root.querySelectorAll('input[name="cube-kind"]')) {
      radio.addEventListener('change', () => {
        if (radio.checked) this.select({ kind: radio.value });
      });
    }
    this.widget.addEventListener('keydown', (e) => this.onKey(e));
    this.svg.addEventListener('click', (e) => {
      const cell = e.target.closest('[data-n]');
      if (!cell) return;
      this.select({ n: Number(cell.dataset.n), c: Number(cell.dataset.c) });
      this.widget.focus();
    });
    this.pixelInput.addEventListener('input', () => this.select({ pixel: Number(this.pixelInput.value) }));
  }

  onKey(e) {
    if (!this.session) return;
    const moves = {
      ArrowLeft: { n: this.n - 1 },
      ArrowRight: { n: this.n + 1 },
      ArrowUp: { c: this.c + 1 },
      PageUp: { c: this.session.channels - 1 },
      PageDown: { c: 0 },
      ArrowDown: { c: this.c - 1 },
      Home: { n: 0 },
      End: { n: this.session.length - 1 },
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    this.select(move);
  }

  select(change) {
    Object.assign(this, change);
    if (this.session) this.update(this.session);
  }

  /** Redraw from the session (after session.compute()). */
  update(session) {
    this.session = session;
    const images = session.length;
    const size = session.size;
    const pixels = size * size;
    if (this.n === null) this.n = session.probe;
    this.n = Math.min(Math.max(this.n, 0), images - 1);
    const channels = session.channels;
    this.c = Math.min(Math.max(this.c, 0), channels - 1);
    if (this.pixel === null) this.pixel = Math.floor(size / 2) * size + Math.floor(size / 2);
    this.pixel = Math.min(Math.max(this.pixel, 0), pixels - 1);
    this.pixelInput.max = String(pixels - 1);
    this.pixelInput.value = String(this.pixel);
    const py = Math.floor(this.pixel / size);
    const px = this.pixel % size;
    this.pixelText.textContent = `row ${py}, column ${px}`;

    const { groups, eps } = session.params();
    const stats = session.scopeStats(this.kind, this.n, this.c);
    const evalMode = this.kind === 'batch' && stats.count === 0;
    const shared = evalMode ? [] : sharedPlanes(this.kind, this.n, this.c, images, channels, groups);
    this.draw(images, channels, shared, py * size + px, pixels);
    this.more.textContent = images > MAX_DRAWN
      ? `The block shows ${MAX_DRAWN} of the ${images} images around the selected one; the others are not drawn`
        + (this.kind === 'batch' && !evalMode ? ', and they share the statistics too.' : '.')
      : '';
    this.describe(session, stats, shared, evalMode, groups, size, channels);
    this.formula.update(session, {
      kind: this.kind, n: this.n, c: this.c, y: py, x: px, stats, eps, evalMode,
    });
  }

  describe(session, stats, shared, evalMode, groups, size, channels) {
    const name = session.name(this.n);
    const where = `image ${this.n} (${name}), channel ${channelName(this.c, channels)}`;
    const sigma = Math.sqrt(stats.var);
    let text;
    if (evalMode) {
      text = `${where}: batch norm is in evaluation mode, so it uses the running statistics learned in training — `
        + `μ = ${fmt(stats.mean, 4)}, σ = ${fmt(sigma, 4)} — and no value of this batch. Nothing is highlighted.`;
    } else {
      const planes = shared.length;
      text = `${where}: ${KIND_LABELS[this.kind]} uses μ = ${fmt(stats.mean, 4)}, σ = ${fmt(sigma, 4)} `
        + `(σ² = ${fmtSmall(stats.var, 4)}), computed over ${count(stats.count)} values `
        + `(${planes} plane${planes === 1 ? '' : 's'} of ${size}×${size} pixels).`;
    }
    this.stats.replaceChildren();
    const parts = [
      ['μ', stats.mean, 'cube-mean'],
      ['σ', sigma, 'cube-sigma'],
      ['values', stats.count, 'cube-count'],
    ];
    for (const [label, value, id] of parts) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.id = id;
      dd.dataset.value = String(value);
      dd.textContent = id === 'cube-count'
        ? (evalMode ? '0 (running statistics)' : count(value))
        : fmt(value, 4);
      this.stats.append(dt, dd);
    }
    this.live.textContent = text;
    this.widget.setAttribute('aria-label',
      `Batch cube: ${session.length} images × ${channels} channels × ${size}·${size} pixels. Selected ${where}. `
      + 'Left and right arrows choose the image, up and down the channel.');
    this.svg.setAttribute('aria-label', text);
    if (this.kind === 'group') {
      const same = groups === 1 ? 'the same as layer norm' : groups === channels ? 'the same as instance norm'
        : `a true middle ground: ${channels / groups} channels per group`;
      this.groupNote.textContent = (channels === 3
        ? 'With 3 colour channels, group norm can only use G = 1 or G = 3 groups, so it always coincides with '
          + 'layer norm (G = 1) or instance norm (G = 3). Switch on feature maps (6 channels) to see G = 2. '
        : `With ${channels} channels, G can be any divisor of ${channels}. `)
        + `The page uses G = ${groups} now: here group norm is ${same}.`;
      this.groupNote.hidden = false;
    } else {
      this.groupNote.hidden = true;
    }
  }

  /** Draw the block: front face N × H·W (channel R), top face N × C, right face C × H·W. */
  draw(images, channels, shared, pixelIndex, pixels) {
    const svg = this.svg;
    svg.replaceChildren();
    // The window of drawn images always contains the selected one.
    const drawn = Math.min(images, MAX_DRAWN);
    const start = Math.min(Math.max(this.n - Math.floor(drawn / 2), 0), images - drawn);
    const hidden = { before: start, after: images - start - drawn };
    const inSet = new Set(shared.map(([i, j]) => `${i}/${j}`));

    const cw = Math.max(24, Math.min(48, 400 / drawn)); // column width per image
    const depth = [Math.min(26, 110 / channels), -Math.min(18, 76 / channels)]; // one channel step back
    const bandH = 22;
    const left = 64;
    const top = 40 + channels * -depth[1];
    const at = (n, c, v) => [left + n * cw + c * depth[0], top + c * depth[1] + v * bandH];
    const width = left + drawn * cw + channels * depth[0] + 36;
    const height = top + BANDS * bandH + 70;
    svg.setAttribute('viewBox', `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`);

    const fill = (on, face) => `cube-face cube-${face}${on ? ' is-shared' : ''}`;
    const key = (i, j) => inSet.has(`${start + i}/${j}`);

    // Top face (v = 0): one clickable cell per (image, channel), back rows first.
    for (let j = channels - 1; j >= 0; j--) {
      for (let i = 0; i < drawn; i++) {
        const n = start + i;
        const cell = poly([at(i, j, 0), at(i + 1, j, 0), at(i + 1, j + 1, 0), at(i, j + 1, 0)],
          { class: fill(key(i, j), 'top'), 'data-n': n, 'data-c': j }, svg);
        const t = el('title', {}, cell);
        t.textContent = `image ${n}, channel ${channelName(j, channels)}`;
      }
    }
    // Front face (c = 0): images × H·W bands of channel R.
    for (let i = 0; i < drawn; i++) {
      for (let v = 0; v < BANDS; v++) {
        poly([at(i, 0, v), at(i + 1, 0, v), at(i + 1, 0, v + 1), at(i, 0, v + 1)],
          { class: fill(key(i, 0), 'front'), 'data-n': start + i, 'data-c': 0 }, svg);
      }
    }
    // Right face (last drawn image): channels × H·W bands.
    for (let j = 0; j < channels; j++) {
      for (let v = 0; v < BANDS; v++) {
        poly([at(drawn, j, v), at(drawn, j + 1, v), at(drawn, j + 1, v + 1), at(drawn, j, v + 1)],
          { class: fill(key(drawn - 1, j), 'right'), 'data-n': start + drawn - 1, 'data-c': j }, svg);
      }
    }
    // The selected plane: outline its top cell and mark the selected pixel
    // along H×W on its visible face.
    const i = this.n - start;
    const c = this.c;
    poly([at(i, c, 0), at(i + 1, c, 0), at(i + 1, c + 1, 0), at(i, c + 1, 0)], { class: 'cube-selected' }, svg);
    const v = (pixelIndex + 0.5) / pixels * BANDS;
    // The plane itself runs down through the block: outline it, dashed.
    poly([at(i, c + 0.5, 0), at(i + 1, c + 0.5, 0), at(i + 1, c + 0.5, BANDS), at(i, c + 0.5, BANDS)], { class: 'cube-plane' }, svg);
    // A line through the plane's column at the pixel's depth along H×W.
    el('line', { class: 'cube-pixel', x1: at(i, c + 0.5, v)[0], y1: at(i, c + 0.5, v)[1], x2: at(i + 1, c + 0.5, v)[0], y2: at(i + 1, c + 0.5, v)[1] }, svg);
    el('line', { class: 'cube-pixel-guide', x1: at(i + 0.5, c + 0.5, 0)[0], y1: at(i + 0.5, c + 0.5, 0)[1], x2: at(i + 0.5, c + 0.5, v)[0], y2: at(i + 0.5, c + 0.5, v)[1] }, svg);

    // Labels.
    const label = (x, y, text, cls = 'cube-label', anchor = 'middle') => {
      const t = el('text', { x: x.toFixed(1), y: y.toFixed(1), class: cls, 'text-anchor': anchor }, svg);
      t.textContent = text;
      return t;
    };
    for (let k = 0; k < drawn; k++) {
      const [x, y] = at(k + 0.5, 0, BANDS);
      label(x, y + 16, String(start + k), `cube-tick${start + k === this.n ? ' is-current' : ''}`);
    }
    const [nx, ny] = at(drawn / 2, 0, BANDS);
    label(nx, ny + 36, `N (images: ${images})`);
    for (let j = 0; j < channels; j++) {
      const [x, y] = at(0, j + 0.5, 0);
      const small = channels > 3 ? ' is-small' : '';
      label(x - 6, y + 5, channelName(j, channels), `cube-tick${small}${j === c ? ' is-current' : ''}`, 'end');
    }
    const [cx, cy] = at(drawn, channels, 0);
    label(cx, cy - 12, 'C (channels)', 'cube-label', 'end');
    const [hx, hy] = at(0, 0, BANDS / 2);
    const hw = label(hx - 12, hy, 'H × W', 'cube-label', 'middle');
    hw.setAttribute('transform', `rotate(-90 ${(hx - 12).toFixed(1)} ${hy.toFixed(1)})`);
    if (hidden.before > 0) {
      const [x, y] = at(0, 0, BANDS);
      label(x - 8, y + 16, `+${hidden.before}`, 'cube-more', 'end');
    }
    if (hidden.after > 0) {
      const [x, y] = at(drawn, 0, BANDS);
      label(x + 8, y + 16, `+${hidden.after} more`, 'cube-more', 'start');
    }
  }
}
