// From an image file to RGBA pixels. The Rust core judges the file first
// (checkImage: size, format, the header's width and height within the
// limits, a cut-short or damaged file), because a browser draws a broken
// file as far as it goes without a word. Then the browser's own decoder
// draws it, upright by its EXIF orientation, reduced so its shorter side is
// at most the core's keepShortSide (what a Session keeps of a photo anyway).
import { checkImage } from '../pkg/normscope.js';
import { limits } from './state.js';

const NAMES = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', bmp: 'BMP', webp: 'WebP' };

function canvasOf(width, height) {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

/**
 * Check and decode an image file: resolves to { width, height, rgba }
 * (rgba a Uint8ClampedArray of width·height·4 bytes), or rejects with an
 * Error whose message names the file and says what to do. Needs wasm
 * initialised. `full`: keep every pixel (the lab's own-photo task scales
 * in Rust, as the CLI does) instead of reducing to keepShortSide.
 */
export async function decodeFile(name, bytes, { full = false } = {}) {
  const info = checkImage(name, bytes);
  const kind = NAMES[info.format] ?? 'image';
  let bitmap;
  try {
    // colorSpaceConversion 'none': the stored values, as the CLI reads them.
    bitmap = await createImageBitmap(new Blob([bytes], { type: `image/${info.format}` }), {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch {
    throw new Error(`${name}: the browser could not decode this ${kind} file — it may be damaged; copy it again or re-save it as JPEG or PNG`);
  }
  try {
    const { width, height } = bitmap;
    // The browser must agree with the header (an EXIF rotation may swap the
    // sides; a GIF frame larger than its screen may grow the picture).
    const agrees = (width === info.width && height === info.height) || (width === info.height && height === info.width);
    if (!agrees && info.format !== 'gif') {
      throw new Error(`${name}: the browser decoded this ${kind} file as ${width}×${height} pixels but its header says ${info.width}×${info.height} — it may be damaged; re-save it as JPEG or PNG`);
    }
    const short = Math.min(width, height);
    const keep = full ? Infinity : limits().keepShortSide;
    const scale = short > keep ? keep / short : 1;
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const canvas = canvasOf(w, h);
    const g = canvas.getContext('2d', { willReadFrequently: true });
    g.imageSmoothingQuality = 'high';
    g.drawImage(bitmap, 0, 0, w, h);
    return { width: w, height: h, rgba: g.getImageData(0, 0, w, h).data };
  } finally {
    bitmap.close();
  }
}
