//! `cargo xtask wheel`: the Python package as files people install.
//!
//! ```text
//! cargo xtask pybundle            python/normscope/_static/ (wasm + front end)
//! target/pyvenv + maturin         the project's Python tools (pytests.rs makes the venv)
//! maturin build --release         target/wheels/normscope-VERSION-cp39-abi3-PLATFORM.whl
//! maturin sdist                   target/wheels/normscope-VERSION.tar.gz
//! ```
//!
//! The wheel is abi3 (one file for every CPython ≥ 3.9 on this platform) and
//! carries the widget's front end, so it installs without Rust and runs
//! without a network. The sdist carries the core's sources and the same
//! prebuilt front end; pip builds it with cargo (build_backend/ skips the
//! front-end step when `_static/` came with it). `cargo xtask python` builds
//! the wheel once and installs that very file, so the tests run what users
//! install.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::pybundle;
use crate::pyvenv::{python_target, venv_with};
use crate::util::{self, command, run, target_dir, Result};

/// The build tool, pinned to the range `python/pyproject.toml` asks for.
pub const MATURIN: &str = "maturin>=1.9.4,<2";

/// Where the wheel and the sdist go.
pub fn wheels_dir() -> PathBuf {
    target_dir().join("wheels")
}

/// The task: build both files and say their sizes.
///
/// # Errors
/// Names the step that failed.
pub fn wheel() -> Result<()> {
    let wheel = build_wheel()?;
    let sdist = build_sdist()?;
    for file in [&wheel, &sdist] {
        let size = fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        println!("Wrote {} ({})", util::relative(file), util::kib(size));
    }
    Ok(())
}

/// Build the front end, then the wheel; returns its path.
///
/// # Errors
/// Names the step that failed.
pub fn build_wheel() -> Result<PathBuf> {
    pybundle::pybundle()?;
    let python = venv_with(&[MATURIN])?;
    let out = wheels_dir();
    clear(&out, ".whl")?;
    let started = Instant::now();
    run(command(&python)
        .args([
            "-m",
            "maturin",
            "build",
            "--release",
            "--quiet",
            "--manifest-path",
        ])
        .arg(Path::new("python").join("Cargo.toml"))
        .arg("--out")
        .arg(&out)
        .env("CARGO_TARGET_DIR", python_target()))?;
    let wheel = only_file(&out, ".whl")?;
    println!(
        "Built {} in {}.",
        util::relative(&wheel),
        util::human_duration(started.elapsed())
    );
    Ok(wheel)
}

/// The sdist, from the `_static/` that [`build_wheel`] wrote.
///
/// # Errors
/// Names the step that failed.
pub fn build_sdist() -> Result<PathBuf> {
    let python = venv_with(&[MATURIN])?;
    let out = wheels_dir();
    clear(&out, ".tar.gz")?;
    run(command(&python)
        .args(["-m", "maturin", "sdist", "--manifest-path"])
        .arg(Path::new("python").join("Cargo.toml"))
        .arg("--out")
        .arg(&out))?;
    only_file(&out, ".tar.gz")
}

/// Remove earlier builds ending in `suffix`, so exactly one is left after.
fn clear(dir: &Path, suffix: &str) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
    for path in files_ending(dir, suffix)? {
        fs::remove_file(&path).map_err(|e| format!("cannot remove {} ({e})", path.display()))?;
    }
    Ok(())
}

fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let mut found = files_ending(dir, suffix)?;
    match (found.pop(), found.is_empty()) {
        (Some(file), true) => Ok(file),
        _ => Err(format!(
            "expected exactly one *{suffix} in {} after the build",
            dir.display()
        )),
    }
}

fn files_ending(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {} ({e})", dir.display()))?;
    Ok(entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("normscope-") && n.ends_with(suffix))
        })
        .collect())
}
