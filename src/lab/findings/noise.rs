//! Does batch norm's noise help? The train–test gap of batch norm at
//! batch sizes 4, 8 and 32 against group norm and no normalization, which
//! have no batch noise. A regulariser would shrink batch norm's gap at
//! small batches more than the others'.

use super::file::{LabFile, LabRun};
use super::rule::{compare, BySeed, Verdict};
use super::words::{by_seed, change, name, seeds};
use crate::lab::Spread;

/// Accuracy on the training patches minus test accuracy.
fn gap(r: &LabRun) -> Option<f64> {
    r.train_accuracy.map(|t| t - r.accuracy())
}

pub(super) fn conclude(file: &LabFile) -> Vec<String> {
    let runs: Vec<&LabRun> = file
        .runs
        .iter()
        .filter(|r| !r.diverged() && r.train_accuracy.is_some())
        .collect();
    if runs.is_empty() {
        return Vec::new();
    }
    let gaps = |kind: &str, batch: u32| {
        by_seed(
            runs.iter().copied(),
            |r| r.kind() == kind && r.batch() == batch,
            gap,
        )
    };
    let kinds = super::kinds_in(runs.iter().copied());
    let mut sizes: Vec<u32> = runs.iter().map(|r| r.batch()).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let (small, big) = (sizes[0], sizes[sizes.len() - 1]);
    let n = kinds
        .iter()
        .flat_map(|k| sizes.iter().map(move |&b| (k, b)))
        .map(|(k, b)| gaps(k, b).len())
        .max()
        .unwrap_or(0);

    let mut out = Vec::new();
    let rows: Vec<String> = kinds
        .iter()
        .map(|k| {
            let at: Vec<String> = sizes
                .iter()
                .filter_map(|&b| {
                    Spread::of(&gaps(k, b).values().copied().collect::<Vec<_>>())
                        .map(|s| format!("{} at batch {b}", change(&s)))
                })
                .collect();
            format!("{} {}", name(k), at.join(", "))
        })
        .collect();
    out.push(format!(
        "Train–test gap (accuracy on the training patches in evaluation mode minus test accuracy, {}): {}.",
        seeds(n),
        rows.join("; ")
    ));
    if small == big {
        return out;
    }
    out.push(format!(
        "Every run sees the same 3200 images, so batch {small} takes {}× the steps of batch {big}: a gap that changes with the batch for every kind comes from the steps, not from batch noise.",
        big / small.max(1)
    ));

    // Batch norm's gap: smaller at the small batch than at the big one?
    let shrinks = |kind: &str| {
        compare(&gaps(kind, small), &gaps(kind, big)).map(|c| c.verdict == Verdict::BHigher)
    };
    let below = |other: &str| {
        compare(&gaps("batch", small), &gaps(other, small))
            .map(|c| (c.verdict == Verdict::BHigher, c.n))
    };
    let Some(bn_shrinks) = shrinks("batch") else {
        return out;
    };
    let vs_group = below("group");
    let vs_none = below("none");
    let bn_small: BySeed = gaps("batch", small);
    let one_seed = bn_small.len() < 2;
    let others_shrink: Vec<String> = ["group", "none"]
        .iter()
        .filter(|k| shrinks(k) == Some(true))
        .map(|k| name(k))
        .collect();
    let below_all = vs_group.is_none_or(|v| v.0)
        && vs_none.is_none_or(|v| v.0)
        && (vs_group.is_some() || vs_none.is_some());
    out.push(if one_seed {
        "Whether batch norm's noise narrows its gap rests here on one seed.".to_string()
    } else if bn_shrinks && below_all && others_shrink.is_empty() {
        format!(
            "At batch {small}, batch norm's gap was smaller than at batch {big} and smaller than the kinds without batch noise, while theirs did not shrink clearly: at {}, batch norm's noise looks like a regulariser here.",
            seeds(bn_small.len())
        )
    } else if bn_shrinks && !others_shrink.is_empty() {
        format!(
            "Batch norm's gap shrank at batch {small}, but so did {}'s, which has no batch noise: at {} the change comes with the batch size for every kind, not from batch norm's noise.",
            others_shrink.join(" and "),
            seeds(bn_small.len())
        )
    } else {
        format!(
            "No clear sign at {} that batch norm's noise acts as a regulariser in this network: its gap at batch {small} was not clearly smaller than {}.",
            seeds(bn_small.len()),
            if bn_shrinks { "the other kinds' gaps" } else { "its own at batch 32" }
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};
    use super::LabRun;

    fn arm_at(kind: &str, batch: u32, test: &[f64], gap: f64) -> Vec<LabRun> {
        arm(kind, test)
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r.record.config.batch = Some(batch);
                r.train_accuracy = Some(r.accuracy() + gap + 0.001 * i as f64);
                r
            })
            .collect()
    }

    #[test]
    fn no_effect_is_reported_as_none() {
        let mut runs = Vec::new();
        for kind in ["batch", "group", "none"] {
            runs.extend(arm_at(kind, 4, &[0.8, 0.82, 0.79], 0.10));
            runs.extend(arm_at(kind, 32, &[0.8, 0.81, 0.78], 0.10));
        }
        let s = conclusions("noise", &file(runs), &Settings::default()).expect("noise");
        assert!(says(&s, "No clear sign at 3 seeds"), "{s:?}");
    }

    #[test]
    fn a_batch_only_shrink_is_called() {
        let mut runs = arm_at("batch", 4, &[0.9, 0.91, 0.92], 0.02);
        runs.extend(arm_at("batch", 32, &[0.8, 0.81, 0.82], 0.15));
        for kind in ["group", "none"] {
            runs.extend(arm_at(kind, 4, &[0.8, 0.81, 0.82], 0.15));
            runs.extend(arm_at(kind, 32, &[0.8, 0.81, 0.82], 0.15));
        }
        let s = conclusions("noise", &file(runs), &Settings::default()).expect("noise");
        assert!(says(&s, "looks like a regulariser"), "{s:?}");
    }
}
