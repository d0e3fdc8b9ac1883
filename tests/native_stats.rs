#![cfg(not(target_arch = "wasm32"))]
//! Histograms, differences, and the invariance / neighbour figures.

use ndarray::{Array3, Array4};
use normscope::experiment::{invariance, neighbour_sensitivity, UNCHANGED_TOLERANCE};
use normscope::explain::{stats_report, ExplainOptions};
use normscope::stats::{channel_histograms, channel_moments, difference, histogram};
use normscope::{Adjustment, Error, NormConfig, NormKind};

const FIXTURES: [&str; 4] = ["chelsea.png", "coffee.png", "rocket.jpg", "camera.png"];

/// The fixture photos as an N×3×side×side batch in [0, 1], decoded with
/// the image crate directly (independent of src/file/ and src/tensor.rs).
fn photo_batch(side: u32) -> Array4<f32> {
    let s = side as usize;
    let mut batch = Array4::<f32>::zeros((FIXTURES.len(), 3, s, s));
    for (n, name) in FIXTURES.iter().enumerate() {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let img = image::open(&path).expect("fixture decodes").to_rgb8();
        let img = image::imageops::resize(&img, side, side, image::imageops::FilterType::Triangle);
        for (x, y, p) in img.enumerate_pixels() {
            for c in 0..3 {
                batch[[n, c, y as usize, x as usize]] = p[c] as f32 / 255.0;
            }
        }
    }
    batch
}

/// A batch of uniform random values in [0, 1] (σ ≈ 0.29 per channel).
fn random_batch(seed: u64, shape: (usize, usize, usize, usize)) -> Array4<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    Array4::from_shape_simple_fn(shape, || rng.f32())
}

fn kinds_that_stay_in_one_image() -> Vec<NormConfig> {
    vec![
        NormConfig::new(NormKind::Instance),
        NormConfig::new(NormKind::Layer),
        NormConfig::new(NormKind::Group).with_groups(3),
    ]
}

fn affine_adjustments() -> Vec<Adjustment> {
    [(0.5, 0.0), (2.0, 0.0), (0.5, 0.1), (2.0, -0.2), (1.0, 0.3)]
        .into_iter()
        .map(|(contrast, brightness)| Adjustment {
            contrast,
            brightness,
            ..Adjustment::default()
        })
        .collect()
}

#[test]
fn histogram_places_values_on_the_right_side_of_each_edge() {
    let values = [0.0f32, 0.24, 0.25, 0.5, 0.74, 0.99, 1.0, -0.1, 1.1, 7.0];
    let h = histogram(values, 0.0, 1.0, 4).expect("valid histogram");
    assert_eq!(h.edges(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    // [0, .25): 0.0, 0.24 | [.25, .5): 0.25 | [.5, .75): 0.5, 0.74 | [.75, 1]: 0.99, 1.0
    assert_eq!(h.counts, vec![2, 1, 2, 2]);
    assert_eq!(h.below, 1);
    assert_eq!(h.above, 2);
    assert_eq!(h.total(), values.len() as u64);
}

#[test]
fn histogram_counts_every_value_of_a_normalized_photo() {
    let batch = photo_batch(48);
    let y = normscope::normalize(batch.view(), &NormConfig::new(NormKind::Instance))
        .expect("normalizes");
    let image = y.index_axis(ndarray::Axis(0), 0);
    let hists = channel_histograms(image, -1.0, 1.0, 16).expect("valid histograms");
    assert_eq!(hists.len(), 3);
    for h in &hists {
        assert_eq!(h.counts.len(), 16);
        assert_eq!(h.total(), 48 * 48);
        // A standardized channel has values beyond ±1 on both sides.
        assert!(h.below > 0 && h.above > 0, "{h:?}");
    }
}

#[test]
fn histogram_rejects_zero_bins_and_empty_ranges() {
    for (lo, hi, bins) in [
        (0.0, 1.0, 0),
        (1.0, 1.0, 8),
        (2.0, 1.0, 8),
        (0.0, f32::NAN, 8),
    ] {
        let err = histogram([0.5f32], lo, hi, bins).expect_err("must be refused");
        assert!(matches!(err, Error::BadInput(_)), "{err:?}");
    }
}

#[test]
fn channel_moments_are_per_channel() {
    let img = Array3::from_shape_vec((2, 1, 4), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0, 5.0])
        .expect("shape");
    let m = channel_moments(img.view());
    assert_eq!(m.len(), 2);
    assert_eq!((m[0].mean, m[0].var), (2.5, 1.25));
    assert_eq!((m[1].mean, m[1].var), (5.0, 0.0));
}

#[test]
fn difference_reports_max_and_rms() {
    let a = ndarray::arr1(&[0.0f32, 1.0, 2.0, 3.0]);
    let b = ndarray::arr1(&[0.0f32, 1.0, 2.0, 1.0]);
    let d = difference(&a.view(), &b.view()).expect("same shape");
    assert_eq!(d.max_abs, 2.0);
    assert_eq!(d.rms, 1.0); // sqrt(4 / 4)
    let c = ndarray::arr1(&[0.0f32; 3]);
    assert!(matches!(
        difference(&a.view(), &c.view()),
        Err(Error::BadInput(_))
    ));
}

#[test]
fn per_image_kinds_ignore_contrast_and_brightness_batch_norm_does_not() {
    let batch = random_batch(7, (4, 3, 24, 24));
    for adj in affine_adjustments() {
        for cfg in kinds_that_stay_in_one_image() {
            let d = invariance(batch.view(), 1, &adj, &cfg).expect("valid");
            assert!(d.max_abs <= 1e-3, "{:?} under {adj:?}: {d:?}", cfg.kind);
        }
        let d =
            invariance(batch.view(), 1, &adj, &NormConfig::new(NormKind::Batch)).expect("valid");
        assert!(d.max_abs > 0.05, "batch norm under {adj:?}: {d:?}");
    }
}

#[test]
fn on_photos_the_only_change_is_eps_and_it_shrinks_with_eps() {
    let batch = photo_batch(64);
    for adj in affine_adjustments() {
        for cfg in kinds_that_stay_in_one_image() {
            let with_default = invariance(batch.view(), 0, &adj, &cfg).expect("valid");
            // Low-contrast photos (σ ≈ 0.1) at contrast 0.5 move by ~5e-3
            // through eps = 1e-5: still "unchanged" on the page.
            assert!(
                with_default.max_abs <= UNCHANGED_TOLERANCE,
                "{:?} under {adj:?}: {with_default:?}",
                cfg.kind
            );
            let tiny_eps = cfg.clone().with_eps(1e-10);
            let with_tiny = invariance(batch.view(), 0, &adj, &tiny_eps).expect("valid");
            assert!(
                with_tiny.max_abs <= 1e-4,
                "{:?} under {adj:?} with eps 1e-10: {with_tiny:?}",
                cfg.kind
            );
        }
        let bn =
            invariance(batch.view(), 0, &adj, &NormConfig::new(NormKind::Batch)).expect("valid");
        assert!(bn.max_abs > 0.1, "batch norm under {adj:?}: {bn:?}");
    }
}

#[test]
fn gamma_and_clipping_break_instance_invariance() {
    let batch = photo_batch(64);
    let inn = NormConfig::new(NormKind::Instance);
    let gamma = Adjustment {
        gamma: 2.2,
        ..Adjustment::default()
    };
    let clipped = Adjustment {
        contrast: 3.0,
        clip: true,
        ..Adjustment::default()
    };
    for adj in [gamma, clipped] {
        let d = invariance(batch.view(), 0, &adj, &inn).expect("valid");
        assert!(d.max_abs > 0.1, "{adj:?}: {d:?}");
    }
}

#[test]
fn neighbours_do_not_touch_per_image_kinds_but_move_batch_norm() {
    let batch = photo_batch(32);
    let replacement = random_batch(3, batch.dim());
    for cfg in kinds_that_stay_in_one_image() {
        for probe in 0..batch.dim().0 {
            let d = neighbour_sensitivity(batch.view(), probe, replacement.view(), &cfg)
                .expect("valid");
            assert_eq!(d.max_abs, 0.0, "{:?}, probe {probe}", cfg.kind);
        }
    }
    let d = neighbour_sensitivity(
        batch.view(),
        2,
        replacement.view(),
        &NormConfig::new(NormKind::Batch),
    )
    .expect("valid");
    assert!(d.max_abs > 0.05, "{d:?}");
}

#[test]
fn a_probe_outside_the_batch_is_refused() {
    let batch = random_batch(1, (2, 3, 4, 4));
    let cfg = NormConfig::new(NormKind::Instance);
    let err = invariance(batch.view(), 2, &Adjustment::default(), &cfg).expect_err("no image 2");
    assert!(
        matches!(&err, Error::BadInput(m) if m.contains("2 image")),
        "{err:?}"
    );
    let err = neighbour_sensitivity(batch.view(), 5, batch.view(), &cfg).expect_err("no image 5");
    assert!(matches!(err, Error::BadInput(_)), "{err:?}");
    let other = random_batch(1, (3, 3, 4, 4));
    let err =
        neighbour_sensitivity(batch.view(), 0, other.view(), &cfg).expect_err("shapes differ");
    assert!(matches!(err, Error::BadInput(_)), "{err:?}");
}

#[test]
fn stats_report_agrees_with_the_figures_and_serializes() {
    let batch = photo_batch(32);
    let names: Vec<String> = FIXTURES[..2].iter().map(|s| s.to_string()).collect();
    let adj = Adjustment {
        contrast: 0.5,
        ..Adjustment::default()
    };
    let opts = ExplainOptions {
        probe: 1,
        adjustment: adj,
        ..ExplainOptions::default()
    };
    let report = stats_report(batch.view(), &names, &opts).expect("valid");
    assert_eq!(report.images.len(), 4);
    assert_eq!(report.images[1].name, "coffee.png");
    // Names missing from the list get a generic one.
    assert_eq!(report.images[3].name, "image 3");
    for (inv, cfg) in report.invariance.iter().zip(&opts.norms) {
        let direct = invariance(batch.view(), 1, &adj, cfg).expect("valid");
        assert_eq!(inv.difference, direct);
        assert_eq!(inv.unchanged, direct.max_abs <= UNCHANGED_TOLERANCE);
    }
    let kinds: Vec<&str> = report.invariance.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["batch", "instance"]);
    assert!(!report.invariance[0].unchanged && report.invariance[1].unchanged);
    // Instance-normalized channels have mean 0 and std 1 (up to eps).
    let inst = &report.images[2].outputs[1];
    for ch in &inst.channels {
        assert!(
            ch.mean.abs() < 1e-5 && (ch.std - 1.0).abs() < 1e-2,
            "{ch:?}"
        );
    }
    let json = serde_json::to_string(&report).expect("serializes");
    assert!(json.contains("\"max_abs\"") && json.contains("coffee.png"));
}

#[test]
fn stats_report_refuses_bad_options() {
    let batch = random_batch(2, (2, 3, 4, 4));
    let bad = [
        ExplainOptions {
            probe: 2,
            ..ExplainOptions::default()
        },
        ExplainOptions {
            norms: vec![],
            ..ExplainOptions::default()
        },
        ExplainOptions {
            bins: 0,
            ..ExplainOptions::default()
        },
        ExplainOptions {
            norms: vec![NormConfig::new(NormKind::Group).with_groups(2)],
            ..ExplainOptions::default()
        },
    ];
    for opts in bad {
        let err = stats_report(batch.view(), &[], &opts).expect_err("must be refused");
        assert!(matches!(err, Error::BadInput(_)), "{opts:?}: {err:?}");
    }
}

#[test]
fn histograms_of_contiguous_planes_count_as_the_plain_loop_does() {
    // Planes take a faster path (multiplication for power-of-two ranges);
    // every value, edges and NaN included, must land where `histogram` puts it.
    let mut values: Vec<f32> = vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0];
    for k in 0..=400 {
        let x = k as f32 / 50.0 - 4.0;
        values.extend([x, f32::from_bits(x.to_bits() + 1), x * 0.999_999_9]);
    }
    let image = Array3::from_shape_fn((1, 1, values.len()), |(_, _, i)| values[i]);
    for (lo, hi) in [(0.0, 1.0), (-4.0, 4.0), (-1.5, 1.5)] {
        for bins in [1, 7, 48, 64] {
            let fast = channel_histograms(image.view(), lo, hi, bins).expect("valid range");
            let plain = histogram(values.iter(), lo, hi, bins).expect("valid range");
            assert_eq!(fast[0], plain, "[{lo}, {hi}] in {bins} bins");
        }
    }
}

#[test]
fn a_nan_anywhere_shows_in_both_difference_figures() {
    let a = ndarray::arr1(&[0.0f32, 1.0, f32::NAN, 3.0, 4.0, 5.0]);
    let b = ndarray::arr1(&[0.0f32; 6]);
    let d = difference(&a.view(), &b.view()).expect("same shape");
    assert!(d.max_abs.is_nan() && d.rms.is_nan());
}
