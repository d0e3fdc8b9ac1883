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
