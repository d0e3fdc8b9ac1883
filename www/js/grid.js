// The side-by-side grid: rows original / adjusted (and difference maps),
// columns input and each shown kind, with per-channel histograms.
import { KIND_LABELS, changeInWords, channelName, fmt } from './format.js';

const HIST_BINS = 48;
/** Histogram height per unit of width. */
const HIST_ASPECT = 0.56;

/**
 * Size a chart canvas to its displayed width times the device pixel ratio
 * (height from `aspect`), so its text is drawn at the size it is read.
 * Returns the ratio to draw with, or 0 when the canvas is not displayed.
 */
export function fitCanvas(canvas, aspect) {
  const css = canvas.clientWidth;
  if (!css) return 0;
  const ratio = window.devicePixelRatio || 1;
  const w = Math.round(css * ratio);
  const h = Math.round(css * aspect * ratio);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  return ratio;
}

function putPanel(canvas, view, size) {
  if (canvas.width !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  canvas.getContext('2d').putImageData(new ImageData(view, size, size), 0, 0);
}

/** Blank a chart canvas: the wasm charts draw over whatever is already there. */
export function clearCanvas(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}

function cell(className) {
  const div = document.createElement('div');
  div.className = className;
  return div;
}

function panelCanvas(label) {
  const c = document.createElement('canvas');
  c.className = 'panel';
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

function histCanvas(label) {
  const c = document.createElement('canvas');
  c.className = 'hist';
  c.width = 320;
  c.height = Math.round(320 * HIST_ASPECT);
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

/** Builds the grid's DOM for the given columns; `update` repaints it. */
export class Grid {
  constructor(root) {
    this.root = root;
    this.columns = [];
    this.showDiff = true;
    this.panels = new Map();
    // session.version when the original row was last painted: the core
    // moves it whenever anything but the probe's own adjustment changes.
    this.originalShown = null;
  }

  setColumns(kinds, showDiff) {
    this.columns = ['input', ...kinds];
    this.showDiff = showDiff;
    this.build();
  }

  build() {
    const root = this.root;
    root.replaceChildren();
    this.panels.clear();
    this.originalShown = null;
    root.style.setProperty('--columns', String(this.columns.length));
    const rows = [
      ['original', 'Original probe'],
      ['adjusted', 'Adjusted probe'],
    ];
    // Header row.
    root.append(cell('grid-corner'));
    for (const col of this.columns) {
      const h = cell('grid-head');
      h.textContent = col === 'input' ? 'input' : KIND_LABELS[col];
      root.append(h);
    }
    // data-row and --col let the page's stylesheet place panels and
    // histograms in separate rows (.grid-page); the widget ignores them.
    for (const [row, title] of rows) {
      const label = cell('grid-rowlabel');
      label.textContent = title;
      label.dataset.row = row;
      root.append(label);
      for (const [j, col] of this.columns.entries()) {
        const c = cell('grid-cell');
        c.dataset.row = row;
        c.style.setProperty('--col', String(j + 2));
        const panel = panelCanvas(`${title}, ${col === 'input' ? 'input' : KIND_LABELS[col]}`);
        const hist = histCanvas(`Histogram of ${title.toLowerCase()}, ${col === 'input' ? 'input' : KIND_LABELS[col]}`);
        const stats = document.createElement('p');
        stats.className = 'hist-stats';
        c.append(panel, hist, stats);
        root.append(c);
        this.panels.set(`${row}/${col}`, { panel, hist, stats });
      }
    }
    if (this.showDiff) {
      const label = cell('grid-rowlabel');
      label.textContent = 'Difference';
      const more = document.createElement('span');
      more.className = 'rowlabel-more';
      more.textContent = ' |adjusted − original|';
      label.append(more);
      label.dataset.row = 'diff';
      root.append(label);
      for (const [j, col] of this.columns.entries()) {
        const c = cell('grid-cell');
        c.dataset.row = 'diff';
        c.style.setProperty('--col', String(j + 2));
        if (col !== 'input') {
          const panel = panelCanvas(`Difference map, ${KIND_LABELS[col]}`);
          const caption = document.createElement('p');
          caption.className = 'hist-stats';
          c.append(panel, caption);
          this.panels.set(`diff/${col}`, { panel, stats: caption });
        }
        root.append(c);
      }
    }
  }

  /** Repaint every panel that changed (after session.computeKinds()). */
  update(session, readout) {
    const size = session.size;
    const byKind = new Map(readout.kinds.map((k) => [k.kind, k]));
    // Columns too narrow for a readable histogram: the page's stylesheet
    // then gives each histogram a row of its own (.grid-page.is-narrow).
    const firstPanel = this.panels.get('original/input')?.panel;
    if (firstPanel && firstPanel.clientWidth) this.root.classList.toggle('is-narrow', firstPanel.clientWidth < 220);
    // Histograms are drawn at their displayed size: a resize clears a
    // canvas, so every row is redrawn then.
    let resized = false;
    const ratios = new Map();
    for (const [name, p] of this.panels) {
      if (!p.hist) continue;
      const before = `${p.hist.width}x${p.hist.height}`;
      ratios.set(name, fitCanvas(p.hist, HIST_ASPECT) || 1);
      if (`${p.hist.width}x${p.hist.height}` !== before) resized = true;
    }
    // A probe slider move leaves the original row (half of the panels and
    // histograms) as it was: it is not repainted.
    const rows = session.version === this.originalShown && !resized ? ['adjusted'] : ['original', 'adjusted'];
    this.originalShown = session.version;
    for (const row of rows) {
      for (const col of this.columns) {
        const p = this.panels.get(`${row}/${col}`);
        putPanel(p.panel, session.panelPixels(row, col), size);
        const title = `${row} · ${col === 'input' ? 'input' : KIND_LABELS[col]}`;
        // Redrawn only when the picture changes (see drawHistogram).
        // The legend names the channels; their μ and σ are printed below as text.
        p.histDrawn = session.drawHistogram(p.hist, row, col, HIST_BINS, title, p.histDrawn, ratios.get(`${row}/${col}`), false);
        const stats = col === 'input' ? readout.input[row] : byKind.get(col).output[row];
        const text = stats.map((s, c) => `${channelName(c, stats.length)}: μ ${fmt(s.mean, 2)}, σ ${fmt(s.std, 2)}`).join(' · ');
        p.stats.textContent = text;
        p.hist.setAttribute('aria-label', `Histogram of ${title}. ${text}`);
      }
    }
    if (this.showDiff) {
      for (const col of this.columns) {
        if (col === 'input') continue;
        const p = this.panels.get(`diff/${col}`);
        putPanel(p.panel, session.panelPixels('original', `diff-${col}`), size);
        const k = byKind.get(col);
        const words = changeInWords(k.unchanged, k.invariance.max_abs);
        p.stats.textContent = `max |Δ| ${fmt(k.invariance.max_abs)} · RMS ${fmt(k.invariance.rms)} — ${words}`;
      }
    }
  }

  /**
   * Everything on one canvas, for a PNG: the panels (and histograms) in the
   * grid's layout at `cell` pixels per panel, with row and column titles.
   */
  compose(cell = 256, background = '#ffffff', foreground = '#1b1b1f') {
    const rows = this.showDiff ? ['original', 'adjusted', 'diff'] : ['original', 'adjusted'];
    const titles = { original: 'Original probe', adjusted: 'Adjusted probe', diff: '|adjusted − original|' };
    const label = 150;
    const head = 32;
    const gap = 8;
    const histHeight = Math.round(cell * HIST_ASPECT);
    const rowHeight = (row) => cell + (row === 'diff' ? 24 : histHeight + 24) + gap;
    const canvas = document.createElement('canvas');
    canvas.width = label + this.columns.length * (cell + gap);
    canvas.height = head + rows.reduce((sum, row) => sum + rowHeight(row), 0);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = foreground;
    ctx.font = '600 16px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    this.columns.forEach((col, j) => {
      ctx.fillText(col === 'input' ? 'input' : KIND_LABELS[col], label + j * (cell + gap), head / 2);
    });
    let y = head;
    for (const row of rows) {
      ctx.fillStyle = foreground;
      ctx.font = '600 15px system-ui, sans-serif';
      ctx.fillText(titles[row], 4, y + cell / 2, label - 8);
      this.columns.forEach((col, j) => {
        const p = this.panels.get(`${row}/${col === 'input' && row === 'diff' ? '' : col}`);
        if (!p) return;
        const x = label + j * (cell + gap);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(p.panel, x, y, cell, cell);
        let below = y + cell;
        if (p.hist) {
          ctx.drawImage(p.hist, x, below, cell, histHeight);
          below += histHeight;
        }
        ctx.fillStyle = foreground;
        ctx.font = '12px system-ui, sans-serif';
        ctx.fillText(p.stats.textContent, x, below + 12, cell);
      });
      y += rowHeight(row);
    }
    return canvas;
  }
}
