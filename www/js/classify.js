// "What per-image normalization erases": a second, separate batch of day and
// night photos, one number per image after each kind of normalization, and
// how well a single threshold on that number tells the classes apart.
// Everything shown is computed live by the core (Session.outputMeans and
// separability); this module only wires the slider and draws.
import { createSession, decode, fetchSample } from './engine.js';
import { separability } from '../pkg/normscope.js';
import { KIND_LABELS, fmt } from './format.js';

const PHOTOS = ['chelsea', 'coffee', 'astronaut', 'camera'];
const KINDS = ['batch', 'instance', 'layer'];
const SIZE = 64;
const DAY = 0;
const NIGHT = 1;
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);

/** The night adjustment for a darkening strength s in [0, 1]: darker and flatter. */
export function nightAdjustment(s) {
  return { contrast: 1 - 0.5 * s, brightness: -0.3 * s, gamma: 1, clip: true };
}

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A marker: day = circle, night = diamond (shape and colour both differ). */
function marker(label, x, y) {
  if (label === DAY) return svg('circle', { cx: x, cy: y, r: 5.5, class: 'dot-day' });
  const r = 6.5;
  return svg('polygon', {
    points: `${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}`,
    class: 'dot-night',
  });
}

/** A tick step giving at most four ticks on each side of 0. */
function tickStep(range) {
  for (const step of [0.1, 0.25, 0.5, 1, 2, 5]) if (range / step <= 4) return step;
  return 10;
}

// Plot geometry, in viewBox units (the SVG scales to its container).
const H = 128;
const LEFT = 52;
const RIGHT = 12;
const LANE_Y = { [DAY]: 44, [NIGHT]: 88 };
const AXIS_Y = 104;

/** Draw one kind's dot plot: a day lane and a night lane on one shared axis. */
function drawPlot(root, values, labels, result, range) {
  // One viewBox unit per CSS pixel, so labels stay readable on a phone.
  const W = Math.max(260, Math.round(root.getBoundingClientRect().width) || 420);
  const x = (v) => LEFT + ((v + range) / (2 * range)) * (W - LEFT - RIGHT);
  root.replaceChildren();
  root.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const step = tickStep(range);
  for (let t = -Math.floor(range / step) * step; t <= range + 1e-9; t += step) {
    const tx = x(t);
    root.append(svg('line', { x1: tx, x2: tx, y1: 18, y2: AXIS_Y, class: Math.abs(t) < 1e-9 ? 'axis-zero' : 'grid-line' }));
    root.append(svg('text', { x: tx, y: AXIS_Y + 16, class: 'tick', 'text-anchor': 'middle' }, num(Number(t.toFixed(2)), 2).replace(/\.?0+$/, '') || '0'));
  }
  root.append(svg('line', { x1: LEFT, x2: W - RIGHT, y1: AXIS_Y, y2: AXIS_Y, class: 'axis' }));
  for (const label of [DAY, NIGHT]) {
    root.append(svg('text', { x: 4, y: LANE_Y[label] + 4, class: 'lane' }, label === DAY ? 'day' : 'night'));
  }
  if (result.threshold !== undefined && result.threshold !== null) {
    const tx = x(result.threshold);
    root.append(svg('line', { x1: tx, x2: tx, y1: 14, y2: AXIS_Y, class: 'threshold' }));
    root.append(svg('text', { x: tx, y: 11, class: 'tick', 'text-anchor': 'middle' }, 'threshold'));
  }
  // Stack markers that would overlap, so identical values stay countable.
  for (const label of [DAY, NIGHT]) {
    const placed = [];
    const idx = values.map((_, i) => i).filter((i) => labels[i] === label).sort((a, b) => values[a] - values[b]);
    for (const i of idx) {
      const px = x(values[i]);
      let level = 0;
      while (placed.some((p) => p.level === level && Math.abs(p.px - px) < 11)) level++;
      placed.push({ px, level });
      root.append(marker(label, px, LANE_Y[label] - level * 8));
    }
  }
}

/** A number with a true minus sign. */
function num(x, digits) {
  return fmt(x, digits).replace('-', '−');
}

function describeResult(values, result) {
  const n = result.count;
  if (result.threshold === undefined || result.threshold === null) {
    const maxAbs = Math.max(...values.map(Math.abs));
    const why = maxAbs < 1e-6
      ? (maxAbs === 0 ? "Every image's mean is exactly 0" : "Every image's mean is 0 (up to rounding)")
      : 'Day and night values overlap completely';
    return `${why}: no threshold does better than guessing, `
      + `${result.correct} of ${n} right (accuracy ${fmt(result.accuracy, 2)}, chance ${fmt(result.chance, 2)}).`;
  }
  const side = result.class1_above ? 'above' : 'below';
  const sorted = result.correct === n ? `sorts all ${n} images` : `sorts ${result.correct} of ${n} images`;
  return `A threshold at ${num(result.threshold, 2)} (night ${side} it) ${sorted}: accuracy ${fmt(result.accuracy, 2)}.`;
}

function fisherText(f) {
  return Number.isFinite(f) ? fmt(f, 2) : '∞';
}

/** Draw the batch's images as they enter it (night ones darkened, as the core does). */
function drawThumbnails(lists, session, labels, adj) {
  for (const list of Object.values(lists)) list.replaceChildren();
  for (let i = 0; i < session.length; i++) {
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    const name = session.name(i);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${name}${labels[i] === NIGHT ? ', darkened' : ''}`);
    const px = new Uint8ClampedArray(session.inputPixels(i)); // copy: the view is short-lived
    if (labels[i] === NIGHT) {
      // Same formula as the core's Adjustment (gamma 1): a·(x − 0.5) + 0.5 + b, clipped.
      for (let k = 0; k < px.length; k += 4) {
        for (let c = 0; c < 3; c++) {
          px[k + c] = 255 * (adj.contrast * (px[k + c] / 255 - 0.5) + 0.5 + adj.brightness);
        }
      }
    }
    canvas.getContext('2d').putImageData(new ImageData(px, SIZE, SIZE), 0, 0);
    const item = document.createElement('li');
    const caption = document.createElement('span');
    caption.textContent = name.replace(/ \((day|night)\)$/, '');
    item.append(canvas, caption);
    lists[labels[i]].append(item);
  }
}

/**
 * One sentence on every step of the darkening slider, measured: from which
 * darkening up batch norm's feature sorts all images, and the best that
 * instance and layer norm ever do. `measure(s)` computes the features.
 */
function sweepInWords(slider, measure, labels) {
  const lo = Number(slider.min);
  const hi = Number(slider.max);
  const step = Number(slider.step);
  const steps = Math.round((hi - lo) / step);
  const rows = [];
  for (let k = 0; k <= steps; k++) {
    const s = lo + k * step;
    const features = measure(s);
    const row = { s };
    for (const kind of KINDS) row[kind] = separability(Float64Array.from(features[kind]), labels);
    rows.push(row);
  }
  const n = labels.length;
  // The lightest darkening from which batch norm sorts every image at every step.
  let first = rows.length;
  while (first > 0 && rows[first - 1].batch.correct === n) first--;
  const below = rows[first - 1];
  const batch = first === rows.length
    ? `batch norm's number never sorts all ${n} images on this slider`
    : first === 0
      ? `batch norm's number sorts all ${n} images at every darkening`
      : `batch norm's number sorts all ${n} images from a darkening of ${rows[first].s.toFixed(2)} up; `
        + `at ${below.s.toFixed(2)} it sorts ${below.batch.correct} of ${n}`;
  const best = (kind) => Math.max(...rows.map((r) => r[kind].correct));
  const beaten = (kind) => rows.some((r) => r[kind].accuracy > r[kind].chance);
  const others = ['instance', 'layer']
    .map((kind) => `${KIND_LABELS[kind]} ${beaten(kind) ? `at best ${best(kind)} of ${n}` : 'never better than guessing'}`)
    .join(', ');
  return `Measured at every step of the slider: ${batch}; ${others}.`;
}

/** Build the plots' skeleton once: a figure per kind. */
function buildPlots(root) {
  const parts = {};
  root.replaceChildren();
  for (const kind of KINDS) {
    const figure = document.createElement('figure');
    figure.className = 'sep-plot';
    figure.dataset.kind = kind;
    const caption = document.createElement('figcaption');
    const title = document.createElement('strong');
    title.textContent = KIND_LABELS[kind];
    const figures = document.createElement('span');
    figures.className = 'sep-figures';
    caption.append(title, figures);
    const plot = svg('svg', { role: 'img', class: 'sep-svg' });
    const words = document.createElement('p');
    words.className = 'sep-words';
    figure.append(caption, plot, words);
    root.append(figure);
    parts[kind] = { figure, figures, plot, words };
  }
  return parts;
}

/**
 * Start the demo in #classify-section: load the photos into their own
 * Session, then update on every slider move. Failures show in the section.
 */
export async function startClassifier() {
  const section = $('classify-section');
  const status = $('classify-status');
  const slider = $('classify-darkness');
  try {
    status.textContent = 'Loading the day and night photos…';
    const session = await createSession(SIZE);
    const decoded = await Promise.all(
      PHOTOS.map(async (name) => [name, await decode(`${name}.jpg`, await fetchSample(name))]),
    );
    const labels = [];
    for (const label of [DAY, NIGHT]) {
      for (const [name, img] of decoded) {
        session.addRgba(`${name} (${label === DAY ? 'day' : 'night'})`, img.rgba, img.width, img.height);
        labels.push(label);
      }
    }
    // outputMeans leaves out the probe's own adjustment: keep the probe on a
    // day photo, which is never adjusted.
    session.setProbe(labels.indexOf(DAY));
    const labelArray = Uint8Array.from(labels);
    const parts = buildPlots($('classify-plots'));

    /** Set the night photos to darkening `s`, compute, and return each kind's feature. */
    const measure = (s) => {
      const adj = nightAdjustment(s);
      labels.forEach((label, i) => {
        if (label === NIGHT) session.setAdjustment(i, adj.contrast, adj.brightness, adj.gamma, adj.clip);
      });
      session.compute();
      const features = {};
      for (const kind of KINDS) {
        features[kind] = session.outputMeans(kind).map((rgb) => (rgb[0] + rgb[1] + rgb[2]) / 3);
      }
      return features;
    };

    const update = () => {
      const s = Number(slider.value);
      const adj = nightAdjustment(s);
      $('classify-darkness-value').textContent = s.toFixed(2);
      $('classify-formula').textContent =
        `night = clip(${adj.contrast.toFixed(2)}·(x − 0.5) + 0.5 − ${(-adj.brightness).toFixed(2)})`;
      const features = measure(s);
      const all = Object.values(features).flat();
      const range = Math.max(0.5, 1.15 * Math.max(...all.map(Math.abs)));
      const results = {};
      for (const kind of KINDS) {
        const values = features[kind];
        const result = separability(Float64Array.from(values), labelArray);
        results[kind] = result;
        const p = parts[kind];
        p.figure.dataset.accuracy = String(result.accuracy);
        p.figures.textContent =
          `: accuracy ${fmt(result.accuracy, 2)} (${result.correct} of ${result.count}), Fisher ratio ${fisherText(result.fisher)}`;
        drawPlot(p.plot, values, labels, result, range);
        const day = values.filter((_, i) => labels[i] === DAY).map((v) => num(v, 2)).join(', ');
        const night = values.filter((_, i) => labels[i] === NIGHT).map((v) => num(v, 2)).join(', ');
        p.plot.setAttribute('aria-label',
          `${KIND_LABELS[kind]}: per-image output means, day ${day}; night ${night}. `
          + `Best threshold ${result.threshold === undefined ? 'none' : num(result.threshold, 2)}, `
          + `accuracy ${fmt(result.accuracy, 2)}, Fisher ratio ${fisherText(result.fisher)}.`);
        p.words.textContent = describeResult(values, result);
      }
      drawThumbnails({ [DAY]: $('classify-day'), [NIGHT]: $('classify-night') }, session, labels, adj);
      const b = results.batch;
      const inst = results.instance;
      const batchWords = b.correct === b.count
        ? `batch norm's number puts all ${b.count} images on the right side of one threshold`
        : `the best threshold on batch norm's number sorts only ${b.correct} of ${b.count} images: `
          + 'some night copies are not yet darker than every day photo';
      $('classify-summary').textContent =
        `At darkening ${s.toFixed(2)}, ${batchWords}; `
        + `instance norm manages ${inst.correct} of ${inst.count}, which is ${inst.accuracy <= inst.chance ? 'no better than guessing' : 'better than guessing'}.`;
      section.dataset.ready = 'true';
    };

    let frame = 0;
    slider.addEventListener('input', () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        try {
          update();
          status.textContent = '';
          status.classList.remove('is-error');
        } catch (error) {
          status.textContent = `Could not update the classifier demo: ${error.message}`;
          status.classList.add('is-error');
        }
      });
    });
    update();
    status.textContent = '';
    // Then, once the slider works, measure every step of it (and put the
    // night photos back where the slider is).
    setTimeout(() => {
      try {
        $('classify-sweep').textContent = sweepInWords(slider, measure, labelArray);
        update();
      } catch (error) {
        $('classify-sweep').textContent = `Could not measure the slider's steps: ${error.message}`;
      }
    }, 0);
    // Redraw when the plots change width (phone rotation, window resize).
    let lastWidth = $('classify-plots').clientWidth;
    new ResizeObserver(() => {
      const width = $('classify-plots').clientWidth;
      if (width !== lastWidth) {
        lastWidth = width;
        slider.dispatchEvent(new Event('input'));
      }
    }).observe($('classify-plots'));
  } catch (error) {
    status.textContent = `The classifier demo could not start: ${error.message}`;
    status.classList.add('is-error');
    console.error(error);
  }
}
