//! The project's Python virtual environments under target/: made once with
//! the machine's python3, each set of tools installed once (a stamp file
//! lists what is in). The Python tests, the wheel and the benchmark use them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{command, output, run, target_dir, Result};

/// Where maturin builds the extension (its own workspace and profile).
pub fn python_target() -> PathBuf {
    target_dir().join("python")
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// The project's venv under target/ with `tools` (pip requirement specs)
/// installed; each set is installed once (a stamp file lists what is in).
///
/// # Errors
/// When there is no python3 with venv, or pip fails.
pub fn venv_with(tools: &[&str]) -> Result<PathBuf> {
    venv_at(&target_dir().join("pyvenv"), tools)
}

/// A venv at `venv` with `tools` installed, as [`venv_with`] (used for a
/// venv of its own where a tool's dependencies would clash with the project's).
///
/// # Errors
/// When there is no python3 with venv, or pip fails.
pub fn venv_at(venv: &Path, tools: &[&str]) -> Result<PathBuf> {
    let venv = venv.to_path_buf();
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
    let stamp = venv.join("normscope-tools.txt");
    let installed = std::fs::read_to_string(&stamp).unwrap_or_default();
    let mut have: Vec<&str> = installed.lines().collect();
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| !have.contains(t))
        .collect();
    if !missing.is_empty() {
        run(command(&python)
            .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
            .args(&missing))?;
        have.extend(&missing);
        std::fs::write(&stamp, have.join("\n"))
            .map_err(|e| format!("cannot write {} ({e})", stamp.display()))?;
    }
    Ok(python)
}
