// The bundler step of `cargo xtask dist` and `cargo xtask pybundle`
// (xtask/src/bundle.rs runs it): esbuild, from npm, makes one ES module of
// an entry and everything it imports.
//
//   node xtask/bundle.mjs --entry FILE --out FILE [--format esm|iife] [--assets FILE] [--fallback DIR]
//
//   --format    esm (default), or iife for a classic worker's script
//   --assets    stands in for www/js/assets.js: the generated module that
//               carries this copy's files inline
//   --fallback  where a relative import that does not exist beside its
//               importer is looked for (python/js/ imports the page's modules
//               as if it sat in www/)
import { existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : null;
};
const entry = option('entry');
const out = option('out');
const assets = option('assets');
const fallback = option('fallback');
const format = option('format') ?? 'esm';
if (!entry || !out) {
  console.error('usage: node xtask/bundle.mjs --entry FILE --out FILE [--assets FILE] [--fallback DIR]');
  process.exit(2);
}
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const WWW_ASSETS = resolve(ROOT, 'www', 'js', 'assets.js');
// The site serves pkg/ at /pkg/, beside www/'s files: the modules import it as ../pkg/.
const SITE_PKG = resolve(ROOT, 'www', 'pkg') + sep;

const copyOfThePage = {
  name: 'copy-of-the-page',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir, importer }) => {
      let local = resolve(resolveDir, path);
      if (local.startsWith(SITE_PKG)) local = resolve(ROOT, 'pkg', local.slice(SITE_PKG.length));
      if (assets && local === WWW_ASSETS) return { path: resolve(assets) };
      if (existsSync(local)) return { path: local };
      if (!fallback) return undefined;
      // Only for modules outside www/: the page's own imports must resolve as written.
      if (importer.startsWith(resolve(fallback) + sep)) return undefined;
      let elsewhere = resolve(fallback, path);
      if (elsewhere.startsWith(SITE_PKG)) elsewhere = resolve(ROOT, 'pkg', elsewhere.slice(SITE_PKG.length));
      if (assets && elsewhere === WWW_ASSETS) return { path: resolve(assets) };
      return existsSync(elsewhere) ? { path: elsewhere } : undefined;
    });
  },
};

await build({
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  format,
  // A classic worker's bundle has no import.meta; wasm-bindgen's glue reads it
  // only when no module is handed to init(), and the bundled copies always hand one.
  logOverride: { 'empty-import-meta': 'silent' },
  platform: 'browser',
  target: 'es2022',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [copyOfThePage],
});
