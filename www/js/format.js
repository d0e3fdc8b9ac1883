// Numbers in plain words, for the readouts.

/**
 * `x` with `digits` decimals, as a person reads it: a value that rounds to
 * zero is 0.000 (never −0.000, and never 1.5e-9 for a mean that is zero up
 * to rounding); only magnitudes of 10⁴ and more use an exponent.
 */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e4) return x.toExponential(1);
  const s = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/**
 * Like `fmt`, for quantities that are small on purpose (ε = 1e-5, the
 * variance of a flat image): a non-zero value too small for `digits`
 * decimals keeps its size in exponent form (1.0e-5) instead of reading 0.
 */
export function fmtSmall(x, digits = 3) {
  const a = Math.abs(x);
  if (Number.isFinite(x) && a !== 0 && a < 0.5 * 10 ** -digits) return x.toExponential(1);
  return fmt(x, digits);
}

/** Plain words for a change; `unchanged` is the core's verdict (one threshold for page and CLI). */
export function changeInWords(unchanged, maxAbs) {
  return unchanged ? 'unchanged' : `changed by up to ${fmt(maxAbs, 2)}`;
}

export const KIND_LABELS = {
  batch: 'batch norm',
  instance: 'instance norm',
  layer: 'layer norm',
  group: 'group norm',
  'batch-instance': 'batch-instance norm',
};

/** Short channel label: R, G, B for three channels, else F1, F2, … (feature maps). */
export function channelName(c, count) {
  return count === 3 ? 'RGB'[c] : `F${c + 1}`;
}

/**
 * The channels whose output moved under the probe's adjustment, judged from
 * the per-channel mean and standard deviation of the original and adjusted
 * outputs (`output` of a kind's readout): a channel counts as moved when
 * either differs by more than `tolerance`.
 */
export function movedChannels(output, tolerance = 1e-3) {
  const moved = [];
  output.original.forEach((o, c) => {
    const a = output.adjusted[c];
    if (a && (Math.abs(a.mean - o.mean) > tolerance || Math.abs(a.std - o.std) > tolerance)) moved.push(c);
  });
  return moved;
}
