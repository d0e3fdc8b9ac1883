#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope train` and `normscope grad` as a user runs them.

use std::path::Path;
use std::process::Output;

use ndarray::Array4;
use normscope::npy::{read_npy, write_npy};

mod common;
use common::{listing, run, stderr};

/// Non-zero exit, one line on stderr containing `needle`, nothing written.
fn assert_clean_failure(dir: &Path, out: &Output, needle: &str, before: &[String]) {
    let err = stderr(out);
    assert!(!out.status.success(), "should fail: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err:?}"
    );
    assert!(err.contains(needle), "{needle:?} missing from {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(listing(dir), before, "output or temporary file left behind");
}

/// A tiny, quick run (the test binary is unoptimised).
const QUICK: [&str; 8] = [
    "--steps",
    "4",
    "--batch",
    "4",
    "--widths",
    "2,2,4",
    "--eval-every",
    "2",
];

#[test]
fn train_writes_the_same_record_twice_and_a_figure() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut args = vec![
        "train",
        "--norm",
        "batch-instance",
        "--seed",
        "3",
        "--out",
        "a.json",
        "--svg",
        "a.svg",
    ];
    args.extend(QUICK);
    let out = run(p, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args2 = vec![
        "train",
        "--norm",
        "batch-instance",
        "--seed",
        "3",
        "--out",
        "b.json",
        "--png",
        "b.png",
    ];
    args2.extend(QUICK);
    let out = run(p, &args2);
    assert!(out.status.success(), "{}", stderr(&out));
    let a = std::fs::read(p.join("a.json")).unwrap();
    assert_eq!(
        a,
        std::fs::read(p.join("b.json")).unwrap(),
        "same arguments, same bytes"
    );

    let rec: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(rec["config"]["norm"], "batch-instance");
    assert_eq!(rec["config"]["task"], "what");
    assert_eq!(rec["loss"].as_array().unwrap().len(), 4);
    assert_eq!(rec["test_curve"].as_array().unwrap().len(), 2);
    let acc = rec["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    let shifts = rec["shift"].as_array().unwrap();
    for c in [0.5, 1.0, 2.0] {
        assert!(
            shifts
                .iter()
                .any(|s| s["contrast"] == c && s["brightness"] == 0.0 && s["gamma"] == 1.0),
            "contrast {c}"
        );
    }
    assert_eq!(rec["rho"].as_array().unwrap().len(), 3);
    assert!(rec["diverged"].is_null());

    let svg = std::fs::read_to_string(p.join("a.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("test accuracy"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    let png = std::fs::read(p.join("b.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // A different seed changes the record.
    let mut args3 = vec![
        "train",
        "--norm",
        "batch-instance",
        "--seed",
        "4",
        "--out",
        "c.json",
    ];
    args3.extend(QUICK);
    assert!(run(p, &args3).status.success());
    assert_ne!(a, std::fs::read(p.join("c.json")).unwrap());
}

#[test]
fn train_refuses_bad_arguments_in_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let before = listing(p);
    let cases: &[(&[&str], &str)] = &[
        (&["--norm", "batch", "--steps", "0"], "--steps"),
        (&["--norm", "batch", "--steps", "-3"], "--steps"),
        (&["--norm", "batch", "--batch", "0"], "--batch"),
        (&["--norm", "batch", "--lr", "0"], "--lr"),
        (&["--norm", "batch", "--lr", "-0.1"], "--lr"),
        (&["--norm", "batch", "--lr", "nan"], "--lr"),
        (&["--norm", "batch", "--lr", "inf"], "--lr"),
        (&["--norm", "sideways"], "sideways"),
        (&["--norm", "batch", "--task", "dusk"], "dusk"),
        (&["--norm", "group", "--groups", "3"], "groups"),
        (&["--norm", "group", "--groups", "0"], "groups"),
        (&["--norm", "batch", "--widths", "8,0,8"], "widths"),
        (&["--norm", "batch", "--svg", "f.png"], ".svg"),
        (
            &["--norm", "batch", "--svg", "f.svg", "--png", "f.png"],
            "--png",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["train", "--out", "run.json"];
        args.extend_from_slice(extra);
        let out = run(p, &args);
        assert_clean_failure(p, &out, needle, &before);
    }
    let out = run(p, &["train", "--norm", "batch", "--out", "run.txt"]);
    assert_clean_failure(p, &out, ".json", &before);
}

#[test]
fn a_diverging_run_exits_non_zero_with_the_advice_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let before = listing(p);
    let mut args = vec![
        "train", "--norm", "none", "--lr", "1e6", "--out", "run.json", "--svg", "run.svg",
    ];
    args.extend(["--steps", "40", "--batch", "4", "--widths", "2,2,4"]);
    let out = run(p, &args);
    assert_clean_failure(p, &out, "lower the learning rate", &before);
    assert!(
        stderr(&out).contains("diverged at step "),
        "{}",
        stderr(&out)
    );
}

/// Float64 batch-norm backward from its textbook derivation.
fn batch_norm_backward_f64(x: &Array4<f64>, g: &Array4<f64>, eps: f64) -> Array4<f64> {
    let (n, c, h, w) = x.dim();
    let m = (n * h * w) as f64;
    let mut out = Array4::zeros(x.dim());
    for ch in 0..c {
        let xs = x.slice(ndarray::s![.., ch, .., ..]);
        let gs = g.slice(ndarray::s![.., ch, .., ..]);
        let mu = xs.sum() / m;
        let var = xs.mapv(|v| (v - mu) * (v - mu)).sum() / m;
        let inv = 1.0 / (var + eps).sqrt();
        let xhat = xs.mapv(|v| (v - mu) * inv);
        let gmean = gs.sum() / m;
        let gx = (&gs * &xhat).sum() / m;
        let dx = (&gs - gmean - &xhat * gx) * inv;
        out.slice_mut(ndarray::s![.., ch, .., ..]).assign(&dx);
    }
    out
}

#[test]
fn grad_matches_a_float64_batch_norm_backward_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut r = normscope::nn::rng::Rng::new(5);
    // Low contrast at a large offset, saved as float64; dy as float32.
    let x = Array4::from_shape_fn((3, 2, 4, 5), |_| 1e4 + 1e-2 * r.normal() as f64);
    let dy = Array4::from_shape_fn((3, 2, 4, 5), |_| r.normal());
    ndarray_npy::WriteNpyExt::write_npy(&x, std::fs::File::create(p.join("x.npy")).unwrap())
        .unwrap();
    write_npy(&mut std::fs::File::create(p.join("dy.npy")).unwrap(), &dy).unwrap();
    let out = run(
        p,
        &[
            "grad", "--norm", "batch", "--dy", "dy.npy", "--out", "dx.npy", "x.npy",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dx = read_npy(&std::fs::read(p.join("dx.npy")).unwrap()).unwrap();
    // The reference sees the same float32 inputs the tool computed with.
    let x32 = x.mapv(|v| v as f32 as f64);
    let want = batch_norm_backward_f64(&x32, &dy.mapv(|v| v as f64), 1e-5);
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = dx
        .iter()
        .zip(want.iter())
        .fold(0.0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
    assert!(err < 1e-4 * scale, "off by {err:e} of {scale:e}");

    let small = Array4::<f32>::zeros((3, 2, 4, 4));
    write_npy(
        &mut std::fs::File::create(p.join("small.npy")).unwrap(),
        &small,
    )
    .unwrap();
    let mut nan = dy.clone();
    nan[(0, 0, 0, 0)] = f32::NAN;
    write_npy(&mut std::fs::File::create(p.join("nan.npy")).unwrap(), &nan).unwrap();
    let before: Vec<String> = listing(p);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--norm", "batch", "--dy", "small.npy", "x.npy"],
            "same shape",
        ),
        (&["--norm", "batch", "--dy", "nan.npy", "x.npy"], "NaN"),
        (
            &[
                "--norm", "group", "--groups", "3", "--dy", "dy.npy", "x.npy",
            ],
            "groups",
        ),
        (
            &["--norm", "batch-instance", "--dy", "dy.npy", "x.npy"],
            "--rho",
        ),
        (
            &[
                "--norm",
                "batch-instance",
                "--rho",
                "1.5",
                "--dy",
                "dy.npy",
                "x.npy",
            ],
            "ρ",
        ),
        (&["--norm", "none", "--dy", "dy.npy", "x.npy"], "none"),
        (
            &["--norm", "batch", "--dy", "missing.npy", "x.npy"],
            "missing.npy",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["grad", "--out", "out.npy"];
        args.extend_from_slice(extra);
        let out = run(p, &args);
        assert_clean_failure(p, &out, needle, &before);
    }
}
