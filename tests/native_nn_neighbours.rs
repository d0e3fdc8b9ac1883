#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! The lab's experiments 5 and 7 in the engine: which kinds let one image
//! move another's output (exactly zero off the diagonal for per-image
//! kinds), the same image among other companions, batch-instance's ρ, and
//! that measuring never changes the run.

use normscope::nn::data::{bundled_photos, Dataset, Task};
use normscope::nn::neighbours::{neighbour_batches, neighbours, rho, NEIGHBOURS};
use normscope::nn::{NormKind, TrainConfig, Trainer};

fn small(task: Task, norm: NormKind) -> TrainConfig {
    TrainConfig {
        task,
        norm,
        groups: 2,
        steps: 12,
        batch: 8,
        lr: 0.05,
        widths: [8, 8, 16],
        eval_every: 1000,
        ..TrainConfig::default()
    }
}

fn trainer(task: Task, norm: NormKind) -> Trainer {
    let cfg = small(task, norm);
    Trainer::new(cfg, Dataset::build(task, 1, &bundled_photos()).unwrap()).unwrap()
}

fn off_diagonal_max(m: &[Vec<f32>]) -> f32 {
    let mut worst = 0.0f32;
    for (i, row) in m.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if i != j {
                worst = worst.max(v);
            }
        }
    }
    worst
}

#[test]
fn off_diagonal_is_exactly_zero_for_per_image_kinds_and_not_for_batch_ones() {
    for norm in NormKind::ALL {
        let mut t = trainer(Task::WhatIsIt, norm);
        for _ in 0..6 {
            t.step().unwrap();
        }
        let m = neighbours(&t).unwrap();
        assert_eq!(m.influence.len(), NEIGHBOURS);
        assert!(m.influence.iter().all(|r| r.len() == NEIGHBOURS));
        let diag: Vec<f32> = (0..NEIGHBOURS).map(|i| m.influence[i][i]).collect();
        assert!(
            diag.iter().all(|&d| d > 0.0),
            "{norm}: darkening an image moves its own output ({diag:?})"
        );
        let off = off_diagonal_max(&m.influence);
        match norm {
            NormKind::None | NormKind::Instance | NormKind::Layer | NormKind::Group => {
                assert_eq!(off, 0.0, "{norm}: no image may move another's output");
                let s = &m.same_image;
                assert_eq!(s.batch_a, s.batch_b, "{norm}: the companions do not matter");
            }
            NormKind::Batch | NormKind::BatchInstance | NormKind::Ibn => {
                assert!(
                    off > 1e-6,
                    "{norm}: the batch statistics carry other images in ({off})"
                );
                let s = &m.same_image;
                assert_ne!(
                    s.batch_a, s.batch_b,
                    "{norm}: other companions, other output"
                );
            }
        }
        let s = &m.same_image;
        for p in [&s.batch_a, &s.batch_b, &s.eval] {
            let sum: f32 = p.iter().sum();
            assert!(
                (sum - 1.0).abs() < 1e-5,
                "{norm}: probabilities sum to 1 ({sum})"
            );
        }
    }
}

#[test]
fn measuring_leaves_the_run_exactly_as_it_was() {
    for norm in [
        NormKind::Batch,
        NormKind::BatchInstance,
        NormKind::Ibn,
        NormKind::Instance,
    ] {
        let mut plain = trainer(Task::WhatIsIt, norm);
        let mut measured = trainer(Task::WhatIsIt, norm);
        while !plain.is_done() {
            plain.step().unwrap();
        }
        let mut snapshots = Vec::new();
        while !measured.is_done() {
            if measured.steps_done().is_multiple_of(4) {
                snapshots.push(neighbours(&measured).unwrap());
                rho(&measured);
            }
            measured.step().unwrap();
        }
        snapshots.push(neighbours(&measured).unwrap());
        assert_eq!(
            plain.record(),
            measured.record(),
            "{norm}: same record, running statistics included"
        );
        // Measuring twice gives the same numbers (nothing inside moved).
        assert_eq!(neighbours(&measured).unwrap(), snapshots.pop().unwrap());
    }
}

#[test]
fn the_measured_batch_mixes_the_classes_and_the_second_batch_has_other_companions() {
    for task in Task::ALL {
        let d = Dataset::build(task, 1, &bundled_photos()).unwrap();
        let k = d.num_classes();
        let (a, b) = neighbour_batches(&d.test_y, k, NEIGHBOURS).unwrap();
        assert_eq!(a.len(), NEIGHBOURS);
        assert_eq!(b.len(), NEIGHBOURS - 1);
        for (n, &i) in a.iter().enumerate() {
            assert_eq!(d.test_y[i] as usize, n % k, "{task}: classes in turn");
        }
        assert!(b
            .iter()
            .all(|i| !a.contains(i) && d.test_y[*i] as usize == k - 1));
    }
    assert!(neighbour_batches(&[0, 0, 1], 2, 8).is_err());
}

#[test]
fn rho_is_batch_instance_only_and_starts_halfway() {
    let t = trainer(Task::DayOrNight, NormKind::BatchInstance);
    let r = rho(&t);
    assert_eq!(r.iter().map(Vec::len).collect::<Vec<_>>(), vec![8, 8, 16]);
    assert!(r.iter().flatten().all(|&v| v == 0.5));
    assert_eq!(r, t.record().rho);
    assert!(rho(&trainer(Task::WhatIsIt, NormKind::Ibn)).is_empty());
}

#[test]
fn a_batch_smaller_than_the_measured_one_is_refused_with_a_message() {
    let cfg = TrainConfig {
        batch: 4,
        ..small(Task::WhatIsIt, NormKind::Batch)
    };
    let t = Trainer::new(
        cfg,
        Dataset::build(Task::WhatIsIt, 1, &bundled_photos()).unwrap(),
    )
    .unwrap();
    let e = neighbours(&t).unwrap_err().to_string();
    assert!(e.contains("at least 8"), "{e}");
}
