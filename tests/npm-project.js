// A docs author's project using the npm package, as the page tests
// (tests/e2e/npm.spec.js) and the cold-load benchmark (bench/coldload.mjs)
// both need it: the tarball `cargo xtask pack` wrote, installed into a new
// folder with npm (offline: the package has no dependencies), three pages
// that load it three ways, and `vite build` of the first. Plus a small
// static server for them (127.0.0.1 only), which sends `.wasm` as
// application/wasm as any ordinary host does.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** target/npm/normscope-VERSION.tgz, VERSION from Cargo.toml. */
export function tarballPath() {
  const manifest = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8');
  const version = /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(manifest)?.[1];
  if (!version) throw new Error('Cargo.toml has no [package] version');
  return join(ROOT, 'target', 'npm', `normscope-${version}.tgz`);
}

// The host page's body: the scope on top, the lab's race below (lazy: it
// starts when scrolled near), with few steps, one seed and two kinds.
const BODY = `<main>
<h1>normscope from npm</h1>
<p>Change the probe's contrast: instance norm's output stays, batch norm's moves.</p>
<norm-scope images="chelsea,coffee,astronaut"></norm-scope>
<h2>The lab</h2>
<norm-lab experiment="race" steps="3" seeds="1" kinds="batch,instance" loading="lazy"></norm-lab>
</main>`;

const page = (title, head) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="favicon.svg">
<title>${title}</title>
<link rel="stylesheet" href="host.css">
${head}
</head>
<body>
${BODY}
</body>
</html>
`;

/** The three pages: Vite's entry, a plain script tag, an import map (which also calls the JS API). */
export const PAGES = {
  'index.html': page('normscope with Vite', '<script type="module" src="/main.js"></script>'),
  'plain.html': page(
    'normscope from plain files',
    '<script type="module" src="node_modules/normscope/norm-scope.js"></script>\n<script type="module" src="node_modules/normscope/norm-lab.js"></script>',
  ),
  'importmap.html': page(
    'normscope with an import map',
    `<script type="importmap">{ "imports": { "normscope": "./node_modules/normscope/index.js", "normscope/": "./node_modules/normscope/" } }</script>
<script type="module">
import 'normscope/norm-scope.js';
import 'normscope/norm-lab.js';
import init, { normalize } from 'normscope';
await init();
const x = Float32Array.from({ length: 2 * 3 * 4 * 4 }, (_, i) => Math.sin(i) * 10 + 100);
const y = normalize(x, [2, 3, 4, 4], { norm: 'instance' });
let bad = '';
try { normalize(x, [2, 3, 4], { norm: 'instance' }); } catch (e) { bad = e.message; }
window.apiResult = { first: Array.from(y.slice(0, 16)), bad };
</script>`,
  ),
};

/** The host's own style and icon are files, so the pages also run under a strict CSP. */
const HOST_CSS = 'body { margin: 0 auto; padding: 0 1rem; max-width: 72rem; font-family: system-ui, sans-serif; }\n';

/**
 * The Content-Security-Policy the README tells a host to send when the
 * package is served from its own site: nothing inline, no eval but wasm's.
 */
export const HOST_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'";

/** Vite's entry module: the two lines the README tells a docs author to add. */
const MAIN = "import 'normscope/norm-scope.js';\nimport 'normscope/norm-lab.js';\n";

/** The one setting Vite's dev server needs (the README's recipe); `vite build` needs none. */
const DEV_CONFIG = "export default { optimizeDeps: { exclude: ['normscope'] } };\n";

function sh(command, args, cwd) {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/**
 * Make the project in `dir` (emptied first): install the tarball, write the
 * pages, `vite build` (the repository's Vite, a devDependency). Returns
 * { dir, dist, seconds: { install, build } }.
 */
export function makeProject(dir) {
  const tarball = tarballPath();
  if (!existsSync(tarball)) throw new Error(`${tarball} is missing: run \`cargo xtask pack\` first`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'normscope-host', private: true, type: 'module' }, null, 2));
  let t = performance.now();
  sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir);
  const install = (performance.now() - t) / 1000;
  for (const [name, html] of Object.entries(PAGES)) writeFileSync(join(dir, name), html);
  writeFileSync(join(dir, 'main.js'), MAIN);
  writeFileSync(join(dir, 'host.css'), HOST_CSS);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>\n');
  writeFileSync(join(dir, 'vite.dev.config.js'), DEV_CONFIG);
  t = performance.now();
  sh(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], dir);
  const build = (performance.now() - t) / 1000;
  return { dir, dist: join(dir, 'dist'), seconds: { install, build } };
}

/** A free port on 127.0.0.1 right now. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/**
 * Vite's dev server on the project made by makeProject (its dev config).
 * Resolves to { origin, close() } once it answers.
 */
export async function startViteDev(dir) {
  const port = await freePort();
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  const args = ['--config', 'vite.dev.config.js', '--host', '127.0.0.1', '--port', String(port), '--strictPort'];
  const child = spawn(vite, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const origin = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`vite stopped (exit ${child.exitCode}): ${stderr}`);
    if (await fetch(origin).then((r) => r.ok, () => false)) break;
    if (tries > 300) throw new Error(`vite did not answer on ${origin} within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const close = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill();
    });
  return { origin, close };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * Serve folders on 127.0.0.1 (a free port): `mounts` maps a URL prefix
 * ('/', '/pkg/') to a folder; the longest prefix wins; `headers` go with
 * every answer. Resolves to { origin, close() }.
 */
export function serveStatic(mounts, headers = {}) {
  const table = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, folder] = table.find(([p]) => path.startsWith(p)) ?? [];
    let file = folder && normalize(join(folder, path.slice(prefix.length)));
    if (file && !(file + sep).startsWith(resolve(folder) + sep) && file !== resolve(folder)) file = null;
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      done({ origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
