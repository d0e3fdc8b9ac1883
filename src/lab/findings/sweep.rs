//! The learning-rate and group-count sweep (`normscope lab sweep`, an
//! authors' control): does one learning rate for every kind, or group
//! norm's group count, explain why group norm trails batch norm here?
//! Each kind's best setting, and group norm at each of its settings
//! against batch norm at the same peak rate, by the lab's rule.

use super::file::{LabFile, LabRun};
use super::rule::{compare, Comparison, Verdict};
use super::words::{accuracy, by_seed, name, points_of, seeds, spread_of};
use crate::nn::TrainConfig;

/// One setting of the sweep: a kind at a peak rate, with group norm's group count.
#[derive(Clone, Copy, PartialEq)]
struct Setting<'a> {
    kind: &'a str,
    /// As the engine holds it (f32), so the default compares equal.
    lr: f32,
    groups: u32,
}

impl Setting<'_> {
    fn of(r: &LabRun) -> Setting<'_> {
        Setting {
            kind: r.kind(),
            lr: r.lr() as f32,
            groups: if r.kind() == "group" { r.groups() } else { 0 },
        }
    }
    fn words(&self) -> String {
        match self.kind {
            "group" => format!("lr {} with G = {}", self.lr, self.groups),
            _ => format!("lr {}", self.lr),
        }
    }
}

/// The runs of one setting.
fn runs_at<'a>(runs: &[&'a LabRun], s: Setting) -> Vec<&'a LabRun> {
    runs.iter()
        .copied()
        .filter(|r| Setting::of(r) == s)
        .collect()
}

pub(super) fn conclude(file: &LabFile) -> Vec<String> {
    let runs: Vec<&LabRun> = file.runs.iter().collect();
    let mut settings: Vec<Setting> = Vec::new();
    for r in &runs {
        let s = Setting::of(r);
        if !settings.contains(&s) {
            settings.push(s);
        }
    }
    let of = |s: Setting| runs_at(&runs, s);
    let mean = |s: Setting| spread_of(of(s), |r| r.accuracy()).map(|sp| sp.mean);
    let n = settings.iter().map(|&s| of(s).len()).max().unwrap_or(0);
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Each kind's best setting by mean test accuracy.
    let best: Vec<(String, Setting)> = super::kinds_in(runs.iter().copied())
        .into_iter()
        .filter_map(|k| {
            settings
                .iter()
                .copied()
                .filter(|s| s.kind == k)
                .filter_map(|s| mean(s).map(|m| (s, m)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(s, _)| (k, s))
        })
        .collect();
    out.push(format!(
        "Each kind's best setting in the sweep ({}): {}.",
        seeds(n),
        best.iter()
            .filter_map(
                |(k, s)| spread_of(of(*s), |r| r.accuracy()).map(|sp| format!(
                    "{} at {} ({})",
                    name(k),
                    s.words(),
                    accuracy(&sp)
                ))
            )
            .collect::<Vec<_>>()
            .join("; ")
    ));

    // Group norm at each of its settings against batch norm at the same peak rate.
    let accuracy_of = |s: Setting| by_seed(of(s), |_| true, |r| Some(r.accuracy()));
    let against_batch: Vec<(Setting, Comparison)> = settings
        .iter()
        .copied()
        .filter(|s| s.kind == "group")
        .filter_map(|g| {
            let b = settings
                .iter()
                .copied()
                .find(|s| s.kind == "batch" && s.lr == g.lr)?;
            compare(&accuracy_of(b), &accuracy_of(g)).map(|c| (g, c))
        })
        .collect();
    if against_batch.is_empty() {
        return out;
    }
    let count = |v: Verdict| against_batch.iter().filter(|(_, c)| c.verdict == v).count();
    let (behind, unclear, ahead) = (
        count(Verdict::AHigher),
        count(Verdict::Unclear),
        count(Verdict::BHigher),
    );
    let mut s = format!(
        "Against batch norm at the same peak rate, group norm was clearly behind at {behind} of its {} settings",
        against_batch.len()
    );
    if unclear > 0 {
        s += &format!("; at {unclear}, no clear difference at {}", seeds(n));
    }
    if ahead > 0 {
        s += &format!("; clearly ahead at {ahead}");
    }
    s.push('.');
    out.push(s);

    // The closest group norm came, against the engine's default setting.
    let engine = TrainConfig::default();
    let default = Setting {
        kind: "group",
        lr: engine.lr,
        groups: engine.groups as u32,
    };
    let Some((closest, c)) = against_batch
        .iter()
        .min_by(|a, b| a.1.gap.total_cmp(&b.1.gap))
    else {
        return out;
    };
    let at_default = against_batch
        .iter()
        .find(|(g, _)| *g == default)
        .filter(|(g, _)| g != closest)
        .map(|(_, d)| {
            format!(
                ", against {} at the default setting ({})",
                points_of(d.gap),
                default.words()
            )
        })
        .unwrap_or_default();
    let gap = points_of(c.gap);
    out.push(match c.verdict {
        _ if *closest == default => format!(
            "Group norm came closest to batch norm at the default setting ({}), {gap} behind on average: no other rate or group count in the sweep narrows the gap.",
            closest.words()
        ),
        Verdict::AHigher => format!(
            "At its closest ({}), group norm is still clearly behind batch norm, by {gap} on average{at_default}: neither the shared learning rate nor the group count closes the gap in this network.",
            closest.words()
        ),
        Verdict::Unclear => format!(
            "At {} there is no clear difference between group and batch norm at {} (a mean gap of {gap}; group norm's sd {}){at_default}: a better rate or group count narrows the gap, but these seeds cannot say it closes.",
            closest.words(),
            seeds(c.n),
            points_of(c.b.sd)
        ),
        Verdict::BHigher => format!(
            "At {} group norm is clearly ahead of batch norm ({} on average){at_default}: the shared learning rate held group norm back.",
            closest.words(),
            points_of(-c.gap)
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};
    use super::LabRun;

    fn at(lr: f64, groups: u32, runs: Vec<LabRun>) -> Vec<LabRun> {
        runs.into_iter()
            .map(|mut r| {
                r.record.config.lr = Some(lr);
                r.record.config.groups = Some(groups);
                r
            })
            .collect()
    }

    #[test]
    fn a_gap_at_every_setting_is_not_explained_by_the_rate() {
        let mut runs = at(0.02, 4, arm("batch", &[0.95, 0.94, 0.96, 0.95, 0.97]));
        runs.extend(at(0.05, 4, arm("batch", &[0.96, 0.95, 0.97, 0.94, 0.97])));
        runs.extend(at(0.02, 4, arm("group", &[0.80, 0.78, 0.82, 0.79, 0.81])));
        runs.extend(at(0.05, 4, arm("group", &[0.83, 0.81, 0.85, 0.80, 0.82])));
        // One noisy setting: ahead of batch norm in one seed, far behind in another.
        runs.extend(at(0.05, 8, arm("group", &[0.97, 0.55, 0.90, 0.90, 0.70])));
        let s = conclusions("sweep", &file(runs), &Settings::default()).expect("sweep");
        assert!(
            says(&s, "batch norm at lr 0.05 (96% ± 1 (94–97%))"),
            "{s:?}"
        );
        assert!(says(&s, "group norm at lr 0.05 with G = 4"), "{s:?}");
        assert!(
            says(&s, "group norm was clearly behind at 2 of its 3 settings; at 1, no clear difference at 5 seeds."),
            "{s:?}"
        );
        assert!(
            says(&s, "At its closest (lr 0.05 with G = 4), group norm is still clearly behind batch norm, by 14 points on average, against 15 points at the default setting (lr 0.02 with G = 4): neither"),
            "{s:?}"
        );
    }

    #[test]
    fn a_setting_where_the_gap_is_unclear_is_not_called_closed() {
        let mut runs = at(0.02, 4, arm("batch", &[0.95, 0.94, 0.96]));
        runs.extend(at(0.02, 4, arm("group", &[0.80, 0.78, 0.82])));
        runs.extend(at(0.05, 4, arm("batch", &[0.95, 0.94, 0.96])));
        runs.extend(at(0.05, 4, arm("group", &[0.97, 0.85, 0.93])));
        let s = conclusions("sweep", &file(runs), &Settings::default()).expect("sweep");
        assert!(
            says(&s, "At lr 0.05 with G = 4 there is no clear difference between group and batch norm at 3 seeds"),
            "{s:?}"
        );
        assert!(says(&s, "these seeds cannot say it closes"), "{s:?}");
        assert!(says(&s, "(3 seeds)"), "{s:?}");
    }

    #[test]
    fn the_default_as_closest_says_so() {
        let mut runs = at(0.02, 4, arm("batch", &[0.95, 0.94, 0.96]));
        runs.extend(at(0.02, 4, arm("group", &[0.80, 0.78, 0.82])));
        runs.extend(at(0.05, 4, arm("batch", &[0.95, 0.94, 0.96])));
        runs.extend(at(0.05, 4, arm("group", &[0.70, 0.68, 0.72])));
        let s = conclusions("sweep", &file(runs), &Settings::default()).expect("sweep");
        assert!(says(&s, "came closest to batch norm at the default setting (lr 0.02 with G = 4), 15 points behind"), "{s:?}");
    }
}
