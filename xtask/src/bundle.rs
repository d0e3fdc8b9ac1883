//! The bundled copies of the page (`dist/normscope.html`, the notebook
//! widget): esbuild (npm, pinned in package-lock.json) makes one ES module of
//! the page's modules, through `xtask/bundle.mjs`; this file writes what it
//! bundles with.
//!
//! ```text
//! www/js/lab/worker.js, www/js/decode-worker.js --esbuild--> worker sources (classic)
//! files of this copy (wasm, css, samples, …) + worker sources
//!     -> target/xtask/bundle/NAME-assets.js  (stands in for www/js/assets.js)
//! entry (imports the page's modules) --esbuild, assets swapped--> one module
//! ```
//!
//! Workers start from blob: URLs made from their bundled sources, so the
//! bundled copies train and decode off the page's thread as the site does.

use std::fs;
use std::path::{Path, PathBuf};

use crate::pkgbuild::json_string;
use crate::tools;
use crate::util::base64;
use crate::util::{command, root, run, target_dir, Result};

/// The worker scripts every copy carries, by their path under www/.
const WORKERS: [&str; 2] = ["js/lab/worker.js", "js/decode-worker.js"];

/// One file a bundled copy carries: its path from the site root and its bytes.
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl File {
    /// `path` under the site root, read from `from`.
    pub fn read(path: impl Into<String>, from: &Path) -> Result<File> {
        let bytes = fs::read(from).map_err(|e| format!("cannot read {} ({e})", from.display()))?;
        Ok(File {
            path: path.into(),
            bytes,
        })
    }
}

/// Every file in `dir` whose extension is one of `extensions`, as `prefix/NAME`.
pub fn files_in(dir: &Path, prefix: &str, extensions: &[&str]) -> Result<Vec<File>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list {} ({e})", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| extensions.iter().any(|e| x == *e))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            File::read(format!("{prefix}/{name}"), p)
        })
        .collect()
}

/// Where the bundler's inputs and outputs for copy `name` go.
fn work_dir(name: &str) -> Result<PathBuf> {
    let dir = target_dir().join("xtask").join("bundle").join(name);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
    Ok(dir)
}

/// Run esbuild on `entry` into `out` (see xtask/bundle.mjs for the options).
fn esbuild(
    entry: &Path,
    out: &Path,
    format: &str,
    assets: Option<&Path>,
    fallback: Option<&Path>,
) -> Result<()> {
    tools::ensure_npm_packages()?;
    let mut cmd = command("node");
    cmd.arg(root().join("xtask").join("bundle.mjs"))
        .args(["--format", format])
        .arg("--entry")
        .arg(entry)
        .arg("--out")
        .arg(out);
    if let Some(assets) = assets {
        cmd.arg("--assets").arg(assets);
    }
    if let Some(fallback) = fallback {
        cmd.arg("--fallback").arg(fallback);
    }
    run(&mut cmd)
}

fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

/// The generated stand-in for www/js/assets.js: the same calls, answered
/// from `files` (text files as strings, the rest base64) and the bundled
/// worker sources. Lookups take own keys only: a path is never a name
/// inherited from Object.prototype.
fn assets_module(files: &[File], workers: &[(String, String)]) -> String {
    let mut text = String::from(
        "// Made by `cargo xtask` (xtask/src/bundle.rs): this copy's files, inline.\n\
         // It stands in for www/js/assets.js in the bundle; do not edit.\n\
         const TEXT = {\n",
    );
    let is_text = |p: &str| [".css", ".json", ".md"].iter().any(|x| p.ends_with(x));
    for file in files.iter().filter(|f| is_text(&f.path)) {
        let body = String::from_utf8_lossy(&file.bytes);
        text.push_str(&format!(
            "  {}: {},\n",
            json_string(&file.path),
            json_string(&body)
        ));
    }
    text.push_str("};\nconst BASE64 = {\n");
    for file in files.iter().filter(|f| !is_text(&f.path)) {
        text.push_str(&format!(
            "  {}: \"{}\",\n",
            json_string(&file.path),
            base64(&file.bytes)
        ));
    }
    text.push_str("};\nconst WORKERS = {\n");
    for (path, source) in workers {
        text.push_str(&format!(
            "  {}: {},\n",
            json_string(path),
            json_string(source)
        ));
    }
    text.push_str("};\n");
    text.push_str(ASSETS_CALLS);
    text
}

/// The calls of www/js/assets.js, over TEXT, BASE64 and WORKERS.
const ASSETS_CALLS: &str = r#"const TYPES = { wasm: 'application/wasm', css: 'text/css', json: 'application/json', md: 'text/markdown' };
// Files a host hands over at run time (the notebook's Lab: task photos and recorded runs).
const provided = new Map();
const workerUrls = new Map();

export const BUNDLED = true;

export function hasFile(path) {
  return provided.has(path) || Object.hasOwn(TEXT, path) || Object.hasOwn(BASE64, path);
}

function body(path) {
  if (provided.has(path)) return provided.get(path);
  if (Object.hasOwn(TEXT, path)) return TEXT[path];
  return Uint8Array.from(atob(BASE64[path]), (c) => c.charCodeAt(0));
}

export async function fetchFile(path) {
  if (!hasFile(path)) return new Response(null, { status: 404, statusText: 'not in this copy of the page' });
  const type = TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  return new Response(body(path), { headers: { 'content-type': type } });
}

/** Add files (path -> string or bytes); a file this copy already has stays as it is. */
export function provideFiles(files) {
  for (const [path, data] of Object.entries(files)) if (!hasFile(path)) provided.set(path, data);
}

// Classic workers: a page opened from file:// cannot start a module worker
// from a blob: URL. Each worker's bundle has no imports left.
export function startWorker(path) {
  if (!Object.hasOwn(WORKERS, path)) throw new Error(`this copy of the page has no worker ${path}`);
  if (!workerUrls.has(path)) workerUrls.set(path, URL.createObjectURL(new Blob([WORKERS[path]], { type: 'text/javascript' })));
  return new Worker(workerUrls.get(path));
}
"#;

/// Bundle `entry_source` (an ES module importing the page's modules by
/// absolute path) with `files` inline; returns the module's text.
///
/// # Errors
/// When esbuild fails or a file cannot be read or written.
pub fn bundle(
    name: &str,
    entry_source: &str,
    files: &[File],
    fallback: Option<&Path>,
) -> Result<String> {
    let dir = work_dir(name)?;
    let www = root().join("www");
    let mut workers = Vec::new();
    for worker in WORKERS {
        let out = dir.join(worker.replace('/', "-"));
        esbuild(&www.join(worker), &out, "iife", None, None)?;
        workers.push((worker.to_string(), read_text(&out)?));
    }
    let assets = dir.join("assets.js");
    fs::write(&assets, assets_module(files, &workers))
        .map_err(|e| format!("cannot write {} ({e})", assets.display()))?;
    let entry = dir.join("entry.js");
    fs::write(&entry, entry_source)
        .map_err(|e| format!("cannot write {} ({e})", entry.display()))?;
    let out = dir.join("bundle.js");
    esbuild(&entry, &out, "esm", Some(&assets), fallback)?;
    read_text(&out)
}

/// An import statement for `path` that esbuild reads on any system.
pub fn import_of(path: &Path) -> String {
    format!("import {};\n", json_string(&path.to_string_lossy()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assets_module_keeps_text_as_text_and_bytes_as_base64() {
        let files = [
            File {
                path: "norm-lab.css".into(),
                bytes: b"a { color: red }".to_vec(),
            },
            File {
                path: "pkg/x_bg.wasm".into(),
                bytes: b"\0asm".to_vec(),
            },
        ];
        let text = assets_module(&files, &[("js/w.js".into(), "post('</script>')".into())]);
        assert!(
            text.contains("\"norm-lab.css\": \"a { color: red }\""),
            "{text}"
        );
        assert!(text.contains("\"pkg/x_bg.wasm\": \"AGFzbQ==\""), "{text}");
        assert!(text.contains("\"js/w.js\": "), "{text}");
        assert!(text.contains("export async function fetchFile"), "{text}");
    }
}
