//! `cargo xtask test`: every check CI runs, in order, stopping at the first
//! failure. Each step installs what it needs when missing, so the same
//! command works on a fresh machine and stays quick on a warm one.

use std::time::Instant;

use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use crate::util::{cargo, command, human_duration, root, run, Result};
use crate::{dist, pack, pkgbuild, pytests};

/// The port the page tests' server listens on when no free one can be
/// found (not 8080, so a server the developer left running is not reused).
pub const E2E_PORT: u16 = 8181;

/// A port that is free right now, so the page tests never talk to a server
/// someone else left running (another checkout's page, say).
fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(E2E_PORT)
}

/// How a step ended when it did not fail.
enum Outcome {
    Passed,
    Skipped(&'static str),
}

struct Step {
    name: &'static str,
    run: fn() -> Result<Outcome>,
}

const STEPS: &[Step] = &[
    Step {
        name: "format (cargo fmt --check)",
        run: format,
    },
    Step {
        name: "lint native (clippy)",
        run: clippy_native,
    },
    Step {
        name: "lint wasm32 (clippy)",
        run: clippy_wasm,
    },
    Step {
        name: "native tests (cargo test)",
        run: native_tests,
    },
    Step {
        name: "browser unit tests (wasm-bindgen-test)",
        run: browser_tests,
    },
    Step {
        name: "build pkg/, dist/, npm tarball (xtask)",
        run: build,
    },
    Step {
        name: "page tests (Playwright)",
        run: page_tests,
    },
    Step {
        name: "python package and notebook (pip, pytest, JupyterLab)",
        run: python_tests,
    },
];

/// Run every step; the first failure stops the run.
///
/// # Errors
/// Names the step that failed and why.
pub fn test() -> Result<()> {
    let started = Instant::now();
    let mut report: Vec<(&str, String)> = Vec::new();
    for (index, step) in STEPS.iter().enumerate() {
        let label = format!("[{}/{}] {}", index + 1, STEPS.len(), step.name);
        println!("\n==> {label}");
        let step_started = Instant::now();
        let result = (step.run)();
        let took = human_duration(step_started.elapsed());
        match result {
            Ok(Outcome::Passed) => report.push((step.name, format!("ok {took}"))),
            Ok(Outcome::Skipped(why)) => {
                println!("skipped: {why}");
                report.push((step.name, "skipped".to_string()));
            }
            Err(e) => {
                print_report(&report);
                return Err(format!(
                    "step {label} failed after {took} ({} in all): {e}",
                    human_duration(started.elapsed())
                ));
            }
        }
    }
    print_report(&report);
    let skipped = report.iter().filter(|(_, r)| r == "skipped").count();
    let passed = report.len() - skipped;
    println!(
        "\nxtask test: all {passed} steps passed{} in {}",
        if skipped > 0 {
            format!(" ({skipped} skipped)")
        } else {
            String::new()
        },
        human_duration(started.elapsed())
    );
    Ok(())
}

fn print_report(report: &[(&str, String)]) {
    if report.is_empty() {
        return;
    }
    println!("\n==> summary");
    for (name, result) in report {
        println!("  {name:<42} {result}");
    }
}

fn format() -> Result<Outcome> {
    tools::ensure_component("rustfmt", "fmt")?;
    run(command(cargo()).args(["fmt", "--all", "--check"]))
        .map_err(|e| format!("{e}; run `cargo fmt --all` to fix the formatting"))?;
    Ok(Outcome::Passed)
}

fn clippy_native() -> Result<Outcome> {
    tools::ensure_component("clippy", "clippy")?;
    run(command(cargo()).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    Ok(Outcome::Passed)
}

fn clippy_wasm() -> Result<Outcome> {
    tools::ensure_component("clippy", "clippy")?;
    tools::ensure_wasm_target()?;
    // The package only: xtask is a native tool and never built for wasm.
    run(command(cargo()).args([
        "clippy",
        "--package",
        "normscope",
        "--lib",
        "--tests",
        "--bins",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    Ok(Outcome::Passed)
}

fn native_tests() -> Result<Outcome> {
    run(command(cargo()).args(["test", "--workspace"]))?;
    Ok(Outcome::Passed)
}

fn browser_tests() -> Result<Outcome> {
    if !root().join("tests").join("web.rs").is_file() {
        return Ok(Outcome::Skipped("tests/web.rs does not exist yet"));
    }
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen(&tools::wasm_bindgen_crate_version()?)?;
    tools::ensure_chromium()?;
    // The runner (set in .cargo/config.toml) drives headless Chromium
    // through chromedriver; a cold start on 2 cores can be slow.
    run(command(cargo())
        .args([
            "test",
            "--package",
            "normscope",
            "--target",
            WASM_TARGET,
            "--test",
            "web",
            "--test",
            "web_train",
        ])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "180"))?;
    Ok(Outcome::Passed)
}

fn build() -> Result<Outcome> {
    pkgbuild::build()?;
    // The page tests open dist/normscope.html from file:// too, and install
    // the npm tarball (tests/e2e/npm.spec.js).
    dist::write()?;
    pack::write()?;
    Ok(Outcome::Passed)
}

fn python_tests() -> Result<Outcome> {
    pytests::python_tests()?;
    Ok(Outcome::Passed)
}

fn page_tests() -> Result<Outcome> {
    tools::ensure_chromium()?;
    tools::ensure_npm_packages()?;
    let playwright = root().join("node_modules").join(".bin").join("playwright");
    if !playwright.is_file() {
        return Err(
            "node_modules/.bin/playwright is missing after npm ci: check that \
                    package.json lists @playwright/test"
                .to_string(),
        );
    }
    // The page tests start this very binary as their server: no second
    // cargo invocation, and the pkg/ just built is what gets served.
    let xtask = std::env::current_exe()
        .map_err(|e| format!("cannot find the running xtask binary ({e})"))?;
    // The CLI the photo task's records are compared with (the Python step
    // uses the same build).
    let cli = pytests::build_cli()?;
    run(command(&playwright)
        .arg("test")
        .env("NORMSCOPE_XTASK", xtask)
        .env("NORMSCOPE_CLI", cli)
        .env("NORMSCOPE_E2E_PORT", free_port().to_string()))?;
    Ok(Outcome::Passed)
}
