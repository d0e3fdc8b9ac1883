// Line charts on a canvas, drawn at the canvas's displayed size × the
// device pixel ratio (sharp on any screen) and redrawn when it is resized.
// Axis text is 12 CSS px. The chart is an image to assistive technology:
// every panel also shows its numbers as text or a table.
//
//   const chart = new LineChart(canvas, { x: { label, min, max }, y: { label, min, max, percent } });
//   chart.draw(series)   // [{ color, dash, width?, points: [[x, y]], end?: { text }, pointLabel?,
//                        //    alpha?, line?: false, dots?, jitter?, band?: [[x, lo, hi]], bars?: [[x, y]] }]
//
// Several seeds of one arm: each seed faint (alpha, thin), the mean bold; a
// `band` fills lo..hi (the seeds' range) under the lines; `bars` draws a
// short bold bar per point (a mean over dots); `jitter` spreads a series'
// dots sideways by a fixed few pixels so equal values stay countable.
//
// This is the lab's one chart module: every lab chart (the line charts
// here, strip.js's strips, grids.js's heat map, scale and bars) is a
// `Drawing` on a canvas with this module's font, ticks, grid and frame.
// Chosen over plotters through the page's canvas backend by measurement
// (headless Chromium on a shared 2-core machine): a plotters export that
// draws one run's loss and accuracy (src/nn/curves.rs) added 21.8 KiB gzip
// to pkg/ (232.5 → 254.3 KiB, over its budget) against 2.7 KB gzip for this
// file, and redrew one run's two charts in 3.6 ms (median) against under
// 1 ms here; all seven kinds: 24.6 ms against 0.3 ms.
import { fitCanvas } from './dom.js';

export const FONT = '12px system-ui, sans-serif';
const PAD = { left: 58, right: 12, top: 10, bottom: 38 };

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Round tick values from `min` to `max`, about `target` of them. */
export function ticks(min, max, target) {
  const step = niceStep(max - min, target);
  const out = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/**
 * A canvas that draws at its displayed size × the device pixel ratio (with
 * FONT set) and redraws itself, with its last arguments, when resized.
 * `paint({ ctx, w, h }, ...args)` draws in CSS pixels.
 */
export class Drawing {
  constructor(canvas, paint) {
    this.canvas = canvas;
    this.paint = paint;
    this.args = null;
    new ResizeObserver(() => this.redraw()).observe(canvas);
  }

  draw(...args) {
    this.args = args;
    this.redraw();
  }

  redraw() {
    if (!this.args) return;
    const c = fitCanvas(this.canvas);
    if (!c) return;
    c.ctx.font = FONT;
    this.paint(c, ...this.args);
  }
}

/** Horizontal grid lines with their labels at the left of the plot box `b` ({ x0, x1, y0, y1 }). */
export function yGrid(ctx, b, values, py, label = String) {
  ctx.lineWidth = 1;
  ctx.fillStyle = '#333';
  ctx.strokeStyle = '#e3e3e3';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of values) {
    ctx.beginPath();
    ctx.moveTo(b.x0, py(t));
    ctx.lineTo(b.x1, py(t));
    ctx.stroke();
    ctx.fillText(label(t), b.x0 - 5, py(t));
  }
}

/** Labels under the plot at `xs` (one left out where it would touch the one before). */
export function xLabels(ctx, b, items) {
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  let lastRight = -Infinity;
  for (const [x, text] of items) {
    const w = ctx.measureText(text).width;
    if (x - w / 2 < lastRight + 4) continue;
    ctx.fillText(text, x, b.y0 + 4);
    lastRight = x + w / 2;
  }
}

/** The plot's outline, the x label under it and the y label turned up its left side. */
export function frame(ctx, b, xLabel, yLabel) {
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#777';
  ctx.strokeRect(b.x0, b.y1, b.x1 - b.x0, b.y0 - b.y1);
  ctx.fillStyle = '#333';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(xLabel, (b.x0 + b.x1) / 2, b.y0 + 20);
  ctx.save();
  ctx.translate(10, (b.y0 + b.y1) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
}

export class LineChart extends Drawing {
  constructor(canvas, axes) {
    super(canvas, (fitted) => this.paintLines(fitted));
    this.axes = axes;
    this.series = [];
    this.marks = [];
  }

  /** Replace the axes' ranges or labels (merged into the current ones). */
  setAxes({ x, y }) {
    if (x) this.axes.x = { ...this.axes.x, ...x };
    if (y) this.axes.y = { ...this.axes.y, ...y };
  }

  /** Draw these series (and vertical marks: [{ x, text }]). */
  draw(series, marks = []) {
    this.series = series;
    this.marks = marks;
    super.draw();
  }

  paintLines({ ctx, w: cssW, h: cssH }) {
    const { x: ax, y: ay } = this.axes;
    const x0 = PAD.left;
    const x1 = cssW - PAD.right;
    const y0 = cssH - PAD.bottom;
    const y1 = PAD.top;
    const px = (x) => x0 + ((x - ax.min) / (ax.max - ax.min || 1)) * (x1 - x0);
    const py = (y) => y0 - ((Math.min(Math.max(y, ay.min), ay.max) - ay.min) / (ay.max - ay.min || 1)) * (y0 - y1);
    const box = { x0, x1, y0, y1 };
    yGrid(ctx, box, ticks(ay.min, ay.max, Math.max(2, Math.floor((y0 - y1) / 36))), py, (t) => (ay.percent ? `${Math.round(t * 100)}%` : String(t)));
    const xt = (ax.ticks ?? ticks(ax.min, ax.max, Math.max(2, Math.floor((x1 - x0) / 60)))).filter((t) => !ax.integer || Number.isInteger(t));
    ctx.strokeStyle = '#e3e3e3';
    for (const t of xt) {
      ctx.beginPath();
      ctx.moveTo(px(t), y0);
      ctx.lineTo(px(t), y1);
      ctx.stroke();
    }
    xLabels(ctx, box, xt.map((t) => [px(t), ax.tickLabel ? ax.tickLabel(t) : String(t)]));
    frame(ctx, box, ax.label, ay.label);
    // Vertical marks (e.g. the lighting the networks were trained at).
    for (const m of this.marks) {
      ctx.strokeStyle = '#222';
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(px(m.x), y0);
      ctx.lineTo(px(m.x), y1);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#222';
      ctx.textAlign = px(m.x) > (x0 + x1) / 2 ? 'right' : 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(m.text, px(m.x) + (ctx.textAlign === 'left' ? 4 : -4), y1 + 2);
    }
    // The series, clipped to the plot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, y1 - 2, x1 - x0, y0 - y1 + 4);
    ctx.clip();
    // Bands first, so every line stays on top of every band.
    for (const s of this.series) {
      const band = (s.band ?? []).filter((p) => p.every(Number.isFinite));
      if (band.length < 2) continue;
      ctx.globalAlpha = 0.16;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      band.forEach(([x, , hi], i) => (i === 0 ? ctx.moveTo(px(x), py(hi)) : ctx.lineTo(px(x), py(hi))));
      for (let i = band.length - 1; i >= 0; i--) ctx.lineTo(px(band[i][0]), py(band[i][1]));
      ctx.closePath();
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    for (const s of this.series) {
      const pts = (s.points ?? []).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      const dx = (i) => (s.jitter ? ((((i + 1) * 0.6180339887) % 1) * 2 - 1) * 7 : 0);
      ctx.globalAlpha = s.alpha ?? 1;
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = s.width ?? 2;
      if (s.line !== false) {
        ctx.setLineDash(s.dash ?? []);
        ctx.beginPath();
        pts.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (s.dots) pts.forEach(([x, y], i) => {
        ctx.beginPath();
        ctx.arc(px(x) + dx(i), py(y), s.line === false ? 3.5 : 3, 0, 2 * Math.PI);
        ctx.fill();
      });
      ctx.globalAlpha = 1;
      ctx.lineWidth = 3.5;
      for (const [x, y] of (s.bars ?? []).filter((p) => p.every(Number.isFinite))) {
        ctx.beginPath();
        ctx.moveTo(px(x) - 11, py(y));
        ctx.lineTo(px(x) + 11, py(y));
        ctx.stroke();
      }
      if (s.pointLabel && pts.length) {
        // A name beside the last point (scatter plots: one point per series).
        const [cx, cy] = [px(pts[pts.length - 1][0]), py(pts[pts.length - 1][1])];
        ctx.fillStyle = '#222';
        ctx.textAlign = cx > (x0 + x1) / 2 ? 'right' : 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(s.pointLabel, cx + (ctx.textAlign === 'left' ? 6 : -6), cy - 3);
      }
      if (s.end && pts.length) {
        // A run that stopped early: a cross at its last point, and why.
        const [x, y] = pts[pts.length - 1];
        const [cx, cy] = [px(x), py(y)];
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(cx - 6, cy - 6);
        ctx.lineTo(cx + 6, cy + 6);
        ctx.moveTo(cx + 6, cy - 6);
        ctx.lineTo(cx - 6, cy + 6);
        ctx.stroke();
        ctx.font = `bold ${FONT}`;
        ctx.textAlign = cx > (x0 + x1) / 2 ? 'right' : 'left';
        ctx.textBaseline = cy < (y0 + y1) / 2 ? 'top' : 'bottom';
        ctx.fillText(s.end.text, cx + (ctx.textAlign === 'left' ? 9 : -9), cy + (ctx.textBaseline === 'top' ? 6 : -6));
        ctx.font = FONT;
      }
    }
    ctx.restore();
  }
}
