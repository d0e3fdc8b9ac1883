#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope lab` as an author runs it, and the lab's vocabulary file.

use std::path::Path;

use normscope::lab::experiment::{Plan, Recording};
use normscope::lab::file::LabFile;
use normscope::lab::vocabulary::{vocabulary_json, Experiment, VOCABULARY, VOCABULARY_FILE};
use normscope::lab::Spread;
use normscope::nn::data::bundled_photos;
use normscope::nn::{Dataset, NormKind, TrainConfig, Trainer};

mod common;
use common::{listing, refused_in_one_line, run, stderr};

#[test]
fn the_checked_in_vocabulary_is_the_rust_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(VOCABULARY_FILE);
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        file == vocabulary_json().unwrap(),
        "{VOCABULARY_FILE} differs from src/lab/vocabulary.rs; regenerate it with\n  cargo run --release -- lab --vocabulary > {VOCABULARY_FILE}"
    );
    let out = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["lab", "--vocabulary"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), file);
}

/// `normscope train` with these arguments, its RUN.json's text.
fn train(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["train"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", "RUN.json"]);
    let out = run(dir, &all);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(dir.join("RUN.json")).unwrap()
}

#[test]
fn a_short_race_records_what_normscope_train_writes_for_every_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(
        tmp.path(),
        &["lab", "race", "--seeds", "3", "--steps", "60", "--out", "d"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        listing(&tmp.path().join("d")),
        ["race-what.json", "race-what.svg"]
    );
    let text = std::fs::read_to_string(tmp.path().join("d/race-what.json")).unwrap();
    let file: LabFile = serde_json::from_str(&text).unwrap();
    assert_eq!(file.made_by, "normscope lab race --seeds 3 --steps 60");
    assert_eq!((file.experiment.as_str(), file.steps), ("race", Some(60)));
    assert_eq!(file.seeds, [1, 2, 3]);
    assert_eq!(file.runs.len(), 7 * 3);
    for r in &file.runs {
        assert_eq!(
            (r.kind, r.seed),
            (r.record.config.norm, r.record.config.seed)
        );
        assert_eq!(r.lighting.contrast.len(), 7, "{}", r.command);
    }
    // The record of a run is byte for byte the RUN.json of its command.
    for (kind, seed) in [(NormKind::Batch, 2), (NormKind::Instance, 3)] {
        let r = file
            .runs
            .iter()
            .find(|r| r.kind == kind && r.seed == seed)
            .unwrap();
        let args: Vec<&str> = r
            .command
            .trim_start_matches("normscope train ")
            .trim_end_matches(" --out RUN.json")
            .split(' ')
            .collect();
        let expected = train(tmp.path(), &args);
        let mut ours = serde_json::to_string_pretty(&r.record).unwrap();
        ours.push('\n');
        assert_eq!(ours, expected, "{}", r.command);
    }
    // One summary row per kind: the spread of its seeds' test accuracies.
    assert_eq!(file.summary.len(), 7);
    for row in &file.summary {
        let acc: Vec<f64> = file
            .runs
            .iter()
            .filter(|r| r.kind == row.kind)
            .map(|r| f64::from(r.record.test_accuracy))
            .collect();
        let s = Spread::of(&acc).unwrap();
        // JSON text round trip: equal to the last bit or two.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert_eq!(row.n, 3);
        assert!(
            close(row.mean, s.mean)
                && close(row.sd, s.sd)
                && close(row.min, s.min)
                && close(row.max, s.max),
            "{row:?} vs {s:?}"
        );
    }
    let svg = std::fs::read_to_string(tmp.path().join("d/race-what.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("n = 3"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    // The summary is printed, one arm a line, with n.
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("batch: ") && l.ends_with("n = 3")),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_get_one_line_a_failure_and_no_files() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a-file"), b"x").unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["lab", "racing", "--out", "d"],
            "unknown experiment \"racing\"",
        ),
        (
            &["lab", "race", "--seeds", "0", "--out", "d"],
            "--seeds must be between 1 and 10",
        ),
        (
            &["lab", "race", "--steps", "0", "--out", "d"],
            "--steps must be between 1 and 2000",
        ),
        (
            &["lab", "batch", "--steps", "50", "--out", "d"],
            "fixes the images",
        ),
        (
            &["lab", "both", "--task", "what", "--out", "d"],
            "both tasks",
        ),
        (
            &["lab", "race", "--steps", "1", "--out", "a-file/d"],
            "cannot create the folder",
        ),
    ];
    for (args, message) in cases {
        refused_in_one_line(&run(tmp.path(), args), args, message);
        assert_eq!(listing(tmp.path()), ["a-file"], "{args:?}");
    }
}

#[test]
fn the_noise_experiment_follows_the_batch_rule_and_measures_train_accuracy() {
    let plan = Plan::new(Recording::Panel(Experiment::Noise), None, None).unwrap();
    let v = &VOCABULARY;
    assert_eq!(plan.arms.len(), v.noise.kinds.len() * v.noise.sizes.len());
    for arm in &plan.arms {
        let b = arm.config.batch;
        assert!(v.noise.kinds.contains(&arm.config.norm) && v.noise.sizes.contains(&b));
        assert_eq!(arm.config.steps as usize * b, v.batch.images);
        assert_eq!(arm.config.lr, v.batch.lr_at_32 * b as f32 / 32.0);
        assert_eq!(arm.fields.batch, Some(b));
        assert!(arm.measures.train_accuracy);
    }
    assert_eq!(plan.file_stem(), "noise");
}

#[test]
fn measuring_train_accuracy_changes_nothing_in_the_record() {
    let cfg = TrainConfig {
        steps: 8,
        batch: 8,
        ..TrainConfig::default()
    };
    let photos = bundled_photos();
    let trained = || {
        let data = Dataset::build(cfg.task, cfg.seed, &photos).unwrap();
        let mut t = Trainer::new(cfg.clone(), data).unwrap();
        t.run(|_| {}).unwrap();
        t
    };
    let plain = trained().record();
    let mut probed = trained();
    let a = probed.train_accuracy();
    assert!((0.0..=1.0).contains(&a));
    assert_eq!(probed.record(), plain);
    // Evaluation mode on the training patches: the same as evaluating them by hand.
    let data = probed.dataset().clone();
    assert_eq!(probed.evaluate(data.train_x.view(), &data.train_y), a);
}
