#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! The single-value getters the page's formula uses: `input_value` and
//! `output_value` must agree with the panels the grid shows, with the batch
//! the statistics come from, and with `y = (x − μ)/sqrt(σ² + ε)` computed
//! from `scope_stats` (a separate path through the core).

use normscope::session::{BnMode, Column, Row, Session};
use normscope::{Adjustment, NormKind};

const S: u32 = 16;

/// Three synthetic 24×16 photos with different gradients per channel.
fn session() -> Session {
    let (w, h) = (24u32, 16u32);
    let mut s = Session::new(S).unwrap();
    for k in 0..3u32 {
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [
                    (x * 10 + k * 20) as u8,
                    (y * 15) as u8,
                    ((x + y) * 5 + k * 30) as u8,
                    255,
                ]
            })
            .collect();
        s.add_rgba(&format!("img{k}.png"), &rgba, w, h).unwrap();
    }
    // A neighbour with its own adjustment, and an adjusted probe (the
    // original row must ignore the probe's adjustment).
    let adj = Adjustment {
        contrast: 0.5,
        brightness: 0.1,
        ..Adjustment::default()
    };
    s.set_adjustment(2, adj).unwrap();
    s.set_adjustment(
        0,
        Adjustment {
            contrast: 2.0,
            ..adj
        },
    )
    .unwrap();
    s.compute().unwrap();
    s
}

const PIXELS: [(usize, usize); 3] = [(0, 0), (5, 11), (15, 15)];
const KINDS: [NormKind; 4] = [
    NormKind::Batch,
    NormKind::Instance,
    NormKind::Layer,
    NormKind::Group,
];

/// The session in RGB mode and in feature-map mode (C = 6 filter responses).
fn both_modes() -> [Session; 2] {
    let mut features = session();
    features.set_feature_maps(true);
    features.compute().unwrap();
    [session(), features]
}

#[test]
fn input_value_is_the_batch_the_statistics_come_from() {
    for s in both_modes() {
        let batch = s.batch().unwrap();
        let ch = s.channels();
        for image in 0..3 {
            for c in 0..ch {
                for (y, x) in PIXELS {
                    let v = s.input_value(image, c, y, x).unwrap();
                    assert_eq!(v, batch[[image, c, y, x]], "n{image} c{c} of {ch}");
                }
            }
        }
    }
    // In RGB mode the probe's value is the one in its input panel.
    let s = session();
    let probe_panel = s.panel_values(Row::Original, Column::Input).unwrap();
    for c in 0..3 {
        for (y, x) in PIXELS {
            let v = s.input_value(s.probe(), c, y, x).unwrap();
            assert_eq!(v, probe_panel[[c, y, x]]);
        }
    }
}

#[test]
fn output_value_of_the_probe_is_the_panel_value_in_both_modes() {
    for mut s in both_modes() {
        check_probe_outputs(&mut s);
    }
}

fn check_probe_outputs(s: &mut Session) {
    let ch = s.channels();
    for mode in [BnMode::Train, BnMode::Eval] {
        s.set_bn_mode(mode);
        s.train(2, 3, 7).unwrap();
        s.compute().unwrap();
        for kind in NormKind::PAGE {
            let panel = s.panel_values(Row::Original, Column::Output(kind)).unwrap();
            for c in 0..ch {
                for (y, x) in PIXELS {
                    let v = s.output_value(kind, s.probe(), c, y, x).unwrap();
                    assert_eq!(v, panel[[c, y, x]], "{kind} {mode:?} c{c} ({y},{x})");
                }
            }
        }
    }
}

#[test]
fn output_value_is_the_formula_with_the_scope_statistics() {
    for s in both_modes() {
        check_formula(&s);
    }
}

fn check_formula(s: &Session) {
    let eps = s.params().eps;
    for kind in KINDS {
        for image in 0..3 {
            for c in 0..s.channels() {
                let m = s.scope_stats(kind, image, c).unwrap();
                for (y, x) in PIXELS {
                    let xv = s.input_value(image, c, y, x).unwrap() as f64;
                    let expected = (xv - m.mean) / (m.var + eps).sqrt();
                    let got = s.output_value(kind, image, c, y, x).unwrap() as f64;
                    assert!(
                        (got - expected).abs() < 1e-5,
                        "{kind} n{image} c{c}: {got} vs {expected}"
                    );
                }
            }
        }
    }
}

#[test]
fn out_of_range_values_are_refused_with_a_readable_message() {
    let s = session();
    for r in [
        s.input_value(3, 0, 0, 0),
        s.input_value(0, 3, 0, 0),
        s.input_value(0, 0, S as usize, 0),
        s.input_value(0, 0, 0, S as usize),
        s.output_value(NormKind::Batch, 0, 0, 0, S as usize),
    ] {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains("does not exist"), "{msg}");
    }
    let fresh = Session::new(S).unwrap();
    assert!(fresh.output_value(NormKind::Batch, 0, 0, 0, 0).is_err());
}
