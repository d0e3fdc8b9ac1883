// Strip charts on a canvas: one column of dots per class (a value per test
// image, spread sideways by a fixed jitter so they do not hide each other),
// a bar at each class's mean, and optionally a dashed reference line (β).
// Drawn at the displayed size × the device pixel ratio, redrawn on resize;
// 12 CSS px text, as chart.js. The panel shows the numbers as text too.
//
//   const chart = new StripChart(canvas, { label: 'pooled value' });
//   chart.draw({ classes: ['brick', …], values, labels, color, reference: { y, text } })
import { fitCanvas } from './dom.js';

const FONT = '12px system-ui, sans-serif';
const PAD = { left: 58, right: 12, top: 12, bottom: 38 };

function ticks(min, max, target) {
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** A fixed sideways offset in [−1, 1] for image `i` (the same on every draw). */
const jitter = (i) => (((i * 0.6180339887) % 1) * 2 - 1);

export class StripChart {
  constructor(canvas, { label }) {
    this.canvas = canvas;
    this.label = label;
    this.data = null;
    new ResizeObserver(() => this.redraw()).observe(canvas);
  }

  draw(data) {
    this.data = data;
    this.redraw();
  }

  redraw() {
    const fitted = fitCanvas(this.canvas);
    if (!fitted) return;
    const { ctx, w: cssW, h: cssH } = fitted;
    const d = this.data;
    if (!d || d.values.length === 0) return;
    // The y range: the values (and the reference), padded; a flat set gets ±0.5 around it.
    let lo = Math.min(...d.values, d.reference?.y ?? Infinity);
    let hi = Math.max(...d.values, d.reference?.y ?? -Infinity);
    const pad = Math.max((hi - lo) * 0.08, hi - lo < 1e-3 ? 0.5 : 0);
    [lo, hi] = [lo - pad, hi + pad];
    const x0 = PAD.left;
    const x1 = cssW - PAD.right;
    const y0 = cssH - PAD.bottom;
    const y1 = PAD.top;
    const k = d.classes.length;
    const colW = (x1 - x0) / k;
    const px = (c) => x0 + (c + 0.5) * colW;
    const py = (v) => y0 - ((v - lo) / (hi - lo || 1)) * (y0 - y1);
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.fillStyle = '#333';
    ctx.strokeStyle = '#e3e3e3';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(lo, hi, Math.max(2, Math.floor((y0 - y1) / 36)))) {
      ctx.beginPath();
      ctx.moveTo(x0, py(t));
      ctx.lineTo(x1, py(t));
      ctx.stroke();
      ctx.fillText(String(t), x0 - 5, py(t));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    let lastRight = -Infinity;
    d.classes.forEach((name, c) => {
      const tw = ctx.measureText(name).width;
      if (px(c) - tw / 2 < lastRight + 3) return;
      ctx.fillText(name, px(c), y0 + 4);
      lastRight = px(c) + tw / 2;
    });
    ctx.strokeStyle = '#777';
    ctx.strokeRect(x0, y1, x1 - x0, y0 - y1);
    ctx.fillText('class (photo) of the test image', (x0 + x1) / 2, y0 + 20);
    ctx.save();
    ctx.translate(10, (y0 + y1) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(this.label, 0, 0);
    ctx.restore();
    // Dots, then the class means over them.
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = d.color;
    d.values.forEach((v, i) => {
      ctx.beginPath();
      ctx.arc(px(d.labels[i]) + jitter(i) * colW * 0.3, py(v), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.globalAlpha = 1;
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2.5;
    for (let c = 0; c < k; c++) {
      const mine = d.values.filter((_, i) => d.labels[i] === c);
      if (mine.length === 0) continue;
      const m = mine.reduce((a, b) => a + b, 0) / mine.length;
      ctx.beginPath();
      ctx.moveTo(px(c) - colW * 0.4, py(m));
      ctx.lineTo(px(c) + colW * 0.4, py(m));
      ctx.stroke();
    }
    if (d.reference) {
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 1;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x0, py(d.reference.y));
      ctx.lineTo(x1, py(d.reference.y));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#222';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      ctx.fillText(d.reference.text, x0 + 4, py(d.reference.y) - 3);
    }
  }
}
