#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope train --bn-momentum`: the command stored beside each recorded
//! run of the lab's evaluation-mode experiment writes that run's record.

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "normscope-bn-momentum-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_recorded_command_writes_the_recorded_record() {
    // The short recording the page test uses (3 steps, every momentum).
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/e2e/files/lab/evalmode.json").unwrap(),
    )
    .unwrap();
    let run = file["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["command"]
                .as_str()
                .unwrap()
                .contains("--bn-momentum 0.01")
        })
        .unwrap();
    let dir = scratch("recorded");
    let args: Vec<&str> = run["command"]
        .as_str()
        .unwrap()
        .split(' ')
        .skip(1)
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_normscope"))
        .current_dir(&dir)
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(written, run["record"]);
    assert_eq!(written["config"]["bn_momentum"].as_f64(), Some(0.01));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_momentum_outside_0_to_1_is_refused_in_one_line() {
    let dir = scratch("bad");
    for bad in ["2", "-0.1", "NaN"] {
        let out = Command::new(env!("CARGO_BIN_EXE_normscope"))
            .current_dir(&dir)
            .args([
                "train",
                "--norm",
                "batch",
                "--steps",
                "1",
                "--bn-momentum",
                bad,
                "--out",
                "run.json",
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
        assert!(
            err.contains("--bn-momentum must be a number in [0, 1]"),
            "{err}"
        );
        assert!(!dir.join("run.json").exists());
    }
    std::fs::remove_dir_all(dir).unwrap();
}
