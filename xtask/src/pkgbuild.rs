//! `cargo xtask build`: compile the crate to wasm and make `pkg/`, an
//! npm-installable ES module package, within the download budget.
//!
//! ```text
//! cargo build --release --lib --target wasm32-unknown-unknown
//!   -> target/wasm32-unknown-unknown/release/normscope.wasm
//! wasm-bindgen --target web   -> pkg/normscope.js, pkg/normscope_bg.wasm, .d.ts
//! wasm-opt -Oz (npm binaryen) -> pkg/normscope_bg.wasm, smaller
//! pkg/package.json, then gzip size of wasm + js <= GZIP_BUDGET_BYTES
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::UNIX_EPOCH;

use crate::tools;
use crate::util::{cargo, command, kib, relative, root, run, target_dir, Result};

/// The most the page's own code may cost to download: gzip size of
/// `pkg/normscope_bg.wasm` plus `pkg/normscope.js`. The README states it;
/// change both together, and only on purpose. 250 KB in decimal kilobytes
/// (244.1 KiB), the target of the performance issue; it fits since the page
/// lets the browser decode image files (no decoder in the wasm module).
pub const GZIP_BUDGET_BYTES: u64 = 250_000;

/// The crate's name, which is also the output name in `pkg/`.
const NAME: &str = "normscope";

/// `pkg/`, the generated package the page imports from `/pkg/`.
pub fn pkg_dir() -> PathBuf {
    root().join("pkg")
}

/// Build `pkg/` from scratch or bring it up to date.
///
/// # Errors
/// When a tool cannot be installed, a step fails, or the package is over budget.
pub fn build() -> Result<()> {
    tools::ensure_wasm_target()?;
    let bindgen_version = tools::wasm_bindgen_crate_version()?;
    tools::ensure_wasm_bindgen(&bindgen_version)?;
    // npm brings wasm-opt; without Node the build still works, only larger.
    if let Err(e) = tools::ensure_npm_packages() {
        println!("note: {e}; building without wasm-opt.");
    }

    run(command(cargo()).args([
        "build",
        "--package",
        NAME,
        "--release",
        "--lib",
        "--target",
        tools::WASM_TARGET,
    ]))?;

    let input = target_dir()
        .join(tools::WASM_TARGET)
        .join("release")
        .join(format!("{NAME}.wasm"));
    let wasm_opt = root().join("node_modules").join(".bin").join("wasm-opt");
    let wasm_opt = wasm_opt.is_file().then_some(wasm_opt);

    let stamp_path = target_dir().join("xtask").join("pkg.stamp");
    let stamp = |output_wasm: &Path| {
        format!(
            "input {}\nwasm-bindgen {bindgen_version}\nwasm-opt {}\noutput {}\n",
            file_identity(&input),
            wasm_opt.is_some(),
            file_identity(output_wasm)
        )
    };
    let out_wasm = pkg_dir().join(format!("{NAME}_bg.wasm"));
    let out_js = pkg_dir().join(format!("{NAME}.js"));
    let fresh = out_js.is_file()
        && fs::read_to_string(&stamp_path).is_ok_and(|old| old == stamp(&out_wasm));

    if fresh {
        println!("pkg/ is up to date with {}.", relative(&input));
    } else {
        generate(&input, wasm_opt.as_deref())?;
        if let Some(dir) = stamp_path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
        }
        fs::write(&stamp_path, stamp(&out_wasm))
            .map_err(|e| format!("cannot write {} ({e})", stamp_path.display()))?;
    }

    write_package_json()?;
    check_budget(&[out_wasm, out_js], GZIP_BUDGET_BYTES).map(|_| ())
}

/// Run wasm-bindgen and wasm-opt into a clean `pkg/`.
fn generate(input: &Path, wasm_opt: Option<&Path>) -> Result<()> {
    let pkg = pkg_dir();
    // Start clean so files from an older build (snippets/) cannot linger.
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("cannot clear pkg/ ({e})"))?;
    }
    run(command("wasm-bindgen")
        .args(["--target", "web", "--out-dir", "pkg", "--out-name", NAME])
        .arg(input))?;

    let wasm = pkg.join(format!("{NAME}_bg.wasm"));
    match wasm_opt {
        None => println!(
            "note: node_modules/.bin/wasm-opt is missing (run `npm ci`), so the wasm is \
             not shrunk with wasm-opt -Oz."
        ),
        Some(wasm_opt) => {
            let shrunk = pkg.join(format!("{NAME}_bg.opt.wasm"));
            // The features rustc enables by default for wasm32 today; wasm-opt
            // must be told, or it rejects the module instead of optimising it.
            run(command(wasm_opt)
                .args([
                    "-Oz",
                    "--enable-bulk-memory",
                    "--enable-mutable-globals",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-reference-types",
                    "--enable-multivalue",
                ])
                .arg(&wasm)
                .arg("-o")
                .arg(&shrunk))?;
            fs::rename(&shrunk, &wasm)
                .map_err(|e| format!("cannot replace {} ({e})", wasm.display()))?;
        }
    }
    Ok(())
}

/// Size and modification time, enough to notice a rebuilt file.
fn file_identity(path: &Path) -> String {
    match fs::metadata(path) {
        Ok(meta) => {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {modified}", meta.len())
        }
        Err(_) => "missing".to_string(),
    }
}

/// Write `pkg/package.json` so `npm install ./pkg` works. Written only when
/// its text changes, to keep the file's time stable across warm builds.
fn write_package_json() -> Result<()> {
    let manifest = fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml ({e})"))?;
    let version = package_field(&manifest, "version")
        .ok_or("Cargo.toml has no [package] version: add one like version = \"0.1.0\"")?;
    let mut files: Vec<String> = [
        format!("{NAME}_bg.wasm"),
        format!("{NAME}.js"),
        format!("{NAME}.d.ts"),
        format!("{NAME}_bg.wasm.d.ts"),
    ]
    .into_iter()
    .filter(|f| pkg_dir().join(f).is_file())
    .collect();
    let has_snippets = pkg_dir().join("snippets").is_dir();
    if has_snippets {
        files.push("snippets/".to_string());
    }

    let mut json = String::from("{\n");
    json.push_str(&format!("  \"name\": {},\n", json_string(NAME)));
    json.push_str(&format!("  \"version\": {},\n", json_string(&version)));
    for key in ["description", "license"] {
        if let Some(value) = package_field(&manifest, key) {
            json.push_str(&format!("  \"{key}\": {},\n", json_string(&value)));
        }
    }
    json.push_str("  \"type\": \"module\",\n");
    json.push_str(&format!("  \"main\": \"{NAME}.js\",\n"));
    json.push_str(&format!("  \"module\": \"{NAME}.js\",\n"));
    json.push_str(&format!("  \"types\": \"{NAME}.d.ts\",\n"));
    let listed: Vec<String> = files.iter().map(|f| json_string(f)).collect();
    json.push_str(&format!("  \"files\": [{}],\n", listed.join(", ")));
    let side_effects = if has_snippets {
        "[\"./snippets/*\"]"
    } else {
        "false"
    };
    json.push_str(&format!("  \"sideEffects\": {side_effects}\n}}\n"));

    let path = pkg_dir().join("package.json");
    if fs::read_to_string(&path).is_ok_and(|old| old == json) {
        return Ok(());
    }
    fs::write(&path, json).map_err(|e| format!("cannot write pkg/package.json ({e})"))
}

/// A plain `key = "value"` from the `[package]` table of a Cargo.toml.
pub fn package_field(manifest: &str, key: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some(rest) = line.strip_prefix(key) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        return Some(value.replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    None
}

/// A JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Print raw and gzip sizes and return the gzip total.
///
/// # Errors
/// When the gzip total is over `budget` bytes, or a file cannot be read.
fn check_budget(files: &[PathBuf], budget: u64) -> Result<u64> {
    let mut total = 0;
    println!("Download size (gzip -9):");
    for file in files {
        let raw = fs::metadata(file)
            .map_err(|e| format!("cannot read {} ({e})", relative(file)))?
            .len();
        let packed = gzip_size(file)?;
        total += packed;
        println!(
            "  {:<24} {:>11} raw {:>11} gzip",
            relative(file),
            kib(raw),
            kib(packed)
        );
    }
    let share = total as f64 * 100.0 / budget as f64;
    println!(
        "  total {} gzip, {share:.0}% of the {} budget",
        kib(total),
        kib(budget)
    );
    if total > budget {
        return Err(format!(
            "pkg/ is {} gzip, over the {} budget: find what grew (for example with \
             `twiggy top pkg/normscope_bg.wasm`) and shrink it, or raise GZIP_BUDGET_BYTES \
             in xtask/src/pkgbuild.rs and the README together",
            kib(total),
            kib(budget)
        ));
    }
    Ok(total)
}

/// Bytes of `gzip -9 -c file` (std has no deflate, so ask gzip).
fn gzip_size(file: &Path) -> Result<u64> {
    let out = command("gzip")
        .args(["-9", "-c"])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run gzip ({e}): install it with `apt-get install gzip`"))?;
    if !out.status.success() {
        let _ = std::io::stderr().write_all(&out.stderr);
        return Err(format!("gzip failed on {}", relative(file)));
    }
    Ok(out.stdout.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[package]
name = "normscope"
version = "0.1.0"
description = "Says \"why\"."
license = "MIT OR Apache-2.0"

[dependencies]
version = "not this one"
"#;

    #[test]
    fn reads_package_fields_only_from_the_package_table() {
        assert_eq!(package_field(MANIFEST, "version").as_deref(), Some("0.1.0"));
        assert_eq!(
            package_field(MANIFEST, "description").as_deref(),
            Some("Says \"why\".")
        );
        assert_eq!(package_field(MANIFEST, "repository"), None);
    }

    #[test]
    fn json_strings_escape_quotes_and_controls() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
    }

    /// Two files: 100 kB that gzip squeezes to almost nothing, and 20 kB
    /// of noise that it cannot squeeze. Each test gets its own folder:
    /// tests run in parallel, and a shared file could be read half-written.
    fn sample_files(test: &str) -> Vec<PathBuf> {
        let dir = target_dir().join("xtask-test").join("budget").join(test);
        fs::create_dir_all(&dir).ok();
        let repetitive = dir.join("repetitive.txt");
        fs::write(&repetitive, "normscope ".repeat(10_000)).ok();
        let mut state = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect();
        let noisy = dir.join("noise.bin");
        fs::write(&noisy, noise).ok();
        vec![repetitive, noisy]
    }

    #[test]
    fn gzip_size_measures_compressed_bytes() {
        let files = sample_files("gzip_size");
        let small = gzip_size(&files[0]);
        assert!(matches!(small, Ok(n) if n > 0 && n < 1_000), "{small:?}");
        let large = gzip_size(&files[1]);
        assert!(matches!(large, Ok(n) if n > 19_000), "{large:?}");
    }

    #[test]
    fn the_budget_passes_under_and_fails_over() {
        let files = sample_files("budget");
        let total = check_budget(&files, 1024 * 1024);
        assert!(
            matches!(total, Ok(n) if n > 19_000 && n < 22_000),
            "{total:?}"
        );
        let over = check_budget(&files, 10_000);
        assert!(
            matches!(&over, Err(e) if e.contains("over the")),
            "{over:?}"
        );
    }
}
