//! The lab's probes (src/nn/probe.rs): what instance norm leaves in the
//! pooled channels (experiment 3), and batch norm with its running
//! statistics against the test batch's own (experiment 6).
#![cfg(not(target_arch = "wasm32"))]

use normscope::nn::data::bundled_photos;
use normscope::nn::layer::Mode;
use normscope::nn::probe::{test_batches, Grouping, MAX_TEST_BATCH};
use normscope::nn::{Dataset, NormKind, TrainConfig, Trainer};

/// A short run of `norm` on "what is it?" (the race's config, fewer steps).
fn trained(norm: NormKind, steps: u32) -> Trainer {
    let cfg = TrainConfig {
        norm,
        steps,
        ..TrainConfig::default()
    };
    let data = Dataset::build(cfg.task, cfg.seed, &bundled_photos()).expect("the task builds");
    let mut t = Trainer::new(cfg, data).expect("a valid config");
    t.run(|_| {}).expect("a short run does not diverge");
    t
}

#[test]
fn instance_norm_pools_to_beta_for_every_image_and_batch_norm_does_not() {
    let inorm = trained(NormKind::Instance, 12);
    let p = inorm.pooled().expect("pooled");
    let n = inorm.dataset().test_y.len();
    assert_eq!(p.labels, inorm.dataset().test_y);
    assert_eq!(p.norm.len(), 32);
    // β moved away from its initial 0 in training, so "= β" is not "= 0".
    assert!(p.beta.iter().any(|b| b.abs() > 1e-4), "β {:?}", p.beta);
    for (c, values) in p.norm.iter().enumerate() {
        assert_eq!(values.len(), n);
        for (i, &v) in values.iter().enumerate() {
            assert!(
                (v - p.beta[c]).abs() <= 1e-5 * (1.0 + p.beta[c].abs()),
                "channel {c}, image {i}: pooled {v}, β {}",
                p.beta[c]
            );
        }
    }
    // After the ReLU the images differ again (the shape of each distribution).
    let spread = |v: &[f32]| {
        v.iter().copied().fold(f32::MIN, f32::max) - v.iter().copied().fold(f32::MAX, f32::min)
    };
    assert!(p.relu.iter().any(|v| spread(v) > 1e-2));

    let bn = trained(NormKind::Batch, 12);
    let q = bn.pooled().expect("pooled");
    // Batch norm keeps how much of each feature an image has: every channel varies.
    for (c, values) in q.norm.iter().enumerate() {
        assert!(
            spread(values) > 1e-2,
            "batch norm channel {c} is flat: {}",
            spread(values)
        );
    }
    // The classifier's input is what the network's own forward computes.
    let w = &q.weight;
    assert_eq!(w.len(), 32);
    assert!(w.iter().all(|x| x.is_finite() && *x > 0.0));
}

#[test]
fn evaluation_mode_does_not_depend_on_how_the_test_set_is_cut() {
    let t = trained(NormKind::Batch, 8);
    let labels = &t.dataset().test_y;
    let whole = t
        .test_logits(&test_batches(labels, 32, Grouping::Mixed), Mode::Eval)
        .expect("logits");
    for (size, grouping) in [
        (1, Grouping::Mixed),
        (7, Grouping::Mixed),
        (MAX_TEST_BATCH, Grouping::Mixed),
        (5, Grouping::OneClass),
    ] {
        let other = t
            .test_logits(&test_batches(labels, size, grouping), Mode::Eval)
            .expect("logits");
        assert_eq!(
            whole.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            other.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            "batches of {size} ({grouping:?})"
        );
    }
    // And it is the accuracy the trainer reports.
    let stats = t.batch_stats(&[4]).expect("stats");
    let mut again = t.clone();
    assert_eq!(stats.eval.to_bits(), again.test_accuracy().to_bits());
    assert_eq!(stats.eval, t.record().test_accuracy);
}

#[test]
fn with_batch_statistics_an_image_depends_on_its_neighbours() {
    let t = trained(NormKind::Batch, 8);
    let labels = &t.dataset().test_y;
    let k = 6;
    let mixed = t
        .test_logits(&test_batches(labels, 8, Grouping::Mixed), Mode::Train)
        .expect("logits");
    let one = t
        .test_logits(&test_batches(labels, 8, Grouping::OneClass), Mode::Train)
        .expect("logits");
    let eval = t
        .test_logits(&test_batches(labels, 8, Grouping::Mixed), Mode::Eval)
        .expect("logits");
    // The same image, other neighbours: other logits (for most images).
    let moved = (0..labels.len())
        .filter(|&i| mixed[i * k..(i + 1) * k] != one[i * k..(i + 1) * k])
        .count();
    assert!(moved > labels.len() / 2, "only {moved} images changed");
    assert_ne!(mixed, eval);
    // A batch of one has no neighbours: mixed and one-class are the same cut.
    let s = t.batch_stats(&[1, 2, 8, 32]).expect("stats");
    assert_eq!(s.mixed[0].to_bits(), s.one_class[0].to_bits());
    assert_eq!(s.sizes, vec![1, 2, 8, 32]);
    assert!(s
        .mixed
        .iter()
        .chain(&s.one_class)
        .all(|a| (0.0..=1.0).contains(a)));
    // A network without batch channels ignores its neighbours.
    let ln = trained(NormKind::Layer, 4);
    let a = ln
        .test_logits(&test_batches(labels, 8, Grouping::Mixed), Mode::Train)
        .expect("logits");
    let b = ln
        .test_logits(&test_batches(labels, 8, Grouping::OneClass), Mode::Train)
        .expect("logits");
    assert_eq!(a, b);
}

#[test]
fn measuring_changes_neither_the_running_statistics_nor_the_record() {
    let cfg = TrainConfig {
        steps: 10,
        ..TrainConfig::default()
    };
    let data = Dataset::build(cfg.task, cfg.seed, &bundled_photos()).expect("the task builds");
    let mut plain = Trainer::new(cfg.clone(), data.clone()).expect("valid");
    let mut probed = Trainer::new(cfg, data).expect("valid");
    for step in 0..10 {
        plain.step().expect("step");
        probed.step().expect("step");
        if step % 4 == 1 {
            let before = probed.record();
            probed.batch_stats(&[1, 2, 4, 8, 32, 64]).expect("stats");
            probed.pooled().expect("pooled");
            assert_eq!(probed.record(), before, "after step {}", step + 1);
        }
    }
    let (a, b) = (plain.record(), probed.record());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).expect("json"),
        serde_json::to_string(&b).expect("json")
    );
}

#[test]
fn bad_test_batches_get_a_message() {
    let t = trained(NormKind::Batch, 1);
    let e = t.batch_stats(&[0]).expect_err("0 refused").to_string();
    assert!(
        e.contains("a test batch must hold 1 to 64 images (got 0)"),
        "{e}"
    );
    let e = t.batch_stats(&[65]).expect_err("65 refused").to_string();
    assert!(e.contains("(got 65)"), "{e}");
    let e = t.batch_stats(&[]).expect_err("none refused").to_string();
    assert!(e.contains("at least one"), "{e}");
    let e = t
        .test_logits(&[vec![0, 100_000]], Mode::Eval)
        .expect_err("no such image")
        .to_string();
    assert!(e.contains("test image 100000 does not exist"), "{e}");
}
