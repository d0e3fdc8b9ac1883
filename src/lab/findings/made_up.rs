//! Made-up runs for the sentence tests: every figure chosen by the test.

use super::file::{Config, Diverged, LabFile, LabRun, LightingPoint, Record};

/// A finished 200-step run of `kind` on "what is it?" with test accuracy `accuracy`.
pub fn run(kind: &str, seed: u64, accuracy: f64) -> LabRun {
    LabRun {
        record: Record {
            config: Config {
                task: Some("what".into()),
                norm: kind.into(),
                seed,
                batch: Some(32),
                steps: None,
                groups: None,
                lr: Some(0.02),
                bn_momentum: Some(0.1),
            },
            loss: vec![1.0; 200],
            test_accuracy: accuracy,
            diverged: None,
            classes: Vec::new(),
        },
        lighting: None,
        probes: None,
        train_accuracy: None,
    }
}

/// The same run diverged at `step`.
pub fn diverged(mut r: LabRun, step: u32) -> LabRun {
    r.record.diverged = Some(Diverged { step: Some(step) });
    r.record.loss.truncate(step as usize);
    r
}

/// Give a run a lighting sweep on `axis`.
pub fn lit(mut r: LabRun, axis: &str, points: &[(f64, f64)]) -> LabRun {
    let sweep = points
        .iter()
        .map(|&(value, accuracy)| LightingPoint { value, accuracy })
        .collect();
    r.lighting
        .get_or_insert_with(Default::default)
        .insert(axis.into(), sweep);
    r
}

/// Runs of `kind`, one per accuracy, seeds 1, 2, …
pub fn arm(kind: &str, accuracies: &[f64]) -> Vec<LabRun> {
    accuracies
        .iter()
        .enumerate()
        .map(|(i, &a)| run(kind, i as u64 + 1, a))
        .collect()
}

pub fn file(runs: Vec<LabRun>) -> LabFile {
    LabFile { task: None, runs }
}

/// Do any of the sentences contain `needle`?
pub fn says(sentences: &[String], needle: &str) -> bool {
    sentences.iter().any(|s| s.contains(needle))
}
