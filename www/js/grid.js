// The side-by-side grid: rows original / adjusted (and difference maps),
// columns input and each shown kind, with per-channel histograms.
import { KIND_LABELS, changeInWords, channelName, fmt } from './format.js';

const HIST_BINS = 48;

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
  c.height = 170;
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
    for (const [row, title] of rows) {
      const label = cell('grid-rowlabel');
      label.textContent = title;
      root.append(label);
      for (const col of this.columns) {
        const c = cell('grid-cell');
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
      label.textContent = 'Difference |adjusted − original|';
      root.append(label);
      for (const col of this.columns) {
        const c = cell('grid-cell');
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
    // A probe slider move leaves the original row (half of the panels and
    // histograms) as it was: it is not repainted.
    const rows = session.version === this.originalShown ? ['adjusted'] : ['original', 'adjusted'];
    this.originalShown = session.version;
    for (const row of rows) {
      for (const col of this.columns) {
        const p = this.panels.get(`${row}/${col}`);
        putPanel(p.panel, session.panelPixels(row, col), size);
        const title = `${row} · ${col === 'input' ? 'input' : KIND_LABELS[col]}`;
        // Redrawn only when the picture changes (see drawHistogram).
        p.histDrawn = session.drawHistogram(p.hist, row, col, HIST_BINS, title, p.histDrawn);
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
    const histHeight = Math.round((cell * 170) / 320);
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
