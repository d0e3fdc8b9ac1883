//! Paths, child processes and small formatting helpers shared by the tasks.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Every task error is one line for the person at the terminal.
pub type Result<T> = std::result::Result<T, String>;

/// The workspace root: the directory that holds `xtask/`.
pub fn root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// The training tasks' photos (`*.rgb`, SOURCES.md): kept out of www/
/// because the Rust core embeds them too; served and shipped at `tasks/`.
pub fn tasks_dir() -> PathBuf {
    root().join("assets").join("tasks")
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/` in the root).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// The cargo that runs us, so nested builds use the same toolchain.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// Where `cargo install` puts binaries (`$CARGO_HOME/bin`, else `~/.cargo/bin`).
pub fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home).join("bin"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin"))
}

/// `PATH` with cargo's bin directory first, so a freshly installed
/// wasm-bindgen (and its test runner, which cargo finds by name) is the one
/// that runs, even in a shell that never sourced `~/.cargo/env`.
pub fn search_path() -> OsString {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&current).collect();
    if let Some(bin) = cargo_bin_dir() {
        dirs.retain(|d| d != &bin);
        dirs.insert(0, bin);
    }
    std::env::join_paths(dirs).unwrap_or(current)
}

/// A command that runs in the workspace root with [`search_path`].
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(root()).env("PATH", search_path());
    cmd
}

/// The first executable called `name` on [`search_path`].
pub fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&search_path())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// How a command looks when typed, for echoing and error messages.
pub fn shown(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // Show `cargo`, not the absolute path of the cargo binary.
    let mut text = if program.file_name() == Some(OsStr::new("cargo")) {
        "cargo".to_string()
    } else {
        relative(program)
    };
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&relative(Path::new(arg)));
    }
    text
}

/// A path relative to the workspace root when it is inside it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Echo and run a command with inherited stdio; fail if it exits non-zero.
pub fn run(cmd: &mut Command) -> Result<()> {
    let text = shown(cmd);
    println!("$ {text}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{text}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{text}` failed ({status})"))
    }
}

/// Run a command quietly and return its stdout, or `None` if it could not
/// start or exited non-zero.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if out.status.success() {
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        None
    }
}

/// Wall-clock time the way people read it: `0.4s`, `12.3s`, `2m 05s`.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

/// Bytes as KiB with one decimal.
pub fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// Standard base64 (RFC 4648, with padding), by the `base64` crate (the
/// core's SVG figures use the same).
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_millis(400)), "0.4s");
        assert_eq!(human_duration(Duration::from_secs(125)), "2m 05s");
    }

    #[test]
    fn search_path_puts_cargo_bin_first_once() {
        let Some(bin) = cargo_bin_dir() else { return };
        let dirs: Vec<PathBuf> = std::env::split_paths(&search_path()).collect();
        assert_eq!(dirs.first(), Some(&bin));
        assert_eq!(dirs.iter().filter(|d| **d == bin).count(), 1);
    }

    #[test]
    fn root_holds_the_workspace_manifest() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(root().join("xtask").is_dir());
    }
}
