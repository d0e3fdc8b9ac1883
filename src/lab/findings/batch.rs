//! Batch size: how far each kind's test error moved from batch 32 to batch
//! 2, over seeds, beside the Group Norm paper; and group against batch norm.
//! Two recordings share these rules: `batch` holds the images each run sees
//! fixed (as the paper does), `batch-steps` holds the steps fixed.

use super::file::{LabFile, LabRun};
use super::rule::{holds_in, Verdict};
use super::words::{by_seed, capital, change, compared, name, points_of, seeds};
use crate::lab::Spread;

/// The Group Norm paper's ImageNet validation error (%), ResNet-50, at 32
/// and 2 images per GPU (Wu & He 2018, figure 1 / table 2).
const PAPER_BATCH: (f64, f64) = (23.6, 34.7);
const PAPER_GROUP: (f64, f64) = (24.1, 24.1);

/// Group norm's error counts as unchanged within this many points.
const WITHIN: f64 = 0.02;

/// What the recording held fixed while the batch changed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Held {
    Images,
    Steps,
}

pub(super) fn conclude(file: &LabFile, held: Held) -> Vec<String> {
    let runs: Vec<&LabRun> = file.runs.iter().filter(|r| !r.diverged()).collect();
    let error_at = |kind: &str, batch: u32| {
        by_seed(
            runs.iter().copied(),
            |r| r.kind() == kind && r.batch() == batch,
            |r| Some(1.0 - r.accuracy()),
        )
    };
    // Error at batch 2 minus error at batch 32, by seed.
    let rise = |kind: &str| {
        let (big, small) = (error_at(kind, 32), error_at(kind, 2));
        big.iter()
            .filter_map(|(seed, e32)| small.get(seed).map(|e2| (*seed, e2 - e32)))
            .collect::<std::collections::BTreeMap<u64, f64>>()
    };
    let kinds = super::kinds_in(runs.iter().copied());
    let moves: Vec<(String, Spread)> = kinds
        .iter()
        .filter_map(|k| {
            Spread::of(&rise(k).values().copied().collect::<Vec<_>>()).map(|s| (k.clone(), s))
        })
        .collect();
    if moves.is_empty() {
        return Vec::new();
    }
    let n = moves.iter().map(|(_, s)| s.n).max().unwrap_or(0);
    let mut out = vec![format!(
        "From batch 32 to batch 2 ({}), test error changed by {}.",
        seeds(n),
        moves
            .iter()
            .map(|(k, s)| format!("{} for {}", change(s), name(k)))
            .collect::<Vec<_>>()
            .join("; ")
    )];
    // Steps and images at the two ends, read from the runs themselves.
    let steps_at = |batch: u32| runs.iter().find(|r| r.batch() == batch).map(|r| r.steps());
    let paper = format!(
        "The Group Norm paper (ImageNet, ResNet-50, the images held fixed) reports batch norm's error rising from {}% to {}% and group norm's staying near {}%.",
        PAPER_BATCH.0, PAPER_BATCH.1, PAPER_GROUP.0
    );
    if let (Some(s32), Some(s2)) = (steps_at(32), steps_at(2)) {
        out.push(match held {
            Held::Images => format!(
                "Every run sees the same {} images with the learning rate scaled to the batch (0.05 at 32, as in the Group Norm paper), so small batches take more steps: {s32} at batch 32, {s2} at batch 2. {paper}",
                s32 * 32
            ),
            Held::Steps => format!(
                "Every run takes the same {s32} steps at the race's learning rate, so small batches see fewer images: {} at batch 32, {} at batch 2. {paper}",
                s32 * 32,
                s2 * 2
            ),
        });
    }

    let bn = rise("batch");
    if !bn.is_empty() {
        let (e32, e2) = (error_at("batch", 32), error_at("batch", 2));
        if let Some((c, _)) = compared("batch 2", "batch 32", &e2, &e32) {
            out.push(match c.verdict {
                Verdict::AHigher if held == Held::Images => format!("Batch norm's error rose with the small batch in {} of {}, as in the paper.", c.a_ahead, seeds(c.n)),
                Verdict::AHigher => format!("Batch norm's error rose with the small batch in {} of {}: the paper's direction, though it holds the images fixed, not the steps.", c.a_ahead, seeds(c.n)),
                Verdict::BHigher => format!("Batch norm's error fell with the small batch in {} of {}: these runs do not reproduce the paper's finding.", c.b_ahead, seeds(c.n)),
                Verdict::Unclear if c.n == 1 => "Whether batch norm's error rises at batch 2 rests here on one seed.".to_string(),
                Verdict::Unclear => format!("No clear change in batch norm's error from batch 32 to batch 2 at {}: the paper's rise does not show clearly.", seeds(c.n)),
            });
        }
    }
    // Does the small batch cost batch norm more than the kinds that never look across it?
    for other in ["group", "layer"] {
        let theirs = rise(other);
        if bn.is_empty() || theirs.is_empty() {
            continue;
        }
        if let Some(c) = super::rule::compare(&bn, &theirs) {
            let gap = points_of(c.gap.abs());
            let them = name(other);
            out.push(match c.verdict {
                _ if c.n == 1 => format!("Batch norm's error rose {gap} {} than {them}'s, in one seed.", if c.gap > 0.0 { "more" } else { "less" }),
                Verdict::AHigher => format!("Batch norm's error rose more than {them}'s in {} of {}, by {gap} on average.", c.a_ahead, seeds(c.n)),
                Verdict::BHigher => format!("{}'s error rose more than batch norm's in {} of {}, by {gap} on average.", capital(&them), c.b_ahead, seeds(c.n)),
                Verdict::Unclear => format!("No clear difference between how far batch norm's and {them}'s errors rose at {} (batch norm's rose more in {} of {}).", seeds(c.n), c.a_ahead, c.n),
            });
        }
    }
    let gn = rise("group");
    if let Some(s) = Spread::of(&gn.values().copied().collect::<Vec<_>>()) {
        let within = gn.values().filter(|d| d.abs() <= WITHIN).count();
        let fell = gn.values().filter(|&&d| d < -WITHIN).count();
        let rose = gn.values().filter(|&&d| d > WITHIN).count();
        let why_fell = match held {
            Held::Images => ": the small batches' extra steps help a kind whose statistics do not depend on the batch",
            Held::Steps => "",
        };
        let why_rose = match held {
            Held::Images => "",
            Held::Steps => ": with the steps fixed, a small batch also means fewer images seen",
        };
        out.push(if s.n > 1 && holds_in(within, s.n) {
            format!("Group norm's error stayed within 2 points in {within} of {}, as in the paper.", seeds(s.n))
        } else if s.n > 1 && holds_in(fell, s.n) {
            format!(
                "Group norm's error fell as the batch shrank ({}, in {fell} of {}), unlike the paper's flat line{why_fell}.",
                change(&s),
                seeds(s.n)
            )
        } else if s.n > 1 && holds_in(rose, s.n) {
            format!(
                "Group norm's error rose as the batch shrank ({}, in {rose} of {}), unlike the paper's flat line{why_rose}.",
                change(&s),
                seeds(s.n)
            )
        } else {
            format!(
                "Group norm's error changed by {} ({within} of {} within 2 points): not the paper's flat line, and no consistent direction.",
                change(&s),
                seeds(s.n)
            )
        });
    }
    for batch in [32, 2] {
        if let Some((_, text)) = compared(
            &format!("batch norm at batch {batch}"),
            &format!("group norm at batch {batch}"),
            &accuracy_at(&runs, "batch", batch),
            &accuracy_at(&runs, "group", batch),
        ) {
            out.push(text);
        }
    }
    out
}

fn accuracy_at(runs: &[&LabRun], kind: &str, batch: u32) -> super::rule::BySeed {
    by_seed(
        runs.iter().copied(),
        |r| r.kind() == kind && r.batch() == batch,
        |r| Some(r.accuracy()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};
    use super::LabRun;

    fn at(batch: u32, runs: Vec<LabRun>) -> Vec<LabRun> {
        runs.into_iter()
            .map(|mut r| {
                r.record.config.batch = Some(batch);
                r
            })
            .collect()
    }

    #[test]
    fn group_norm_flat_in_one_seed_only_is_not_as_in_the_paper() {
        // Seed 1 flat; seeds 2–5 fall 8–14 points (the runs).
        let mut runs = at(32, arm("group", &[0.76, 0.70, 0.72, 0.74, 0.71]));
        runs.extend(at(2, arm("group", &[0.77, 0.80, 0.86, 0.84, 0.81])));
        runs.extend(at(32, arm("batch", &[0.95, 0.94, 0.96, 0.95, 0.97])));
        runs.extend(at(2, arm("batch", &[0.80, 0.75, 0.78, 0.73, 0.82])));
        let s = conclusions("batch", &file(runs), &Settings::default()).expect("batch");
        assert!(!says(&s, "stayed within 2 points"), "{s:?}");
        assert!(
            says(&s, "Group norm's error fell as the batch shrank"),
            "{s:?}"
        );
        assert!(
            says(
                &s,
                "Batch norm's error rose with the small batch in 5 of 5 seeds, as in the paper."
            ),
            "{s:?}"
        );
        assert!(says(&s, "small batches take more steps"), "{s:?}");
    }

    #[test]
    fn group_norm_flat_in_every_seed_is_as_in_the_paper() {
        let mut runs = at(32, arm("group", &[0.76, 0.70, 0.72]));
        runs.extend(at(2, arm("group", &[0.77, 0.69, 0.73])));
        let s = conclusions("batch", &file(runs), &Settings::default()).expect("batch");
        assert!(
            says(
                &s,
                "stayed within 2 points in 3 of 3 seeds, as in the paper"
            ),
            "{s:?}"
        );
    }

    #[test]
    fn same_steps_names_its_rule_and_a_consistent_rise_of_group_norm() {
        // Group norm rises 6–10 points in every seed when small batches see fewer images.
        let with_steps = |batch: u32, steps: usize, runs: Vec<LabRun>| -> Vec<LabRun> {
            at(batch, runs)
                .into_iter()
                .map(|mut r| {
                    r.record.loss = vec![1.0; steps];
                    r
                })
                .collect()
        };
        let mut runs = with_steps(32, 200, arm("group", &[0.80, 0.78, 0.82, 0.79, 0.81]));
        runs.extend(with_steps(
            2,
            200,
            arm("group", &[0.72, 0.68, 0.74, 0.71, 0.73]),
        ));
        runs.extend(with_steps(
            32,
            200,
            arm("batch", &[0.95, 0.94, 0.96, 0.95, 0.97]),
        ));
        runs.extend(with_steps(
            2,
            200,
            arm("batch", &[0.60, 0.55, 0.58, 0.53, 0.62]),
        ));
        let s = conclusions("batch-steps", &file(runs.clone()), &Settings::default())
            .expect("batch-steps");
        assert!(
            says(&s, "Every run takes the same 200 steps at the race's learning rate, so small batches see fewer images: 6400 at batch 32, 400 at batch 2."),
            "{s:?}"
        );
        assert!(
            says(&s, "Group norm's error rose as the batch shrank"),
            "{s:?}"
        );
        assert!(says(&s, "in 5 of 5 seeds"), "{s:?}");
        assert!(says(&s, "though it holds the images fixed"), "{s:?}");
        assert!(
            says(
                &s,
                "Batch norm's error rose more than group norm's in 5 of 5 seeds"
            ),
            "{s:?}"
        );
        assert!(!says(&s, "no consistent direction"), "{s:?}");
        // The images-fixed rule reads the steps from the runs, too.
        let s = conclusions("batch", &file(runs), &Settings::default()).expect("batch");
        assert!(
            says(
                &s,
                "so small batches take more steps: 200 at batch 32, 200 at batch 2"
            ),
            "{s:?}"
        );
    }
}
