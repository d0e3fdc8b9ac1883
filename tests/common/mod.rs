//! What the command-line tests share: run the `normscope` binary as a user
//! would, read its stderr, and list a folder to prove nothing was left behind.
// Each test binary uses some of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// `normscope ARGS…` run in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_normscope"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the normscope binary runs")
}

/// What the run wrote to stderr, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Files in `dir`, sorted, to prove nothing (not even a temporary) was left behind.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| {
            e.expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The run failed with one line on stderr that says `words`.
pub fn refused_in_one_line(out: &Output, args: &[&str], words: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "{args:?}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(words), "{args:?}: {err}");
}
