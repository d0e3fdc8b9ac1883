//! Lighting at test time: how far each kind's accuracy moved over one
//! axis of the sweep, and whether batch norm clearly dropped where
//! instance norm stayed flat.

use super::file::{LabFile, LabRun};
use super::rule::{compare, holds_in, BySeed, Verdict};
use super::words::{accuracy, by_seed, name, pct, points, seeds};
use super::{chance, kinds_in, runs_of, same_f32, task_of, Settings};
use crate::lab::Spread;

pub(super) const AXES: [&str; 3] = ["contrast", "brightness", "gamma"];

/// A drop of batch norm's accuracy this large (a fraction) counts as substantial.
const SUBSTANTIAL: f64 = 0.15;
/// Instance norm counts as flat when its accuracy moves at most this much.
const FLAT: f64 = 0.10;

/// How far a run's accuracy moved over the sweep: highest − lowest.
pub(super) fn moved(r: &LabRun, axis: &str) -> Option<f64> {
    let pts = r.sweep(axis);
    if pts.is_empty() {
        return None;
    }
    let hi = pts
        .iter()
        .map(|p| p.accuracy)
        .fold(f64::NEG_INFINITY, f64::max);
    let lo = pts.iter().map(|p| p.accuracy).fold(f64::INFINITY, f64::min);
    Some(hi - lo)
}

/// Points over seeds, unsigned: "45 ± 5 points (38–52)".
fn span(s: &Spread) -> String {
    if s.n == 1 {
        format!("{} points", points(s.mean))
    } else {
        format!(
            "{} ± {} points ({}–{})",
            points(s.mean),
            points(s.sd),
            points(s.min),
            points(s.max)
        )
    }
}

fn of(values: &BySeed) -> Option<Spread> {
    Spread::of(&values.values().copied().collect::<Vec<_>>())
}

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let axis = settings.axis.as_deref().unwrap_or("contrast");
    let task = task_of(file, settings);
    let runs: Vec<&LabRun> = runs_of(file, &task)
        .filter(|r| settings.shows(r))
        .filter(|r| !r.diverged() && !r.sweep(axis).is_empty())
        .collect();
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let kinds = kinds_in(runs.iter().copied());
    let moves = |kind: &str| {
        by_seed(
            runs.iter().copied(),
            |r| r.kind() == kind,
            |r| moved(r, axis),
        )
    };
    let sweep = first.sweep(axis);
    let (from, to) = (sweep[0].value, sweep[sweep.len() - 1].value);
    let n = kinds.iter().map(|k| moves(k).len()).max().unwrap_or(0);

    let mut out = Vec::new();
    let each: Vec<String> = kinds
        .iter()
        .filter_map(|k| of(&moves(k)).map(|s| format!("{} {}", name(k), span(&s))))
        .collect();
    out.push(format!(
        "Over {axis} from {from} to {to} ({} of each kind), test accuracy moved (highest minus lowest): {}.",
        seeds(n),
        each.join("; ")
    ));

    if let Some(value) = settings.value {
        let at: Vec<String> = kinds
            .iter()
            .filter_map(|k| {
                let accs: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.kind() == k)
                    .filter_map(|r| r.sweep(axis).iter().find(|p| same_f32(p.value, value)))
                    .map(|p| p.accuracy)
                    .collect();
                Spread::of(&accs).map(|s| format!("{} {}", name(k), accuracy(&s)))
            })
            .collect();
        if !at.is_empty() {
            out.push(format!("At {axis} {value}: {}.", at.join("; ")));
        }
    }

    let (bn, inorm) = (moves("batch"), moves("instance"));
    if let Some(c) = compare(&bn, &inorm) {
        let (b, i) = (span(&c.a), span(&c.b));
        let big = holds_in(bn.values().filter(|&&m| m >= SUBSTANTIAL).count(), bn.len());
        let flat = holds_in(inorm.values().filter(|&&m| m <= FLAT).count(), inorm.len());
        out.push(if axis == "gamma" {
            let who = match c.verdict {
                Verdict::AHigher => format!("batch norm moved more in {} of {}", c.a_ahead, seeds(c.n)),
                Verdict::BHigher => format!("instance norm moved more in {} of {}", c.b_ahead, seeds(c.n)),
                Verdict::Unclear => format!("no clear difference at {}", seeds(c.n)),
            };
            format!("Gamma bends the tones, which no normalization undoes exactly: instance norm's accuracy moved {i}, batch norm's {b} ({who}).")
        } else {
            match c.verdict {
                _ if c.n == 1 => format!(
                    "Batch norm (evaluation mode: fixed running statistics) moved {b} and instance norm {i}{}, but that rests on one seed: the rule needs several to call a difference.",
                    if big && flat && c.gap > 0.0 { format!(", as expected if instance norm divides each image's {axis} out") } else { String::new() }
                ),
                Verdict::AHigher if big && flat => format!(
                    "Instance norm stayed nearly flat ({i}) and batch norm (evaluation mode: fixed running statistics) dropped {b}, more in {} of {}: as expected, instance norm divides each image's {axis} out and batch norm does not.",
                    c.a_ahead,
                    seeds(c.n)
                ),
                Verdict::AHigher if big => format!(
                    "Batch norm dropped {b} and instance norm moved less ({i}) but was not flat, against the expectation that it divides each image's {axis} out."
                ),
                Verdict::AHigher => format!(
                    "Batch norm moved more than instance norm ({b} against {i}) but not by the substantial drop (at least {} points in every seed) this test looks for.",
                    points(SUBSTANTIAL)
                ),
                Verdict::BHigher => format!(
                    "Instance norm moved {i} and batch norm {b}: these runs contradict the expectation that instance norm, which divides each image's {axis} out, is the steadier one."
                ),
                Verdict::Unclear => format!(
                    "No clear difference between how far batch norm ({b}) and instance norm ({i}) moved at {}.",
                    seeds(c.n)
                ),
            }
        });
    }

    // A flat line near guessing is flat because little was learned.
    let guess = chance(file, &task);
    let instance_runs: Vec<&LabRun> = runs
        .iter()
        .copied()
        .filter(|r| r.kind() == "instance")
        .collect();
    if let Some(s) = Spread::of(
        &instance_runs
            .iter()
            .map(|r| r.accuracy())
            .collect::<Vec<_>>(),
    ) {
        if s.mean < guess + 0.1 {
            out.push(format!(
                "Instance norm's flat line sits near guessing ({} against {}): it barely moves partly because it learned little on this task.",
                accuracy(&s),
                pct(guess)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, lit, says};
    use super::super::{conclusions, Settings};
    use super::LabRun;

    fn with_sweep(runs: Vec<LabRun>, lows: &[f64]) -> Vec<LabRun> {
        runs.into_iter()
            .zip(lows)
            .map(|(r, &low)| {
                let a = r.accuracy();
                lit(
                    r,
                    "contrast",
                    &[(0.25, low), (1.0, a), (2.0, (a + low) / 2.0)],
                )
            })
            .collect()
    }

    fn lighting(runs: Vec<LabRun>) -> Vec<String> {
        conclusions("lighting", &file(runs), &Settings::default()).expect("lighting")
    }

    #[test]
    fn a_substantial_batch_drop_beside_a_flat_instance_line_is_called() {
        let mut runs = with_sweep(arm("batch", &[0.95, 0.96, 0.94]), &[0.45, 0.50, 0.48]);
        runs.extend(with_sweep(
            arm("instance", &[0.55, 0.52, 0.56]),
            &[0.53, 0.50, 0.55],
        ));
        let s = lighting(runs);
        assert!(says(&s, "as expected, instance norm divides"), "{s:?}");
        assert!(says(&s, "3 seeds"), "{s:?}");
    }

    #[test]
    fn a_small_batch_drop_is_not_enough() {
        let mut runs = with_sweep(arm("batch", &[0.95, 0.96, 0.94]), &[0.88, 0.89, 0.87]);
        runs.extend(with_sweep(
            arm("instance", &[0.55, 0.52, 0.56]),
            &[0.54, 0.51, 0.55],
        ));
        let s = lighting(runs);
        assert!(!says(&s, "as expected"), "{s:?}");
        assert!(says(&s, "not by the substantial drop"), "{s:?}");
    }

    #[test]
    fn a_flat_line_at_chance_is_named() {
        let mut runs = with_sweep(arm("batch", &[0.95, 0.96, 0.94]), &[0.45, 0.50, 0.48]);
        runs.extend(with_sweep(
            arm("instance", &[0.18, 0.17, 0.19]),
            &[0.17, 0.16, 0.18],
        ));
        let s = lighting(runs);
        assert!(says(&s, "sits near guessing"), "{s:?}");
    }
}
