// Figures the lab's charts and tables draw (not sentences: those come from
// Rust, conclusions.js). Pure functions of one run's numbers.
import { LIGHTING } from './config.js';

/** A heat map's figures: mean diagonal, largest off-diagonal, their ratio, exact zeros off the diagonal. */
export function neighbourFigures(m) {
  const n = m.length;
  let diagonal = 0;
  let off = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) diagonal += m[i][j] / n;
      else {
        off = Math.max(off, m[i][j]);
        if (m[i][j] === 0) zeros++;
      }
    }
  }
  return { diagonal, off, ratio: diagonal > 0 ? off / diagonal : 0, zeros, cells: n * (n - 1) };
}

/** One block's ρ: channels, mean, how many above 0.5, lowest, highest. */
export function rhoFigures(values) {
  const count = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / Math.max(1, count);
  return { count, mean, above: values.filter((v) => v > 0.5).length, min: Math.min(...values), max: Math.max(...values) };
}

/** A race run's accuracy at the training lighting and its worst over `axis`'s sweep. */
export function tradeFigures(run, axis) {
  const pts = run.lighting[axis];
  const trained = pts.find((p) => p.value === LIGHTING[axis].trained)?.accuracy ?? run.accuracy;
  const worst = pts.reduce((w, p) => (p.accuracy < w.accuracy ? p : w), pts[0]);
  return { trained, worst: worst.accuracy, worstAt: worst.value };
}

/**
 * How well one channel's pooled values separate the classes: η² = the
 * between-class share of the variance (1: the class decides the value; 0:
 * no trace of the class). A channel whose values all lie within 1e-4 of
 * each other is `flat`: it says the same thing about every image.
 */
export function separation(values, labels) {
  const n = values.length;
  if (n === 0) return { eta2: NaN, flat: true, spread: 0, mean: NaN };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const sums = new Map();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
    const s = sums.get(labels[i]) ?? { sum: 0, count: 0 };
    s.sum += v;
    s.count += 1;
    sums.set(labels[i], s);
  }
  const mean = sum / n;
  const spread = max - min;
  if (spread <= 1e-4 * (1 + Math.abs(mean))) return { eta2: 0, flat: true, spread, mean };
  let total = 0;
  for (const v of values) total += (v - mean) ** 2;
  let between = 0;
  for (const { sum: s, count } of sums.values()) between += count * (s / count - mean) ** 2;
  return { eta2: between / total, flat: false, spread, mean };
}

/** The channel the classifier weighs most (largest weight vector in the linear layer). */
export function heaviestChannel(pooled) {
  let best = 0;
  pooled.weight.forEach((w, c) => { if (w > pooled.weight[best]) best = c; });
  return best;
}

/** Mean η² over every channel of a stage (flat channels count 0). */
export function meanSeparation(pooled, stage) {
  const all = pooled[stage].map((v) => separation(v, pooled.labels).eta2);
  return all.reduce((a, b) => a + b, 0) / Math.max(1, all.length);
}

/** The accuracies of one evalmode run: { eval, mixed: {size: acc}, one: {size: acc} } (null if not measured). */
export function batchStatsOf(run) {
  const b = run?.probes?.after?.batchstats;
  if (!b) return null;
  const by = (list) => Object.fromEntries(b.sizes.map((s, i) => [s, list[i]]));
  return { eval: b.eval, sizes: b.sizes, mixed: by(b.mixed), one: by(b.one_class) };
}
