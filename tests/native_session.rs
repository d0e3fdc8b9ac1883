//! The page's session logic, tested natively: batch management, the probe's
//! two rows, feature-map mode, train/eval, and the figures the page shows.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use image::{DynamicImage, RgbImage};
use normscope::norm::NormKind;
use normscope::session::{BnMode, Column, Params, Row, Session, MAX_IMAGES};
use normscope::{Adjustment, Error};

fn photo(name: &str) -> DynamicImage {
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    normscope::file::decode_image(&bytes, &Default::default()).unwrap()
}

/// A session of three real photos at 32×32.
fn session() -> Session {
    let mut s = Session::new(32).unwrap();
    for name in ["chelsea.png", "coffee.png", "rocket.jpg"] {
        s.add_image(name, photo(name)).unwrap();
    }
    s
}

fn invariance(s: &Session, kind: NormKind) -> f64 {
    s.readout()
        .unwrap()
        .kinds
        .into_iter()
        .find(|k| k.kind == kind)
        .unwrap()
        .invariance
        .max_abs
}

fn contrast(a: f32, b: f32) -> Adjustment {
    Adjustment {
        contrast: a,
        brightness: b,
        ..Adjustment::default()
    }
}

#[test]
fn an_affine_change_of_the_probe_leaves_instance_layer_group_and_moves_batch() {
    let mut s = session();
    s.set_adjustment(0, contrast(0.5, 0.15)).unwrap();
    s.compute().unwrap();
    for kind in [NormKind::Instance, NormKind::Layer, NormKind::Group] {
        assert!(
            invariance(&s, kind) < 1e-2,
            "{kind} changed by {}",
            invariance(&s, kind)
        );
    }
    assert!(invariance(&s, NormKind::Batch) > 0.3);
    let readout = s.readout().unwrap();
    assert!(
        readout
            .kinds
            .iter()
            .find(|k| k.kind == NormKind::Instance)
            .unwrap()
            .unchanged
    );
    assert!(
        !readout
            .kinds
            .iter()
            .find(|k| k.kind == NormKind::Batch)
            .unwrap()
            .unchanged
    );
}

#[test]
fn panels_match_a_direct_normalization_of_the_batch() {
    let mut s = session();
    s.set_probe(1).unwrap();
    s.set_adjustment(0, contrast(1.7, -0.1)).unwrap(); // a neighbour's adjustment enters the batch
    s.compute().unwrap();
    let batch = s.batch().unwrap();
    for kind in [NormKind::Batch, NormKind::Instance, NormKind::Layer] {
        let cfg = normscope::NormConfig::new(kind);
        let direct = normscope::normalize(batch.view(), &cfg).unwrap();
        let panel = s.panel_values(Row::Original, Column::Output(kind)).unwrap();
        let err = panel
            .iter()
            .zip(direct.index_axis(ndarray::Axis(0), 1).iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(
            err < 1e-5,
            "{kind}: panel differs from normalize() by {err}"
        );
    }
}

#[test]
fn gamma_and_clipping_break_instance_invariance() {
    for adj in [
        Adjustment {
            gamma: 2.2,
            ..Adjustment::default()
        },
        Adjustment {
            contrast: 3.0,
            clip: true,
            ..Adjustment::default()
        },
    ] {
        let mut s = session();
        s.set_adjustment(0, adj).unwrap();
        s.compute().unwrap();
        assert!(invariance(&s, NormKind::Instance) > 0.1, "{adj:?}");
    }
}

#[test]
fn a_batch_of_one_makes_batch_norm_equal_instance_norm() {
    let mut s = Session::new(32).unwrap();
    s.add_image("cat", photo("chelsea.png")).unwrap();
    s.set_adjustment(0, contrast(0.6, 0.1)).unwrap();
    s.compute().unwrap();
    for row in [Row::Original, Row::Adjusted] {
        let b = s
            .panel_values(row, Column::Output(NormKind::Batch))
            .unwrap()
            .to_owned();
        let i = s
            .panel_values(row, Column::Output(NormKind::Instance))
            .unwrap()
            .to_owned();
        assert_eq!(b, i);
    }
}

#[test]
fn eval_mode_passes_a_contrast_change_straight_through() {
    let mut s = session();
    s.train(20, 4, 7).unwrap();
    assert_eq!(s.running().steps, 20);
    assert_eq!(s.history().len(), 20);
    s.set_bn_mode(BnMode::Eval);
    s.set_adjustment(0, contrast(0.5, 0.0)).unwrap();
    s.compute().unwrap();
    // Evaluation mode is y = (x − m)/s per channel: contrast a around 0.5
    // gives y' − y = (a − 1)(x − 0.5)/s exactly.
    let orig = s
        .panel_values(Row::Original, Column::Output(NormKind::Batch))
        .unwrap()
        .to_owned();
    let adj = s
        .panel_values(Row::Adjusted, Column::Output(NormKind::Batch))
        .unwrap()
        .to_owned();
    let input = s
        .panel_values(Row::Original, Column::Input)
        .unwrap()
        .to_owned();
    for c in 0..3 {
        let sd = (s.running().var[c] + 1e-5).sqrt();
        for ((o, a), x) in orig
            .index_axis(ndarray::Axis(0), c)
            .iter()
            .zip(adj.index_axis(ndarray::Axis(0), c))
            .zip(input.index_axis(ndarray::Axis(0), c))
        {
            let want = -0.5 * (*x as f64 - 0.5) / sd;
            assert!(((a - o) as f64 - want).abs() < 1e-4);
        }
    }
    s.reset_running();
    assert_eq!(s.running().steps, 0);
    assert!(s.history().is_empty());
}

#[test]
fn feature_map_mode_keeps_instance_invariance_and_has_six_channels() {
    let mut s = session();
    s.set_feature_maps(true);
    assert_eq!(s.channels(), 6);
    s.set_params(Params {
        groups: 2,
        ..Params::default()
    })
    .unwrap();
    s.set_adjustment(0, contrast(0.5, 0.15)).unwrap();
    s.compute().unwrap();
    assert!(invariance(&s, NormKind::Instance) < 1e-2);
    assert!(invariance(&s, NormKind::Batch) > 0.3);
    let out = s
        .panel_values(Row::Original, Column::Output(NormKind::Group))
        .unwrap();
    assert_eq!(out.dim().0, 6);
    // Contrast around mid-grey also shifts the values (x ← 0.5·x + 0.25), and
    // the shift lands on the blur map only: group norm changes...
    s.set_adjustment(0, contrast(0.5, 0.0)).unwrap();
    s.compute().unwrap();
    assert!(invariance(&s, NormKind::Group) > 0.1);
    // ...while a pure scaling (x ← 0.5·x) scales every map alike: unchanged.
    s.set_adjustment(0, contrast(0.5, -0.25)).unwrap();
    s.compute().unwrap();
    assert!(invariance(&s, NormKind::Group) < 1e-2);
    // Back to RGB: G = 2 does not divide 3, so it falls back to 1.
    s.set_feature_maps(false);
    assert_eq!(s.params().groups, 1);
    assert_eq!(s.running().mean.len(), 3);
}

#[test]
fn scope_statistics_cover_the_right_number_of_values() {
    let mut s = session();
    s.compute().unwrap();
    let plane = 32 * 32;
    assert_eq!(
        s.scope_stats(NormKind::Batch, 1, 0).unwrap().count,
        3 * plane
    );
    assert_eq!(
        s.scope_stats(NormKind::Instance, 1, 0).unwrap().count,
        plane
    );
    assert_eq!(
        s.scope_stats(NormKind::Layer, 1, 0).unwrap().count,
        3 * plane
    );
    assert!(s.scope_stats(NormKind::BatchInstance, 0, 0).is_err());
    assert!(s.scope_stats(NormKind::Instance, 0, 3).is_err());
    // Instance statistics are the probe's own channel mean.
    let mean = s.readout().unwrap().input.original[0].mean;
    assert!((s.scope_stats(NormKind::Instance, 0, 0).unwrap().mean - mean).abs() < 1e-12);
}

#[test]
fn output_means_are_zero_after_instance_norm_but_not_after_batch_norm() {
    let mut s = session();
    s.compute().unwrap();
    let inst = s.output_means(NormKind::Instance).unwrap();
    assert!(inst.iter().flatten().all(|m| m.abs() < 1e-9));
    let batch = s.output_means(NormKind::Batch).unwrap();
    assert!(batch.iter().flatten().any(|m| m.abs() > 0.1));
    // Averaged over the batch, batch-norm means are zero per channel.
    for c in 0..3 {
        let avg: f64 = batch.iter().map(|m| m[c]).sum::<f64>() / batch.len() as f64;
        assert!(avg.abs() < 1e-9);
    }
}

#[test]
fn neighbours_move_batch_norm_only() {
    let s = {
        let mut s = session();
        s.compute().unwrap();
        s
    };
    let figures = s.neighbour_sensitivity(3).unwrap();
    for (kind, d) in figures {
        match kind {
            NormKind::Batch | NormKind::BatchInstance => assert!(d.max_abs > 0.01, "{kind}"),
            _ => assert_eq!(d.max_abs, 0.0, "{kind}"),
        }
    }
}

#[test]
fn removing_and_moving_keep_the_probe_on_its_image() {
    let mut s = session();
    s.set_probe(2).unwrap();
    s.move_image(2, 0).unwrap();
    assert_eq!(s.probe(), 0);
    assert_eq!(s.name(0).unwrap(), "rocket.jpg");
    s.remove(1).unwrap();
    assert_eq!(s.probe(), 0);
    assert_eq!(s.len(), 2);
    s.remove(0).unwrap();
    assert_eq!(s.name(s.probe()).unwrap(), "coffee.png");
    assert!(matches!(s.remove(5), Err(Error::BadInput(_))));
    assert!(matches!(s.set_probe(9), Err(Error::BadInput(_))));
}

#[test]
fn bad_inputs_get_errors_and_leave_the_batch_intact() {
    let mut s = session();
    let err = s
        .add_encoded("notes.png", b"hello, not an image")
        .unwrap_err();
    assert!(err.to_string().contains("notes.png"), "{err}");
    let err = s.add_rgba("short.raw", &[0u8; 10], 4, 4).unwrap_err();
    assert!(err.to_string().contains("short.raw"), "{err}");
    assert_eq!(s.len(), 3);
    assert!(s.set_size(8).is_err());
    assert!(s.set_adjustment(0, contrast(0.0, 0.0)).is_err());
    assert!(s
        .set_params(Params {
            groups: 2,
            ..Params::default()
        })
        .is_err());
    assert!(s.set_momentum(0.0).is_err());
    assert!(s.train(1, 0, 1).is_err());
    assert!(Session::new(32).unwrap().compute().is_err());
}

#[test]
fn a_batch_holds_at_most_the_documented_number_of_images() {
    let mut s = Session::new(16).unwrap();
    let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(20, 20, image::Rgb([10, 200, 30])));
    for k in 0..MAX_IMAGES {
        s.add_image(&format!("{k}"), img.clone()).unwrap();
    }
    assert!(matches!(
        s.add_image("one too many", img),
        Err(Error::TooLarge(_))
    ));
}

#[test]
fn changing_the_working_size_refits_every_image() {
    let mut s = session();
    s.set_size(64).unwrap();
    s.compute().unwrap();
    assert_eq!(
        s.panel_values(Row::Original, Column::Input).unwrap().dim(),
        (3, 64, 64)
    );
    assert_eq!(
        s.panel_rgba(Row::Adjusted, Column::Difference(NormKind::Batch))
            .unwrap()
            .len(),
        4 * 64 * 64
    );
}

#[test]
fn replacing_neighbours_moves_the_probe_through_batch_norm_but_shuffling_does_not() {
    let mut s = session();
    s.pin_probe().unwrap();
    // Shuffle: batch statistics do not depend on order.
    s.move_image(2, 1).unwrap();
    for (kind, d) in s.change_since_pin().unwrap() {
        assert!(
            d.max_abs < 1e-6,
            "{kind} moved by {} after a shuffle",
            d.max_abs
        );
    }
    // Replace both neighbours with another photo.
    s.remove(2).unwrap();
    s.remove(1).unwrap();
    s.add_image("camera", photo("camera.png")).unwrap();
    s.add_image("camera again", photo("camera.png")).unwrap();
    for (kind, d) in s.change_since_pin().unwrap() {
        match kind {
            NormKind::Batch | NormKind::BatchInstance => assert!(d.max_abs > 0.05, "{kind}"),
            _ => assert!(d.max_abs < 1e-6, "{kind} moved by {}", d.max_abs),
        }
    }
    // A different probe is refused rather than compared with the wrong image.
    s.set_probe(1).unwrap();
    assert!(matches!(s.change_since_pin(), Err(Error::BadInput(_))));
}

/// Everything the page reads for the probe: the readout, every panel's
/// values and moments, and every panel's pixels (difference maps too).
fn everything_shown(s: &mut Session) -> (String, Vec<Vec<f32>>, Vec<Vec<u8>>) {
    let readout = serde_json::to_string(&s.readout().unwrap()).unwrap();
    let mut columns = vec![Column::Input];
    columns.extend(NormKind::PAGE.iter().map(|&k| Column::Output(k)));
    let mut values = Vec::new();
    let mut pixels = Vec::new();
    for row in [Row::Original, Row::Adjusted] {
        for &column in &columns {
            values.push(
                s.panel_values(row, column)
                    .unwrap()
                    .iter()
                    .copied()
                    .collect(),
            );
            let m = s.panel_moments(row, column).unwrap();
            values.push(
                m.iter()
                    .flat_map(|m| [m.mean as f32, m.var as f32])
                    .collect(),
            );
            pixels.push(s.panel_rgba(row, column).unwrap().to_vec());
        }
    }
    for &kind in &NormKind::PAGE {
        pixels.push(
            s.panel_rgba(Row::Original, Column::Difference(kind))
                .unwrap()
                .to_vec(),
        );
    }
    (readout, values, pixels)
}

/// What the steps below change: the probe's and a neighbour's adjustment,
/// the kinds' parameters and batch norm's mode.
#[derive(Clone, Copy)]
struct State {
    probe: Adjustment,
    other: Adjustment,
    params: Params,
    mode: BnMode,
}

impl State {
    fn apply(&self, s: &mut Session) {
        s.set_adjustment(0, self.probe).unwrap();
        s.set_adjustment(2, self.other).unwrap();
        s.set_params(self.params).unwrap();
        s.set_bn_mode(self.mode);
    }
}

#[test]
fn after_any_sequence_of_changes_the_session_shows_what_a_fresh_one_does() {
    // The session keeps what a change leaves valid (the original row when
    // only the probe's adjustment moves; the probe when a neighbour's
    // does): after every step it must show what computing afresh shows.
    let mut s = session();
    s.compute().unwrap();
    let mut state = State {
        probe: Adjustment::default(),
        other: Adjustment::default(),
        params: Params::default(),
        mode: BnMode::Train,
    };
    let steps: [fn(&mut State); 11] = [
        |t| t.probe = contrast(0.5, 0.15),
        |t| t.probe = contrast(1.7, -0.1),
        |t| t.probe.gamma = 2.0,
        |t| t.other = contrast(2.0, 0.1),
        |t| t.probe = contrast(0.8, 0.0),
        |t| t.params.groups = 1,
        |t| t.params.rho = 0.2,
        |t| t.probe.clip = true,
        |t| t.mode = BnMode::Eval,
        |t| t.probe = contrast(2.5, 0.2),
        |t| t.other = Adjustment::default(),
    ];
    for (i, step) in steps.iter().enumerate() {
        step(&mut state);
        state.apply(&mut s);
        s.compute().unwrap();
        let mut fresh = session();
        state.apply(&mut fresh);
        fresh.compute().unwrap();
        let want = everything_shown(&mut fresh);
        assert!(
            everything_shown(&mut s) == want,
            "step {i} differs from a fresh session"
        );
    }
}

#[test]
fn computing_some_kinds_reads_out_those_with_the_figures_of_a_full_compute() {
    let mut s = session();
    s.set_adjustment(0, contrast(0.5, 0.15)).unwrap();
    s.compute_kinds(&[NormKind::Instance, NormKind::Batch])
        .unwrap();
    let some = s.readout().unwrap();
    let kinds: Vec<NormKind> = some.kinds.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, [NormKind::Batch, NormKind::Instance]);
    // A kind not computed is filled when its panel is read (no "compute
    // first" order to get wrong), and the readout then lists it too.
    let layer = s
        .panel_values(Row::Adjusted, Column::Output(NormKind::Layer))
        .unwrap()
        .to_owned();
    let kinds: Vec<NormKind> = s.readout().unwrap().kinds.iter().map(|k| k.kind).collect();
    assert_eq!(
        kinds,
        [NormKind::Batch, NormKind::Instance, NormKind::Layer]
    );
    s.compute().unwrap();
    assert_eq!(
        s.panel_values(Row::Adjusted, Column::Output(NormKind::Layer))
            .unwrap(),
        layer
    );
    let all = s.readout().unwrap();
    assert_eq!(all.kinds.len(), NormKind::PAGE.len());
    for k in &some.kinds {
        let full = all.kinds.iter().find(|f| f.kind == k.kind).unwrap();
        assert_eq!(
            serde_json::to_string(k).unwrap(),
            serde_json::to_string(full).unwrap()
        );
    }
    // A slider move makes every kind stale again; asking for one computes one.
    s.set_adjustment(0, contrast(2.0, 0.0)).unwrap();
    s.compute_kinds(&[NormKind::Layer]).unwrap();
    let kinds: Vec<NormKind> = s.readout().unwrap().kinds.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, [NormKind::Layer]);
}

#[test]
fn readout_figures_are_the_moments_and_differences_of_the_panels() {
    // The session measures its outputs while it writes them: the figures
    // must be those of the values in the panels.
    let mut s = session();
    s.set_adjustment(0, contrast(1.8, -0.2)).unwrap();
    s.compute().unwrap();
    let r = s.readout().unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
    for k in &r.kinds {
        let column = Column::Output(k.kind);
        let o = s.panel_values(Row::Original, column).unwrap();
        let a = s.panel_values(Row::Adjusted, column).unwrap();
        for (stats, values) in [(&k.output.original, o), (&k.output.adjusted, a)] {
            for (st, m) in stats.iter().zip(normscope::stats::channel_moments(values)) {
                assert!(
                    close(st.mean, m.mean) && close(st.std, m.std()),
                    "{}",
                    k.kind
                );
            }
        }
        let d = normscope::stats::difference(&o, &a).unwrap();
        assert_eq!(k.invariance.max_abs, d.max_abs, "{}", k.kind);
        assert!(close(k.invariance.rms, d.rms), "{}", k.kind);
    }
    let adjusted_input = s.panel_values(Row::Adjusted, Column::Input).unwrap();
    for (st, m) in r
        .input
        .adjusted
        .iter()
        .zip(normscope::stats::channel_moments(adjusted_input))
    {
        assert!(close(st.mean, m.mean) && close(st.std, m.std()));
    }
}

#[test]
fn the_version_moves_with_everything_but_the_probes_own_adjustment() {
    let mut s = session();
    s.compute().unwrap();
    let v = s.version();
    s.set_adjustment(0, contrast(1.9, 0.1)).unwrap();
    s.compute().unwrap();
    assert_eq!(s.version(), v, "a probe slider move");
    let changes: [fn(&mut Session); 7] = [
        |s| s.set_adjustment(1, contrast(0.7, 0.0)).unwrap(),
        |s| s.set_probe(2).unwrap(),
        |s| {
            s.set_params(Params {
                groups: 1,
                ..Params::default()
            })
            .unwrap()
        },
        |s| s.set_bn_mode(BnMode::Eval),
        |s| s.train(1, 2, 7).unwrap(),
        |s| s.set_feature_maps(true),
        |s| s.set_size(24).unwrap(),
    ];
    for (i, change) in changes.iter().enumerate() {
        let before = s.version();
        change(&mut s);
        assert_ne!(s.version(), before, "change {i}");
    }
}

#[test]
fn every_reader_fills_what_it_needs_without_a_compute_first() {
    // Readers on a session that was never computed give what a computed
    // session gives: there is no order of calls to get wrong.
    let mut computed = session();
    computed.set_adjustment(0, contrast(0.6, 0.1)).unwrap();
    computed.compute().unwrap();
    let mut lazy = session();
    lazy.set_adjustment(0, contrast(0.6, 0.1)).unwrap();
    assert_eq!(
        lazy.scope_stats(NormKind::Batch, 1, 2).unwrap(),
        computed.scope_stats(NormKind::Batch, 1, 2).unwrap()
    );
    assert_eq!(
        lazy.output_means(NormKind::Group).unwrap(),
        computed.output_means(NormKind::Group).unwrap()
    );
    assert_eq!(
        lazy.output_value(NormKind::Instance, 0, 1, 3, 4).unwrap(),
        computed
            .output_value(NormKind::Instance, 0, 1, 3, 4)
            .unwrap()
    );
    assert_eq!(
        lazy.panel_rgba(Row::Adjusted, Column::Difference(NormKind::Batch))
            .unwrap()
            .to_vec(),
        computed
            .panel_rgba(Row::Adjusted, Column::Difference(NormKind::Batch))
            .unwrap()
            .to_vec()
    );
    assert_eq!(
        serde_json::to_string(&lazy.readout().unwrap()).unwrap(),
        serde_json::to_string(&computed.readout().unwrap()).unwrap()
    );
    // An empty batch says so, whatever is read.
    let empty = Session::new(32).unwrap();
    for err in [
        empty.readout().map(|_| ()).unwrap_err(),
        empty
            .panel_values(Row::Original, Column::Input)
            .map(|_| ())
            .unwrap_err(),
        empty.change_since_pin().map(|_| ()).unwrap_err(),
    ] {
        assert!(matches!(err, Error::BadInput(_)), "{err:?}");
    }
    assert!(empty.readout().unwrap_err().to_string().contains("empty"));
}
