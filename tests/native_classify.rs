#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! The classifier demo's separability measure on hand-made data: what the
//! page's "why classifiers keep batch norm" section reports as accuracy,
//! threshold and Fisher ratio.

use normscope::classify::{separability, TIE_TOLERANCE};
use normscope::Error;

#[test]
fn perfectly_separable_classes_score_one_with_the_threshold_between_them() {
    // Night (1) darker than day (0): class 1 lies below the threshold.
    let values = [0.8, 1.1, 0.9, -0.7, -1.0, -0.4];
    let labels = [0, 0, 0, 1, 1, 1];
    let s = separability(&values, &labels).unwrap();
    assert_eq!(s.accuracy, 1.0);
    assert_eq!((s.correct, s.count), (6, 6));
    assert_eq!(s.chance, 0.5);
    assert!(!s.class1_above);
    let t = s.threshold.unwrap();
    assert!(
        (t - 0.2).abs() < 1e-12,
        "threshold {t} should be the midpoint of -0.4 and 0.8"
    );
    assert!((s.margin - 0.6).abs() < 1e-12);
    // Every value is on its class's side of the threshold.
    for (v, l) in values.iter().zip(labels) {
        assert_eq!(*v < t, l == 1);
    }
    // Fisher: means 0.9333… and −0.7, population variances 0.01556 and 0.06.
    let (m0, m1) = (2.8 / 3.0, -0.7);
    let v0 = [0.8f64, 1.1, 0.9]
        .iter()
        .map(|x| (x - m0) * (x - m0))
        .sum::<f64>()
        / 3.0;
    let v1 = [-0.7f64, -1.0, -0.4]
        .iter()
        .map(|x| (x - m1) * (x - m1))
        .sum::<f64>()
        / 3.0;
    let expected = (m1 - m0) * (m1 - m0) / (v0 + v1);
    assert!(
        (s.fisher - expected).abs() < 1e-9 * expected,
        "{} vs {expected}",
        s.fisher
    );
    assert!((s.mean0 - m0).abs() < 1e-12 && (s.mean1 - m1).abs() < 1e-12);
}

#[test]
fn direction_follows_the_data() {
    let s = separability(&[0.0, 1.0, 5.0, 6.0], &[0, 0, 1, 1]).unwrap();
    assert!(s.class1_above);
    assert_eq!(s.threshold, Some(3.0));
    // Order of the input does not matter.
    let s2 = separability(&[6.0, 0.0, 5.0, 1.0], &[1, 0, 1, 0]).unwrap();
    assert_eq!(
        (s2.accuracy, s2.threshold, s2.class1_above),
        (1.0, Some(3.0), true)
    );
}

#[test]
fn identical_values_give_chance_and_no_threshold() {
    // What instance norm does: every image's output mean is 0.
    let s = separability(&[0.0; 8], &[0, 0, 0, 0, 1, 1, 1, 1]).unwrap();
    assert_eq!(s.accuracy, 0.5);
    assert_eq!(s.accuracy, s.chance);
    assert_eq!(s.threshold, None);
    assert_eq!(s.fisher, 0.0);
}

#[test]
fn rounding_noise_below_the_tolerance_separates_nothing() {
    // Layer norm leaves means like 1e-17 whose sign could happen to follow
    // the classes; a classifier in f32 could not use them.
    let tiny = TIE_TOLERANCE / 100.0;
    let values = [
        tiny,
        2.0 * tiny,
        3.0 * tiny,
        -tiny,
        -2.0 * tiny,
        -3.0 * tiny,
    ];
    let s = separability(&values, &[0, 0, 0, 1, 1, 1]).unwrap();
    assert_eq!(s.accuracy, 0.5);
    assert_eq!(s.threshold, None);
    assert_eq!(s.fisher, 0.0);
    // Scaled up beyond the tolerance, the same pattern does separate.
    let big: Vec<f64> = values.iter().map(|v| v * 1e6).collect();
    assert_eq!(
        separability(&big, &[0, 0, 0, 1, 1, 1]).unwrap().accuracy,
        1.0
    );
}

#[test]
fn overlapping_classes_get_the_best_possible_threshold() {
    // One night value sits among the day values: 5 of 6 is the best any
    // single threshold can do.
    let s = separability(&[1.0, 2.0, 3.0, 2.5, -1.0, -2.0], &[0, 0, 0, 1, 1, 1]).unwrap();
    assert_eq!(s.correct, 5);
    assert!((s.accuracy - 5.0 / 6.0).abs() < 1e-12);
    assert_eq!(s.threshold, Some(0.0));
    assert!(s.fisher.is_finite() && s.fisher > 0.0);
}

#[test]
fn brute_force_agrees_on_random_data() {
    // Compare against trying every threshold between every pair of values.
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..200 {
        let n = rng.usize(2..12);
        let mut labels: Vec<u8> = (0..n).map(|_| rng.u8(0..2)).collect();
        labels[0] = 0;
        labels[1] = 1;
        let values: Vec<f64> = (0..n).map(|_| (rng.f64() * 10.0).round() / 4.0).collect();
        let s = separability(&values, &labels).unwrap();
        let mut best = 0;
        let mut cuts: Vec<f64> = values.clone();
        cuts.push(f64::NEG_INFINITY);
        for &t in &cuts {
            for above in [true, false] {
                let correct = values
                    .iter()
                    .zip(&labels)
                    .filter(|(&v, &l)| (v > t) == ((l == 1) == above))
                    .count();
                best = best.max(correct);
            }
        }
        assert_eq!(s.correct, best, "values {values:?} labels {labels:?}");
        if let Some(t) = s.threshold {
            let correct = values
                .iter()
                .zip(&labels)
                .filter(|(&v, &l)| (v > t) == ((l == 1) == s.class1_above))
                .count();
            assert_eq!(
                correct, s.correct,
                "the reported threshold must achieve the accuracy"
            );
        }
    }
}

#[test]
fn constant_classes_with_different_means_have_infinite_fisher() {
    let s = separability(&[1.0, 1.0, 3.0, 3.0], &[0, 0, 1, 1]).unwrap();
    assert_eq!(s.fisher, f64::INFINITY);
    assert_eq!(s.accuracy, 1.0);
}

fn bad_input_message(r: normscope::Result<normscope::classify::Separability>) -> String {
    match r {
        Err(Error::BadInput(m)) => m,
        other => panic!("expected BadInput, got {other:?}"),
    }
}

#[test]
fn bad_inputs_are_refused_with_a_reason() {
    let m = bad_input_message(separability(&[1.0, 2.0], &[0]));
    assert!(m.contains("2 values but 1 labels"), "{m}");
    let m = bad_input_message(separability(&[], &[]));
    assert!(m.contains("no values"), "{m}");
    let m = bad_input_message(separability(&[1.0, 2.0, 3.0], &[1, 1, 1]));
    assert!(m.contains("at least one value of each"), "{m}");
    let m = bad_input_message(separability(&[1.0, 2.0], &[0, 2]));
    assert!(m.contains("labels must be 0 or 1"), "{m}");
    let m = bad_input_message(separability(&[1.0, f64::NAN], &[0, 1]));
    assert!(m.contains("finite"), "{m}");
}
