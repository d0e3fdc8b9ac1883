// Strip charts on a canvas: one column of dots per class (a value per test
// image, spread sideways by a fixed jitter so they do not hide each other),
// a bar at each class's mean, and optionally a dashed reference line (β).
// A Drawing of chart.js (the lab's one chart module: its font, ticks, grid
// and frame). The panel shows the numbers as text too.
//
//   const chart = new StripChart(canvas, { label: 'pooled value' });
//   chart.draw({ classes: ['brick', …], values, labels, color, reference: { y, text } })
import { Drawing, ticks, yGrid, xLabels, frame } from './chart.js';

const PAD = { left: 58, right: 12, top: 12, bottom: 38 };

/** A fixed sideways offset in [−1, 1] for image `i` (the same on every draw). */
const jitter = (i) => (((i * 0.6180339887) % 1) * 2 - 1);

export class StripChart extends Drawing {
  constructor(canvas, { label }) {
    super(canvas, (fitted, data) => this.paintStrips(fitted, data));
    this.label = label;
  }

  paintStrips({ ctx, w: cssW, h: cssH }, d) {
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
    const box = { x0, x1, y0, y1 };
    yGrid(ctx, box, ticks(lo, hi, Math.max(2, Math.floor((y0 - y1) / 36))), py);
    xLabels(ctx, box, d.classes.map((name, c) => [px(c), name]));
    frame(ctx, box, 'class (photo) of the test image', this.label);
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
