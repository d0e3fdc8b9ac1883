//! `cargo xtask dist`: copies of the page that need no build tools.
//!
//! ```text
//! dist/site/          www/ + pkg/ + assets/tasks/ (at tasks/): for any static host
//! dist/normscope.html one self-contained file: CSS, every ES module, the
//!                     wasm (base64) and the bundled samples (base64) inlined;
//!                     opens from file:// with no server and no network
//! ```
//!
//! The single file carries each module's source as a string; a small loader
//! turns them into blob: URLs, rewriting relative imports to point at each
//! other, then imports the page's main module. `js/engine.js` sees
//! `globalThis.NORMSCOPE_OFFLINE` and takes the wasm bytes and samples from
//! it (decoding on the main thread: a worker would need a file URL).

use std::fs;
use std::path::{Path, PathBuf};

use crate::pkgbuild::{self, json_string};
use crate::util::{self, Result};

/// The page's modules, in the single file (paths relative to the site root).
const SKIP_MODULES: &[&str] = &["js/decode-worker.js", "js/embed-demo.js"];

/// Build, then write `dist/site/` and `dist/normscope.html`.
///
/// # Errors
/// When the build fails, or a file cannot be read or written.
pub fn dist() -> Result<()> {
    pkgbuild::build()?;
    write()
}

/// Write `dist/site/` and `dist/normscope.html` from www/ and an existing pkg/.
///
/// # Errors
/// When a file cannot be read or written.
pub fn write() -> Result<()> {
    let root = util::root();
    let www = root.join("www");
    let pkg = pkgbuild::pkg_dir();
    let out = root.join("dist");
    let site = out.join("site");
    if site.exists() {
        fs::remove_dir_all(&site).map_err(|e| format!("cannot clear {} ({e})", site.display()))?;
    }
    copy_dir(&www, &site)?;
    copy_dir(&util::tasks_dir(), &site.join("tasks"))?;
    copy_dir(&pkg, &site.join("pkg"))?;
    let html = single_file(&www, &pkg)?;
    let file = out.join("normscope.html");
    fs::write(&file, &html).map_err(|e| format!("cannot write {} ({e})", file.display()))?;
    println!(
        "Wrote {} ({}) and {}/ (www + pkg for a static host).",
        util::relative(&file),
        util::kib(html.len() as u64),
        util::relative(&site)
    );
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

/// Copy a folder tree (files and folders only).
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {} ({e})", to.display()))?;
    let entries =
        fs::read_dir(from).map_err(|e| format!("cannot list {} ({e})", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {} ({e})", from.display()))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            fs::copy(&path, &target)
                .map_err(|e| format!("cannot copy {} ({e})", path.display()))?;
        }
    }
    Ok(())
}

/// Standard base64 (RFC 4648, with padding), by the `base64` crate (the
/// core's SVG figures use the same).
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A JSON string that is also safe inside an HTML `<script>` element.
fn script_string(text: &str) -> String {
    json_string(text).replace('<', "\\u003c")
}

/// The modules the page loads: every `.js` under `www/js/` (but the worker
/// and the demo host's script) and the wasm-bindgen glue, keyed by path.
pub(crate) fn modules(www: &Path, pkg: &Path) -> Result<Vec<(String, String)>> {
    let mut files: Vec<PathBuf> = fs::read_dir(www.join("js"))
        .map_err(|e| format!("cannot list www/js ({e})"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = format!(
            "js/{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        if SKIP_MODULES.contains(&name.as_str()) {
            continue;
        }
        out.push((name, read(&file)?));
    }
    // The lab: its element and its modules (www/js/lab/, but the worker,
    // which the single file cannot start: it trains on the page's thread).
    out.push(("norm-lab.js".to_string(), read(&www.join("norm-lab.js"))?));
    let mut lab: Vec<PathBuf> = fs::read_dir(www.join("js/lab"))
        .map_err(|e| format!("cannot list www/js/lab ({e})"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    lab.sort();
    for file in lab {
        let name = format!(
            "js/lab/{}",
            file.file_name().unwrap_or_default().to_string_lossy()
        );
        if name != "js/lab/worker.js" {
            out.push((name, read(&file)?));
        }
    }
    // Tables imported as JSON modules: the probe's sliders (js/scope.js,
    // js/urlstate.js) and the lab's settings and names (js/lab/).
    for table in [
        "js/sliders.json",
        "lab/settings.json",
        "lab/vocabulary.json",
    ] {
        out.push((table.to_string(), read(&www.join(table))?));
    }
    out.push((
        "pkg/normscope.js".to_string(),
        read(&pkg.join("normscope.js"))?,
    ));
    Ok(out)
}

/// The loader: modules become blob: URLs whose relative imports point at
/// one another; then the page's main module runs.
const LOADER: &str = r#"
const resolve = (from, spec) => new URL(spec, `http://x/${from}`).pathname.slice(1);
const urls = {};
function link(path) {
  if (urls[path]) return urls[path];
  const source = SOURCES[path];
  if (source === undefined) throw new Error(`normscope offline: missing module ${path}`);
  const rewritten = source.replace(/(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]+)\2/g,
    (all, before, quote, spec) => `${before}${JSON.stringify(link(resolve(path, spec)))}`);
  // JSON modules (`import … with { type: 'json' }`) need a JSON type.
  const type = path.endsWith('.json') ? 'application/json' : 'text/javascript';
  urls[path] = URL.createObjectURL(new Blob([rewritten], { type }));
  return urls[path];
}
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
globalThis.NORMSCOPE_OFFLINE = {
  wasm: bytes(WASM), samples: SAMPLES,
  tasks: Object.fromEntries(Object.entries(TASKS).map(([name, b64]) => [name, bytes(b64)])),
  lab: LAB, labCss: LAB_CSS,
};
for (const path of ['js/main.js', 'norm-lab.js']) {
  import(link(path)).catch((error) => {
    const status = document.getElementById('status');
    if (status) status.textContent = `normscope could not start: ${error.message}`;
    console.error(error);
  });
}
"#;

/// `www/index.html` with everything it loads inlined.
///
/// # Errors
/// When a file is missing, or index.html no longer has the tags this
/// replaces (then the single file would silently need a server).
pub fn single_file(www: &Path, pkg: &Path) -> Result<String> {
    let page = read(&www.join("index.html"))?;
    let css = read(&www.join("style.css"))?;
    let style_tag = r#"<link rel="stylesheet" href="style.css">"#;
    let script_tag = r#"<script type="module" src="js/main.js"></script>"#;
    if !page.contains(style_tag) || !page.contains(script_tag) {
        return Err(format!(
            "www/index.html no longer contains `{style_tag}` and `{script_tag}`: update xtask/src/dist.rs to match"
        ));
    }
    let mut sources = String::from("const SOURCES = {\n");
    for (name, text) in modules(www, pkg)? {
        sources.push_str(&format!(
            "  {}: {},\n",
            script_string(&name),
            script_string(&text)
        ));
    }
    sources.push_str("};\n");
    let wasm = base64(&read_bytes(&pkg.join("normscope_bg.wasm"))?);
    let mut samples = String::from("const SAMPLES = {\n");
    let mut names: Vec<PathBuf> = fs::read_dir(www.join("samples"))
        .map_err(|e| format!("cannot list www/samples ({e})"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jpg"))
        .collect();
    names.sort();
    for path in names {
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        samples.push_str(&format!(
            "  {}: \"{}\",\n",
            script_string(&name),
            base64(&read_bytes(&path)?)
        ));
    }
    samples.push_str("};\n");
    let lab = lab_data(www)?;
    let script = format!(
        "<script type=\"module\">\n// normscope, offline single file: made by `cargo xtask dist`.\n{sources}const WASM = \"{wasm}\";\n{samples}{lab}{LOADER}</script>"
    );
    Ok(page
        .replace(style_tag, &format!("<style>\n{css}\n</style>"))
        .replace(LAB_TAG, "")
        .replace(script_tag, &script))
}

/// The lab's script tag in index.html (the loader imports it instead).
const LAB_TAG: &str = r#"<script type="module" src="norm-lab.js"></script>"#;

/// What the lab loads at run time: the task photos (`TASKS`, base64 raw
/// RGB), its recorded runs (`LAB`, JSON text by file name) and its
/// stylesheet (`LAB_CSS`).
fn lab_data(www: &Path) -> Result<String> {
    let mut out = String::from("const TASKS = {\n");
    let recorded = www.join("lab").join("recorded");
    for (dir, ext, into_base64) in [(util::tasks_dir(), "rgb", true), (recorded, "json", false)] {
        if !into_base64 {
            out.push_str("};\nconst LAB = {\n");
        }
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map_err(|e| format!("cannot list {} ({e})", util::relative(&dir)))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == ext))
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let key = if into_base64 {
                name.trim_end_matches(".rgb").to_string()
            } else {
                name.to_string()
            };
            let value = if into_base64 {
                format!("\"{}\"", base64(&read_bytes(&path)?))
            } else {
                script_string(&read(&path)?)
            };
            out.push_str(&format!("  {}: {value},\n", script_string(&key)));
        }
    }
    out.push_str(&format!(
        "}};\nconst LAB_CSS = {};\n",
        script_string(&read(&www.join("norm-lab.css"))?)
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        // RFC 4648, section 10.
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected, "{input}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn script_strings_cannot_close_the_script_element() {
        let s = script_string("a</script><b>\"\\\n");
        assert!(!s.contains('<'), "{s}");
        assert_eq!(s, r#""a\u003c/script>\u003cb>\"\\\n""#);
    }

    #[test]
    fn the_single_file_loads_nothing_from_outside() {
        let root = util::root();
        let pkg = pkgbuild::pkg_dir();
        if !pkg.join("normscope_bg.wasm").is_file() {
            // pkg/ is made by `cargo xtask build`; the page tests check the real file.
            return;
        }
        let html = match single_file(&root.join("www"), &pkg) {
            Ok(html) => html,
            Err(e) => panic!("{e}"),
        };
        assert!(
            !html.contains("src=\"js/"),
            "a script still points at a file"
        );
        assert!(
            !html.contains("href=\"style.css\""),
            "the stylesheet is still a link"
        );
        assert!(
            html.contains("const WASM = \"AGFzbQ"),
            "the wasm (\\0asm) is not inlined"
        );
        assert!(
            html.contains("\"chelsea\": \"/9j/"),
            "the samples (JPEG) are not inlined"
        );
    }
}
