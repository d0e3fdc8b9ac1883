//! How well one number per image separates two classes: the page's "what
//! per-image normalization erases" demonstration.
//!
//! The page feeds it one feature per image (the mean of that image's
//! normalized output) and a 0/1 label (day or night), once per kind of
//! normalization. After instance norm every image's mean is 0, so nothing
//! separates the classes; after batch norm dark images stay dark.
//!
//! ```text
//! values (one per image) + labels (0/1) ──> best threshold, accuracy,
//!                                           margin, Fisher ratio
//! ```

use serde::Serialize;

use crate::error::{Error, Result};

/// Two values closer than this count as equal.
///
/// The features are in units of standard deviations, and a network computes
/// in f32 (about 7 significant digits): a difference this small is rounding,
/// not something a classifier could learn from. Without it, the 1e-17 noise
/// left after layer norm could "separate" the classes by accident.
pub const TIE_TOLERANCE: f64 = 1e-6;

/// How well a single threshold on one feature separates class 0 from class 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Separability {
    /// Best fraction of values classified correctly by one threshold.
    pub accuracy: f64,
    /// How many that is, out of [`Separability::count`].
    pub correct: usize,
    /// Number of values.
    pub count: usize,
    /// What always answering the larger class scores (0.5 for equal classes).
    pub chance: f64,
    /// The best threshold (a midpoint between two neighbouring values), or
    /// `None` when no threshold beats answering the larger class.
    pub threshold: Option<f64>,
    /// True when class 1 lies above the threshold (false: below).
    pub class1_above: bool,
    /// Distance from the threshold to the nearest value (0 without one).
    /// With accuracy 1 it is the classic margin: half the gap between classes.
    pub margin: f64,
    /// Fisher's ratio of between-class to within-class spread (see [`separability`]).
    /// `f64::INFINITY` when the means differ but neither class varies.
    pub fisher: f64,
    /// Mean of class 0 and of class 1.
    pub mean0: f64,
    pub mean1: f64,
}

/// The best single-threshold classifier on `values`, and Fisher's ratio.
///
/// Every midpoint between two neighbouring distinct values is tried as a
/// threshold, in both directions (class 1 above or below), and the one
/// classifying most values correctly wins; among equally good thresholds
/// the one in the widest gap (largest margin) wins. Values within
/// [`TIE_TOLERANCE`] of each other count as equal, so no threshold falls
/// between them.
///
/// ```text
/// accuracy = max over thresholds t and directions of  #{i : rule_t(x_i) = y_i} / n
/// fisher   = (μ₁ − μ₀)² / (σ₀² + σ₁²)     σ² = population variance of a class
///          = 0  when |μ₁ − μ₀| ≤ TIE_TOLERANCE
///          = ∞  when the means differ and σ₀² + σ₁² = 0
/// ```
///
/// # Errors
/// [`Error::BadInput`] if the lengths differ, there are no values, a value
/// is not finite, a label is not 0 or 1, or only one class is present.
///
/// # Example
/// ```
/// use normscope::classify::separability;
/// let s = separability(&[-1.0, -0.8, 0.9, 1.2], &[0, 0, 1, 1]).unwrap();
/// assert_eq!(s.accuracy, 1.0);
/// assert!((s.threshold.unwrap() - 0.05).abs() < 1e-12);
/// ```
pub fn separability(values: &[f64], labels: &[u8]) -> Result<Separability> {
    if values.len() != labels.len() {
        return Err(Error::BadInput(format!(
            "got {} values but {} labels: give exactly one 0/1 label per value",
            values.len(),
            labels.len()
        )));
    }
    if values.is_empty() {
        return Err(Error::BadInput(
            "no values to classify: give at least one value of each class".into(),
        ));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::BadInput(format!(
            "value {i} is {}: every value must be a finite number",
            values[i]
        )));
    }
    if let Some(i) = labels.iter().position(|&l| l > 1) {
        return Err(Error::BadInput(format!(
            "label {i} is {}: labels must be 0 or 1",
            labels[i]
        )));
    }
    let n = values.len();
    let n1 = labels.iter().filter(|&&l| l == 1).count();
    let n0 = n - n1;
    if n0 == 0 || n1 == 0 {
        return Err(Error::BadInput(format!(
            "all {n} values have label {}: separating classes needs at least one value of each",
            labels[0]
        )));
    }

    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));

    // Start with the threshold below every value: all answered "class 1" if
    // class 1 is above (n1 correct), or all "class 0" if below (n0 correct).
    // Moving the threshold past a value of class 0 gains one correct answer
    // for "class 1 above" and loses one for "class 1 below"; class 1 the reverse.
    let best_trivial = n0.max(n1);
    let mut best = Candidate {
        correct: best_trivial,
        threshold: None,
        class1_above: n1 >= n0,
        margin: 0.0,
    };
    let mut above_correct = n1 as i64; // correct if class 1 is above
    for k in 0..n - 1 {
        let i = order[k];
        above_correct += if labels[i] == 0 { 1 } else { -1 };
        let (lo, hi) = (values[i], values[order[k + 1]]);
        if hi - lo <= TIE_TOLERANCE {
            continue;
        }
        let t = 0.5 * (lo + hi);
        let margin = 0.5 * (hi - lo);
        let above = above_correct as usize;
        for (correct, class1_above) in [(above, true), (n - above, false)] {
            let better =
                correct > best.correct || (correct == best.correct && margin > best.margin);
            if better && correct > best_trivial {
                best = Candidate {
                    correct,
                    threshold: Some(t),
                    class1_above,
                    margin,
                };
            }
        }
    }

    let (mean0, var0) = class_moments(values, labels, 0);
    let (mean1, var1) = class_moments(values, labels, 1);
    let diff = mean1 - mean0;
    let within = var0 + var1;
    let fisher = if diff.abs() <= TIE_TOLERANCE {
        0.0
    } else if within == 0.0 {
        f64::INFINITY
    } else {
        diff * diff / within
    };

    Ok(Separability {
        accuracy: best.correct as f64 / n as f64,
        correct: best.correct,
        count: n,
        chance: best_trivial as f64 / n as f64,
        threshold: best.threshold,
        class1_above: best.class1_above,
        margin: best.margin,
        fisher,
        mean0,
        mean1,
    })
}

struct Candidate {
    correct: usize,
    threshold: Option<f64>,
    class1_above: bool,
    margin: f64,
}

/// Mean and population variance (two-pass) of the values with `label`.
fn class_moments(values: &[f64], labels: &[u8], label: u8) -> (f64, f64) {
    let picked = || {
        values
            .iter()
            .zip(labels)
            .filter(move |(_, &l)| l == label)
            .map(|(&v, _)| v)
    };
    let count = picked().count() as f64;
    let mean = picked().sum::<f64>() / count;
    let var = picked().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count;
    (mean, var)
}
