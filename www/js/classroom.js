// Classroom mode: a presentation view (full screen, large type, projector
// colours), keyboard shortcuts listed under "?", and a guided walk-through
// whose every step sets the controls to show one fact.
import { DEFAULT_STATE } from './urlstate.js';

const BASE = { ...DEFAULT_STATE, contrast: 1, brightness: 0, gamma: 1, clip: false, kinds: [], bn: 'train', features: false };

/**
 * The walk-through. `state` overrides the base state (urlstate.js fields);
 * `action` names something main.js does after applying it; `lab` puts one
 * experiment of the lab (a `<norm-lab>` with these attributes) into the
 * walk-through box, so its chart and its conclusion — written from the runs
 * on screen — sit beside the step's text.
 */
export const STEPS = [
  {
    title: 'Change the contrast of one photo',
    text: 'The probe (the cat) now has less contrast. Its instance-norm output is unchanged: it is divided by its own, now smaller, spread. Its batch-norm output is changed: the batch statistics barely moved, so the flatter image stays flatter.',
    state: { contrast: 0.4 },
  },
  {
    title: 'Gamma is not a contrast change',
    text: 'Gamma bends the tone curve instead of stretching it. That is not of the form a·x + b, so subtracting the mean and dividing by σ cannot undo it: now instance norm changes too.',
    state: { gamma: 2.2 },
  },
  {
    title: 'Clipping breaks it as well',
    text: 'A camera cannot record values above 1 or below 0. Raise the contrast and clip: the bright and dark ends are cut off, which is again not affine, and instance norm no longer hides the change.',
    state: { contrast: 2.5, brightness: 0.1, clip: true },
  },
  {
    title: 'Your neighbours matter',
    text: 'The probe is left alone; every other image gets a random contrast and brightness. The probe\'s batch-norm output moves because the shared batch statistics moved. Its instance-norm output does not: it never looks at the other images.',
    state: { contrast: 0.5, brightness: 0.15 },
    action: 'neighbours',
  },
  {
    title: 'A batch of one',
    text: 'With a single image in the batch, batch norm (in training mode) computes its mean and variance from that image alone, so batch norm and instance norm give the same output. Both are unchanged by the contrast change.',
    state: { samples: ['chelsea'], contrast: 0.5, brightness: 0.15 },
  },
  {
    title: 'Evaluation mode',
    text: 'In evaluation mode, batch norm stops computing statistics and uses the running averages it kept during training: a fixed scale and shift per channel, the same for every image. A contrast change of the probe then passes straight through to its output, while instance norm, which keeps no running statistics, still removes it.',
    state: { contrast: 0.5, brightness: 0.15, bn: 'eval' },
    action: 'train',
  },
  {
    title: 'The lab: train the networks',
    text: 'From here on, networks learn. Seven copies of one small network are trained to tell six photos apart; they differ only in their normalization layer. The runs below were recorded with the seed that "Run it here" uses to repeat them in this browser, and the sentence under the table is written from their numbers.',
    lab: { experiment: 'race', task: 'what' },
  },
  {
    title: 'Change the lighting of the test images',
    text: 'The same networks, tested on the same patches with the contrast changed after training. One curve per network; the lighting it was trained at is marked. Watch which curves stay flat and which fall away.',
    lab: { experiment: 'lighting', task: 'what', axis: 'contrast' },
  },
  {
    title: 'When the lighting is the label',
    text: 'Now the task is "day or night?": the label is the lighting itself. Instance norm divides out each image\'s own mean and spread, channel by channel, right after the first convolution. Compare its accuracy here with batch norm\'s.',
    lab: { experiment: 'race', task: 'day-night' },
  },
  {
    title: 'What instance norm throws away',
    text: 'After instance norm, each channel\'s average over an image is its learned β, whatever the image held: how much of a feature the image had is gone, and only the shape of its distribution is left (Nam & Kim\'s explanation of why instance norm classifies worse; the Group Norm paper\'s own reason is that instance norm ignores how channels depend on each other). Each dot is one test image: one channel of the last block, in the batch-norm and the instance-norm network, sorted by class.',
    lab: { experiment: 'pooled' },
  },
  {
    title: 'Batch size and batch norm\'s noise',
    text: 'Each network sees the same number of images, in batches of 2 to 32. Batch norm\'s statistics come from the batch, so small batches make them noisy; group and layer norm use one image at a time. The Group Norm paper\'s ImageNet figures are drawn beside this run\'s, labelled as the paper\'s.',
    lab: { experiment: 'batch' },
  },
  {
    title: 'Your neighbours during training',
    text: 'One fixed batch of eight test patches, at points during training. A cell says how far darkening image j moved image i\'s class probabilities, in training mode. The diagonal is each image\'s own change; anything off it reaches the image only through statistics shared with the rest of the batch.',
    lab: { experiment: 'neighbours' },
  },
  {
    title: 'Training mode or evaluation mode?',
    text: 'The race\'s batch-norm network tested two ways: with the running statistics it kept during training (evaluation mode, as Ioffe & Szegedy prescribe for inference), and with each test batch\'s own statistics, as in training, in batches of 1 to 32 images of mixed classes or of one class. Below: the momentum of the running statistics.',
    lab: { experiment: 'evalmode' },
  },
  {
    title: 'Batch and instance norm together',
    text: 'Batch-instance norm learns, per channel, a weight ρ between batch norm (ρ = 1) and instance norm (ρ = 0): the histograms show where training moved it, on both tasks. Below them, IBN-Net (instance norm on half of the first block\'s channels, batch norm everywhere else) is placed among the other kinds by its accuracy at the training lighting and at the worst test lighting.',
    lab: { experiment: 'both' },
  },
  {
    title: 'A learning rate far too high',
    text: 'No normalization against batch norm at a high peak learning rate. A run whose loss stops being a number is marked as diverged at that step, not drawn on as garbage.',
    lab: { experiment: 'lr', lr: '1' },
  },
];

/** The complete state of step `i`. */
export function stepState(i) {
  const step = STEPS[i];
  return { ...BASE, samples: [...BASE.samples], ...step.state };
}

function isTyping(event) {
  // composedPath: a control inside a shadow root (the lab in the box) is
  // retargeted to its host element by the time the event reaches us.
  const target = event.composedPath?.()[0] ?? event.target;
  if (!(target instanceof Element)) return false;
  if (target.closest('dialog')) return false;
  return target.matches('input, select, textarea, [contenteditable="true"], .cube-widget');
}

/**
 * Wire presentation mode, the shortcuts dialog and the walk-through.
 * `goToStep(i)` (async) sets the page to step i; `reset()` resets the probe.
 */
export function startClassroom($, { goToStep, reset }) {
  const html = document.documentElement;
  const walk = $('walk');
  let current = -1;

  function render() {
    walk.hidden = current < 0;
    if (current < 0) return;
    const step = STEPS[current];
    $('walk-count').textContent = `Step ${current + 1} of ${STEPS.length}`;
    $('walk-title').textContent = step.title;
    $('walk-text').textContent = step.text;
    $('walk-prev').disabled = current === 0;
    $('walk-next').disabled = current === STEPS.length - 1;
    walk.dataset.step = String(current + 1);
  }

  let busy = Promise.resolve();
  function show(i) {
    if (i < 0 || i >= STEPS.length) return busy;
    current = i;
    render();
    busy = busy.then(() => goToStep(i)).then(
      () => {
        if (current === i) walk.dataset.ready = String(i + 1);
      },
      (error) => {
        $('walk-text').textContent = `${STEPS[i].text} (Could not set up this step: ${error.message})`;
      },
    );
    return busy;
  }

  function stop() {
    current = -1;
    delete walk.dataset.ready;
    render();
  }

  async function present(on) {
    html.classList.toggle('is-presenting', on);
    html.classList.toggle('theme-projector', on);
    $('present').setAttribute('aria-pressed', String(on));
    try {
      if (on && !document.fullscreenElement && document.fullscreenEnabled) await html.requestFullscreen();
      if (!on && document.fullscreenElement) await document.exitFullscreen();
    } catch {
      // Full screen refused (an iframe without permission, or no user
      // gesture): the large, high-contrast view still works in the window.
    }
    if (on && current < 0) show(0);
    if (on) walk.focus();
  }

  document.addEventListener('fullscreenchange', () => {
    if (!document.fullscreenElement && html.classList.contains('is-presenting')) present(false);
  });

  $('present').addEventListener('click', () => present(!html.classList.contains('is-presenting')));
  $('walk-start').addEventListener('click', () => {
    show(0);
    walk.focus();
  });
  $('walk-prev').addEventListener('click', () => show(current - 1));
  $('walk-next').addEventListener('click', () => show(current + 1));
  $('walk-close').addEventListener('click', stop);
  $('shortcuts').addEventListener('click', () => $('shortcuts-dialog').showModal());
  $('shortcuts-close').addEventListener('click', () => $('shortcuts-dialog').close());

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e)) return;
    const dialog = $('shortcuts-dialog');
    if (dialog.open) return;
    const walking = current >= 0;
    switch (e.key) {
      case '?':
        dialog.showModal();
        break;
      case 'p':
      case 'P':
        present(!html.classList.contains('is-presenting'));
        break;
      case 'w':
      case 'W':
        show(walking ? current : 0);
        walk.focus();
        break;
      case 'r':
      case 'R':
        reset();
        break;
      case 'ArrowRight':
      case 'PageDown':
        if (!walking) return;
        show(current + 1);
        break;
      case 'ArrowLeft':
      case 'PageUp':
        if (!walking) return;
        show(current - 1);
        break;
      case 'Home':
        if (!walking) return;
        show(0);
        break;
      case 'End':
        if (!walking) return;
        show(STEPS.length - 1);
        break;
      case 'Escape':
        if (html.classList.contains('is-presenting')) present(false);
        else if (walking) stop();
        else return;
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  return { show, stop, present };
}
