#![cfg(not(target_arch = "wasm32"))]
//! The training fixtures that the browser tests (tests/web_train.rs) compare
//! the wasm engine with are still exactly what `normscope train` writes.
//! When the engine's numbers change on purpose, rewrite them with the
//! commands in tests/fixtures/SOURCES.md (the message below repeats them).

use std::path::Path;
use std::process::Command;

/// Fixture name, then the `normscope train` arguments that wrote it.
const FIXTURES: [(&str, &[&str]); 2] = [
    (
        "train-batch-5.json",
        &["--norm", "batch", "--steps", "5", "--batch", "8"],
    ),
    (
        "train-batch-instance-5.json",
        &["--norm", "batch-instance", "--steps", "5", "--batch", "8"],
    ),
];

#[test]
fn the_browser_fixtures_are_what_the_cli_writes_now() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, args) in FIXTURES {
        let out = dir.path().join(name);
        let status = Command::new(env!("CARGO_BIN_EXE_normscope"))
            .arg("train")
            .args(args)
            .arg("--out")
            .arg(&out)
            .status()
            .expect("the normscope binary runs");
        assert!(status.success(), "normscope train {}", args.join(" "));
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let want = std::fs::read(&fixture).expect("the fixture exists");
        let got = std::fs::read(&out).expect("the CLI wrote its record");
        assert!(
            got == want,
            "tests/fixtures/{name} is stale: the engine's numbers changed. If that was meant, \
             rewrite it with `cargo run --release -- train {} --out tests/fixtures/{name}`",
            args.join(" ")
        );
    }
}
