// Where the page's own files come from: on the web, beside these modules
// (www/ and pkg/, or the npm package, which has the same layout). The offline
// single file and the notebook bundle are made by esbuild (`cargo xtask
// dist`, `cargo xtask pybundle`) with this module replaced by a generated one
// that answers the same calls from files carried inline, so no other module
// needs to know which copy of the page it is in.
//
// Paths are relative to the site root: 'samples/chelsea.jpg',
// 'lab/recorded/race.json', 'pkg/normscope_engine_bg.wasm'.
//
// Every URL below is written as `new URL(`…`, import.meta.url)`, one pattern
// per folder and kind of file, and every worker as `new Worker(new URL('…',
// import.meta.url), …)`: the two forms a bundler reads at build time. Vite
// copies each file a pattern matches into its output and rewrites the URL,
// and bundles each worker on its own; a plain static host and an import map
// read the same lines as ordinary relative URLs.

/** True in the bundled copies, whose files travel inside the page. */
export const BUNDLED = false;

/** The URL of the site's file `path` (null: a kind of file no pattern names). */
function fileUrl(path) {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const folder = path.slice(0, slash + 1);
  const stem = path.slice(slash + 1, dot);
  switch (dot > slash ? `${folder}*${path.slice(dot)}` : '') {
    case '*.css':
      return new URL(`../${stem}.css`, import.meta.url);
    case 'pkg/*.wasm':
      return new URL(`../pkg/${stem}.wasm`, import.meta.url);
    case 'samples/*.jpg':
      return new URL(`../samples/${stem}.jpg`, import.meta.url);
    case 'lab/recorded/*.json':
      return new URL(`../lab/recorded/${stem}.json`, import.meta.url);
    case 'tasks/*.rgb':
      return new URL(`../tasks/${stem}.rgb`, import.meta.url);
    default:
      return null;
  }
}

/** Fetch one of the site's files (a Response: check `ok`). */
export function fetchFile(path) {
  const url = fileUrl(path);
  // A new kind of file needs its pattern above, or bundlers would lose it.
  if (!url) return Promise.reject(new Error(`assets.js names no pattern for ${path}`));
  return fetch(url);
}

/** Whether this copy carries the file `path` (every file, on the web). */
export function hasFile() {
  return true;
}

/**
 * A worker served from another origin (a widget embedded in another site)
 * cannot start: `new ImportingWorker(url, options)` starts a same-origin
 * blob: worker that imports it. (A function, not a class extending Worker,
 * so that importing this module where there is no Worker does not throw.)
 */
function ImportingWorker(url, options) {
  const source = `import ${JSON.stringify(String(url))};`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), options);
}

// Each is called with the class to start it with (Worker or ImportingWorker),
// under the name bundlers look for. No worker may import this module
// (worker-bridge.js does not): a bundler would see the worker start itself.
const WORKERS = {
  'js/decode-worker.js': (Worker) => new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module' }),
  'js/lab/worker.js': (Worker) => new Worker(new URL('./lab/worker.js', import.meta.url), { type: 'module' }),
};

/** Start the worker script `path` ('js/decode-worker.js' or 'js/lab/worker.js') as a module worker. */
export function startWorker(path) {
  if (!Object.hasOwn(WORKERS, path)) throw new Error(`there is no worker ${path}`);
  const here = new URL(import.meta.url).origin === location.origin;
  return WORKERS[path](here ? Worker : ImportingWorker);
}
