//! The Python package's step of `cargo xtask test`.
//!
//! ```text
//! target/pyvenv/              a venv, made once (python3 -m venv)
//!   + pytest jupyterlab notebook marimo anywidget playwright maturin   installed once (stamp file)
//! cargo xtask wheel           target/wheels/normscope-*.whl (wheel.rs), built once
//!   + that wheel              installed into the venv, as a user installs it
//! cargo fmt / clippy          on python/ (its own workspace)
//! normscope CLI (release)     target/python-cli/, for the "numbers equal the CLI's" tests
//! pytest python/tests         NumPy API, widget traits, JupyterLab + Playwright
//! ```
//!
//! Playwright's Python package drives Debian's Chromium; it downloads no
//! browser. Screenshots of the notebook go to target/python-test/.

use std::path::{Path, PathBuf};

use crate::pyvenv::{python_target, venv_with};
use crate::tools::{self, CHROMIUM};
use crate::util::{cargo, command, run, target_dir, Result};
use crate::wheel;

/// What the tests need besides normscope (its own dependencies, numpy and
/// anywidget, come with it). Changing this list reinstalls.
const TEST_TOOLS: &[&str] = &[
    "pytest",
    "jupyterlab",
    // Jupyter Notebook 7: its pages come from the same server as JupyterLab's.
    "notebook",
    "marimo",
    "anywidget",
    "playwright",
    wheel::MATURIN,
];

/// The CLI built for the comparison: optimized (a debug build takes a
/// minute for a three-step `train`) but without the root profile's LTO. In
/// its own target folder: sharing target/python with the extension's
/// workspace, whose dependency features differ, overwrote the one
/// `libnormscope.rlib` both use.
const CLI_PROFILE: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3"),
    ("CARGO_PROFILE_RELEASE_LTO", "false"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
];

/// The CLI the tests compare with (the page's photo task and the
/// notebook's runs against `normscope train`), built once for both steps.
///
/// # Errors
/// When cargo fails.
pub fn build_cli() -> Result<PathBuf> {
    let cli_target = target_dir().join("python-cli");
    run(command(cargo())
        .args(["build", "--release", "--bin", "normscope"])
        .env("CARGO_TARGET_DIR", &cli_target)
        .envs(CLI_PROFILE.iter().copied()))?;
    Ok(cli_target.join("release").join("normscope"))
}

/// The step: install, lint, test.
///
/// # Errors
/// Names the command that failed.
pub fn python_tests() -> Result<()> {
    tools::ensure_chromium()?;
    let python = venv_with(TEST_TOOLS)?;
    let manifest = Path::new("python").join("Cargo.toml");
    run(command(cargo())
        .args(["fmt", "--check", "--manifest-path"])
        .arg(&manifest))
    .map_err(|e| format!("{e}; run `cargo fmt --manifest-path python/Cargo.toml`"))?;
    run(command(cargo())
        .args(["clippy", "--all-targets", "--manifest-path"])
        .arg(&manifest)
        .args(["--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", python_target()))?;
    // As a user installs it: the wheel file (built once; test_wheel.py
    // installs the same file again into a fresh venv without Rust). The
    // first install brings its dependencies, the second replaces an
    // installed build of the same version.
    let wheel = wheel::build_wheel()?;
    // And the sdist beside it, which test_wheel.py builds with cargo.
    let sdist = wheel::build_sdist()?;
    let pip = ["-m", "pip", "install", "--disable-pip-version-check", "-q"];
    run(command(&python).args(pip).arg(&wheel))?;
    run(command(&python)
        .args(pip)
        .args(["--force-reinstall", "--no-deps"])
        .arg(&wheel))?;
    let cli = build_cli()?;
    let out = target_dir().join("python-test");
    // pytest makes --basetemp itself but not its parent: on a fresh clone
    // target/python-test does not exist yet.
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {} ({e})", out.display()))?;
    run(command(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "python/tests",
            "--basetemp",
        ])
        .arg(out.join("tmp"))
        .env("NORMSCOPE_CLI", cli)
        .env("NORMSCOPE_WHEEL", &wheel)
        .env("NORMSCOPE_SDIST", &sdist)
        .env("NORMSCOPE_SDIST_TARGET", python_target())
        .env("NORMSCOPE_CHROMIUM", CHROMIUM)
        .env("NORMSCOPE_ARTIFACTS", &out)
        .env("NORMSCOPE_REQUIRE_LAB", "1"))?;
    // The figure test_wheel.py measured (printed, never a bound).
    if let Ok(figure) = std::fs::read_to_string(out.join("wheel.txt")) {
        print!("{figure}");
    }
    Ok(())
}
