// The training engine: its own wasm module (pkg/normscope_engine_bg.wasm,
// the `engine` build of the crate), fetched and compiled once per page when
// the lab first needs it, never on the page's first load. The compiled
// module is handed to every training worker, so no worker fetches it again.
//
//   const { Trainer, taskPhotoFiles, module } = await loadEngine();
import init, * as exports from '../../pkg/normscope_engine.js';
import { fetchFile } from '../assets.js';

let loading = null;

async function compile() {
  const response = await fetchFile('pkg/normscope_engine_bg.wasm');
  if (!response.ok) throw new Error(`the training engine could not be loaded (HTTP ${response.status}): reload the page`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * The engine's exports, initialised on this thread, and its compiled
 * `module` for workers. A failed load is not kept: the next call tries again.
 */
export function loadEngine() {
  if (!loading) {
    loading = (async () => {
      const module = await compile();
      await init({ module_or_path: module });
      return { ...exports, module };
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
