#![cfg(not(target_arch = "wasm32"))]
//! The bad-input corpus (`tests/corpus/`) through the CLI door:
//! `normscope normalize`, as a user runs it, in a temporary directory.
//!
//! The CLI writes one tensor, so a bad file stops it: one line on stderr
//! naming the file and the reason, exit code 1, and no output file. An
//! image silently left out would shift every index of the result.

use std::path::{Path, PathBuf};
use std::process::Output;

use normscope::npy::read_npy;
use serde_json::Value;

mod common;
use common::{listing, run, stderr};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// A temporary directory holding a copy of the named corpus files.
fn workdir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in files {
        std::fs::copy(corpus_dir().join(f), dir.path().join(f)).expect("copy corpus file");
    }
    dir
}

/// Exit code 1, exactly one line on stderr naming `file` and containing
/// `says`, and nothing new in the directory.
fn check_refusal(out: &Output, dir: &Path, before: &[String], file: &str, says: &[String]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{file}: {err}");
    assert!(out.stdout.is_empty(), "{file}: stdout {:?}", out.stdout);
    assert_eq!(err.lines().count(), 1, "{file}: not one line: {err:?}");
    assert!(err.starts_with("normscope: "), "{file}: {err}");
    assert!(
        err.contains(file),
        "{file}: the message does not name the file: {err}"
    );
    let lower = err.to_lowercase();
    for w in says {
        assert!(
            lower.contains(w.as_str()),
            "{file}: message lacks {w:?}: {err}"
        );
    }
    assert_eq!(listing(dir), before, "{file}: something was left behind");
}

#[test]
fn every_corpus_file_gets_a_result_or_one_clear_line() {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("manifest");
    let entries: Vec<Value> = serde_json::from_str(&text).expect("manifest is JSON");
    assert!(entries.len() >= 40);
    for e in &entries {
        let file = e["file"].as_str().expect("file");
        let outcome = e["core"].as_str().expect("outcome");
        let says: Vec<String> = e["says"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        let dir = workdir(&[file]);
        let before = listing(dir.path());
        let mut args = vec!["normalize", "--norm", "instance", "--out", "out.npy", file];
        if e["kind"] != "npy" {
            args.extend(["--size", "32x32"]);
        }
        let out = run(dir.path(), &args);
        if outcome == "ok" {
            assert!(out.status.success(), "{file}: {}", stderr(&out));
            let y = read_npy(&std::fs::read(dir.path().join("out.npy")).expect("output"))
                .unwrap_or_else(|err| panic!("{file}: {err}"));
            if e["kind"] != "npy" {
                assert_eq!(y.shape(), &[1, 3, 32, 32], "{file}");
            }
            assert!(y.iter().all(|v| v.is_finite()), "{file}");
        } else {
            check_refusal(&out, dir.path(), &before, file, &says);
        }
    }
}

#[test]
fn a_bad_file_in_a_batch_is_named_and_nothing_is_written() {
    for bad in [
        "png-truncated.png",
        "photo.heic",
        "png-100000x100000.png",
        "empty.jpg",
    ] {
        let dir = workdir(&["ok-rgb.png", bad, "ok-baseline.jpg"]);
        let before = listing(dir.path());
        let out = run(
            dir.path(),
            &[
                "normalize",
                "--norm",
                "batch",
                "--out",
                "out.npy",
                "ok-rgb.png",
                bad,
                "ok-baseline.jpg",
            ],
        );
        check_refusal(&out, dir.path(), &before, bad, &[]);
        assert!(!stderr(&out).contains("ok-rgb.png"), "{}", stderr(&out));
    }
}

#[test]
fn odd_file_names_stay_on_one_harmless_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read(corpus_dir().join("ok-rgb.png")).expect("corpus");
    let unicode = "ünï cödé & <b>photo<\\b> (1).png";
    std::fs::write(dir.path().join(unicode), &good).expect("write");
    let out = run(
        dir.path(),
        &["normalize", "--norm", "instance", "--out", "u.npy", unicode],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // A newline or a terminal escape in a name must not break the one-line
    // message or reach the terminal raw.
    for name in ["two\nlines.png", "\u{1b}[31mred.png"] {
        std::fs::write(dir.path().join(name), b"").expect("write");
        let out = run(
            dir.path(),
            &["normalize", "--norm", "instance", "--out", "x.npy", name],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err:?}");
        assert!(!err.contains('\u{1b}'), "{err:?}");
        assert!(err.contains("empty"), "{err}");
        assert!(
            err.contains("lines.png") || err.contains("red.png"),
            "{err}"
        );
        std::fs::remove_file(dir.path().join(name)).expect("remove");
    }
}
