#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope lab` as an author runs it, and the lab's vocabulary file.

use std::path::Path;
use std::process::{Command, Output};

use normscope::lab::vocabulary::{vocabulary_json, VOCABULARY_FILE};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normscope"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_checked_in_vocabulary_is_the_rust_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(VOCABULARY_FILE);
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        file == vocabulary_json().unwrap(),
        "{VOCABULARY_FILE} differs from src/lab/vocabulary.rs; regenerate it with\n  cargo run --release -- lab --vocabulary > {VOCABULARY_FILE}"
    );
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), &["lab", "--vocabulary"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), file);
}
