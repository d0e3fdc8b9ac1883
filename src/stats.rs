//! Statistics: numerically stable moments, histograms, and the figures the
//! page reports (invariance and neighbour sensitivity).
//!
//! Moments are accumulated in f64 with a corrected two-pass scheme, so a
//! channel of `10000 + 0.01·noise` stored as f32 gets the right variance.
//! (The one-pass `E[x²] − E[x]²` in f32 returns 0 there, the exact
//! low-contrast case this tool is about.)

use ndarray::ArrayView2;
use serde::Serialize;

/// Mean and biased variance of a set of values, with their count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    pub mean: f64,
    /// Biased (population) variance: divides by `count`.
    pub var: f64,
    pub count: usize,
}

impl Moments {
    /// Standard deviation, `sqrt(var)`.
    pub fn std(&self) -> f64 {
        self.var.sqrt()
    }

    /// Unbiased variance, `var · n / (n − 1)` (what PyTorch stores as
    /// `running_var`). Equals `var` when `count < 2`.
    pub fn unbiased_var(&self) -> f64 {
        if self.count < 2 {
            self.var
        } else {
            self.var * self.count as f64 / (self.count - 1) as f64
        }
    }

    /// True when both moments are finite numbers (the input had no NaN/Inf).
    pub fn is_finite(&self) -> bool {
        self.mean.is_finite() && self.var.is_finite()
    }

    /// The moments of the union of disjoint sets, from each set's moments
    /// (the parallel form of the two-pass algorithm, exact up to rounding):
    ///
    /// ```text
    /// n = Σ nᵢ     mean = Σ nᵢ·meanᵢ / n     var = Σ nᵢ·(varᵢ + (meanᵢ − mean)²) / n
    /// ```
    ///
    /// Every term of the variance is non-negative, so nothing cancels.
    pub fn combine(parts: &[Moments]) -> Moments {
        let count: usize = parts.iter().map(|m| m.count).sum();
        if count == 0 {
            return Moments {
                mean: 0.0,
                var: 0.0,
                count: 0,
            };
        }
        if let [single] = parts {
            return *single;
        }
        let n = count as f64;
        let mean = parts.iter().map(|m| m.count as f64 * m.mean).sum::<f64>() / n;
        let var = parts
            .iter()
            .map(|m| m.count as f64 * (m.var + (m.mean - mean) * (m.mean - mean)))
            .sum::<f64>()
            / n;
        Moments { mean, var, count }
    }
}

/// Sum of a slice in f64 with four accumulators (pairs better with the
/// hardware than one long dependency chain, and is no less accurate).
fn sum_f64(values: &[f32]) -> f64 {
    let mut acc = [0f64; 4];
    let chunks = values.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        acc[0] += c[0] as f64;
        acc[1] += c[1] as f64;
        acc[2] += c[2] as f64;
        acc[3] += c[3] as f64;
    }
    let tail_sum: f64 = tail.iter().map(|&v| v as f64).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail_sum
}

/// `(Σ d, Σ d²)` with `d = x − center`, in f64.
fn centered_sums(values: &[f32], center: f64) -> (f64, f64) {
    let mut s1 = [0f64; 2];
    let mut s2 = [0f64; 2];
    let chunks = values.chunks_exact(2);
    let tail = chunks.remainder();
    for c in chunks {
        let d0 = c[0] as f64 - center;
        let d1 = c[1] as f64 - center;
        s1[0] += d0;
        s1[1] += d1;
        s2[0] += d0 * d0;
        s2[1] += d1 * d1;
    }
    let mut t1 = s1[0] + s1[1];
    let mut t2 = s2[0] + s2[1];
    for &v in tail {
        let d = v as f64 - center;
        t1 += d;
        t2 += d * d;
    }
    (t1, t2)
}

fn plane_sum(plane: &ArrayView2<f32>) -> f64 {
    match plane.as_slice() {
        Some(s) => sum_f64(s),
        None => plane.iter().map(|&v| v as f64).sum(),
    }
}

fn plane_centered_sums(plane: &ArrayView2<f32>, center: f64) -> (f64, f64) {
    match plane.as_slice() {
        Some(s) => centered_sums(s, center),
        None => plane.iter().fold((0.0, 0.0), |(a, b), &v| {
            let d = v as f64 - center;
            (a + d, b + d * d)
        }),
    }
}

/// Moments of the union of several planes (e.g. one channel across the
/// batch), by the corrected two-pass algorithm:
///
/// ```text
/// m   = Σx / n                          (pass 1, f64)
/// d   = x − m
/// var = (Σd² − (Σd)² / n) / n           (pass 2, f64; the Σd term corrects m)
/// mean = m + Σd / n
/// ```
///
/// A set of equal values gets exactly that value as mean and variance 0.
/// NaN or infinite input shows up as non-finite moments
/// (see [`Moments::is_finite`]): a finite f32 sum cannot overflow f64.
///
/// ```
/// use ndarray::Array2;
/// use normscope::stats::moments_of_planes;
/// let p = Array2::from_shape_vec((1, 4), vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
/// let m = moments_of_planes(&[p.view()]);
/// assert_eq!(m.mean, 2.5);
/// assert_eq!(m.var, 1.25);
/// ```
pub fn moments_of_planes(planes: &[ArrayView2<f32>]) -> Moments {
    let count: usize = planes.iter().map(|p| p.len()).sum();
    if count == 0 {
        return Moments {
            mean: 0.0,
            var: 0.0,
            count: 0,
        };
    }
    let n = count as f64;
    let first_pass_mean = planes.iter().map(plane_sum).sum::<f64>() / n;
    if !first_pass_mean.is_finite() {
        return Moments {
            mean: f64::NAN,
            var: f64::NAN,
            count,
        };
    }
    let (s1, s2) = planes.iter().fold((0.0, 0.0), |(a, b), p| {
        let (x, y) = plane_centered_sums(p, first_pass_mean);
        (a + x, b + y)
    });
    let var = ((s2 - s1 * s1 / n) / n).max(0.0);
    Moments {
        mean: first_pass_mean + s1 / n,
        var,
        count,
    }
}
