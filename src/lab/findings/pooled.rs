//! What instance norm throws away: the race's batch- and instance-norm
//! networks' last-block channels pooled over each test image, and how well
//! they separate the classes (η²), over seeds.

use super::file::{LabFile, LabRun, Pooled};
use super::rule::{holds_in, BySeed, Verdict};
use super::words::{compared, seeds};
use super::Settings;
use crate::lab::Spread;

/// How well one channel's pooled values separate the classes: η², the
/// between-class share of the variance; `None` when the channel is flat
/// (every value within 1e-4 of the others: it says the same of every image).
///
/// ```text
/// η² = Σ_c n_c (mean_c − mean)² / Σ_i (x_i − mean)²
/// ```
pub(super) fn separation(values: &[f64], labels: &[u32]) -> Option<f64> {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n.max(1) as f64;
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if n == 0 || hi - lo <= 1e-4 * (1.0 + mean.abs()) {
        return None;
    }
    let total: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let mut sums: std::collections::BTreeMap<u32, (f64, usize)> = Default::default();
    for (&v, &l) in values.iter().zip(labels) {
        let e = sums.entry(l).or_default();
        e.0 += v;
        e.1 += 1;
    }
    let between: f64 = sums
        .values()
        .map(|&(s, c)| c as f64 * (s / c as f64 - mean).powi(2))
        .sum();
    Some(between / total)
}

/// The channel the classifier weighs most.
fn heaviest(p: &Pooled) -> usize {
    p.weight
        .iter()
        .enumerate()
        .fold(0, |best, (c, &w)| if w > p.weight[best] { c } else { best })
}

/// Mean η² over every channel of the classifier's input (flat channels count 0).
fn mean_separation(p: &Pooled) -> f64 {
    let all: Vec<f64> = p
        .features
        .iter()
        .map(|v| separation(v, &p.labels).unwrap_or(0.0))
        .collect();
    all.iter().sum::<f64>() / all.len().max(1) as f64
}

fn pooled(r: &LabRun) -> Option<&Pooled> {
    r.after().and_then(|a| a.pooled.as_ref())
}

fn eta(s: &Spread) -> String {
    if s.n == 1 {
        format!("{:.2}", s.mean)
    } else {
        format!("{:.2} ± {:.2} ({:.2}–{:.2})", s.mean, s.sd, s.min, s.max)
    }
}

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let runs: Vec<&LabRun> = file.runs.iter().filter(|r| pooled(r).is_some()).collect();
    let of = |kind: &'static str| runs.iter().copied().filter(move |r| r.kind() == kind);
    if of("batch").next().is_none() || of("instance").next().is_none() {
        return Vec::new();
    }
    let channel = |p: &Pooled| {
        settings
            .channel
            .filter(|&c| c < p.norm.len())
            .unwrap_or_else(|| heaviest(p))
    };
    let stage = |r: &LabRun, pick: fn(&Pooled) -> &Vec<Vec<f64>>| {
        let p = pooled(r)?;
        Some(separation(pick(p).get(channel(p))?, &p.labels))
    };
    let spread = |v: Vec<f64>| Spread::of(&v);
    let mut out = Vec::new();

    let inorm: Vec<&LabRun> = of("instance").collect();
    let flat = inorm
        .iter()
        .filter(|r| stage(r, |p| &p.norm) == Some(None))
        .count();
    let n = inorm.len();
    let shown = inorm
        .iter()
        .find(|r| Some(r.seed()) == settings.seed)
        .or(inorm.first());
    if let Some((r, p)) = shown.and_then(|r| pooled(r).map(|p| (r, p))) {
        let c = channel(p);
        out.push(if holds_in(flat, n) {
            format!(
                "Instance norm's channel leaves its norm layer at one value, β, for every test image in {flat} of {} (in seed {}, channel {c} at β = {:.3}): pooled there, it cannot tell the classes apart.",
                seeds(n),
                r.seed(),
                p.beta.get(c).copied().unwrap_or(f64::NAN)
            )
        } else {
            format!("Instance norm's channel was flat at its norm output in only {flat} of {}, against the arithmetic that puts every image at β: check the engine.", seeds(n))
        });
    }
    let bn_norm: Vec<f64> = of("batch")
        .filter_map(|r| stage(r, |p| &p.norm).flatten())
        .collect();
    if let Some(s) = spread(bn_norm) {
        out.push(format!(
            "Batch norm's channel still says how much of its feature each image holds: η² = {} at the norm output over {} (the share of its spread that lies between the classes).",
            eta(&s),
            seeds(s.n)
        ));
    }
    let relu = |kind: &'static str| {
        spread(
            of(kind)
                .map(|r| stage(r, |p| &p.relu).flatten().unwrap_or(0.0))
                .collect(),
        )
    };
    if let (Some(i), Some(b)) = (relu("instance"), relu("batch")) {
        out.push(format!(
            "After the ReLU, instance norm's channel separates the classes with η² = {} — what is left is the shape of each image's distribution (how much of it lies above zero), not its amount — and batch norm's with {}.",
            eta(&i),
            eta(&b)
        ));
    }
    let by = |kind: &'static str, f: fn(&LabRun) -> f64| -> BySeed {
        of(kind).map(|r| (r.seed(), f(r))).collect()
    };
    let keeps = compared(
        "batch norm",
        "instance norm",
        &by("batch", |r| pooled(r).map_or(0.0, mean_separation)),
        &by("instance", |r| pooled(r).map_or(0.0, mean_separation)),
    );
    let better = compared(
        "batch norm",
        "instance norm",
        &by("batch", LabRun::accuracy),
        &by("instance", LabRun::accuracy),
    );
    if let (Some((k, _)), Some((a, acc_text))) = (keeps, better) {
        out.push(format!(
            "Over all channels of the classifier's input the mean η² is {} for batch norm and {} for instance norm.",
            eta(&k.a),
            eta(&k.b)
        ));
        out.push(acc_text);
        out.push(match (k.verdict, a.verdict) {
            (Verdict::AHigher, Verdict::AHigher) => "So the network that keeps the amounts also classifies better, as Wu & He (2018) report for instance norm against batch norm on ImageNet.".into(),
            _ if k.n == 1 => "With one seed, neither difference is called (Wu & He 2018 report instance norm classifying worse than batch norm).".into(),
            _ => format!("At {} these runs do not clearly show both halves of the expected order (batch norm keeping more class information and classifying better, as Wu & He 2018 report).", seeds(k.n)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::separation;

    #[test]
    fn eta_squared_is_one_when_the_class_decides_the_value() {
        let eta = separation(&[1.0, 1.0, 3.0, 3.0], &[0, 0, 1, 1]).expect("not flat");
        assert!((eta - 1.0).abs() < 1e-12);
        assert_eq!(separation(&[2.0, 2.0, 2.0], &[0, 1, 2]), None);
        let none = separation(&[1.0, 3.0, 1.0, 3.0], &[0, 0, 1, 1]).expect("not flat");
        assert!(none.abs() < 1e-12);
    }
}
