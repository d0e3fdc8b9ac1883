// Experiment 3: what instance norm throws away. The race's batch- and
// instance-norm networks ("what is it?", the same seed) are trained, then
// one channel of their last block is pooled over each test image (probe
// `pooled`, src/nn/probe.rs): at the norm layer's output, after the ReLU,
// and at the classifier's input. After instance norm every image's pooled
// norm output is β: how much of the feature an image holds is gone.
import { POOLED_KINDS, POOLED_STAGES, WHAT_CLASSES, kindStyle, pooledConfig } from './config.js';
import { h, figure, select } from './dom.js';
import { StripChart } from './strip.js';
import { heaviestChannel, meanSeparation, pooledConclusion, separation } from './conclusions.js';
import { panelHeader, arms, spreadOf, perSeedBox, matchSummary, statusWord, pct } from './panel.js';
import { fileFor, keyFor, taskOf, taskName } from './photos.js';

const KEY = 'pooled';
const FILE = 'pooled.json';
const PROBES = { after: ['pooled'] };
const wanted = (state) => POOLED_KINDS.map((kind) => pooledConfig(kind, state.steps, taskOf(state)));
const fixed = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');

export function pooledPanel(store, lab) {
  const figs = Object.fromEntries(POOLED_KINDS.map((kind) => [kind, figure(`pooled-${kind}`, '', '')]));
  const head = panelHeader(store, lab, { id: 'pooled', key: () => keyFor(KEY, lab.state), wanted: () => wanted(lab.state), options: () => ({ probes: PROBES }), what: 'the batch- and instance-norm networks' });
  const seedBox = perSeedBox('η² at the classifier input, mean over all channels');
  const source = h('p', { class: 'lab-source' });
  const note = h('p', { class: 'lab-source lab-note' });
  const thead = h('thead');
  const tbody = h('tbody');
  const conclusion = h('p', { class: 'lab-conclusion', 'aria-live': 'polite' });
  const channelChoices = [['auto', 'the one the classifier weighs most (per network)'], ...Array.from({ length: 32 }, (_, c) => [c, `channel ${c} in both`])];
  const element = h('section', { class: 'lab-panel', 'data-experiment': 'pooled', 'aria-labelledby': 'pooled-title' },
    h('h3', { id: 'pooled-title', text: 'What does instance norm throw away before the classifier sees it?' }),
    h('p', { class: 'lab-intro' }, 'The race\'s batch-norm and instance-norm networks (', taskName(lab.state), ', the same seed and schedule), after training. The classifier sees each channel of the last block averaged over the image (global average pooling). Instance norm standardizes every channel of every image on its own, so the average of its output, γ·mean(x̂) + β, is β for every image: "how much of this feature is here" is gone. Each dot is one test image\'s average of the chosen channel; bars are class means; η² is the share of the channel\'s spread that lies between the classes (1: the class decides the value, 0: no trace of it).'),
    h('div', { class: 'lab-controls' },
      select('pooled-channel', 'Channel', channelChoices, lab.state.channel, (v) => lab.update({ channel: v === 'auto' ? 'auto' : Number(v) })),
      select('pooled-stage', 'Pooled at', Object.entries(POOLED_STAGES).map(([k, s]) => [k, s.label]), lab.state.stage, (stage) => lab.update({ stage })),
      ...head.controls),
    head.status, source, note,
    h('div', { class: 'lab-charts' }, ...POOLED_KINDS.map((kind) => figs[kind].element)),
    h('div', { class: 'lab-scroll', tabindex: 0, role: 'region', 'aria-label': 'Table (scrolls sideways)' },
      h('table', { class: 'lab-table' }, h('caption', { text: 'How well the pooled channel separates the classes (η²)' }), thead, tbody)),
    seedBox.element,
    conclusion);
  const charts = Object.fromEntries(POOLED_KINDS.map((kind) => [kind, new StripChart(figs[kind].canvas, { label: 'pooled value' })]));

  /**
   * The finished runs with their probe, and the channel shown for each: the
   * strips show one network per kind (its lowest seed; a channel of one
   * network has no counterpart in another seed's), the table every seed.
   */
  function rows(set) {
    return POOLED_KINDS.map((kind) => {
      const r = set.runs.filter((x) => x.kind === kind).sort((a, b) => a.seed - b.seed)[0];
      const pooled = r?.status === 'done' ? r.probes?.after?.pooled : null;
      if (!pooled) return { kind, run: r, pooled: null };
      const c = pooled.weight.length;
      const wantedChannel = lab.state.channel;
      const channel = wantedChannel === 'auto' || wantedChannel >= c ? heaviestChannel(pooled) : wantedChannel;
      return { kind, run: r, pooled, channel, accuracy: r.accuracy };
    });
  }

  function render() {
    const set = head.update();
    const recorded = set.runs.find((r) => r.source === 'recorded');
    source.replaceChildren();
    if (recorded) {
      source.append('Recorded with: ', h('code', { text: recorded.command.replace(/--norm \S+/, '--norm KIND') }),
        ' for KIND = batch, instance (the pooled values by ', h('code', { text: 'normscope lab pooled' }), ').');
    }
    const stage = lab.state.stage;
    const all = rows(set);
    const c = all.find((r) => r.pooled)?.pooled.weight.length ?? 32;
    note.textContent = typeof lab.state.channel === 'number' && lab.state.channel >= c
      ? `Channel ${lab.state.channel} does not exist: the last block has ${c} (0 to ${c - 1}). Showing the channel the classifier weighs most.`
      : lab.state.channel === 'auto' ? 'Channel rule: the one whose weights in the classifier (the linear layer) are largest, chosen in each network from its own numbers; the two networks\' channels are unrelated.' : '';
    for (const row of all) {
      const label = kindStyle(row.kind).label;
      const fig = figs[row.kind];
      if (!row.pooled) {
        fig.element.querySelector('figcaption').textContent = `${label} norm: ${row.run ? statusWord(row.run) : 'no run'}`;
        fig.canvas.setAttribute('aria-label', `${label} norm: no pooled values yet`);
        charts[row.kind].draw(null);
        continue;
      }
      const values = row.pooled[stage][row.channel];
      const s = separation(values, row.pooled.labels);
      const beta = row.pooled.beta[row.channel];
      fig.element.querySelector('figcaption').textContent = `${label} norm (seed ${row.run.seed}), channel ${row.channel}, ${POOLED_STAGES[stage].label}: η² ${s.flat ? 'none (every image the same)' : fixed(s.eta2)}`;
      fig.canvas.setAttribute('aria-label', `Pooled value of channel ${row.channel} of the ${label}-norm network ${POOLED_STAGES[stage].short}, one dot per test image, grouped by class; ${s.flat ? `every image at ${fixed(s.mean, 3)}` : `η² ${fixed(s.eta2)}`}; the table below gives the numbers`);
      charts[row.kind].draw({
        classes: row.run.classes ?? WHAT_CLASSES,
        values,
        labels: row.pooled.labels,
        color: kindStyle(row.kind).color,
        reference: stage === 'norm' ? { y: beta, text: `β = ${fixed(beta, 3)}` } : null,
      });
    }
    const byKind = arms(set.runs.filter((r) => r.status === 'done' && r.probes?.after?.pooled));
    const overSeeds = (kind, f) => {
      const s = spreadOf((byKind.get(kind) ?? []).map(f));
      return !s ? '—' : s.n === 1 ? `${fixed(s.mean)}, n = 1` : `${fixed(s.mean)} ± ${fixed(s.sd)} (${fixed(s.min)}–${fixed(s.max)}), n = ${s.n}`;
    };
    const accOverSeeds = (kind) => {
      const s = spreadOf((byKind.get(kind) ?? []).map((r) => r.accuracy));
      return !s ? '—' : s.n === 1 ? `${pct(s.mean)}, n = 1` : `${pct(s.mean)} ± ${(s.sd * 100).toFixed(1)} (${pct(s.min)}–${pct(s.max)}), n = ${s.n}`;
    };
    thead.replaceChildren(h('tr', {}, ['network', 'channel (shown seed)', ...Object.values(POOLED_STAGES).map((s) => `η² ${s.label} (shown seed)`), 'mean η², all channels, classifier input (every seed)', 'test accuracy (every seed)', 'same as recorded'].map((t) => h('th', { scope: 'col', text: t }))));
    tbody.replaceChildren(...all.map((row) => h('tr', {},
      h('th', { scope: 'row', text: `${kindStyle(row.kind).label} norm` }),
      row.pooled
        ? [h('td', { text: `${row.channel} (β ${fixed(row.pooled.beta[row.channel], 3)})` }),
          ...Object.keys(POOLED_STAGES).map((st) => {
            const s = separation(row.pooled[st][row.channel], row.pooled.labels);
            return h('td', { text: s.flat ? 'none (flat)' : fixed(s.eta2) });
          }),
          h('td', { text: overSeeds(row.kind, (r) => meanSeparation(r.probes.after.pooled, 'features')) }),
          h('td', { text: accOverSeeds(row.kind) })]
        : [h('td', { colspan: 6, text: row.run ? statusWord(row.run) : '—' })],
      h('td', { class: 'lab-match', text: matchSummary(set.runs.filter((r) => r.kind === row.kind)) }))));
    seedBox.update(POOLED_KINDS.map((kind) => ({ label: `${kindStyle(kind).label} norm`, runs: set.runs.filter((r) => r.kind === kind) })),
      (r) => (r.status === 'done' && r.probes?.after?.pooled ? `${fixed(meanSeparation(r.probes.after.pooled, 'features'))} (test ${pct(r.accuracy)})` : statusWord(r)));
    conclusion.textContent = set.running ? '' : pooledConclusion(all.filter((r) => r.pooled));
  }

  function show() {
    store.showRecorded(keyFor(KEY, lab.state), fileFor(FILE, lab.state), wanted(lab.state));
  }

  // settings: the lab.state keys this panel reads (norm-lab.js redraws it
  // when one of them changes).
  return { element, render, show, settings: ['channel', 'stage', 'steps', 'task'], keys: () => [keyFor(KEY, lab.state)] };
}
