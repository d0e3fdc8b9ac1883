// Canvas drawings the line charts do not cover: a heat map of a square
// matrix (experiment 5), its colour-scale legend, and grouped bars of a
// histogram (experiment 7). Each is a Drawing of chart.js (the lab's one
// chart module); each canvas is an image with a text alternative, and every
// panel gives the numbers in a table too.

import { Drawing, yGrid, xLabels, frame } from './chart.js';

/** Light (0) to dark blue (1), ColorBrewer "Blues"; exactly 0 is drawn white. */
const STOPS = [[247, 251, 255], [198, 219, 239], [107, 174, 214], [33, 113, 181], [8, 48, 107]];

/** The colour of `t` in [0, 1]. */
export function shade(t) {
  const x = Math.min(Math.max(t, 0), 1) * (STOPS.length - 1);
  const i = Math.min(Math.floor(x), STOPS.length - 2);
  const f = x - i;
  const c = STOPS[i].map((v, k) => Math.round(v + (STOPS[i + 1][k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * A heat map of `matrix` (rows i, columns j), colour = √(value / max) (a
 * square-root scale, so small values still show); row labels at the left,
 * column numbers on top. Exact zeros are white with a grey "0".
 */
export class HeatMap extends Drawing {
  constructor(canvas) {
    super(canvas, ({ ctx, w, h }, matrix, { max, rowLabels }) => {
      const n = matrix.length;
      if (n === 0) return;
      const left = Math.min(78, w * 0.3);
      const top = 18;
      const side = Math.max(4, Math.min((w - left - 2) / n, (h - top - 2) / n));
      ctx.textBaseline = 'middle';
      ctx.fillStyle = '#333';
      ctx.textAlign = 'center';
      for (let j = 0; j < n; j++) ctx.fillText(String(j + 1), left + (j + 0.5) * side, top / 2);
      ctx.textAlign = 'right';
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = '#333';
        ctx.fillText(rowLabels[i], left - 4, top + (i + 0.5) * side);
        for (let j = 0; j < n; j++) {
          const v = matrix[i][j];
          const x = left + j * side;
          const y = top + i * side;
          ctx.fillStyle = v === 0 ? '#fff' : shade(max > 0 ? Math.sqrt(v / max) : 0);
          ctx.fillRect(x, y, side, side);
          if (v === 0 && side >= 14) {
            ctx.fillStyle = '#767676';
            ctx.textAlign = 'center';
            ctx.fillText('0', x + side / 2, y + side / 2);
            ctx.textAlign = 'right';
          }
        }
      }
      ctx.strokeStyle = '#999';
      ctx.lineWidth = 1;
      ctx.strokeRect(left, top, side * n, side * n);
      // The diagonal (an image and itself) outlined.
      ctx.strokeStyle = '#e69f00';
      ctx.lineWidth = 2;
      for (let i = 0; i < n; i++) ctx.strokeRect(left + i * side + 1, top + i * side + 1, side - 2, side - 2);
    });
  }
}

/** The colour scale (square root, as HeatMap): a bar from 0 to `max` with ticks, and the white "exactly 0" swatch. */
export class ScaleLegend extends Drawing {
  constructor(canvas) {
    super(canvas, ({ ctx, w, h }, max, label) => {
      const x0 = 70;
      const x1 = w - 12;
      const y0 = 4;
      const bar = 14;
      for (let x = x0; x < x1; x++) {
        ctx.fillStyle = shade((x - x0) / (x1 - x0));
        ctx.fillRect(x, y0, 1, bar);
      }
      ctx.strokeStyle = '#999';
      ctx.strokeRect(x0, y0, x1 - x0, bar);
      ctx.fillStyle = '#fff';
      ctx.fillRect(4, y0, 14, bar);
      ctx.strokeRect(4, y0, 14, bar);
      ctx.fillStyle = '#333';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.fillText('= 0', 21, y0 + bar / 2);
      ctx.textBaseline = 'top';
      const ticks = [0, 0.25, 0.5, 0.75, 1];
      let lastRight = -Infinity;
      for (const t of ticks) {
        const x = x0 + t * (x1 - x0);
        const text = (t * t * max).toFixed(max >= 0.1 ? 2 : 3);
        const tw = ctx.measureText(text).width;
        ctx.textAlign = t === 0 ? 'left' : t === 1 ? 'right' : 'center';
        const l = t === 0 ? x : t === 1 ? x - tw : x - tw / 2;
        if (l < lastRight + 6) continue;
        ctx.fillText(text, x, y0 + bar + 3);
        lastRight = l + tw;
      }
      ctx.textAlign = 'center';
      if (h > y0 + bar + 20) ctx.fillText(label, (x0 + x1) / 2, y0 + bar + 19);
    });
  }
}

/**
 * Grouped bars: `groups` = [{ color, values: [count per bin] }] over bins
 * with the given edges; y from 0 to the largest count.
 */
export class Bars extends Drawing {
  constructor(canvas) {
    super(canvas, ({ ctx, w, h }, groups, { edges, xLabel, yLabel }) => {
      const pad = { left: 44, right: 10, top: 8, bottom: 38 };
      const x0 = pad.left;
      const x1 = w - pad.right;
      const y0 = h - pad.bottom;
      const y1 = pad.top;
      const bins = edges.length - 1;
      const top = Math.max(1, ...groups.flatMap((g) => g.values));
      const step = top <= 5 ? 1 : top <= 10 ? 2 : top <= 25 ? 5 : 10;
      const ymax = Math.ceil(top / step) * step;
      const py = (v) => y0 - (v / ymax) * (y0 - y1);
      const box = { x0, x1, y0, y1 };
      yGrid(ctx, box, Array.from({ length: ymax / step + 1 }, (_, i) => i * step), py);
      const bw = (x1 - x0) / bins;
      const gw = (bw * 0.8) / Math.max(1, groups.length);
      groups.forEach((g, k) => {
        ctx.fillStyle = g.color;
        g.values.forEach((v, b) => {
          if (v > 0) ctx.fillRect(x0 + b * bw + bw * 0.1 + k * gw, py(v), gw - 1, y0 - py(v));
        });
      });
      xLabels(ctx, box, edges.map((e, b) => [x0 + b * bw, String(e)]));
      frame(ctx, box, xLabel, yLabel);
    });
  }
}
