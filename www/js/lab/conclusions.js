// The sentences under each chart, written from the numbers of the runs on
// screen (recorded or trained here) — never a fixed claim. Where a run goes
// against what the literature reports, the sentence says so. Pure functions.
import { kindStyle, TASKS, LIGHTING } from './config.js';

export const pct = (x) => `${Math.round(x * 100)}%`;
const name = (kind) => ({ none: 'no normalization', ibn: 'IBN' })[kind] ?? `${kindStyle(kind).label} norm`;
const finished = (runs) => runs.filter((r) => r.status === 'done');

/** The race: who won, where instance norm ended, and how that compares with the papers. */
export function raceConclusion(task, runs) {
  const done = finished(runs);
  if (done.length === 0) return '';
  const sorted = [...done].sort((a, b) => b.accuracy - a.accuracy);
  const best = sorted[0];
  const worst = sorted[sorted.length - 1];
  const parts = [];
  const chance = TASKS[task].chance;
  parts.push(`In this run (${TASKS[task].short}, ${best.loss.length} steps), ${name(best.kind)} did best with ${pct(best.accuracy)} test accuracy`
    + (done.length > 1 ? ` and ${name(worst.kind)} worst with ${pct(worst.accuracy)}` : '') + ` (guessing: ${pct(chance)}).`);
  const bn = done.find((r) => r.kind === 'batch');
  const inorm = done.find((r) => r.kind === 'instance');
  const diverged = runs.filter((r) => r.status === 'diverged');
  if (diverged.length) parts.push(`${diverged.map((r) => name(r.kind)).join(' and ')} diverged (${diverged.map((r) => `step ${r.diverged?.step ?? '?'}`).join(', ')}).`);
  if (bn && inorm) {
    const gap = Math.round((bn.accuracy - inorm.accuracy) * 100);
    if (task === 'what') {
      parts.push(gap > 0
        ? `Batch norm (${pct(bn.accuracy)}) beat instance norm (${pct(inorm.accuracy)}) by ${gap} points, as the literature reports for classifiers (ResNet-50 on ImageNet: 23.6% error with batch norm, 28.4% with instance norm; Wu & He 2018).`
        : `Here instance norm (${pct(inorm.accuracy)}) was not worse than batch norm (${pct(bn.accuracy)}${gap === 0 ? ', a tie' : `, ${-gap} points better`}): this run contradicts the literature, which reports instance norm classifying worse (Wu & He 2018).`);
    } else {
      const near = inorm.accuracy < chance + 0.1;
      parts.push(near
        ? `Instance norm stayed near guessing (${pct(inorm.accuracy)}): it divides out each image's own brightness and contrast, which is exactly the label here; batch norm reached ${pct(bn.accuracy)}.`
        : `Instance norm reached ${pct(inorm.accuracy)}, well above guessing, although it divides out each image's brightness and contrast: the darkening here also bends the tones (x^g) and adds an offset, and it learned from that shape. Batch norm reached ${pct(bn.accuracy)}.`);
    }
  }
  return parts.join(' ');
}

function spread(run, axis) {
  const pts = run.lighting?.[axis] ?? [];
  if (pts.length === 0) return null;
  const accs = pts.map((p) => p.accuracy);
  return { min: Math.min(...accs), max: Math.max(...accs) };
}

/** Lighting at test time: how far each kind's accuracy moved over the sweep. */
export function lightingConclusion(axis, runs) {
  const done = finished(runs).filter((r) => spread(r, axis));
  if (done.length === 0) return '';
  const vals = LIGHTING[axis].values;
  const range = `${LIGHTING[axis].label} from ${vals[0]} to ${vals[vals.length - 1]}`;
  const bn = done.find((r) => r.kind === 'batch');
  const inorm = done.find((r) => r.kind === 'instance');
  const describe = (r) => {
    const s = spread(r, axis);
    return `${name(r.kind)} between ${pct(s.min)} and ${pct(s.max)}`;
  };
  const parts = [`Over ${range}, test accuracy moved ${done.map(describe).join('; ')}.`];
  if (bn && inorm) {
    const b = spread(bn, axis);
    const i = spread(inorm, axis);
    const sb = Math.round((b.max - b.min) * 100);
    const si = Math.round((i.max - i.min) * 100);
    if (axis === 'gamma') {
      parts.push(`Gamma bends the tones, which no normalization undoes exactly: instance norm's accuracy moved ${si} points, batch norm's ${sb}.`);
    } else if (si <= 10 && si < sb) {
      parts.push(`Instance norm stayed nearly flat (${si} points) and batch norm (evaluation mode: fixed running statistics) moved ${sb}: as expected, instance norm divides each image's ${axis} out and batch norm does not.`);
    } else if (si < sb) {
      parts.push(`Instance norm moved less than batch norm (${si} against ${sb} points) but was far from flat, against the expectation that it divides each image's ${axis} out.`);
    } else {
      parts.push(`Instance norm moved ${si} points and batch norm ${sb}: this run contradicts the expectation that instance norm, which divides each image's ${axis} out, is the steadier one.`);
    }
  }
  return parts.join(' ');
}

/** Learning-rate tolerance: which runs diverged (at which step) or learned nothing. */
export function lrConclusion(lr, runs, chance = TASKS.what.chance) {
  const ended = runs.filter((r) => r.status === 'done' || r.status === 'diverged');
  if (ended.length === 0) return '';
  // Finished, but no better than guessing: the rate broke it without a NaN.
  const stuck = (r) => r.status === 'done' && r.accuracy < chance + 0.05;
  const failed = (r) => r.status === 'diverged' || stuck(r);
  const say = (r) => {
    if (r.status === 'diverged') return `${name(r.kind)} diverged at step ${r.diverged?.step ?? '?'}`;
    if (stuck(r)) return `${name(r.kind)} ran all ${r.loss.length} steps but learned nothing (${pct(r.accuracy)}, the same as guessing)`;
    return `${name(r.kind)} finished all ${r.loss.length} steps with ${pct(r.accuracy)} test accuracy`;
  };
  const parts = [`At a peak learning rate of ${lr}, ${ended.map(say).join(' and ')}.`];
  const none = ended.find((r) => r.kind === 'none');
  const bn = ended.find((r) => r.kind === 'batch');
  if (none && bn) {
    if (failed(none) && !failed(bn)) parts.push('Batch norm tolerated a rate that broke the plain network, as Ioffe & Szegedy (2015) report.');
    else if (!failed(none) && !failed(bn)) parts.push('Both trained at this rate; try a higher one to find where the plain network breaks.');
    else if (failed(bn) && !failed(none)) parts.push('Here batch norm broke and the plain network did not: this run contradicts the usual report (Ioffe & Szegedy 2015) that batch norm tolerates higher rates.');
    else parts.push('Both broke: this rate is too high even with batch norm.');
  }
  return parts.join(' ');
}

/** Batch size: how far each kind's error moved from batch 32 to batch 2, beside the paper's. */
export function batchConclusion(runs, paper) {
  const done = finished(runs);
  const at = (kind, b) => done.find((r) => r.kind === kind && r.config.batch === b);
  const kinds = [...new Set(done.map((r) => r.kind))];
  const moves = kinds.map((kind) => {
    const big = at(kind, 32);
    const small = at(kind, 2);
    return big && small ? { kind, from: 1 - big.accuracy, to: 1 - small.accuracy } : null;
  }).filter(Boolean);
  if (moves.length === 0) return '';
  const parts = [`In this run, test error went ${moves.map((m) => `from ${pct(m.from)} at batch 32 to ${pct(m.to)} at batch 2 for ${name(m.kind)}`).join('; ')}.`];
  const [pb32, pb2] = [paper.batch.find((p) => p[0] === 32)[1], paper.batch.find((p) => p[0] === 2)[1]];
  parts.push(`The Group Norm paper (ImageNet, ResNet-50) reports batch norm rising from ${pb32}% to ${pb2}% and group norm staying near ${paper.group[0][1]}%.`);
  const bn = moves.find((m) => m.kind === 'batch');
  const gn = moves.find((m) => m.kind === 'group');
  if (bn) {
    const rb = Math.round((bn.to - bn.from) * 100);
    parts.push(rb > 2
      ? `Batch norm's error rose by ${rb} points from batch 32 to batch 2, as in the paper.`
      : `Batch norm's error did not rise with small batches here (${rb} points): this run does not reproduce the paper's finding.`);
  }
  if (gn) {
    const rg = Math.round((gn.to - gn.from) * 100);
    if (Math.abs(rg) <= 5) parts.push(`Group norm's error stayed within ${Math.abs(rg)} points, as in the paper.`);
    else if (rg < 0) parts.push(`Group norm's error fell by ${-rg} points as the batch shrank, unlike the paper's flat line: every run here sees the same 3200 images, so a batch of 32 gets only 100 steps and a batch of 2 gets 1600.`);
    else parts.push(`Group norm's error rose by ${rg} points, unlike the paper's flat line.`);
  }
  return parts.join(' ');
}

// ── Experiments 5 and 7 (neighbours.js, both.js) ──

/** Kinds whose every statistic comes from one image: no neighbour can reach it. */
const PER_IMAGE = ['none', 'instance', 'layer', 'group'];
const list = (names) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);
const argmaxOf = (p) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0);

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

/**
 * Experiment 5: which kinds let a neighbour move an image's output at this
 * checkpoint, by how much, and the same image in two batches.
 * items: [{ kind, point: { step, neighbours }, classes, during: [every checkpoint] }]
 */
export function neighboursConclusion(items) {
  if (items.length === 0) return '';
  const step = items[0].point.step;
  const figs = items.map((it) => ({ ...it, f: neighbourFigures(it.point.neighbours.influence) }));
  const moved = figs.filter((x) => x.f.zeros < x.f.cells);
  const still = figs.filter((x) => x.f.zeros === x.f.cells);
  const parts = [];
  if (moved.length) {
    parts.push(`At step ${step}, darkening one image moved another image's probabilities by up to ${list(moved.map((x) => `${x.f.off.toFixed(3)} with ${name(x.kind)}`))}: ${list(moved.map((x) => pct(x.f.ratio)))} of the mean effect on the darkened image itself (${list(moved.map((x) => x.f.diagonal.toFixed(3)))}).`);
  }
  if (still.length) {
    parts.push(`${moved.length ? 'With' : `At step ${step}, with`} ${list(still.map((x) => name(x.kind)))} every one of the ${still[0].f.cells} off-diagonal entries was exactly 0: each image is normalized on its own, so its neighbours cannot reach it.`);
  }
  // How the batch kinds' share changed over the run (first to last checkpoint).
  const over = moved.filter((x) => x.during?.length > 1).map((x) => {
    const [a, b] = [x.during[0], x.during[x.during.length - 1]];
    return `from ${pct(neighbourFigures(a.neighbours.influence).ratio)} (step ${a.step}) to ${pct(neighbourFigures(b.neighbours.influence).ratio)} (step ${b.step}) for ${name(x.kind)}`;
  });
  if (over.length) parts.push(`Over the whole run that ratio went ${over.join('; ')}.`);
  const odd = moved.filter((x) => PER_IMAGE.includes(x.kind));
  if (odd.length) parts.push(`Unexpected: ${list(odd.map((x) => name(x.kind)))} normalizes each image on its own, yet here a neighbour moved an output — this run contradicts how that kind is defined.`);
  const blind = still.filter((x) => !PER_IMAGE.includes(x.kind));
  if (blind.length) parts.push(`${list(blind.map((x) => name(x.kind)))} shares statistics across the batch, yet no neighbour moved an output at this step.`);
  const bn = figs.find((x) => x.kind === 'batch') ?? moved[0];
  if (bn) {
    const s = bn.point.neighbours.same_image;
    const cls = (l) => bn.classes?.[l] ?? `class ${l}`;
    const say = (p) => `${pct(p[s.label])}${argmaxOf(p) === s.label ? '' : ` (it was called ${cls(argmaxOf(p))})`}`;
    const same = s.batch_a.every((v, i) => v === s.batch_b[i]);
    parts.push(same
      ? `With ${name(bn.kind)}, image 1 (${cls(s.label)}) got the same probabilities in both batches.`
      : `With ${name(bn.kind)}, the same ${cls(s.label)} patch was ${cls(s.label)} with probability ${say(s.batch_a)} among mixed companions and ${say(s.batch_b)} among seven ${cls(s.companions_b)} patches; in evaluation mode (running statistics) it gets ${say(s.eval)} in any batch.`);
  }
  const steady = figs.filter((x) => PER_IMAGE.includes(x.kind) && x.point.neighbours.same_image.batch_a.every((v, i) => v === x.point.neighbours.same_image.batch_b[i]));
  if (steady.length) {
    const who = list(steady.map((x) => name(x.kind)));
    parts.push(`${who[0].toUpperCase()}${who.slice(1)} gave it exactly the same probabilities in both batches.`);
  }
  return parts.join(' ');
}

/** One block's ρ: channels, mean, how many above 0.5, lowest, highest. */
export function rhoFigures(values) {
  const count = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / Math.max(1, count);
  return { count, mean, above: values.filter((v) => v > 0.5).length, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Experiment 7a: which way batch-instance norm's ρ went on each task, beside
 * Nam & Kim's report. items: [{ task, step, rho: [[ρ per channel] per block] }]
 */
export function rhoConclusion(items) {
  const runs = items.filter((x) => x.rho?.length);
  if (runs.length === 0) return '';
  const all = runs.map((x) => ({ ...x, f: rhoFigures(x.rho.flat()), blocks: x.rho.map((b) => rhoFigures(b).mean.toFixed(2)) }));
  const step = all[0].step;
  if (step === 0) return 'At step 0 every ρ is 0.5, its starting value: move the step to see where training takes it.';
  const lean = (m) => (m > 0.52 ? 'batch' : m < 0.48 ? 'instance' : 'neither');
  const parts = [`In this run, by step ${step}, batch-instance norm's ρ moved from 0.5 to a mean of ${all.map((x) => `${x.f.mean.toFixed(2)} on ${TASKS[x.task].short} (${x.f.above} of ${x.f.count} channels above 0.5; by block ${x.blocks.join(', ')})`).join(' and ')}.`];
  const say = { batch: 'toward batch norm', instance: 'toward instance norm', neither: 'to neither side (within 0.02 of 0.5)' };
  const leans = [...new Set(all.map((x) => lean(x.f.mean)))];
  parts.push(leans.length === 1
    ? `It leaned ${say[leans[0]]}${all.length > 1 ? ' on both tasks' : ''}.`
    : `It leaned ${all.map((x) => `${say[lean(x.f.mean)]} on ${TASKS[x.task].short}`).join(' and ')}.`);
  const what = all.find((x) => x.task === 'what');
  if (what) {
    const l = lean(what.f.mean);
    parts.push(l === 'batch'
      ? 'For classifying what a patch shows, that agrees with Nam & Kim (2018), who report classifiers\' ρ leaning toward batch norm.'
      : l === 'instance'
        ? 'For classifying what a patch shows, this run disagrees with Nam & Kim (2018), who report classifiers\' ρ leaning toward batch norm.'
        : 'ρ barely moved, so this run neither confirms nor contradicts Nam & Kim (2018), who report classifiers\' ρ leaning toward batch norm.');
  }
  if (all.length === 2) {
    const [a, b] = [...all].sort((x, y) => y.f.mean - x.f.mean);
    const gap = a.f.mean - b.f.mean;
    parts.push(gap < 0.02
      ? 'The task made little difference to ρ here.'
      : `It leaned further toward batch norm on ${TASKS[a.task].short} (${a.f.mean.toFixed(2)}) than on ${TASKS[b.task].short} (${b.f.mean.toFixed(2)}).`);
  }
  return parts.join(' ');
}

/** A race run's accuracy at the training lighting and its worst over `axis`'s sweep. */
export function tradeFigures(run, axis) {
  const pts = run.lighting[axis];
  const trained = pts.find((p) => p.value === LIGHTING[axis].trained)?.accuracy ?? run.accuracy;
  const worst = pts.reduce((w, p) => (p.accuracy < w.accuracy ? p : w), pts[0]);
  return { trained, worst: worst.accuracy, worstAt: worst.value };
}

/**
 * Experiment 7b: IBN against batch norm (and the rest) on accuracy at the
 * training lighting and the worst accuracy over the sweep, beside Pan et al.
 * rows: [{ run, trained, worst, worstAt }]
 */
export function tradeConclusion(task, axis, rows) {
  if (rows.length === 0) return '';
  const vals = LIGHTING[axis].values;
  const at = (r) => `${name(r.run.kind)} ${pct(r.trained)} and ${pct(r.worst)}`;
  const parts = [`On ${TASKS[task].short}, over ${LIGHTING[axis].label} from ${vals[0]} to ${vals[vals.length - 1]}, accuracy at the training lighting and at worst was: ${rows.map(at).join('; ')}.`];
  const p = (x) => Math.round(x * 100);
  const ibn = rows.find((r) => r.run.kind === 'ibn');
  const bn = rows.find((r) => r.run.kind === 'batch');
  if (ibn && bn) {
    const acc = p(ibn.trained) - p(bn.trained);
    const rob = p(ibn.worst) - p(bn.worst);
    const points = (d) => `${d} point${d === 1 ? '' : 's'}`;
    const word = (d, what) => (d > 0 ? `${points(d)} more ${what}` : d < 0 ? `${points(-d)} less ${what}` : `equally ${what}`);
    const summary = `IBN was ${word(acc, 'accurate')} at the training lighting and ${word(rob, 'robust')} at its worst than batch norm`;
    if (acc >= 0 && rob >= 0 && acc + rob > 0) parts.push(`${summary}: better on both, as Pan et al. (IBN-Net, 2018) report.`);
    else if (acc < 0 && rob < 0) parts.push(`${summary}: this run contradicts Pan et al. (IBN-Net, 2018), who report IBN improving both.`);
    else if (acc === 0 && rob === 0) parts.push(`${summary}: no difference here, where Pan et al. (IBN-Net, 2018) report IBN improving both.`);
    else parts.push(`${summary}: a trade, not the gain on both that Pan et al. (IBN-Net, 2018) report.`);
  }
  const mostAccurate = [...rows].sort((a, b) => b.trained - a.trained)[0];
  const mostRobust = [...rows].sort((a, b) => b.worst - a.worst)[0];
  parts.push(mostAccurate === mostRobust
    ? `${name(mostAccurate.run.kind)[0].toUpperCase()}${name(mostAccurate.run.kind).slice(1)} led on both.`
    : `The most accurate at the training lighting was ${name(mostAccurate.run.kind)} (${pct(mostAccurate.trained)}); the most robust, ${name(mostRobust.run.kind)} (${pct(mostRobust.worst)} at worst).`);
  if (task === 'day-night') parts.push('On day or night the lighting is the label, so a change of lighting at test time may rightly change the answer: robustness is not the goal there.');
  return parts.join(' ');
}

// ── Experiments 3 (pooled.js) and 6 (evalmode.js) ──

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

/** A momentum as written (0.01, not its float32 0.009999999776…). */
const mom = (m) => String(Number(Math.fround(m).toPrecision(3)));
const fixed = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const showEta = (s) => (s.flat ? 'none (flat)' : fixed(s.eta2));

/**
 * What instance norm throws away: `rows` are { kind, channel, pooled, accuracy }
 * for the batch- and instance-norm networks of this run.
 */
export function pooledConclusion(rows) {
  const bn = rows.find((r) => r.kind === 'batch');
  const inorm = rows.find((r) => r.kind === 'instance');
  if (!bn || !inorm) return '';
  const sep = (r, stage) => separation(r.pooled[stage][r.channel], r.pooled.labels);
  const [bNorm, iNorm, bRelu, iRelu] = [sep(bn, 'norm'), sep(inorm, 'norm'), sep(bn, 'relu'), sep(inorm, 'relu')];
  const parts = [];
  const beta = inorm.pooled.beta[inorm.channel];
  parts.push(iNorm.flat
    ? `In this run, instance norm's channel ${inorm.channel} leaves its norm layer at β = ${fixed(beta, 3)} for every one of the ${inorm.pooled.labels.length} test images (spread ${iNorm.spread.toExponential(1)}): pooled there, it cannot tell the classes apart,`
    : `In this run, instance norm's channel ${inorm.channel} was not flat at its norm output (spread ${fixed(iNorm.spread, 3)}), against the arithmetic that puts every image at β: check the engine,`);
  parts.push(bNorm.flat
    ? `and batch norm's channel ${bn.channel} is flat too.`
    : `while batch norm's channel ${bn.channel} still says how much of its feature each image holds (η² = ${fixed(bNorm.eta2)}: ${Math.round(bNorm.eta2 * 100)}% of its spread lies between the classes).`);
  parts.push(`After the ReLU, instance norm's channel separates the classes with η² = ${showEta(iRelu)} — what is left is the shape of each image's distribution (how much of it lies above zero), not its amount — and batch norm's with ${showEta(bRelu)}.`);
  const bAll = meanSeparation(bn.pooled, 'features');
  const iAll = meanSeparation(inorm.pooled, 'features');
  parts.push(`Over all ${bn.pooled.features.length} channels of the classifier's input the mean η² is ${fixed(bAll)} for batch norm and ${fixed(iAll)} for instance norm; test accuracy ${pct(bn.accuracy)} against ${pct(inorm.accuracy)}.`);
  if (bAll > iAll && bn.accuracy > inorm.accuracy) {
    parts.push('Here the network that keeps the amounts also classifies better, as Wu & He (2018) report for instance norm against batch norm on ImageNet.');
  } else {
    parts.push(`This run does not show the expected order (Wu & He 2018 report instance norm classifying worse than batch norm): ${bAll > iAll ? 'batch norm keeps more class information but did not classify better' : 'instance norm\'s pooled channels separate the classes at least as well as batch norm\'s'}.`);
  }
  return parts.join(' ');
}

/** The accuracies of one evalmode run: { eval, mixed: {size: acc}, one: {size: acc} } (null if not measured). */
export function batchStatsOf(run) {
  const b = run?.probes?.after?.batchstats;
  if (!b) return null;
  const by = (list) => Object.fromEntries(b.sizes.map((s, i) => [s, list[i]]));
  return { eval: b.eval, sizes: b.sizes, mixed: by(b.mixed), one: by(b.one_class) };
}

/** Training vs evaluation mode: `chosen` is the run whose test batches are shown; `runs` every momentum run. */
export function evalmodeConclusion(chosen, runs) {
  const parts = [];
  const s = batchStatsOf(chosen);
  if (s) {
    const big = Math.max(...s.sizes);
    const m = chosen.config.bn_momentum;
    parts.push(`In this run (batch norm, momentum ${mom(m)}), evaluation mode — the running statistics — reached ${pct(s.eval)}; with each test batch's own statistics, as in training, it reached ${pct(s.mixed[big])} in mixed batches of ${big}, ${pct(s.one[big])} in batches of ${big} images of one class, and ${pct(s.mixed[1])} with a batch of one image.`);
    const lost = Math.round((s.mixed[big] - s.one[big]) * 100);
    parts.push(lost > 2
      ? `A batch of one class cost ${lost} points: its own mean removes what that class has in common, so what an image's features mean depends on its neighbours.`
      : `Batches of one class cost ${lost} points here: in this run the neighbours mattered little at ${big} images.`);
    const one = Math.round((s.eval - s.mixed[1]) * 100);
    if (one > 5) parts.push(`The batch of one fell ${one} points below evaluation mode: each channel is then standardized over one image alone, as instance norm would, which this network never saw in training.`);
    const gap = Math.round((s.eval - s.mixed[big]) * 100);
    parts.push(gap >= -1
      ? `Ioffe & Szegedy (2015) normalize with population statistics at inference so the output depends on the input alone; here that also did ${gap > 1 ? `${gap} points better than` : 'as well as'} batch statistics of ${big} mixed images.`
      : `Ioffe & Szegedy (2015) normalize with population statistics at inference so the output depends on the input alone; here the running statistics did ${-gap} points worse than batch statistics of ${big} mixed images.`);
  }
  const measured = runs.filter((r) => r.status === 'done' && batchStatsOf(r));
  if (measured.length > 1) {
    const sorted = [...measured].sort((a, b) => a.config.bn_momentum - b.config.bn_momentum);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    const steps = lo.loss.length;
    const left = (1 - Math.fround(lo.config.bn_momentum)) ** steps;
    const same = sorted.every((r) => r.loss.length === lo.loss.length && r.loss.every((l, i) => Math.fround(l) === Math.fround(lo.loss[i])));
    if (same) parts.push(`The momentum changed nothing in training: the ${sorted.length} networks' losses are equal at every step (training normalizes with batch statistics; the running ones are only read in evaluation mode).`);
    parts.push(`Momentum: evaluation-mode accuracy was ${sorted.map((r) => `${pct(batchStatsOf(r).eval)} at ${mom(r.config.bn_momentum)}`).join(', ')}.`);
    if (left > 0.01) parts.push(`At ${mom(lo.config.bn_momentum)} the running statistics still hold ${pct(left)} of their starting values (mean 0, variance 1) after ${steps} steps, (1 − ${mom(lo.config.bn_momentum)})^${steps}.`);
    if (hi.config.bn_momentum === 1) parts.push('At 1 they are the last training batch\'s statistics alone.');
    const best = [...sorted].sort((a, b) => batchStatsOf(b).eval - batchStatsOf(a).eval)[0];
    const def = sorted.find((r) => Math.fround(r.config.bn_momentum) === Math.fround(0.1));
    if (def && best !== def && batchStatsOf(best).eval > batchStatsOf(def).eval) parts.push(`Here momentum ${mom(best.config.bn_momentum)} did better than PyTorch's default of 0.1 (${pct(batchStatsOf(best).eval)} against ${pct(batchStatsOf(def).eval)}).`);
  }
  return parts.join(' ');
}
