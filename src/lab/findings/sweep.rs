//! The learning-rate and group-count sweep (`normscope lab sweep`, an
//! authors' control): does one learning rate for every kind, or group
//! norm's group count, explain why group norm trails batch norm here?
//! Each kind's best setting, and group norm at each of its settings
//! against batch norm at the same peak rate, by the lab's rule.

use super::file::{LabFile, LabRun};
use super::rule::{compare, Verdict};
use super::words::{accuracy, by_seed, name, points, seeds, spread_of};

/// Group norm counts as caught up within this many points of batch norm.
const CLOSE: f64 = 0.10;

/// One setting of the sweep: a kind at a peak rate, with group norm's group count.
#[derive(Clone, Copy, PartialEq)]
struct Setting<'a> {
    kind: &'a str,
    lr: f64,
    groups: u32,
}

impl Setting<'_> {
    fn of(r: &LabRun) -> Setting<'_> {
        Setting {
            kind: r.kind(),
            lr: r.lr(),
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
    let (mut called, mut unclear, mut group_ahead, mut total) = (0, 0, 0, 0);
    let mut smallest_gap: Option<f64> = None;
    for &g in settings.iter().filter(|s| s.kind == "group") {
        let Some(&b) = settings.iter().find(|s| s.kind == "batch" && s.lr == g.lr) else {
            continue;
        };
        let Some(c) = compare(&accuracy_of(b), &accuracy_of(g)) else {
            continue;
        };
        total += 1;
        match c.verdict {
            Verdict::AHigher => called += 1,
            Verdict::BHigher => group_ahead += 1,
            Verdict::Unclear => unclear += 1,
        }
        smallest_gap = Some(smallest_gap.map_or(c.gap, |m: f64| m.min(c.gap)));
    }
    if total > 0 {
        let mut s = format!(
            "Against batch norm at the same peak rate, group norm was clearly behind at {called} of its {total} settings"
        );
        if unclear > 0 {
            s += &format!("; at {unclear}, no clear difference at {}", seeds(n));
        }
        if group_ahead > 0 {
            s += &format!("; clearly ahead at {group_ahead}");
        }
        s.push('.');
        out.push(s);
    }
    if let Some(gap) = smallest_gap {
        out.push(if gap > CLOSE {
            format!(
                "No setting brings group norm within {} points of batch norm on average (the smallest mean gap is {} points), so neither the shared learning rate nor the group count explains the gap in this network.",
                points(CLOSE),
                points(gap)
            )
        } else {
            format!(
                "At its closest, group norm is {} points behind batch norm on average: the shared learning rate or the group count explains much of the gap in this network.",
                points(gap)
            )
        });
    }
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
            says(&s, "No setting brings group norm within 10 points"),
            "{s:?}"
        );
    }

    #[test]
    fn a_setting_that_closes_the_gap_is_said() {
        let mut runs = at(0.02, 4, arm("batch", &[0.95, 0.94, 0.96]));
        runs.extend(at(0.02, 4, arm("group", &[0.93, 0.93, 0.95])));
        let s = conclusions("sweep", &file(runs), &Settings::default()).expect("sweep");
        assert!(
            says(&s, "At its closest, group norm is 1 points behind"),
            "{s:?}"
        );
        assert!(says(&s, "(3 seeds)"), "{s:?}");
    }
}
