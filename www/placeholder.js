// TEMPORARY placeholder from the `pipe` branch (see index.html): delete it
// when the real page lands. The page's CSP forbids inline scripts, hence a file.
import init from "./pkg/normscope.js";

const status = document.getElementById("status");
try {
  await init();
  status.textContent = "ready";
  document.documentElement.dataset.wasm = "ready";
} catch (error) {
  status.textContent = `failed to load: ${error.message}`;
  document.documentElement.dataset.wasm = "error";
  throw error;
}
