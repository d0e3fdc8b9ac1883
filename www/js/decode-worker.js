// Decodes image files off the main thread: the Rust core judges each file
// (limits, truncation) and the browser decodes it (imagefile.js); RGBA goes back.
import init from '../pkg/normscope.js';
import { decodeFile } from './imagefile.js';

// Instantiated from the page's compiled module (engine.js sends it with
// every file), so the wasm is downloaded once per page.
let ready = null;

self.onmessage = async ({ data }) => {
  const { id, name, bytes, module, full } = data;
  try {
    ready ??= init(module ? { module_or_path: module } : undefined);
    await ready;
    const { width, height, rgba } = await decodeFile(name, bytes, { full });
    self.postMessage({ id, width, height, rgba }, [rgba.buffer]);
  } catch (error) {
    // A RuntimeError is a trap inside wasm (e.g. out of memory): this
    // instance may be broken, so the page replaces the worker.
    const fatal = error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
    const message = String(error && error.message ? error.message : error);
    self.postMessage({
      id,
      fatal,
      error: fatal
        ? `${name}: the decoder ran out of memory or failed on this file — it may be damaged or too large; try a smaller JPEG or PNG`
        : message,
    });
  }
};
