// Sharing: the view as a link (state in the URL, through urlstate.js and
// state.js), notices for what a link asked for that could not be used, and
// the grid exported as one PNG.
import { parseState, serializeState, RANGES, isLabKey } from './urlstate.js';
import { applyToSession, readFromSession, hasOwnPhotos } from './state.js';
import { SLIDERS } from './scope.js';

/** Show what the link asked for that could not be used (as text only). */
export function showNotices(page, notices) {
  const box = page.$('url-notice');
  box.replaceChildren();
  box.hidden = notices.length === 0;
  if (notices.length === 0) return;
  const title = document.createElement('strong');
  title.textContent = 'Some of this link could not be used:';
  const list = document.createElement('ul');
  for (const notice of notices) {
    const item = document.createElement('li');
    item.textContent = notice;
    list.append(item);
  }
  box.append(title, list);
}

/** The page's state as urlstate.js describes it: the session's part, and the controls'. */
function currentState(page) {
  const fromSession = readFromSession(page.session);
  const v = page.scope.sliderValues();
  return {
    ...fromSession,
    samples: fromSession.samples.length ? fromSession.samples : parseState('').state.samples,
    contrast: v.contrast,
    brightness: v.brightness,
    gamma: v.gamma,
    clip: v.clip,
    kinds: page.scope.shownKinds().filter((k) => k !== 'batch' && k !== 'instance'),
    diff: page.$('show-diff').checked,
    rho: Number(page.$('rho').value),
    features: page.$('feature-maps').checked,
    bn: page.$('eval-mode').checked ? 'eval' : 'train',
    embed: document.documentElement.classList.contains('is-embed'),
  };
}

/** The link that reopens the current view. */
function shareUrl(page) {
  const query = serializeState(currentState(page));
  const url = new URL(location.href);
  // The lab keeps its own settings in the link (norm-lab's lab* keys).
  const lab = [...url.searchParams].filter(([key]) => isLabKey(key));
  url.search = query;
  for (const [key, value] of lab) url.searchParams.append(key, value);
  url.hash = '';
  return url.href;
}

let urlTimer = 0;
/** Put the current view in the address bar and the share box (debounced). */
export function scheduleUrlUpdate(page) {
  if (!page.urlReady) return;
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const url = shareUrl(page);
    page.$('share-url').value = url;
    if (url !== location.href) history.replaceState(null, '', url);
    page.$('share-note').hidden = !hasOwnPhotos(page.session);
  }, 150);
}

/** Download the grid (panels, histograms, numbers) as one PNG. */
function exportPng(page) {
  const canvas = page.scope.grid.compose();
  canvas.toBlob((blob) => {
    if (!blob) {
      page.say('Could not make the PNG: the browser refused to encode the picture.', true);
      return;
    }
    const link = page.$('export-link');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    const a = page.scope.sliderValues();
    link.download = `normscope-contrast${a.contrast}-gamma${a.gamma}.png`;
    link.click();
    page.say(`Saved ${link.download} (${canvas.width}×${canvas.height} px).`);
  }, 'image/png');
}

/** Wire the PNG export and the copy-link button. */
export function wireShare(page) {
  page.$('export-png').addEventListener('click', () => exportPng(page));
  page.$('copy-link').addEventListener('click', async () => {
    const url = shareUrl(page);
    page.$('share-url').value = url;
    // The lab's own-photo task is in the link by name only.
    const photos = new URL(url).searchParams.get('lab-task') === 'photos'
      ? " The lab's task is your photos: the link cannot carry them, so whoever opens it adds their own."
      : '';
    try {
      await navigator.clipboard.writeText(url);
      page.say(`Link copied. It reopens this exact view.${photos}`);
    } catch {
      page.$('share-url').select();
      page.say(`Select the link in the box and copy it (Ctrl+C or ⌘C).${photos}`);
    }
  });
}

/** Put the state on the session and the controls; notices for values a slider had to round. */
export function applyState(page, state, notices) {
  for (const box of page.scope.kindBoxes()) box.checked = state.kinds.includes(box.dataset.kind);
  page.$('show-diff').checked = state.diff;
  applyToSession(page.session, state);
  page.$('feature-maps').checked = state.features;
  page.$('rho').value = state.rho;
  page.$('rho-value').textContent = Number(page.$('rho').value).toFixed(2);
  page.$('eval-mode').checked = state.bn === 'eval';
  for (const id of SLIDERS) page.$(id).value = state[id];
  page.$('clip').checked = state.clip;
  for (const id of [...SLIDERS, 'rho']) {
    const shown = Number(page.$(id).value);
    if (shown !== state[id]) {
      notices.push(`${id} ${state[id]} was rounded to ${shown}, the nearest step of its slider (${RANGES[id].join(' to ')}).`);
    }
  }
}
