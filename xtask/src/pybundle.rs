//! `cargo xtask pybundle`: the notebook widget's front end, for the wheel.
//!
//! ```text
//! python/js/{widget,lab}.js + the page's modules they import (esbuild, bundle.rs)
//!   + pkg/*_bg.wasm + www/style.css + www/norm-scope.css + www/norm-lab.css
//!       -> python/normscope/_static/widget.js   one ES module for anywidget
//! www/samples/*.jpg, SOURCES.md -> python/normscope/_static/samples/
//! assets/tasks/*.rgb, SOURCES.md -> python/normscope/_static/tasks/     (the lab's
//! www/lab/recorded/*.json        -> python/normscope/_static/recorded/   data, sent
//!                                                                       by `Lab`)
//! norm-lab.js's PANELS           -> python/normscope/_static/lab.json   (the
//!                                   experiments `Lab(experiment=…)` accepts)
//! www/lab/{settings,vocabulary}.json -> python/normscope/_static/lab/ (the
//!                                   lab's settings and names, read by `Lab`)
//! www/js/sliders.json            -> python/normscope/_static/sliders.json (the
//!                                   probe sliders' ranges, read by `Scope`)
//! ```
//!
//! One module serves both widgets: it picks `widget.js` (`Scope`) or
//! `lab.js` (`Lab`), as the model's `_module` names; both use
//! python/js/keys.js and traits.js. Like the offline single file, it
//! requests nothing from any host: the wasm and styles are inside, the
//! workers start from blob: URLs of their own bundles, and Python sends the
//! photos a widget shows and the lab's task photos and recorded runs.
//! `pip install ./python` runs this (python/build_backend/).

use std::fs;
use std::path::Path;

use crate::bundle::{self, File};
use crate::pkgbuild::{self, json_string};
use crate::util::{self, Result};

/// The styles `norm-scope.js` adopts, by the names it asks for.
const SHEETS: &[&str] = &["style.css", "norm-scope.css"];

/// The widget module anywidget loads: it imports the bundled front end
/// (APP, one esbuild module) from a blob: URL once per page and bundle, so
/// every widget shares one wasm instance and one lab store, then hands the
/// widget's `_module` (widget.js for a Scope, lab.js for a Lab) its render.
const LOADER: &str = r#"
export default {
  async render(context) {
    const cache = (globalThis.__normscopeWidget ??= {});
    cache[BUNDLE] ??= import(URL.createObjectURL(new Blob([APP], { type: 'text/javascript' })));
    const app = await cache[BUNDLE];
    return app.frontEnd(context.model.get('_module') || 'widget.js').render(context);
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
    let photos = copy_files(&www.join("samples"), &samples, &["jpg", "md"])?;
    let tasks = copy_files(&util::tasks_dir(), &out.join("tasks"), &["rgb", "md"])?;
    let runs = copy_files(
        &www.join("lab").join("recorded"),
        &out.join("recorded"),
        &["json"],
    )?;
    // The lab's settings table and vocabulary, which Python's `Lab` reads,
    // and the probe's sliders, which `Scope` reads.
    copy_files(&www.join("lab"), &out.join("lab"), &["json"])?;
    fs::copy(
        www.join("js").join("sliders.json"),
        out.join("sliders.json"),
    )
    .map_err(|e| format!("cannot copy www/js/sliders.json ({e})"))?;
    let experiments = experiments(&read(&www.join("norm-lab.js"))?)?;
    let quoted: Vec<String> = experiments.iter().map(|e| json_string(e)).collect();
    let manifest = out.join("lab.json");
    fs::write(
        &manifest,
        format!("{{\"experiments\": [{}]}}\n", quoted.join(", ")),
    )
    .map_err(|e| format!("cannot write {} ({e})", manifest.display()))?;
    println!(
        "Wrote {} ({}), {} sample files, {} task files, {runs} recorded-run files and the lab's \
         experiments ({}) for the notebook widgets.",
        util::relative(&file),
        util::kib(module.len() as u64),
        photos,
        tasks,
        experiments.join(", ")
    );
    Ok(())
}

/// Copy the files of `from` whose extension is one of `extensions` into
/// `to` (made if missing; files no longer in `from` are removed); returns
/// how many.
fn copy_files(from: &Path, to: &Path, extensions: &[&str]) -> Result<usize> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| format!("cannot clear {} ({e})", to.display()))?;
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create {} ({e})", to.display()))?;
    let mut count = 0;
    let entries =
        fs::read_dir(from).map_err(|e| format!("cannot list {} ({e})", from.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {} ({e})", from.display()))?
            .path();
        let keep = path
            .extension()
            .is_some_and(|x| extensions.iter().any(|e| x == *e));
        if let (true, Some(name)) = (keep, path.file_name()) {
            fs::copy(&path, to.join(name))
                .map_err(|e| format!("cannot copy {} ({e})", path.display()))?;
            count += 1;
        }
    }
    Ok(count)
}

/// The experiments `<norm-lab experiment=…>` accepts: the keys of its
/// `const PANELS = { name: panel, … };` (so a panel added there reaches
/// Python's `Lab` with no second list to keep).
///
/// # Errors
/// When norm-lab.js no longer declares PANELS in that shape.
pub fn experiments(source: &str) -> Result<Vec<String>> {
    let shape = "www/norm-lab.js no longer declares `const PANELS = { name: panel, … };`: \
                 update experiments() in xtask/src/pybundle.rs to match";
    let start = source.find("const PANELS = {").ok_or(shape)? + "const PANELS = {".len();
    let body = source[start..].split('}').next().ok_or(shape)?;
    let mut names = Vec::new();
    for pair in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let key = pair.split(':').next().unwrap_or_default().trim();
        let key = key.trim_matches(|c| c == '\'' || c == '"');
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(shape.into());
        }
        names.push(key.to_string());
    }
    if names.is_empty() {
        return Err(shape.into());
    }
    Ok(names)
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

/// The widget's ES module: the front end bundled by esbuild with the wasm
/// and the styles inline, then [`LOADER`]. The task photos and recorded runs
/// come from Python at run time (python/js/lab.js hands them to assets.js).
///
/// # Errors
/// When a file is missing or esbuild fails.
pub fn bundle(www: &Path, pkg: &Path, widget: &Path) -> Result<String> {
    let dir = widget.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    for name in ["normscope_bg.wasm", "normscope_engine_bg.wasm"] {
        files.push(File::read(format!("pkg/{name}"), &pkg.join(name))?);
    }
    for sheet in SHEETS.iter().chain(&["norm-lab.css"]) {
        files.push(File::read(*sheet, &www.join(sheet))?);
    }
    let entry = format!(
        "// The notebook's front ends, by the name a widget's `_module` gives.\n\
         import * as scope from {};\nimport * as lab from {};\n\
         const FRONT_ENDS = new Map([['widget.js', scope], ['lab.js', lab]]);\n\
         export function frontEnd(name) {{\n  \
           if (!FRONT_ENDS.has(name)) throw new Error(`normscope widget: no front end ${{name}}`);\n  \
           return FRONT_ENDS.get(name);\n}}\n",
        json_string(&widget.to_string_lossy()),
        json_string(&dir.join("lab.js").to_string_lossy())
    );
    let app = bundle::bundle("notebook", &entry, &files, Some(www))?;
    let mut text = String::from(
        "// normscope's notebook widget, made by `cargo xtask pybundle` from www/, pkg/ and python/js/ (esbuild): do not edit.\n",
    );
    text.push_str(&format!("const APP = {};\n", json_string(&app)));
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
    fn the_experiments_are_the_keys_of_panels() {
        let ok = experiments(
            "x;\nconst PANELS = { race: racePanel, 'lr': lrPanel, both: bothPanel };\n",
        );
        assert_eq!(
            ok.as_deref(),
            Ok(&["race".to_string(), "lr".into(), "both".into()][..])
        );
        assert!(experiments("const PANELS = {};").is_err());
        assert!(experiments("const OTHER = { a: b };").is_err());
        assert!(experiments("const PANELS = { [name]: x };").is_err());
        let real =
            experiments(&read(&util::root().join("www").join("norm-lab.js")).unwrap_or_default());
        assert!(
            real.as_ref()
                .is_ok_and(|names| names.iter().any(|n| n == "race")),
            "{real:?}"
        );
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
        // The wasm (\0asm), inside the app's source (a JSON string in a JSON string).
        assert!(
            text.contains(r#"\"pkg/normscope_bg.wasm\": \"AGFzbQ"#),
            "the wasm is not inlined"
        );
        for name in [
            "www/js/engine.js",
            "www/norm-scope.js",
            "python/js/widget.js",
            "pkg/normscope.js",
            "pkg/normscope_engine.js",
            "python/js/lab.js",
            "www/norm-lab.js",
            "www/js/lab/pool.js",
        ] {
            assert!(text.contains(name), "{name} is not in the bundle");
        }
        assert!(
            text.contains(r#"\"norm-scope.css\": "#),
            "the widget's styles are not inlined"
        );
        assert!(
            !text.contains(" from \"./"),
            "a module still imports a file"
        );
        // Every module the notebook's own front end imports travels too.
        for entry in fs::read_dir(root.join("python").join("js"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let source = fs::read_to_string(entry.path()).unwrap_or_default();
            for import in source.split("from './").skip(1) {
                let name = import.split('\'').next().unwrap_or_default();
                let name = name.trim_start_matches("./");
                // The site's assets.js is swapped for the generated one.
                let name = if name == "js/assets.js" {
                    "notebook/assets.js"
                } else {
                    name
                };
                assert!(
                    text.contains(&format!("/{name}")),
                    "{name} (imported by {:?}) is not in the bundle",
                    entry.file_name()
                );
            }
        }
    }
}
