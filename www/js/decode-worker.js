// Decodes image files off the main thread with the same Rust decoder as the
// CLI (limits, EXIF orientation, truncation checks), then hands back RGBA.
import init, { decodeImage } from '../pkg/normscope.js';

const ready = init();

self.onmessage = async ({ data }) => {
  const { id, name, bytes } = data;
  try {
    await ready;
    const { width, height, rgba } = decodeImage(name, bytes);
    self.postMessage({ id, width, height, rgba }, [rgba.buffer]);
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
