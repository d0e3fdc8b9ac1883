//! `cargo xtask pack`: the npm package people install, as `npm pack` makes it.
//!
//! ```text
//! cargo xtask build                  pkg/: the page's wasm + glue, the engine's (lazy)
//! target/npm/package/                the site's layout, so www/js/assets.js finds
//!   norm-scope.js, norm-lab.js,      every file beside the modules, as on the site:
//!   *.css, js/, lab/, samples/         from www/ (not the page's own index.html, embeds)
//!   pkg/                               pkg/'s wasm, glue and .d.ts
//!   tasks/                             assets/tasks/*.rgb (the lab's task photos)
//!   index.js, *.d.ts, README.md        npm/ (the JS API "." and the types)
//!   LICENSE-MIT, LICENSE-APACHE, package.json (version from Cargo.toml)
//! npm pack                        -> target/npm/normscope-VERSION.tgz
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::dist::copy_dir;
use crate::pkgbuild::{self, json_string, package_field};
use crate::util::{self, command, root, run, target_dir, Result};

/// The files of www/ the package leaves out: the page itself and its demos.
const PAGE_ONLY: [&str; 4] = [
    "index.html",
    "embed.html",
    "embed-hostile.css",
    "js/embed-demo.js",
];

/// The package's entry points: `exports` key, module, types.
const EXPORTS: [(&str, &str, &str); 3] = [
    (".", "./index.js", "./index.d.ts"),
    ("./norm-scope.js", "./norm-scope.js", "./norm-scope.d.ts"),
    ("./norm-lab.js", "./norm-lab.js", "./norm-lab.d.ts"),
];

/// Where the tarball goes.
pub fn npm_dir() -> PathBuf {
    target_dir().join("npm")
}

/// The tarball `cargo xtask pack` writes for this version.
pub fn tarball() -> Result<PathBuf> {
    Ok(npm_dir().join(format!("normscope-{}.tgz", version()?)))
}

fn version() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml ({e})"))?;
    package_field(&manifest, "version")
        .ok_or_else(|| "Cargo.toml has no [package] version".to_string())
}

/// The task: build, then pack.
///
/// # Errors
/// Names the step that failed.
pub fn pack() -> Result<()> {
    pkgbuild::build()?;
    write()?;
    Ok(())
}

/// Stage the package from www/ and an existing pkg/, run `npm pack`, print
/// the sizes; returns the tarball's path.
///
/// # Errors
/// When pkg/ is missing, a file cannot be copied, or npm fails.
pub fn write() -> Result<PathBuf> {
    let pkg = pkgbuild::pkg_dir();
    if !pkg.join("normscope_bg.wasm").is_file() {
        return Err("pkg/ has not been built: run `cargo xtask build` first".to_string());
    }
    let stage = npm_dir().join("package");
    if stage.exists() {
        fs::remove_dir_all(&stage)
            .map_err(|e| format!("cannot clear {} ({e})", stage.display()))?;
    }
    let www = root().join("www");
    copy_dir(&www, &stage)?;
    for file in PAGE_ONLY {
        remove(&stage.join(file))?;
    }
    copy_files(&pkg, &stage.join("pkg"), |name| {
        name.starts_with("normscope") && !name.ends_with(".json")
    })?;
    copy_files(&util::tasks_dir(), &stage.join("tasks"), |name| {
        name.ends_with(".rgb") || name == "SOURCES.md"
    })?;
    copy_files(&root().join("npm"), &stage, |_| true)?;
    copy_files(&root(), &stage, |name| name.starts_with("LICENSE-"))?;
    let json = package_json(&version()?)?;
    fs::write(stage.join("package.json"), json)
        .map_err(|e| format!("cannot write the package's package.json ({e})"))?;

    let tarball = tarball()?;
    if tarball.exists() {
        remove(&tarball)?;
    }
    run(command("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(npm_dir())
        .current_dir(&stage))?;
    if !tarball.is_file() {
        return Err(format!(
            "npm pack did not write {}",
            util::relative(&tarball)
        ));
    }
    let packed = fs::metadata(&tarball).map(|m| m.len()).unwrap_or(0);
    let (files, unpacked) = tree_size(&stage)?;
    println!(
        "Wrote {}: {} packed, {} unpacked ({files} files).",
        util::relative(&tarball),
        util::kib(packed),
        util::kib(unpacked)
    );
    Ok(tarball)
}

/// The package's package.json: ESM only, its three entry points with types.
fn package_json(version: &str) -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml ({e})"))?;
    let mut json = String::from("{\n");
    json.push_str(&format!(
        "  \"name\": \"normscope\",\n  \"version\": {},\n",
        json_string(version)
    ));
    for key in ["description", "license"] {
        if let Some(value) = package_field(&manifest, key) {
            json.push_str(&format!("  \"{key}\": {},\n", json_string(&value)));
        }
    }
    json.push_str("  \"type\": \"module\",\n  \"types\": \"./index.d.ts\",\n  \"exports\": {\n");
    for (key, module, types) in EXPORTS {
        json.push_str(&format!(
            "    \"{key}\": {{ \"types\": \"{types}\", \"default\": \"{module}\" }},\n"
        ));
    }
    json.push_str("    \"./package.json\": \"./package.json\"\n  },\n");
    json.push_str("  \"keywords\": [\"normalization\", \"batch-norm\", \"instance-norm\", \"webassembly\", \"web-components\"]\n}\n");
    Ok(json)
}

fn remove(path: &Path) -> Result<()> {
    fs::remove_file(path).map_err(|e| format!("cannot remove {} ({e})", path.display()))
}

/// Copy the files directly in `from` whose names `keep` accepts into `to`.
fn copy_files(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) -> Result<()> {
    fs::create_dir_all(to).map_err(|e| format!("cannot create {} ({e})", to.display()))?;
    let entries =
        fs::read_dir(from).map_err(|e| format!("cannot list {} ({e})", from.display()))?;
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_file() && keep(&name) {
            fs::copy(&path, to.join(&name))
                .map_err(|e| format!("cannot copy {} ({e})", path.display()))?;
        }
    }
    Ok(())
}

/// The number of files under `dir` and their bytes in all.
fn tree_size(dir: &Path) -> Result<(u64, u64)> {
    let mut count = 0;
    let mut bytes = 0;
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {} ({e})", dir.display()))?;
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            let (c, b) = tree_size(&path)?;
            count += c;
            bytes += b;
        } else {
            count += 1;
            bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    Ok((count, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_json_names_every_entry_point_with_its_types() {
        let json = package_json("9.8.7").unwrap();
        assert!(json.contains("\"name\": \"normscope\""));
        assert!(json.contains("\"version\": \"9.8.7\""));
        assert!(json.contains("\"type\": \"module\""));
        for (key, module, types) in EXPORTS {
            assert!(json.contains(&format!(
                "\"{key}\": {{ \"types\": \"{types}\", \"default\": \"{module}\" }}"
            )));
            // Every module and types file named exists in the sources packed.
            let source = |p: &str| {
                let p = p.trim_start_matches("./");
                root().join("www").join(p).is_file() || root().join("npm").join(p).is_file()
            };
            assert!(source(module) && source(types), "{module} {types}");
        }
    }
}
