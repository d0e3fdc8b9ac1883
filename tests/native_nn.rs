#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! The training engine as the lab and the CLI use it: the tasks, training
//! with every kind, determinism, divergence and bad configurations.

use ndarray::Array4;
use normscope::nn::data::{bundled_photos, shift, Dataset, Photo, Task, PATCH, TASK_PHOTOS};
use normscope::nn::{NormKind, TrainConfig, Trainer};
use normscope::Error;

/// A small, quick configuration (the tests run unoptimised).
fn small(task: Task, norm: NormKind, seed: u64) -> TrainConfig {
    TrainConfig {
        task,
        norm,
        groups: 2,
        steps: 100,
        batch: 8,
        lr: 0.05,
        widths: [8, 8, 16],
        eval_every: 50,
        seed,
        ..TrainConfig::default()
    }
}

fn data(task: Task, seed: u64) -> Dataset {
    Dataset::build(task, seed, &bundled_photos()).unwrap()
}

/// The task with its test set cut to its first 96 patches (shuffled, so
/// every class is there): evaluation dominates an unoptimised test run.
fn quick_data(task: Task, seed: u64) -> Dataset {
    let mut d = data(task, seed);
    d.test_x = d.test_x.slice(ndarray::s![..96, .., .., ..]).to_owned();
    d.test_y.truncate(96);
    d
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

#[test]
fn the_tasks_are_deterministic_balanced_and_in_range() {
    for task in Task::ALL {
        let a = data(task, 5);
        let b = data(task, 5);
        assert_eq!(a, b, "{task}: same seed, same patches");
        assert_ne!(
            a.train_x,
            data(task, 6).train_x,
            "{task}: another seed, other patches"
        );
        assert_eq!(a.train_x.shape()[1..], [3, PATCH, PATCH]);
        assert_eq!(a.train_x.shape()[0], a.train_y.len());
        assert_eq!(a.test_x.shape()[0], a.test_y.len());
        assert!(a
            .train_x
            .iter()
            .chain(a.test_x.iter())
            .all(|v| (0.0..=1.0).contains(v)));
        let k = a.classes.len();
        for y in [&a.train_y, &a.test_y] {
            let mut counts = vec![0usize; k];
            for &l in y.iter() {
                counts[l as usize] += 1;
            }
            let (lo, hi) = (*counts.iter().min().unwrap(), *counts.iter().max().unwrap());
            assert!(lo * 10 >= hi * 8, "{task}: unbalanced classes {counts:?}");
        }
    }
    let what = data(Task::WhatIsIt, 1);
    assert_eq!(what.classes, TASK_PHOTOS.map(String::from).to_vec());
    // Night patches are darker and flatter than day patches.
    let dn = data(Task::DayOrNight, 1);
    let (mut day, mut night) = (Vec::new(), Vec::new());
    for (i, &y) in dn.train_y.iter().enumerate() {
        let m = dn.train_x.slice(ndarray::s![i, .., .., ..]).mean().unwrap();
        if y == 0 {
            day.push(m)
        } else {
            night.push(m)
        }
    }
    assert!(
        mean(&night) < 0.5 * mean(&day),
        "night {} vs day {}",
        mean(&night),
        mean(&day)
    );
}

#[test]
fn test_patches_come_from_rows_training_never_touches() {
    // Mark each photo's rows with their index: a patch's first value then
    // says which row it starts at.
    let photos: Vec<Photo> = bundled_photos()
        .into_iter()
        .map(|p| {
            let rgb = (0..p.width * p.height * 3)
                .map(|i| (i / (p.width * 3)) as u8)
                .collect();
            Photo::from_rgb(&p.name, p.width, p.height, rgb).unwrap()
        })
        .collect();
    let d = Dataset::build(Task::WhatIsIt, 3, &photos).unwrap();
    let top_row = |x: &Array4<f32>, i: usize| (x[(i, 0, 0, 0)] * 255.0).round() as usize;
    let bottom_row = |x: &Array4<f32>, i: usize| (x[(i, 0, PATCH - 1, 0)] * 255.0).round() as usize;
    let train_max = (0..d.train_y.len())
        .map(|i| bottom_row(&d.train_x, i))
        .max()
        .unwrap();
    let test_min = (0..d.test_y.len())
        .map(|i| top_row(&d.test_x, i))
        .min()
        .unwrap();
    assert!(
        train_max < test_min,
        "training rows reach {train_max}, test rows start at {test_min}"
    );
}

#[test]
fn a_shift_is_gamma_then_contrast_around_mid_grey_then_brightness() {
    let x = Array4::from_shape_vec((1, 1, 1, 4), vec![0.0f32, 0.25, 0.5, 1.0]).unwrap();
    assert_eq!(shift(x.view(), 1.0, 0.0, 1.0), x);
    let c = shift(x.view(), 2.0, 0.1, 1.0);
    assert_eq!(
        c.iter().copied().collect::<Vec<_>>(),
        vec![-0.4, 0.1, 0.6, 1.6]
    );
    let g = shift(x.view(), 1.0, 0.0, 2.0);
    assert_eq!(
        g.iter().copied().collect::<Vec<_>>(),
        vec![0.0, 0.0625, 0.25, 1.0]
    );
}

#[test]
fn every_kind_learns_what_is_it() {
    let d = quick_data(Task::WhatIsIt, 1);
    let chance = 1.0 / d.classes.len() as f32;
    for norm in NormKind::ALL {
        let mut t = Trainer::new(small(Task::WhatIsIt, norm, 1), d.clone()).unwrap();
        t.run(|_| {}).unwrap();
        let r = t.record();
        assert_eq!(r.loss.len(), 100);
        let (first, last) = (mean(&r.loss[..10]), mean(&r.loss[90..]));
        assert!(last < 0.95 * first, "{norm}: loss {first} → {last}");
        assert!(
            r.test_accuracy > 1.5 * chance,
            "{norm}: test accuracy {} (chance {chance})",
            r.test_accuracy
        );
        assert_eq!(
            r.test_curve.iter().map(|p| p.step).collect::<Vec<_>>(),
            [50, 100]
        );
        assert_eq!(r.test_curve.last().unwrap().accuracy, r.test_accuracy);
        let contrasts: Vec<f32> = r
            .shift
            .iter()
            .filter(|s| s.brightness == 0.0 && s.gamma == 1.0)
            .map(|s| s.contrast)
            .collect();
        assert_eq!(contrasts, [0.5, 1.0, 2.0]);
        let unshifted = r
            .shift
            .iter()
            .find(|s| s.contrast == 1.0 && s.brightness == 0.0 && s.gamma == 1.0)
            .unwrap();
        assert_eq!(
            unshifted.accuracy, r.test_accuracy,
            "{norm}: the identity shift is the test set"
        );
        // What each kind reports beside the curves.
        let batchy = matches!(
            norm,
            NormKind::Batch | NormKind::BatchInstance | NormKind::Ibn
        );
        assert_eq!(
            r.running.len(),
            if batchy { 3 } else { 0 },
            "{norm}: running statistics"
        );
        if norm == NormKind::Ibn {
            assert_eq!(
                r.running[0].channels,
                (4..8).collect::<Vec<_>>(),
                "ibn: batch norm on the second half of block 1"
            );
            assert_eq!(r.running[1].channels.len(), 8);
        }
        for rs in &r.running {
            assert!(rs.var.iter().all(|&v| v > 0.0 && v.is_finite()));
            assert!(
                rs.mean.iter().any(|&m| m != 0.0),
                "{norm}: running mean never updated"
            );
        }
        if norm == NormKind::BatchInstance {
            assert_eq!(r.rho.len(), 3);
            let all: Vec<f32> = r.rho.concat();
            assert!(all.iter().all(|&p| (0.0..=1.0).contains(&p)));
            assert!(all.iter().any(|&p| p != 0.5), "ρ never moved");
        } else {
            assert!(r.rho.is_empty());
        }
    }
}

#[test]
fn batch_norm_learns_day_or_night_and_instance_norm_barely_can() {
    // Instance norm removes each channel's brightness and contrast, which
    // is what tells night from day here.
    let d = quick_data(Task::DayOrNight, 2);
    let acc = |norm| {
        let mut t = Trainer::new(small(Task::DayOrNight, norm, 2), d.clone()).unwrap();
        t.run(|_| {}).unwrap();
        t.record().test_accuracy
    };
    let (batch, instance) = (acc(NormKind::Batch), acc(NormKind::Instance));
    assert!(batch > 0.9, "batch norm: {batch}");
    assert!(
        instance < batch - 0.1,
        "instance {instance} vs batch {batch}"
    );
}

#[test]
fn the_same_seed_gives_the_same_record_and_another_seed_another() {
    let cfg = TrainConfig {
        steps: 12,
        eval_every: 5,
        ..small(Task::WhatIsIt, NormKind::BatchInstance, 9)
    };
    let run = |cfg: &TrainConfig| {
        let mut t = Trainer::new(cfg.clone(), quick_data(cfg.task, cfg.seed)).unwrap();
        t.run(|_| {}).unwrap();
        serde_json::to_string(&t.record()).unwrap()
    };
    let a = run(&cfg);
    assert_eq!(a, run(&cfg));
    assert_ne!(
        a,
        run(&TrainConfig {
            seed: 10,
            ..cfg.clone()
        })
    );
}

#[test]
fn a_diverging_run_stops_and_says_so() {
    let cfg = TrainConfig {
        lr: 1e6,
        momentum: 0.0,
        ..small(Task::WhatIsIt, NormKind::None, 1)
    };
    let mut t = Trainer::new(cfg, quick_data(Task::WhatIsIt, 1)).unwrap();
    let err = t.run(|_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("diverged at step ") && msg.ends_with(": lower the learning rate"),
        "{msg}"
    );
    assert!(t.is_done());
    assert_eq!(
        t.step().unwrap_err().to_string(),
        msg,
        "further steps refused"
    );
    let r = t.record();
    let d = r.diverged.as_ref().unwrap();
    assert_eq!(d.message, msg);
    assert_eq!(
        r.loss.len() as u32,
        d.step - 1,
        "one loss per completed step"
    );
    assert!(r.loss.iter().all(|l| l.is_finite()), "no garbage numbers");
    assert!(r.shift.is_empty());
}

#[test]
fn bad_configurations_are_refused_with_one_line_naming_the_field() {
    let ok = TrainConfig::default();
    ok.validate().unwrap();
    let cases: Vec<(TrainConfig, &str)> = vec![
        (
            TrainConfig {
                steps: 0,
                ..ok.clone()
            },
            "steps",
        ),
        (
            TrainConfig {
                batch: 0,
                ..ok.clone()
            },
            "batch",
        ),
        (
            TrainConfig {
                lr: 0.0,
                ..ok.clone()
            },
            "learning rate",
        ),
        (
            TrainConfig {
                lr: -0.1,
                ..ok.clone()
            },
            "learning rate",
        ),
        (
            TrainConfig {
                lr: f32::NAN,
                ..ok.clone()
            },
            "learning rate",
        ),
        (
            TrainConfig {
                momentum: 1.0,
                ..ok.clone()
            },
            "momentum",
        ),
        (
            TrainConfig {
                weight_decay: -1.0,
                ..ok.clone()
            },
            "weight decay",
        ),
        (
            TrainConfig {
                widths: [8, 0, 8],
                ..ok.clone()
            },
            "width",
        ),
        (
            TrainConfig {
                norm: NormKind::Group,
                groups: 3,
                ..ok.clone()
            },
            "groups",
        ),
        (
            TrainConfig {
                norm: NormKind::Group,
                groups: 0,
                ..ok.clone()
            },
            "groups",
        ),
        (
            TrainConfig {
                eval_every: 0,
                ..ok.clone()
            },
            "eval_every",
        ),
        (
            TrainConfig {
                eps: 0.0,
                ..ok.clone()
            },
            "eps",
        ),
        (
            TrainConfig {
                bn_momentum: 1.5,
                ..ok.clone()
            },
            "momentum",
        ),
    ];
    for (cfg, needle) in cases {
        let e = cfg.validate().unwrap_err();
        assert!(matches!(e, Error::BadInput(_)), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains(needle) && !m.contains('\n'),
            "{needle:?} not in {m:?}"
        );
        assert!(Trainer::new(cfg, data(Task::WhatIsIt, 1)).is_err());
    }
    // Images the network cannot take.
    let mut d = data(Task::WhatIsIt, 1);
    d.test_x[(0, 0, 0, 0)] = f32::NAN;
    assert!(Trainer::new(ok.clone(), d)
        .unwrap_err()
        .to_string()
        .contains("NaN"));
    let mut d = data(Task::WhatIsIt, 1);
    d.train_y.pop();
    assert!(Trainer::new(ok.clone(), d)
        .unwrap_err()
        .to_string()
        .contains("labels"));
    assert!(Dataset::build(Task::WhatIsIt, 1, &bundled_photos()[..3]).is_err());
    assert!("sideways"
        .parse::<NormKind>()
        .unwrap_err()
        .to_string()
        .contains("none, batch"));
    assert!("dusk"
        .parse::<Task>()
        .unwrap_err()
        .to_string()
        .contains("day-night"));
}
