//! Both at once: which way batch-instance norm's ρ leaned on each task
//! (runs with ρ checkpoints), and IBN against batch norm on accuracy at the
//! training lighting and at its worst over the sweep (runs with lighting).

use super::file::{LabFile, LabRun};
use super::rule::{holds_in, BySeed, Verdict};
use super::words::{accuracy, by_seed, compared, name, seeds};
use super::{task_of, task_words, Settings};
use crate::lab::Spread;

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let mut out = rho(file, settings);
    out.extend(trade(file, settings));
    out
}

/// The mean ρ over every channel at the checkpoint `step` (default: the last).
fn mean_rho(r: &LabRun, step: Option<u32>) -> Option<(u32, f64)> {
    let mut during = r.during().iter().filter(|c| c.rho.is_some());
    let point = match step {
        Some(s) => during.rfind(|c| c.step == s),
        None => during.next_back(),
    }?;
    let all: Vec<f64> = point.rho.as_ref()?.iter().flatten().copied().collect();
    Spread::of(&all).map(|s| (point.step, s.mean))
}

/// The mean ρ of each block at the checkpoint `step` (default: the last).
fn block_means(r: &LabRun, step: Option<u32>) -> Option<Vec<f64>> {
    let mut during = r.during().iter().filter(|c| c.rho.is_some());
    let point = match step {
        Some(s) => during.rfind(|c| c.step == s),
        None => during.next_back(),
    }?;
    point
        .rho
        .as_ref()?
        .iter()
        .map(|b| Spread::of(b).map(|s| s.mean))
        .collect()
}

fn rho(file: &LabFile, settings: &Settings) -> Vec<String> {
    let runs: Vec<&LabRun> = file
        .runs
        .iter()
        .filter(|r| mean_rho(r, settings.step).is_some())
        .collect();
    let Some(step) = runs
        .first()
        .and_then(|r| mean_rho(r, settings.step))
        .map(|p| p.0)
    else {
        return Vec::new();
    };
    if step == 0 {
        return vec!["At step 0 every ρ is 0.5, its starting value: move the step to see where training takes it.".into()];
    }
    let mut tasks: Vec<String> = runs
        .iter()
        .map(|r| {
            r.record
                .config
                .task
                .clone()
                .unwrap_or_else(|| "what".into())
        })
        .collect();
    tasks.dedup();
    let mut out = Vec::new();
    for task in tasks {
        let means: Vec<f64> = runs
            .iter()
            .filter(|r| r.record.config.task.as_deref().unwrap_or("what") == task)
            .filter_map(|r| mean_rho(r, settings.step).map(|p| p.1))
            .collect();
        let Some(s) = Spread::of(&means) else {
            continue;
        };
        // Each block's mean ρ, averaged over seeds.
        let blocks: Vec<Vec<f64>> = runs
            .iter()
            .filter(|r| r.record.config.task.as_deref().unwrap_or("what") == task)
            .filter_map(|r| block_means(r, settings.step))
            .collect();
        let by_block: Vec<String> = (0..blocks.iter().map(Vec::len).min().unwrap_or(0))
            .map(|b| {
                format!(
                    "{:.2}",
                    blocks.iter().map(|m| m[b]).sum::<f64>() / blocks.len() as f64
                )
            })
            .collect();
        let toward_batch = means.iter().filter(|&&m| m > 0.52).count();
        let toward_instance = means.iter().filter(|&&m| m < 0.48).count();
        let lean = if s.n > 1 && holds_in(toward_batch, s.n) {
            "batch"
        } else if s.n > 1 && holds_in(toward_instance, s.n) {
            "instance"
        } else {
            "unclear"
        };
        let figure = if s.n == 1 {
            format!("{:.2}", s.mean)
        } else {
            format!("{:.2} ± {:.2} ({:.2}–{:.2})", s.mean, s.sd, s.min, s.max)
        };
        let mut sentence = format!(
            "On {}, by step {step}, batch-instance norm's mean ρ was {figure} over {} (by block {}; above 0.52 in {toward_batch}, below 0.48 in {toward_instance})",
            task_words(&task),
            seeds(s.n),
            by_block.join(", ")
        );
        sentence.push_str(match (lean, s.n, task.as_str()) {
            (_, 1, "what") => ": one seed, so no lean is called (Nam & Kim (2018) report classifiers' ρ leaning toward batch norm).",
            (_, 1, _) => ": one seed, so no lean is called.",
            ("batch", _, "what") => ": it leaned toward batch norm, as Nam & Kim (2018) report for classifiers.",
            ("instance", _, "what") => ": it leaned toward instance norm, against Nam & Kim (2018), who report classifiers' ρ leaning toward batch norm.",
            (_, _, "what") => ": no clear lean, so these runs neither confirm nor contradict Nam & Kim (2018), who report classifiers' ρ leaning toward batch norm.",
            ("batch", _, _) => ": it leaned toward batch norm.",
            ("instance", _, _) => ": it leaned toward instance norm.",
            _ => ": no clear lean.",
        });
        out.push(sentence);
    }
    out
}

/// The value of an axis the networks were trained at.
fn trained_value(axis: &str) -> f64 {
    if axis == "brightness" {
        0.0
    } else {
        1.0
    }
}

fn trade(file: &LabFile, settings: &Settings) -> Vec<String> {
    let axis = settings.axis.as_deref().unwrap_or("contrast");
    let task = task_of(file, settings);
    let runs: Vec<&LabRun> = super::runs_of(file, &task)
        .filter(|r| !r.diverged() && !r.sweep(axis).is_empty())
        .collect();
    if runs.is_empty() {
        return Vec::new();
    }
    let trained = |r: &LabRun| {
        r.sweep(axis)
            .iter()
            .find(|p| p.value == trained_value(axis))
            .map_or(r.accuracy(), |p| p.accuracy)
    };
    let worst = |r: &LabRun| {
        r.sweep(axis)
            .iter()
            .map(|p| p.accuracy)
            .fold(f64::INFINITY, f64::min)
    };
    let figure = |kind: &str, f: &dyn Fn(&LabRun) -> f64| -> BySeed {
        by_seed(runs.iter().copied(), |r| r.kind() == kind, |r| Some(f(r)))
    };
    let kinds = super::kinds_in(runs.iter().copied());
    let say = |b: &BySeed| {
        Spread::of(&b.values().copied().collect::<Vec<_>>()).map_or("—".into(), |s| accuracy(&s))
    };
    let mut out = vec![format!(
        "On {}, over {axis}, accuracy at the training lighting and at worst was: {}.",
        task_words(&task),
        kinds
            .iter()
            .map(|k| format!(
                "{} {} and {}",
                name(k),
                say(&figure(k, &trained)),
                say(&figure(k, &worst))
            ))
            .collect::<Vec<_>>()
            .join("; ")
    )];
    let acc = compared(
        "IBN",
        "batch norm",
        &figure("ibn", &trained),
        &figure("batch", &trained),
    );
    let rob = compared(
        "IBN",
        "batch norm",
        &figure("ibn", &worst),
        &figure("batch", &worst),
    );
    if let (Some((a, _)), Some((w, _))) = (acc, rob) {
        // "5 points more accurate" (one seed) or "more accurate in 4 of 5 seeds".
        let word = |c: &super::rule::Comparison, more: &str, less: &str, unclear: &str| {
            let p = (c.gap * 100.0).round().abs();
            match c.verdict {
                _ if c.n == 1 && p == 0.0 => format!("as {more}"),
                _ if c.n == 1 => format!("{p} points {}", if c.gap > 0.0 { more } else { less }),
                Verdict::AHigher => format!("{more} in {} of {}", c.a_ahead, seeds(c.n)),
                Verdict::BHigher => format!("{less} in {} of {}", c.b_ahead, seeds(c.n)),
                Verdict::Unclear => format!("{unclear} at {}", seeds(c.n)),
            }
        };
        let accurate = word(
            &a,
            "more accurate",
            "less accurate",
            "not clearly different in accuracy",
        );
        let robust = word(
            &w,
            "more robust",
            "less robust",
            "not clearly different in robustness",
        );
        let pan = "Pan et al. (IBN-Net, 2018)";
        let verdict = match (a.verdict, w.verdict) {
            _ if a.n == 1 => format!(
                "with one seed neither difference is called, where {pan} report IBN improving both"
            ),
            (Verdict::AHigher, Verdict::AHigher) => format!("better on both, as {pan} report"),
            (Verdict::BHigher, Verdict::BHigher) => {
                format!("these runs contradict {pan}, who report IBN improving both")
            }
            (Verdict::Unclear, Verdict::Unclear) => {
                format!(
                    "no clear difference on either at {}, where {pan} report IBN improving both",
                    seeds(a.n)
                )
            }
            _ => format!("a trade-off, not the gain on both that {pan} report"),
        };
        out.push(format!(
            "IBN was {accurate} at the training lighting and {robust} at its worst than batch norm: {verdict}."
        ));
    }
    if task == "day-night" {
        out.push("On day or night the lighting is the label, so a change of lighting at test time may rightly change the answer: robustness is not the goal there.".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, lit, says};
    use super::super::{conclusions, Settings};
    use super::LabRun;

    fn swept(kind: &str, trained: &[f64], worst: &[f64]) -> Vec<LabRun> {
        arm(kind, trained)
            .into_iter()
            .zip(worst)
            .map(|(r, &w)| {
                let a = r.accuracy();
                lit(r, "contrast", &[(0.25, w), (1.0, a)])
            })
            .collect()
    }

    #[test]
    fn ibn_better_on_both_only_when_both_hold() {
        // More robust in every seed, more accurate in two: a trade-off.
        let mut runs = swept(
            "ibn",
            &[0.97, 0.95, 0.93, 0.94, 0.92],
            &[0.60, 0.62, 0.58, 0.61, 0.59],
        );
        runs.extend(swept(
            "batch",
            &[0.95, 0.94, 0.96, 0.97, 0.95],
            &[0.40, 0.42, 0.38, 0.41, 0.39],
        ));
        let s = conclusions("both", &file(runs.clone()), &Settings::default()).expect("both");
        assert!(says(&s, "a trade-off"), "{s:?}");
        assert!(!says(&s, "as Pan et al."), "{s:?}");
        // More accurate in every seed too: better on both.
        let mut runs = swept(
            "ibn",
            &[0.98, 0.97, 0.99, 0.98, 0.97],
            &[0.60, 0.62, 0.58, 0.61, 0.59],
        );
        runs.extend(swept(
            "batch",
            &[0.90, 0.91, 0.89, 0.90, 0.91],
            &[0.40, 0.42, 0.38, 0.41, 0.39],
        ));
        let s = conclusions("both", &file(runs), &Settings::default()).expect("both");
        assert!(
            says(&s, "better on both, as Pan et al. (IBN-Net, 2018) report"),
            "{s:?}"
        );
    }
}
