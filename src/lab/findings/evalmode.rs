//! Training against evaluation mode: batch norm's test accuracy with its
//! running statistics and with each test batch's own, and how the
//! running statistics' momentum changed it, over seeds.

use super::file::{BatchStats, LabFile, LabRun};
use super::rule::{BySeed, Verdict};
use super::words::{accuracy, compared, pct, seeds};
use super::{same_f32, Settings};
use crate::lab::Spread;

/// A momentum as written (0.01, not its float32 0.009999999776…).
fn mom(m: f64) -> String {
    format!("{}", (m as f32 as f64 * 1000.0).round() / 1000.0)
}

fn stats(r: &LabRun) -> Option<&BatchStats> {
    r.after().and_then(|a| a.batchstats.as_ref())
}

fn momentum(r: &LabRun) -> f64 {
    r.record.config.bn_momentum.unwrap_or(0.1)
}

/// One figure of the runs at momentum `m`, by seed.
fn at(runs: &[&LabRun], m: f64, figure: impl Fn(&BatchStats) -> Option<f64>) -> BySeed {
    runs.iter()
        .filter(|r| same_f32(momentum(r), m))
        .filter_map(|r| stats(r).and_then(&figure).map(|v| (r.seed(), v)))
        .collect()
}

fn spread(values: &BySeed) -> Option<Spread> {
    Spread::of(&values.values().copied().collect::<Vec<_>>())
}

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let runs: Vec<&LabRun> = file
        .runs
        .iter()
        .filter(|r| !r.diverged() && stats(r).is_some())
        .collect();
    let m = settings.momentum.unwrap_or(0.1);
    let Some(first) = runs
        .iter()
        .find(|r| same_f32(momentum(r), m))
        .and_then(|r| stats(r))
    else {
        return Vec::new();
    };
    let big = first.sizes.iter().copied().max().unwrap_or(1);
    let size_at = |s: &BatchStats, size: u32, list: fn(&BatchStats) -> &Vec<f64>| {
        s.sizes
            .iter()
            .position(|&x| x == size)
            .and_then(|i| list(s).get(i).copied())
    };
    let eval = at(&runs, m, |s| Some(s.eval));
    let mixed = at(&runs, m, |s| size_at(s, big, |s| &s.mixed));
    let one_class = at(&runs, m, |s| size_at(s, big, |s| &s.one_class));
    let alone = at(&runs, m, |s| size_at(s, 1, |s| &s.mixed));
    let say = |v: &BySeed| spread(v).map_or("—".into(), |s| accuracy(&s));
    let mut out = vec![format!(
        "With momentum {} ({}), evaluation mode — the running statistics — reached {}; with each test batch's own statistics, as in training, it reached {} in mixed batches of {big}, {} in batches of {big} images of one class, and {} with a batch of one image.",
        mom(m),
        seeds(eval.len()),
        say(&eval),
        say(&mixed),
        say(&one_class),
        say(&alone)
    )];
    if let Some((c, text)) = compared(
        "mixed-batch accuracy",
        "one-class accuracy",
        &mixed,
        &one_class,
    ) {
        out.push(text);
        if c.verdict == Verdict::AHigher {
            out.push("A batch of one class costs accuracy: its own mean removes what that class has in common, so what an image's features mean depends on its neighbours.".into());
        }
    }
    if let Some((c, text)) = compared("evaluation mode", "a batch of one image", &eval, &alone) {
        out.push(text);
        if c.verdict == Verdict::AHigher {
            out.push("With a batch of one, each channel is standardized over one image alone, as instance norm would, which this network never saw in training.".into());
        }
    }
    if let Some((c, text)) = compared(
        "evaluation mode",
        &format!("batch statistics of {big} mixed images"),
        &eval,
        &mixed,
    ) {
        out.push(text);
        let ioffe = "Ioffe & Szegedy (2015) normalize with population statistics at inference so the output depends on the input alone";
        out.push(match c.verdict {
            Verdict::BHigher => {
                format!("{ioffe}; here the running statistics did worse than batch statistics.")
            }
            _ => format!("{ioffe}; here that cost nothing clear against batch statistics."),
        });
    }

    // The momenta, each over its seeds.
    let mut momenta: Vec<f64> = runs.iter().map(|r| momentum(r)).collect();
    momenta.sort_unstable_by(f64::total_cmp);
    momenta.dedup_by(|a, b| same_f32(*a, *b));
    if momenta.len() > 1 {
        let evals: Vec<(f64, BySeed)> = momenta
            .iter()
            .map(|&x| (x, at(&runs, x, |s| Some(s.eval))))
            .collect();
        let same_losses = runs.iter().all(|r| {
            runs.iter().filter(|o| o.seed() == r.seed()).all(|o| {
                o.record
                    .loss
                    .iter()
                    .map(|&l| l as f32)
                    .eq(r.record.loss.iter().map(|&l| l as f32))
            })
        });
        if same_losses {
            out.push(format!(
                "The momentum changed nothing in training: for each seed the {} networks' losses are equal at every step (training normalizes with batch statistics; the running ones are only read in evaluation mode).",
                momenta.len()
            ));
        }
        out.push(format!(
            "Evaluation-mode accuracy by momentum: {}.",
            evals
                .iter()
                .map(|(x, e)| format!("{} at {}", say(e), mom(*x)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let lo = momenta[0];
        let steps = runs.iter().map(|r| r.steps()).max().unwrap_or(0);
        let left = (1.0 - lo as f32 as f64).powi(steps as i32);
        if left > 0.01 {
            out.push(format!(
                "At {} the running statistics still hold {} of their starting values (mean 0, variance 1) after {steps} steps, (1 − {})^{steps}.",
                mom(lo),
                pct(left),
                mom(lo)
            ));
        }
        if same_f32(momenta[momenta.len() - 1], 1.0) {
            out.push("At 1 they are the last training batch's statistics alone.".into());
        }
        let mean = |e: &BySeed| e.values().sum::<f64>() / e.len().max(1) as f64;
        let best = evals
            .iter()
            .max_by(|a, b| mean(&a.1).total_cmp(&mean(&b.1)));
        let default = evals.iter().find(|(x, _)| same_f32(*x, 0.1));
        if let (Some((bm, be)), Some((_, de))) = (best, default) {
            if !same_f32(*bm, 0.1) {
                if let Some((c, _)) = compared("", "", be, de) {
                    out.push(match c.verdict {
                        Verdict::AHigher => format!("Momentum {} did better than PyTorch's default of 0.1 in {} of {}.", mom(*bm), c.a_ahead, seeds(c.n)),
                        _ if c.n == 1 => format!("Momentum {} did better than PyTorch's default of 0.1, but that rests on one seed.", mom(*bm)),
                        _ => format!(
                            "Momentum {} had the highest mean, but no clear difference from PyTorch's default of 0.1 at {} (ahead in {} of {}).",
                            mom(*bm),
                            seeds(c.n),
                            c.a_ahead,
                            c.n
                        ),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::file::{After, BatchStats, Probes};
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};

    #[test]
    fn momentum_better_in_two_seeds_is_no_clear_difference() {
        let mut runs = Vec::new();
        for (m, evals) in [
            (0.1, [0.90, 0.93, 0.92, 0.95, 0.94]),
            (1.0, [0.95, 0.96, 0.90, 0.93, 0.92]),
        ] {
            for mut r in arm("batch", &evals) {
                r.record.config.bn_momentum = Some(m);
                let e = r.accuracy();
                r.probes = Some(Probes {
                    after: After {
                        batchstats: Some(BatchStats {
                            eval: e,
                            sizes: vec![1, 32],
                            mixed: vec![0.3, e],
                            one_class: vec![0.2, e - 0.3],
                        }),
                        pooled: None,
                    },
                    during: Vec::new(),
                });
                runs.push(r);
            }
        }
        let s = conclusions("evalmode", &file(runs), &Settings::default()).expect("evalmode");
        assert!(
            !says(&s, "did better than PyTorch's default of 0.1 in"),
            "{s:?}"
        );
        assert!(
            says(
                &s,
                "no clear difference from PyTorch's default of 0.1 at 5 seeds"
            ),
            "{s:?}"
        );
        assert!(
            says(
                &s,
                "Mixed-batch accuracy was ahead of one-class accuracy in 5 of 5 seeds"
            ),
            "{s:?}"
        );
    }
}
