#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope lab race --task-dir DIR`: the lab's race over seeds on the
//! reader's own photos (the example set), each record the RUN.json of
//! `normscope train --task-dir DIR …`; bad folders refused before training.

mod common;

use std::path::{Path, PathBuf};

use common::{refused_in_one_line, run, stderr};

use normscope::lab::file::LabFile;
use normscope::NormKind;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/photos")
}

#[test]
fn the_race_on_a_task_folder_records_what_normscope_train_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = examples();
    let dir_text = dir.to_str().unwrap();
    let out = run(
        tmp.path(),
        &[
            "lab",
            "race",
            "--task-dir",
            dir_text,
            "--seeds",
            "2",
            "--steps",
            "3",
            "--out",
            "d",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("skipped 1 file(s)"),
        "{}",
        stderr(&out)
    );
    let mut files: Vec<String> = std::fs::read_dir(tmp.path().join("d"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["race-photos.json", "race-photos.svg"]);
    let text = std::fs::read_to_string(tmp.path().join("d/race-photos.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["task"], "photos");
    let file: LabFile = serde_json::from_str(&text).unwrap();
    assert_eq!(
        file.made_by,
        format!("normscope lab race --task-dir {dir_text} --seeds 2 --steps 3")
    );
    assert_eq!(file.runs.len(), 7 * 2);
    for r in &file.runs {
        assert_eq!(r.record.classes, ["cat", "coffee", "rocket"]);
        assert_eq!(r.lighting.contrast.len(), 7, "{}", r.command);
    }
    // A run's record is byte for byte the RUN.json of its command, DIR the folder.
    let r = file
        .runs
        .iter()
        .find(|r| r.kind == NormKind::Batch && r.seed == 2)
        .unwrap();
    assert_eq!(
        r.command,
        "normscope train --task-dir DIR --norm batch --steps 3 --seed 2 --out RUN.json"
    );
    let train = run(
        tmp.path(),
        &[
            "train",
            "--task-dir",
            dir_text,
            "--norm",
            "batch",
            "--steps",
            "3",
            "--seed",
            "2",
            "--out",
            "RUN.json",
        ],
    );
    assert!(train.status.success(), "{}", stderr(&train));
    let mut ours = serde_json::to_string_pretty(&r.record).unwrap();
    ours.push('\n');
    assert_eq!(
        ours,
        std::fs::read_to_string(tmp.path().join("RUN.json")).unwrap()
    );
    // The sentences speak of the reader's photos and their chance (3 classes).
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("On your photos (3 steps, 2 seeds of each kind)")
            && stdout.contains("(guessing: 33%)"),
        "{stdout}"
    );
}

#[test]
fn a_bad_task_folder_gets_one_line_a_failure_and_no_files() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    std::fs::create_dir_all(one.join("cat")).unwrap();
    std::fs::copy(examples().join("cat/cat-1.png"), one.join("cat/cat-1.png")).unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["lab", "race", "--task-dir", "one", "--out", "d"],
            "a task needs at least 2 classes",
        ),
        (
            &["lab", "race", "--task-dir", "missing", "--out", "d"],
            "cannot read the folder",
        ),
        (
            &["lab", "both", "--task-dir", "one", "--out", "d"],
            "the both experiment trains on both tasks",
        ),
    ];
    for (args, words) in cases {
        refused_in_one_line(&run(tmp.path(), args), args, words);
        assert!(!tmp.path().join("d").exists(), "{args:?} wrote files");
    }
}
