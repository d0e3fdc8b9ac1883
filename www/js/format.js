// Numbers in plain words, for the readouts.

export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return x.toExponential(1);
  return x.toFixed(digits);
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
