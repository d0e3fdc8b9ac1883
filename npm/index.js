// The npm package's JavaScript API (`import … from 'normscope'`). `cargo
// xtask pack` puts this file at the package's root, beside the page's files
// (pkg/, js/, lab/, samples/, tasks/), so the paths below are the package's.
//
//   import init, { normalize, Session, checkImage, limits } from 'normscope';
//   await init();                                   // the page's wasm, once per page
//   import { loadEngine, loadTaskPhotos, Trainer, train } from 'normscope';
//   await loadEngine();                             // the training engine's wasm
//   const trainer = new Trainer({ norm: 'batch', steps: 50 }, await loadTaskPhotos());
//
// init is the loader every <norm-scope> on the page shares (js/engine.js),
// so the API and the elements use one wasm instance.
export { initWasm as default, initWasm as init } from './js/engine.js';
export * from './pkg/normscope.js';
export { Trainer } from './pkg/normscope_engine.js';
export { loadEngine } from './js/lab/engine.js';
export { loadTaskPhotos } from './js/tasks.js';
export { train } from './js/lab/pool.js';
