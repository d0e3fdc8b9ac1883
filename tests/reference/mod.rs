//! An independent float64 reference for the normalization kinds.
//!
//! Written as plainly as possible: nested loops over the f32 input values
//! widened to f64, a naive two-pass mean and biased variance, and the
//! PyTorch formula applied element by element. It calls nothing from the
//! crate under test, so the tests compare two separate computations.
//!
//! ```text
//! y = (x − μ) / sqrt(σ² + eps)      σ² biased (divides by the count)
//! ```

// Index loops are the point here: each line mirrors the formula it checks.
#![allow(clippy::needless_range_loop)]

use ndarray::Array4;

/// Which values share a mean and variance, with the kind's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RefKind {
    /// Per channel c over (N, H, W).
    Batch,
    /// Per (n, c) over (H, W).
    Instance,
    /// Per n over (C, H, W).
    Layer,
    /// G contiguous channel groups, per (n, g) over (C/G, H, W).
    Group(usize),
    /// ρ·Batch + (1 − ρ)·Instance, mixed element by element.
    BatchInstance(f64),
}

/// Mean and biased variance of `values`, two plain passes in f64.
pub fn mean_var(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mut sum = 0.0;
    for &v in values {
        sum += v;
    }
    let mean = sum / n;
    let mut sq = 0.0;
    for &v in values {
        sq += (v - mean) * (v - mean);
    }
    (mean, sq / n)
}

/// The values of channels `c0..c1` of the images `n0..n1`, widened to f64.
fn gather(
    x: &Array4<f32>,
    images: std::ops::Range<usize>,
    channels: std::ops::Range<usize>,
) -> Vec<f64> {
    let (_, _, h, w) = x.dim();
    let mut out = Vec::new();
    for n in images {
        for c in channels.clone() {
            for i in 0..h {
                for j in 0..w {
                    out.push(x[[n, c, i, j]] as f64);
                }
            }
        }
    }
    out
}

/// Standardize with one (mean, var) per (n, c) plane, `stats[n][c]`.
fn standardize(x: &Array4<f32>, stats: &[Vec<(f64, f64)>], eps: f64) -> Array4<f64> {
    let (n_img, ch, h, w) = x.dim();
    let mut y = Array4::<f64>::zeros((n_img, ch, h, w));
    for n in 0..n_img {
        for c in 0..ch {
            let (mean, var) = stats[n][c];
            for i in 0..h {
                for j in 0..w {
                    y[[n, c, i, j]] = (x[[n, c, i, j]] as f64 - mean) / (var + eps).sqrt();
                }
            }
        }
    }
    y
}

/// Per-plane statistics when channel groups of size `per_group` share them
/// within each image.
fn group_stats(x: &Array4<f32>, groups: usize) -> Vec<Vec<(f64, f64)>> {
    let (n_img, ch, _, _) = x.dim();
    let per_group = ch / groups;
    let mut stats = vec![vec![(0.0, 0.0); ch]; n_img];
    for n in 0..n_img {
        for g in 0..groups {
            let chans = g * per_group..(g + 1) * per_group;
            let mv = mean_var(&gather(x, n..n + 1, chans.clone()));
            for c in chans {
                stats[n][c] = mv;
            }
        }
    }
    stats
}

/// Per-plane statistics of batch norm: one per channel over the batch.
fn batch_stats(x: &Array4<f32>) -> Vec<Vec<(f64, f64)>> {
    let (n_img, ch, _, _) = x.dim();
    let per_channel: Vec<(f64, f64)> = (0..ch)
        .map(|c| mean_var(&gather(x, 0..n_img, c..c + 1)))
        .collect();
    vec![per_channel; n_img]
}

/// The per-channel batch statistics (mean, biased variance, count).
pub fn batch_channel_stats(x: &Array4<f32>) -> Vec<(f64, f64, usize)> {
    let (n_img, ch, h, w) = x.dim();
    (0..ch)
        .map(|c| {
            let (m, v) = mean_var(&gather(x, 0..n_img, c..c + 1));
            (m, v, n_img * h * w)
        })
        .collect()
}

/// The normalized batch in f64, without γ/β.
pub fn normalize(x: &Array4<f32>, kind: RefKind, eps: f64) -> Array4<f64> {
    let ch = x.dim().1;
    match kind {
        RefKind::Batch => standardize(x, &batch_stats(x), eps),
        RefKind::Instance => standardize(x, &group_stats(x, ch), eps),
        RefKind::Layer => standardize(x, &group_stats(x, 1), eps),
        RefKind::Group(g) => standardize(x, &group_stats(x, g), eps),
        RefKind::BatchInstance(rho) => {
            let bn = normalize(x, RefKind::Batch, eps);
            let inn = normalize(x, RefKind::Instance, eps);
            let mut y = bn.clone();
            for (o, (&b, &i)) in y.iter_mut().zip(bn.iter().zip(inn.iter())) {
                *o = rho * b + (1.0 - rho) * i;
            }
            y
        }
    }
}

/// The normalized batch with per-channel γ and β: `y = γ_c·x̂ + β_c`.
pub fn normalize_affine(
    x: &Array4<f32>,
    kind: RefKind,
    eps: f64,
    gamma: &[f32],
    beta: &[f32],
) -> Array4<f64> {
    let mut y = normalize(x, kind, eps);
    let (n_img, ch, h, w) = y.dim();
    for n in 0..n_img {
        for c in 0..ch {
            for i in 0..h {
                for j in 0..w {
                    y[[n, c, i, j]] = gamma[c] as f64 * y[[n, c, i, j]] + beta[c] as f64;
                }
            }
        }
    }
    y
}

/// Evaluation-mode batch norm with given per-channel running statistics.
pub fn eval_with(x: &Array4<f32>, mean: &[f64], var: &[f64], eps: f64) -> Array4<f64> {
    let (n_img, ch, h, w) = x.dim();
    let mut y = Array4::<f64>::zeros((n_img, ch, h, w));
    for n in 0..n_img {
        for c in 0..ch {
            for i in 0..h {
                for j in 0..w {
                    y[[n, c, i, j]] = (x[[n, c, i, j]] as f64 - mean[c]) / (var[c] + eps).sqrt();
                }
            }
        }
    }
    y
}

/// Largest |a − b| over all elements (a is the f32 result under test).
pub fn max_abs_diff(a: &Array4<f32>, b: &Array4<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim(), "shapes differ");
    let mut worst = 0.0f64;
    for (&u, &v) in a.iter().zip(b.iter()) {
        let d = (u as f64 - v).abs();
        // A NaN anywhere must fail the comparison, not be skipped by max.
        if d.is_nan() {
            return f64::INFINITY;
        }
        worst = worst.max(d);
    }
    worst
}

/// Largest |a − b| between two f32 results.
pub fn max_abs_diff_f32(a: &Array4<f32>, b: &Array4<f32>) -> f64 {
    assert_eq!(a.dim(), b.dim(), "shapes differ");
    let mut worst = 0.0f64;
    for (&u, &v) in a.iter().zip(b.iter()) {
        let d = (u as f64 - v as f64).abs();
        if d.is_nan() {
            return f64::INFINITY;
        }
        worst = worst.max(d);
    }
    worst
}
