// Adding images: the file input, drag and drop, paste, and the working
// size. Files are checked against the core's limits before they are read.
import { decode } from './engine.js';
import { limits } from './state.js';

/** Decode and add files, one line per file that could not be added. */
async function addFiles(page, files) {
  const list = [...files];
  if (list.length === 0) return;
  let added = 0;
  const problems = [];
  for (const [k, file] of list.entries()) {
    const { maxImages, maxFileBytes } = limits();
    if (page.session.length >= maxImages) {
      problems.push(`${file.name}: the batch already holds ${maxImages} images; remove one first`);
      continue;
    }
    // The core refuses bigger files too, but only after they were read
    // into memory: a 4 GB video would take the tab down first.
    if (file.size > maxFileBytes) {
      problems.push(`${file.name}: the file is ${(file.size / 1e6).toFixed(0)} MB; normscope accepts files up to ${(maxFileBytes / 1e6).toFixed(0)} MB — save a smaller version first`);
      continue;
    }
    page.say(`Decoding ${k + 1} of ${list.length}: ${file.name}…`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { width, height, rgba } = await decode(file.name, bytes);
      page.session.addRgba(file.name, rgba, width, height);
      added++;
    } catch (error) {
      const message = String(error && error.message ? error.message : error);
      // Every message names its file; say it here if one ever does not.
      problems.push(message.startsWith(`${file.name}:`) ? message : `${file.name}: ${message}`);
    }
  }
  page.scope.refreshTray();
  page.scope.repaint();
  const summary = `Added ${added} image${added === 1 ? '' : 's'}; the batch has ${page.session.length}.`;
  if (problems.length) page.say(`${summary} Not added: `, true, problems);
  else page.say(summary);
}

/** Wire the file input, drag and drop, paste and the working size. */
export function wireAdding(page) {
  page.$('file-input').addEventListener('change', (e) => {
    addFiles(page, e.target.files);
    e.target.value = '';
  });
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('is-dragging');
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('is-dragging');
  });
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('is-dragging');
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles(page, e.dataTransfer.files);
  });
  document.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (files.length) addFiles(page, files);
  });
  page.$('size-select').addEventListener('change', (e) => {
    page.session.setSize(Number(e.target.value));
    page.scope.refreshTray();
    page.scope.repaint();
  });
}
