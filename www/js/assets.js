// Where the page's own files come from: on the web, beside these modules
// (www/ and pkg/). The offline single file and the notebook bundle are made
// by esbuild (`cargo xtask dist`, `cargo xtask pybundle`) with this module
// replaced by a generated one that answers the same calls from files carried
// inline, so no other module needs to know which copy of the page it is in.
//
// Paths are relative to the site root: 'samples/chelsea.jpg',
// 'lab/recorded/race.json', 'pkg/normscope_engine_bg.wasm'.

// Computed when asked: a worker built from this module by the bundler has a
// blob: address, against which no relative URL can be made.
const root = () => new URL('../', import.meta.url);

/** True in the bundled copies, whose files travel inside the page. */
export const BUNDLED = false;

/** Fetch one of the site's files (a Response: check `ok`). */
export function fetchFile(path) {
  return fetch(new URL(path, root()));
}

/** Whether this copy carries the file `path` (every file, on the web). */
export function hasFile() {
  return true;
}

/**
 * Start the worker script `path` as a module worker. A worker must come
 * from the page's own origin: served from elsewhere (a widget embedded in
 * another site), start a same-origin blob worker that imports the real one.
 */
export function startWorker(path) {
  const url = new URL(path, root());
  const source =
    url.origin === location.origin
      ? url
      : URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  return new Worker(source, { type: 'module' });
}
