//! Learning-rate tolerance: at one peak rate, how each kind's seeds ended
//! (diverged, learned nothing, or finished), reported over every seed.

use super::file::{LabFile, LabRun};
use super::rule::holds_in;
use super::words::{accuracy, by_seed, compared, list, name, seeds, spread_of};
use super::{chance, kinds_in, same_f32, Settings};
use std::collections::BTreeMap;

/// Finished but no better than guessing (+5 points): the rate broke it without a NaN.
fn stuck(r: &LabRun, guess: f64) -> bool {
    !r.diverged() && r.accuracy() < guess + 0.05
}

fn failed(r: &LabRun, guess: f64) -> bool {
    r.diverged() || stuck(r, guess)
}

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let lr = settings.lr.unwrap_or(1.0);
    let runs: Vec<&LabRun> = file
        .runs
        .iter()
        .filter(|r| r.record.config.lr.is_some_and(|x| same_f32(x, lr)))
        .collect();
    if runs.is_empty() {
        return Vec::new();
    }
    let guess = chance(file, "what");
    let kinds = kinds_in(runs.iter().copied());
    let mut out = Vec::new();
    let each: Vec<String> = kinds
        .iter()
        .map(|k| {
            let mine: Vec<&LabRun> = runs.iter().copied().filter(|r| r.kind() == k).collect();
            let mut parts = Vec::new();
            let steps: Vec<String> = mine
                .iter()
                .filter_map(|r| r.record.diverged.as_ref())
                .map(|d| d.step.map_or("?".into(), |s| s.to_string()))
                .collect();
            if !steps.is_empty() {
                parts.push(format!(
                    "diverged in {} of {} (at step {})",
                    steps.len(),
                    mine.len(),
                    steps.join(", ")
                ));
            }
            let flat = mine.iter().filter(|r| stuck(r, guess)).count();
            if flat > 0 {
                parts.push(format!(
                    "ran every step but learned nothing in {flat} of {}",
                    mine.len()
                ));
            }
            if let Some(s) = spread_of(
                mine.iter().copied().filter(|r| !r.diverged()),
                LabRun::accuracy,
            ) {
                parts.push(format!(
                    "finished {} of {} with {} test accuracy",
                    s.n,
                    mine.len(),
                    accuracy(&s)
                ));
            }
            format!("{} {}", name(k), list(&parts))
        })
        .collect();
    out.push(format!(
        "At a peak learning rate of {lr}, over {}: {}.",
        seeds(runs.len() / kinds.len().max(1)),
        each.join("; ")
    ));

    // The two kinds compared seed by seed: which broke.
    let outcome = |kind: &str| -> BTreeMap<u64, bool> {
        runs.iter()
            .filter(|r| r.kind() == kind)
            .map(|r| (r.seed(), failed(r, guess)))
            .collect()
    };
    let (none, bn) = (outcome("none"), outcome("batch"));
    let paired: Vec<(bool, bool)> = none
        .iter()
        .filter_map(|(s, &n)| bn.get(s).map(|&b| (n, b)))
        .collect();
    let n = paired.len();
    if n > 0 {
        let count = |want: (bool, bool)| paired.iter().filter(|&&p| p == want).count();
        let (tolerated, both_fine, reversed, both_broke) = (
            count((true, false)),
            count((false, false)),
            count((false, true)),
            count((true, true)),
        );
        let in_n = |k: usize| format!("in {k} of {}", seeds(n));
        out.push(if n == 1 {
            "With one seed, which of the two a rate breaks rests on that seed alone.".to_string()
        } else if holds_in(tolerated, n) {
            format!("Batch norm tolerated a rate that broke the plain network {}, as Ioffe & Szegedy (2015) report.", in_n(tolerated))
        } else if holds_in(both_fine, n) {
            "Both trained at this rate in every seed; try a higher one to find where the plain network breaks.".to_string()
        } else if holds_in(reversed, n) {
            format!("Here batch norm broke and the plain network did not {}: this contradicts the usual report (Ioffe & Szegedy 2015) that batch norm tolerates higher rates.", in_n(reversed))
        } else if holds_in(both_broke, n) {
            format!("Both broke {}: this rate is too high even with batch norm.", in_n(both_broke))
        } else {
            format!(
                "The outcome changed from seed to seed (only batch norm survived {}, both {}, both broke {}): no clear difference at {}.",
                in_n(tolerated),
                in_n(both_fine),
                in_n(both_broke),
                seeds(n)
            )
        });
    }
    let finished = |kind: &str| {
        by_seed(
            runs.iter().copied(),
            |r| r.kind() == kind && !r.diverged(),
            |r| Some(r.accuracy()),
        )
    };
    if let Some((c, text)) = compared(
        "batch norm",
        "no normalization",
        &finished("batch"),
        &finished("none"),
    ) {
        if c.n >= 2 {
            out.push(format!(
                "{} (seeds where both finished).",
                text.trim_end_matches('.')
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, diverged, file, says};
    use super::super::{conclusions, Settings};

    #[test]
    fn the_spread_over_seeds_not_the_best_seed() {
        let mut runs = arm("batch", &[0.83, 0.26, 0.50, 0.61, 0.40]);
        runs.extend(arm("none", &[0.1; 5]).into_iter().map(|r| diverged(r, 5)));
        for r in &mut runs {
            r.record.config.lr = Some(1.0);
        }
        let s = conclusions("lr", &file(runs), &Settings::default()).expect("lr");
        assert!(says(&s, "52% ± 22 (26–83%)"), "{s:?}");
        assert!(says(&s, "in 5 of 5 seeds, as Ioffe & Szegedy"), "{s:?}");
    }

    #[test]
    fn mixed_outcomes_are_no_clear_difference() {
        let mut runs = arm("batch", &[0.8, 0.8, 0.8]);
        let none = arm("none", &[0.7, 0.7, 0.7]);
        runs.extend(
            none.into_iter()
                .enumerate()
                .map(|(i, r)| if i == 0 { diverged(r, 9) } else { r }),
        );
        for r in &mut runs {
            r.record.config.lr = Some(1.0);
        }
        let s = conclusions("lr", &file(runs), &Settings::default()).expect("lr");
        assert!(says(&s, "no clear difference at 3 seeds"), "{s:?}");
    }
}
