//! `cargo xtask dist`: copies of the page that need no build tools.
//!
//! ```text
//! dist/site/          www/ + pkg/ + assets/tasks/ (at tasks/): for any static host
//! dist/normscope.html one self-contained file: CSS, every ES module, the
//!                     wasm (base64) and the bundled samples (base64) inlined;
//!                     opens from file:// with no server and no network
//! ```
//!
//! The single file is one ES module made by esbuild (`bundle.rs`): the
//! page's modules, with `js/assets.js` swapped for a generated module that
//! carries the wasm, the samples, the task photos, the lab's recorded runs
//! and styles inline; its workers start from blob: URLs of their own
//! bundles, so it decodes and trains off the page's thread as the site does.

use std::fs;
use std::path::Path;

use crate::bundle::{self, files_in, import_of, File};
use crate::pkgbuild;
use crate::util::{self, Result};

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

/// Copy a folder tree (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
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

/// `www/index.html` with its stylesheet and its two module scripts replaced
/// by one inline module (the bundle).
///
/// # Errors
/// When a file is missing, esbuild fails, or index.html no longer has the
/// tags this replaces (then the single file would silently need a server).
pub fn single_file(www: &Path, pkg: &Path) -> Result<String> {
    let page = read(&www.join("index.html"))?;
    let css = read(&www.join("style.css"))?;
    let style_tag = r#"<link rel="stylesheet" href="style.css">"#;
    let script_tags = [
        r#"<script type="module" src="js/main.js"></script>"#,
        r#"<script type="module" src="norm-lab.js"></script>"#,
    ];
    if !page.contains(style_tag) || !script_tags.iter().all(|t| page.contains(t)) {
        return Err(format!(
            "www/index.html no longer contains `{style_tag}` and `{}`: update xtask/src/dist.rs to match",
            script_tags.join("` and `")
        ));
    }
    let mut files = vec![
        File::read("pkg/normscope_bg.wasm", &pkg.join("normscope_bg.wasm"))?,
        File::read(
            "pkg/normscope_engine_bg.wasm",
            &pkg.join("normscope_engine_bg.wasm"),
        )?,
        File::read("norm-lab.css", &www.join("norm-lab.css"))?,
    ];
    files.extend(files_in(&www.join("samples"), "samples", &["jpg"])?);
    files.extend(files_in(&util::tasks_dir(), "tasks", &["rgb"])?);
    files.extend(files_in(
        &www.join("lab").join("recorded"),
        "lab/recorded",
        &["json"],
    )?);
    let entry = format!(
        "// normscope, offline single file: made by `cargo xtask dist`.\n{}{}",
        import_of(&www.join("js").join("main.js")),
        import_of(&www.join("norm-lab.js"))
    );
    let module = bundle::bundle("offline", &entry, &files, None)?;
    if module.contains("</script") {
        return Err(
            "the bundle contains `</script`, which would end the page's script early".into(),
        );
    }
    Ok(page
        .replace(style_tag, &format!("<style>\n{css}\n</style>"))
        .replace(script_tags[1], "")
        .replace(
            script_tags[0],
            &format!("<script type=\"module\">\n{module}</script>"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::base64;

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
            html.contains("\"pkg/normscope_bg.wasm\": \"AGFzbQ"),
            "the wasm (\\0asm) is not inlined"
        );
        assert!(
            html.contains("\"samples/chelsea.jpg\": \"/9j/"),
            "the samples (JPEG) are not inlined"
        );
        assert!(
            !html.contains(" from \"./"),
            "a module still imports a file"
        );
    }
}
