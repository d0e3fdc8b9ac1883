// Line charts on a canvas, drawn at the canvas's displayed size × the
// device pixel ratio (sharp on any screen) and redrawn when it is resized.
// Axis text is 12 CSS px. The chart is an image to assistive technology:
// every panel also shows its numbers as text or a table.
//
//   const chart = new LineChart(canvas, { x: { label, min, max }, y: { label, min, max, percent } });
//   chart.draw(series)   // [{ color, dash, width?, points: [[x, y]], end?: { text }, pointLabel? }]
import { fitCanvas } from './dom.js';

const FONT = '12px system-ui, sans-serif';
const PAD = { left: 58, right: 12, top: 10, bottom: 38 };

function niceStep(span, target) {
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function ticks(min, max, target) {
  const step = niceStep(max - min, target);
  const out = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export class LineChart {
  constructor(canvas, axes) {
    this.canvas = canvas;
    this.axes = axes;
    this.series = [];
    this.marks = [];
    this.observer = new ResizeObserver(() => this.redraw());
    this.observer.observe(canvas);
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
    this.redraw();
  }

  redraw() {
    const fitted = fitCanvas(this.canvas);
    if (!fitted) return;
    const { ctx, w: cssW, h: cssH } = fitted;
    const { x: ax, y: ay } = this.axes;
    const x0 = PAD.left;
    const x1 = cssW - PAD.right;
    const y0 = cssH - PAD.bottom;
    const y1 = PAD.top;
    const px = (x) => x0 + ((x - ax.min) / (ax.max - ax.min || 1)) * (x1 - x0);
    const py = (y) => y0 - ((Math.min(Math.max(y, ay.min), ay.max) - ay.min) / (ay.max - ay.min || 1)) * (y0 - y1);
    ctx.font = FONT;
    ctx.lineWidth = 1;
    // Grid and tick labels.
    ctx.fillStyle = '#333';
    ctx.strokeStyle = '#e3e3e3';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(ay.min, ay.max, Math.max(2, Math.floor((y0 - y1) / 36)))) {
      ctx.beginPath();
      ctx.moveTo(x0, py(t));
      ctx.lineTo(x1, py(t));
      ctx.stroke();
      ctx.fillText(ay.percent ? `${Math.round(t * 100)}%` : String(t), x0 - 5, py(t));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const xt = (ax.ticks ?? ticks(ax.min, ax.max, Math.max(2, Math.floor((x1 - x0) / 60)))).filter((t) => !ax.integer || Number.isInteger(t));
    let lastRight = -Infinity;
    for (const t of xt) {
      ctx.beginPath();
      ctx.moveTo(px(t), y0);
      ctx.lineTo(px(t), y1);
      ctx.stroke();
      // Leave out a label that would touch the one before (narrow screens).
      const text = ax.tickLabel ? ax.tickLabel(t) : String(t);
      const w = ctx.measureText(text).width;
      if (px(t) - w / 2 < lastRight + 4) continue;
      ctx.fillText(text, px(t), y0 + 4);
      lastRight = px(t) + w / 2;
    }
    ctx.strokeStyle = '#777';
    ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
    ctx.fillText(ax.label, (x0 + x1) / 2, y0 + 20);
    ctx.save();
    ctx.translate(10, (y0 + y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(ay.label, 0, 0);
    ctx.restore();
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
    for (const s of this.series) {
      const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = s.width ?? 2;
      ctx.setLineDash(s.dash ?? []);
      ctx.beginPath();
      pts.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
      ctx.stroke();
      ctx.setLineDash([]);
      if (s.dots) for (const [x, y] of pts) {
        ctx.beginPath();
        ctx.arc(px(x), py(y), 3, 0, 2 * Math.PI);
        ctx.fill();
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
