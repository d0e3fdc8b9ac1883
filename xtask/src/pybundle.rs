//! `cargo xtask pybundle`: the notebook widget's front end, for the wheel.
//!
//! ```text
//! pkg/ (built here) + www/js/*.js + www/norm-scope.js + python/js/widget.js
//!   + www/style.css + www/norm-scope.css
//!       -> python/normscope/_static/widget.js   one ES module for anywidget:
//!                                              the modules as strings, the
//!                                              wasm as base64, the styles
//! www/samples/*.jpg, SOURCES.md -> python/normscope/_static/samples/
//! ```
//!
//! The module works as the offline single file of `cargo xtask dist` does:
//! the sources become blob: URLs that import one another, and
//! `globalThis.NORMSCOPE_OFFLINE` hands `js/engine.js` the wasm bytes (and
//! `norm-scope.js` its styles), so the widget requests nothing from any
//! host. The sample photos travel as files; Python sends the ones a widget
//! shows. `pip install ./python` runs this (python/build_backend/).

use std::fs;
use std::path::Path;

use crate::dist::{base64, modules};
use crate::pkgbuild::{self, json_string};
use crate::util::{self, Result};

/// The styles `norm-scope.js` adopts, by the names it asks for.
const SHEETS: &[&str] = &["style.css", "norm-scope.css"];

/// Turns the sources into linked blob: URLs once per bundle and page, then
/// hands anywidget the widget module's `render`.
const LOADER: &str = r#"
const resolve = (from, spec) => new URL(spec, `http://x/${from}`).pathname.slice(1);
function load() {
  const cache = (globalThis.__normscopeWidget ??= {});
  if (!cache[BUNDLE]) {
    const urls = {};
    const link = (path) => {
      if (urls[path]) return urls[path];
      const source = SOURCES[path];
      if (source === undefined) throw new Error(`normscope widget: missing module ${path}`);
      const rewritten = source.replace(/(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]+)\2/g,
        (all, before, quote, spec) => `${before}${JSON.stringify(link(resolve(path, spec)))}`);
      urls[path] = URL.createObjectURL(new Blob([rewritten], { type: 'text/javascript' }));
      return urls[path];
    };
    const wasm = Uint8Array.from(atob(WASM), (c) => c.charCodeAt(0));
    // Read by js/engine.js and norm-scope.js when they are first evaluated.
    globalThis.NORMSCOPE_OFFLINE = { wasm, samples: {}, css: CSS };
    cache[BUNDLE] = import(link('widget.js'));
  }
  return cache[BUNDLE];
}
export default {
  async render(context) {
    const widget = await load();
    return widget.render(context);
  },
};
"#;

/// Build pkg/, then write the widget's front end into the Python package.
///
/// # Errors
/// When the build fails or a file cannot be read or written.
pub fn pybundle() -> Result<()> {
    pkgbuild::build()?;
    write()
}

/// Write `python/normscope/_static/` from www/, python/js/ and an existing pkg/.
///
/// # Errors
/// When a file cannot be read or written.
pub fn write() -> Result<()> {
    let root = util::root();
    let www = root.join("www");
    let pkg = pkgbuild::pkg_dir();
    let out = root.join("python").join("normscope").join("_static");
    let samples = out.join("samples");
    fs::create_dir_all(&samples)
        .map_err(|e| format!("cannot create {} ({e})", samples.display()))?;
    let module = bundle(
        &www,
        &pkg,
        &root.join("python").join("js").join("widget.js"),
    )?;
    let file = out.join("widget.js");
    fs::write(&file, &module).map_err(|e| format!("cannot write {} ({e})", file.display()))?;
    let mut photos = 0;
    for entry in
        fs::read_dir(www.join("samples")).map_err(|e| format!("cannot list www/samples ({e})"))?
    {
        let path = entry
            .map_err(|e| format!("cannot list www/samples ({e})"))?
            .path();
        let keep = path.extension().is_some_and(|x| x == "jpg" || x == "md");
        if let (true, Some(name)) = (keep, path.file_name()) {
            fs::copy(&path, samples.join(name))
                .map_err(|e| format!("cannot copy {} ({e})", path.display()))?;
            photos += usize::from(path.extension().is_some_and(|x| x == "jpg"));
        }
    }
    println!(
        "Wrote {} ({}) and {photos} sample photos for the notebook widget.",
        util::relative(&file),
        util::kib(module.len() as u64)
    );
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))
}

/// 64-bit FNV-1a: names this bundle, so a rebuilt one is linked afresh.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The widget's ES module: sources, wasm and styles inlined, then [`LOADER`].
///
/// # Errors
/// When a file is missing.
pub fn bundle(www: &Path, pkg: &Path, widget: &Path) -> Result<String> {
    let mut sources = modules(www, pkg)?;
    sources.push((
        "norm-scope.js".to_string(),
        read(&www.join("norm-scope.js"))?,
    ));
    sources.push(("widget.js".to_string(), read(widget)?));
    let mut text = String::from(
        "// normscope's notebook widget, made by `cargo xtask pybundle` from www/, pkg/ and python/js/widget.js: do not edit.\nconst SOURCES = {\n",
    );
    for (name, source) in &sources {
        text.push_str(&format!(
            "  {}: {},\n",
            json_string(name),
            json_string(source)
        ));
    }
    text.push_str("};\nconst CSS = {\n");
    for sheet in SHEETS {
        text.push_str(&format!(
            "  {}: {},\n",
            json_string(sheet),
            json_string(&read(&www.join(sheet))?)
        ));
    }
    text.push_str("};\n");
    let wasm = fs::read(pkg.join("normscope_bg.wasm"))
        .map_err(|e| format!("cannot read pkg/normscope_bg.wasm ({e})"))?;
    text.push_str(&format!("const WASM = \"{}\";\n", base64(&wasm)));
    let id = fnv1a(&text);
    text.push_str(&format!("const BUNDLE = \"{id:016x}\";\n{LOADER}"));
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_reference_values() {
        // From the FNV test suite (64-bit FNV-1a).
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_widget_module_loads_nothing_from_outside() {
        let root = util::root();
        let pkg = pkgbuild::pkg_dir();
        if !pkg.join("normscope_bg.wasm").is_file() {
            // pkg/ is made by `cargo xtask build`; the notebook test checks the real module.
            return;
        }
        let widget = root.join("python").join("js").join("widget.js");
        let text = match bundle(&root.join("www"), &pkg, &widget) {
            Ok(text) => text,
            Err(e) => panic!("{e}"),
        };
        assert!(
            text.contains("const WASM = \"AGFzbQ"),
            "the wasm (\\0asm) is not inlined"
        );
        for name in [
            "\"js/engine.js\"",
            "\"norm-scope.js\"",
            "\"widget.js\"",
            "\"pkg/normscope.js\"",
        ] {
            assert!(text.contains(name), "{name} is not in the bundle");
        }
        assert!(
            text.contains("\"norm-scope.css\""),
            "the widget's styles are not inlined"
        );
    }
}
