//! The race: every kind trained on one task, over seeds. Who led, where
//! instance norm ended, and group norm against batch norm and none.

use super::file::{LabFile, LabRun};
use super::rule::{holds_in, Verdict};
use super::words::{
    accuracy, by_seed, capital, compared, list, name, pct, points_of, seeds, spread_of,
};
use super::{chance, kinds_in, runs_of, task_of, task_words, Settings};

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let task = task_of(file, settings);
    let runs: Vec<&LabRun> = runs_of(file, &task).filter(|r| settings.shows(r)).collect();
    if runs.is_empty() {
        return Vec::new();
    }
    let kinds = kinds_in(runs.iter().copied());
    let finished = |kind: &str| -> Vec<&LabRun> {
        runs.iter()
            .copied()
            .filter(|r| r.kind() == kind && !r.diverged())
            .collect()
    };
    let acc = |kind: &str| by_seed(finished(kind), |_| true, |r| Some(r.accuracy()));
    let steps = runs.iter().map(|r| r.steps()).max().unwrap_or(0);
    let n = kinds
        .iter()
        .map(|k| runs.iter().filter(|r| r.kind() == k).count())
        .max()
        .unwrap_or(0);
    let guess = chance(file, &task);

    let mut out = Vec::new();
    let per_kind: Vec<String> = kinds
        .iter()
        .filter_map(|k| {
            spread_of(finished(k), LabRun::accuracy)
                .map(|s| format!("{} {}", name(k), accuracy(&s)))
        })
        .collect();
    out.push(format!(
        "On {} ({steps} steps, {} of each kind), test accuracy was: {} (guessing: {}).",
        task_words(&task),
        seeds(n),
        per_kind.join("; "),
        pct(guess)
    ));

    let diverged: Vec<String> = kinds
        .iter()
        .filter_map(|k| {
            let all: Vec<&&LabRun> = runs.iter().filter(|r| r.kind() == k).collect();
            let bad: Vec<String> = all
                .iter()
                .filter_map(|r| r.record.diverged.as_ref())
                .map(|d| d.step.map_or("?".into(), |s| s.to_string()))
                .collect();
            (!bad.is_empty()).then(|| {
                format!(
                    "{} in {} of {} (step {})",
                    name(k),
                    bad.len(),
                    seeds(all.len()),
                    bad.join(", ")
                )
            })
        })
        .collect();
    if !diverged.is_empty() {
        out.push(format!("Diverged: {}.", list(&diverged)));
    }

    out.extend(leader(&kinds, &acc));

    let bn = acc("batch");
    let inorm = acc("instance");
    // The reader's own photos are a "which class" task too: the same comparisons.
    if task == "what" || task == "photos" {
        if let Some((c, text)) = compared("batch norm", "instance norm", &bn, &inorm) {
            out.push(text);
            let paper = "(ResNet-50 on ImageNet: 23.6% error with batch norm, 28.4% with instance norm; Wu & He 2018)";
            out.push(match c.verdict {
                Verdict::AHigher => format!("So batch norm classified better, as the literature reports {paper}."),
                Verdict::BHigher => format!("These runs contradict the literature, which reports instance norm classifying worse {paper}."),
                Verdict::Unclear => format!("The literature reports batch norm classifying better {paper}; at {} these runs do not show it clearly.", seeds(c.n)),
            });
        }
        let group = acc("group");
        if let Some((c, text)) = compared("batch norm", "group norm", &bn, &group) {
            out.push(text);
            // As the engine holds it (f32): 0.02, not 0.019999999552965164.
            let lr = runs.iter().find_map(|r| r.record.config.lr).unwrap_or(0.02) as f32;
            let gap = (c.b.mean - c.a.mean).abs() * 100.0;
            out.push(format!(
                "The Group Norm paper (Wu & He 2018, ResNet-50 on ImageNet, 32 images per GPU) reports 23.6% error with batch norm and 24.1% with group norm, half a point apart; here the means are {gap:.0} points apart. This network is far smaller (8–32 channels, so 4 groups hold 2–8 channels each), and every kind trains with the same peak learning rate ({lr}), tuned for none of them."
            ));
        }
        if let Some((_, text)) = compared("group norm", "no normalization", &group, &acc("none")) {
            out.push(text);
        }
    } else if let Some(s) = spread_of(finished("instance"), LabRun::accuracy) {
        let near = finished("instance")
            .iter()
            .filter(|r| r.accuracy() < guess + 0.1)
            .count();
        let bn_words = spread_of(finished("batch"), LabRun::accuracy)
            .map(|b| format!(" Batch norm reached {}.", accuracy(&b)))
            .unwrap_or_default();
        out.push(if holds_in(near, s.n) {
            format!(
                "Instance norm stayed near guessing ({}, within 10 points of it in {near} of {}): it divides out each image's own brightness and contrast, and with the replicate padding this network uses, too little is left to tell day from night — although the night transform also bends the tones. This depends on the padding: with zero padding, PyTorch's default, the border gives away each image's level, and an instance-norm network was reported learning this task to 99%.{bn_words}",
                accuracy(&s),
                seeds(s.n)
            )
        } else {
            format!(
                "Instance norm reached {} ({near} of {} within 10 points of guessing), although it divides out each image's brightness and contrast: the darkening here also bends the tones (x^g) and adds an offset, and it can learn from that shape.{bn_words}",
                accuracy(&s),
                seeds(s.n)
            )
        });
    }
    out
}

/// "X did best" only when X beat the runner-up by the rule.
fn leader(kinds: &[String], acc: &dyn Fn(&str) -> super::rule::BySeed) -> Option<String> {
    let mut means: Vec<(String, f64)> = kinds
        .iter()
        .filter_map(|k| {
            let a = acc(k);
            (!a.is_empty()).then(|| (k.clone(), a.values().sum::<f64>() / a.len() as f64))
        })
        .collect();
    if means.len() < 2 {
        return None;
    }
    means.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
    let (top, second) = (&means[0].0, &means[1].0);
    let (c, _) = compared(&name(top), &name(second), &acc(top), &acc(second))?;
    Some(match c.verdict {
        Verdict::AHigher => format!(
            "{} did best: ahead of the runner-up, {}, in {} of {} seeds.",
            capital(&name(top)),
            name(second),
            c.a_ahead,
            c.n
        ),
        _ if c.n == 1 && (c.gap * 100.0).round() == 0.0 => format!(
            "{} and {} tied at the top, in one seed.",
            capital(&name(top)),
            name(second)
        ),
        _ if c.n == 1 => format!(
            "{} did best, {} ahead of {}, but that rests on one seed.",
            capital(&name(top)),
            points_of(c.gap),
            name(second)
        ),
        _ => format!(
            "{} had the highest mean, but no clear difference from the runner-up, {}, at {} ({} ahead in {} of {}): no kind clearly did best.",
            capital(&name(top)),
            name(second),
            seeds(c.n),
            name(top),
            c.a_ahead,
            c.n
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};

    fn race(runs: Vec<super::LabRun>) -> Vec<String> {
        conclusions("race", &file(runs), &Settings::default()).expect("race")
    }

    #[test]
    fn a_one_seed_lead_is_not_a_win() {
        // IBN ahead in seed 1 only, batch norm ahead in the other four.
        let mut runs = arm("ibn", &[0.99, 0.93, 0.94, 0.92, 0.93]);
        runs.extend(arm("batch", &[0.95, 0.96, 0.97, 0.95, 0.96]));
        let s = race(runs);
        assert!(!says(&s, "IBN did best"), "{s:?}");
        assert!(says(&s, "no kind clearly did best"), "{s:?}");
        assert!(says(&s, "5 seeds"), "{s:?}");
    }

    #[test]
    fn a_consistent_lead_is_a_win_and_batch_beats_instance_as_reported() {
        let mut runs = arm("batch", &[0.96, 0.94, 0.98, 0.95, 0.97]);
        runs.extend(arm("instance", &[0.55, 0.50, 0.58, 0.52, 0.56]));
        let s = race(runs);
        assert!(
            says(
                &s,
                "Batch norm did best: ahead of the runner-up, instance norm, in 5 of 5 seeds."
            ),
            "{s:?}"
        );
        assert!(says(&s, "as the literature reports"), "{s:?}");
    }

    #[test]
    fn group_below_none_within_the_spread_is_no_clear_difference() {
        // Group under none in 3 of 5 seeds, by less than one sd (the case).
        let mut runs = arm("group", &[0.70, 0.90, 0.80, 0.92, 0.80]);
        runs.extend(arm("none", &[0.80, 0.85, 0.88, 0.90, 0.92]));
        let s = race(runs);
        assert!(
            says(
                &s,
                "No clear difference between group norm and no normalization at 5 seeds"
            ),
            "{s:?}"
        );
    }

    #[test]
    fn one_seed_rests_on_one_seed() {
        let mut runs = arm("batch", &[0.9]);
        runs.extend(arm("instance", &[0.5]));
        let s = race(runs);
        assert!(says(&s, "rests on one seed"), "{s:?}");
        assert!(!says(&s, "as the literature reports"), "{s:?}");
    }

    #[test]
    fn your_photos_are_compared_as_a_which_class_task() {
        let mut runs = arm("instance", &[0.40, 0.42, 0.41]);
        runs.extend(arm("batch", &[0.90, 0.88, 0.91]));
        for r in &mut runs {
            r.record.config.task = Some("photos".into());
            r.record.classes = vec!["cat".into(), "coffee".into(), "rocket".into()];
        }
        let s = race(runs);
        assert!(says(&s, "On your photos"), "{s:?}");
        assert!(says(&s, "(guessing: 33%)"), "{s:?}");
        assert!(says(&s, "as the literature reports"), "{s:?}");
        assert!(!says(&s, "day from night"), "{s:?}");
    }

    #[test]
    fn day_night_names_the_padding() {
        let mut runs = arm("instance", &[0.52, 0.50, 0.55]);
        runs.extend(arm("batch", &[0.99, 0.98, 0.99]));
        for r in &mut runs {
            r.record.config.task = Some("day-night".into());
        }
        let s = race(runs);
        assert!(says(&s, "replicate padding"), "{s:?}");
        assert!(says(&s, "99%"), "{s:?}");
        assert!(!says(&s, "exactly the label"), "{s:?}");
    }
}
