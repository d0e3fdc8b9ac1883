// The training tasks' photos (tasks/NAME.rgb from assets/tasks/, raw RGB8), fetched once
// per page or worker and shared by every run. Which files and their size
// come from the engine (taskPhotoFiles), so the list lives in one place.
import { loadEngine } from './lab/engine.js';
import { fetchFile } from './assets.js';

let photos = null;

async function fetchPhoto({ name, width, height }) {
  const response = await fetchFile(`tasks/${name}.rgb`);
  if (!response.ok) throw new Error(`could not load the task photo ${name}.rgb (HTTP ${response.status}): reload the page`);
  const rgb = new Uint8Array(await response.arrayBuffer());
  if (rgb.length !== width * height * 3) {
    throw new Error(`the task photo ${name}.rgb is damaged (${rgb.length} bytes, expected ${width * height * 3}): reload the page`);
  }
  return { name, width, height, rgb };
}

/**
 * The task photos in the engine's class order: [{ name, width, height, rgb:
 * Uint8Array }]. Both tasks cut their patches from the same photos. A
 * failed fetch is not cached: the next call tries again.
 */
export function loadTaskPhotos() {
  if (!photos) {
    photos = (async () => {
      const { taskPhotoFiles } = await loadEngine();
      return Promise.all(taskPhotoFiles().map(fetchPhoto));
    })();
    photos.catch(() => {
      photos = null;
    });
  }
  return photos;
}
