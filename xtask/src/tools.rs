//! Install what the build and the tests need, only when it is missing.
//!
//! Each `ensure_*` checks first and does nothing when the tool is already
//! right, so running a task twice costs a few quick version probes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{cargo, command, output, root, run, which, Result};

/// The Rust target the browser build compiles for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Debian's browser and its WebDriver, used by the browser unit tests
/// (chromedriver) and the page tests (chromium).
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Make sure a rustup component (`rustfmt`, `clippy`) is installed.
///
/// # Errors
/// When rustup cannot add it.
pub fn ensure_component(component: &str, cargo_subcommand: &str) -> Result<()> {
    let probe = output(command(cargo()).args([cargo_subcommand, "--version"]));
    if probe.is_some() {
        return Ok(());
    }
    println!("`cargo {cargo_subcommand}` is missing: adding the rustup component {component}.");
    run(command("rustup").args(["component", "add", component]))
}

/// Make sure rustup has the `wasm32-unknown-unknown` target.
///
/// # Errors
/// When rustup is missing or cannot add the target.
pub fn ensure_wasm_target() -> Result<()> {
    let Some(installed) = output(command("rustup").args(["target", "list", "--installed"])) else {
        return Err(format!(
            "rustup was not found, and it is needed to add the {WASM_TARGET} target: \
             install Rust with rustup (https://rustup.rs), then run this again"
        ));
    };
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("Adding the Rust target {WASM_TARGET} (once).");
    run(command("rustup").args(["target", "add", WASM_TARGET]))
}

/// The version of the `wasm-bindgen` crate that Cargo.lock pins.
///
/// # Errors
/// When Cargo.lock is unreadable or does not hold exactly one wasm-bindgen.
pub fn wasm_bindgen_crate_version() -> Result<String> {
    let path = root().join("Cargo.lock");
    let lock = fs::read_to_string(&path)
        .map_err(|e| format!("cannot read Cargo.lock ({e}): run `cargo generate-lockfile`"))?;
    let versions = locked_versions(&lock, "wasm-bindgen");
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(
            "Cargo.lock has no wasm-bindgen crate: the browser build needs it \
                   as a wasm32 dependency in Cargo.toml"
                .to_string(),
        ),
        many => Err(format!(
            "Cargo.lock holds several wasm-bindgen versions ({}): pin one with \
             `wasm-bindgen = \"=X.Y.Z\"` so the CLI can match it",
            many.join(", ")
        )),
    }
}

/// All versions of the package `name` in a Cargo.lock text.
pub fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|line| {
                let value = line.trim().strip_prefix(key)?.trim_start();
                let value = value.strip_prefix('=')?.trim();
                Some(value.trim_matches('"').to_string())
            })
        };
        if field("name").as_deref() == Some(name) {
            if let Some(version) = field("version") {
                found.push(version);
            }
        }
    }
    found
}

/// The version a `tool --version` prints (its last word), or `None` when the
/// tool is not installed.
fn tool_version(tool: &str) -> Option<String> {
    let text = output(command(tool).arg("--version"))?;
    text.split_whitespace().last().map(str::to_string)
}

/// Make sure `wasm-bindgen` and `wasm-bindgen-test-runner` are exactly
/// `version`, installing `wasm-bindgen-cli` with cargo when they are not.
///
/// The CLI must equal the crate: a different one refuses the module with a
/// "schema version" error. `--locked` is left out on purpose: the CLI's own
/// lockfile wants a crate version the registry here does not have.
///
/// # Errors
/// When the install fails or a wrong wasm-bindgen still shadows it.
pub fn ensure_wasm_bindgen(version: &str) -> Result<()> {
    let bindgen = tool_version("wasm-bindgen");
    let runner = tool_version("wasm-bindgen-test-runner");
    if bindgen.as_deref() == Some(version) && runner.as_deref() == Some(version) {
        return Ok(());
    }
    match (&bindgen, &runner) {
        (None, _) => println!(
            "The wasm-bindgen CLI is not installed: installing wasm-bindgen-cli {version} \
             (about 2 minutes, once)."
        ),
        (Some(found), _) if found != version => println!(
            "wasm-bindgen CLI version mismatch: `wasm-bindgen --version` says {found}, but \
             Cargo.lock pins the wasm-bindgen crate at {version}, and the two must be equal. \
             Reinstalling wasm-bindgen-cli {version}."
        ),
        _ => println!(
            "wasm-bindgen-test-runner is missing or not {version}: reinstalling \
             wasm-bindgen-cli {version}."
        ),
    }
    run(command(cargo()).args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &format!("={version}"),
        "--force",
    ]))?;
    for tool in ["wasm-bindgen", "wasm-bindgen-test-runner"] {
        let now = tool_version(tool);
        if now.as_deref() != Some(version) {
            let place =
                which(tool).map_or("nowhere on PATH".to_string(), |p| p.display().to_string());
            return Err(format!(
                "after installing wasm-bindgen-cli {version}, `{tool} --version` says {} \
                 (found {place}): remove that copy or put ~/.cargo/bin first on PATH",
                now.unwrap_or_else(|| "nothing".to_string())
            ));
        }
    }
    Ok(())
}

/// Make sure Debian's `chromium` and `chromium-driver` are installed.
///
/// # Errors
/// When apt-get fails, or we are not root and there is no sudo.
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return Ok(());
    }
    println!("{CHROMIUM} or {CHROMEDRIVER} is missing: installing Debian's chromium and chromium-driver.");
    let as_root = output(command("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !as_root && which("sudo").is_none() {
        return Err(
            "installing chromium needs root, and sudo is not installed: run \
                    `apt-get install -y chromium chromium-driver` as root, then run this again"
                .to_string(),
        );
    }
    let apt = |args: &[&str]| {
        // `env` inside sudo, because sudo drops DEBIAN_FRONTEND from the environment.
        let mut cmd = if as_root {
            command("env")
        } else {
            let mut cmd = command("sudo");
            cmd.arg("env");
            cmd
        };
        cmd.arg("DEBIAN_FRONTEND=noninteractive")
            .arg("apt-get")
            .args(args);
        run(&mut cmd)
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    if !(Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file()) {
        return Err(format!(
            "apt-get finished but {CHROMIUM} or {CHROMEDRIVER} is still missing: check the \
             apt output above"
        ));
    }
    Ok(())
}

/// Where `npm ci` leaves a copy of the lockfile it installed from, so the
/// next run can tell that node_modules is current without asking npm.
fn npm_stamp() -> PathBuf {
    root()
        .join("node_modules")
        .join(".normscope-installed-lock.json")
}

/// Whether node_modules was installed from the current package-lock.json.
pub fn npm_is_current() -> bool {
    let lock = fs::read(root().join("package-lock.json"));
    let stamp = fs::read(npm_stamp());
    matches!((lock, stamp), (Ok(lock), Ok(stamp)) if lock == stamp)
}

/// Run `npm ci` when node_modules is missing or package-lock.json changed.
///
/// # Errors
/// When npm is missing or `npm ci` fails.
pub fn ensure_npm_packages() -> Result<()> {
    if npm_is_current() {
        return Ok(());
    }
    if output(command("npm").arg("--version")).is_none() {
        return Err(
            "npm was not found: install Node.js 20 or newer (with npm), then run this again"
                .to_string(),
        );
    }
    println!("node_modules is missing or older than package-lock.json: running npm ci.");
    run(command("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    let lock = root().join("package-lock.json");
    fs::copy(&lock, npm_stamp())
        .map(|_| ())
        .map_err(|e| format!("cannot write {} ({e})", npm_stamp().display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.999"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-test"
version = "0.3.1"
"#;

    #[test]
    fn finds_the_pinned_wasm_bindgen_and_not_its_siblings() {
        assert_eq!(locked_versions(LOCK, "wasm-bindgen"), vec!["0.2.130"]);
        assert_eq!(locked_versions(LOCK, "wasm-bindgen-test"), vec!["0.3.1"]);
        assert!(locked_versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn the_real_lockfile_pins_exactly_one_wasm_bindgen() {
        let version = wasm_bindgen_crate_version();
        assert!(
            matches!(&version, Ok(v) if v.split('.').count() == 3),
            "{version:?}"
        );
    }
}
