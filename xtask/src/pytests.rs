//! The Python package's step of `cargo xtask test`.
//!
//! ```text
//! target/pyvenv/              a venv, made once (python3 -m venv)
//!   + pytest jupyterlab anywidget playwright   installed once (stamp file)
//!   + ./python                reinstalled every run, as a user installs it
//!                             (pip -> maturin + cargo xtask pybundle)
//! cargo fmt / clippy          on python/ (its own workspace)
//! normscope CLI (release)     target/python-cli/, for the "numbers equal the CLI's" tests
//! pytest python/tests         NumPy API, widget traits, JupyterLab + Playwright
//! ```
//!
//! Playwright's Python package drives Debian's Chromium; it downloads no
//! browser. Screenshots of the notebook go to target/python-test/.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tools::{self, CHROMIUM};
use crate::util::{cargo, command, output, run, target_dir, Result};

/// What the tests need besides normscope (its own dependencies, numpy and
/// anywidget, come with it). Changing this list reinstalls.
const TEST_TOOLS: &[&str] = &["pytest", "jupyterlab", "anywidget", "playwright"];

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

fn python_target() -> PathBuf {
    target_dir().join("python")
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// A venv under target/ with the test tools, made and filled only once.
fn ensure_venv() -> Result<PathBuf> {
    let venv = target_dir().join("pyvenv");
    let python = venv_python(&venv);
    if !python.is_file() {
        let system = ["python3", "python"]
            .into_iter()
            .find(|p| {
                output(Command::new(p).args([
                    "-c",
                    "import sys; assert sys.version_info >= (3, 9); print('ok')",
                ]))
                .is_some()
            })
            .ok_or("the Python step needs python3 (3.9 or newer) with its venv module on PATH")?;
        run(command(system).arg("-m").arg("venv").arg(&venv))?;
    }
    let stamp = venv.join("normscope-test-tools.txt");
    let wanted = TEST_TOOLS.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        run(command(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .args(TEST_TOOLS))?;
        std::fs::write(&stamp, &wanted)
            .map_err(|e| format!("cannot write {} ({e})", stamp.display()))?;
    }
    Ok(python)
}

/// The step: install, lint, test.
///
/// # Errors
/// Names the command that failed.
pub fn python_tests() -> Result<()> {
    tools::ensure_chromium()?;
    let python = ensure_venv()?;
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
    // As a user installs it; the build backend runs `cargo xtask pybundle`
    // and has maturin build in target/python/ (CARGO_TARGET_DIR unset here).
    run(command(&python).args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "./python",
    ]))?;
    let cli_target = target_dir().join("python-cli");
    run(command(cargo())
        .args(["build", "--release", "--bin", "normscope"])
        .env("CARGO_TARGET_DIR", &cli_target)
        .envs(CLI_PROFILE.iter().copied()))?;
    let cli = cli_target.join("release").join("normscope");
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
        .env("NORMSCOPE_CHROMIUM", CHROMIUM)
        .env("NORMSCOPE_ARTIFACTS", &out)
        .env("NORMSCOPE_REQUIRE_LAB", "1"))
}
