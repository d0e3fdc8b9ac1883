//! The backward pass of standardization, beside its forward
//! (`standardize.rs`): the network's norm layer calls
//! [`standardize_backward`], and `normscope grad` and Python's `grad` call
//! [`normalization_backward`] for the page's pure normalization.
//!
//! ```text
//! x̂ = (x − μ_S)/√(σ²_S + ε)            over each set S of the kind's scope
//! ∂L/∂x = (1/σ_S)·(g − mean_S(g) − x̂·mean_S(g·x̂)),   g = ∂L/∂x̂
//! batch-instance: x̂ = ρ·x̂_batch + (1 − ρ)·x̂_instance, so
//! ∂L/∂x = ρ·∂batch(g) + (1 − ρ)·∂instance(g)
//! ```
//!
//! Moments and the gradient's means are computed in f64, so inputs like
//! 1e4 ± 1e-2 keep their precision.

use ndarray::{Array4, ArrayView4};

use super::{standardize, NormConfig, NormKind, Scope, SetStats, Shape};
use crate::error::{Error, Result};
use crate::lanes::F32x4;

/// The backward pass of [`standardize`] (training mode): given `x̂` and
/// `g = ∂L/∂x̂`, write (or with `accumulate`, add) `w_c · ∂L/∂x` to `dx`,
/// where `w_c` is `weight[ch]` or 1.
///
/// ```text
/// ∂L/∂x = (1/σ_S) · (g − mean_S(g) − x̂ · mean_S(g·x̂))        (means in f64)
/// ```
#[allow(clippy::too_many_arguments)]
pub fn standardize_backward(
    g: &[f32],
    xhat: &[f32],
    shape: Shape,
    scope: Scope,
    stats: &SetStats,
    weight: Option<&[f32]>,
    accumulate: bool,
    dx: &mut [f32],
    scratch: &mut Vec<f64>,
) {
    let Shape { n, c, .. } = shape;
    let sets = scope.sets(n, c);
    scratch.clear();
    scratch.resize(2 * sets, 0.0);
    let (m1, m2) = scratch.split_at_mut(sets);
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            let p = shape.plane(s, ch);
            let (a, b) = sum_g_gx_f64(&g[p.clone()], &xhat[p]);
            m1[k] += a;
            m2[k] += b;
        }
    }
    for k in 0..sets {
        let count = stats.moments[k].count as f64;
        m1[k] /= count;
        m2[k] /= count;
    }
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            let w = (weight.map_or(1.0, |w| w[ch] as f64) * stats.inv_std[k]) as f32;
            let (a, b) = (m1[k] as f32, m2[k] as f32);
            let p = shape.plane(s, ch);
            let (gc, gt) = g[p.clone()].as_chunks::<4>();
            let (xc, xt) = xhat[p.clone()].as_chunks::<4>();
            let (dc, dt) = dx[p].as_chunks_mut::<4>();
            let (w4, a4, b4) = (F32x4::splat(w), F32x4::splat(a), F32x4::splat(b));
            for ((d, q), r) in dc.iter_mut().zip(gc).zip(xc) {
                let v = w4 * ((F32x4::load(q) - a4) - F32x4::load(r) * b4);
                if accumulate {
                    (F32x4::load(d) + v).store(d);
                } else {
                    v.store(d);
                }
            }
            for ((d, &q), &r) in dt.iter_mut().zip(gt).zip(xt) {
                let v = w * ((q - a) - r * b);
                *d = if accumulate { *d + v } else { v };
            }
        }
    }
}

/// (Σ g, Σ g·x̂) in f64, four interleaved sums combined `(s0 + s1) + (s2 + s3)`.
#[inline]
fn sum_g_gx_f64(g: &[f32], xhat: &[f32]) -> (f64, f64) {
    let (gc, gt) = g.as_chunks::<4>();
    let (xc, xt) = xhat.as_chunks::<4>();
    let (mut a, mut b) = ([0.0f64; 4], [0.0f64; 4]);
    for (q, r) in gc.iter().zip(xc) {
        for l in 0..4 {
            a[l] += q[l] as f64;
            b[l] += q[l] as f64 * r[l] as f64;
        }
    }
    let mut sa = (a[0] + a[1]) + (a[2] + a[3]);
    let mut sb = (b[0] + b[1]) + (b[2] + b[3]);
    for (&q, &r) in gt.iter().zip(xt) {
        sa += q as f64;
        sb += q as f64 * r as f64;
    }
    (sa, sb)
}

/// `∂L/∂x` of `y = normalize(x)` given `dy = ∂L/∂y` (training mode, no
/// affine), float32 with `x`'s shape.
///
/// ```
/// use ndarray::Array4;
/// use normscope::norm::normalization_backward;
/// use normscope::{NormConfig, NormKind};
/// let x = Array4::from_shape_fn((2, 3, 4, 4), |(n, c, h, w)| (n + 2 * c + h * w) as f32);
/// let dy = Array4::from_elem((2, 3, 4, 4), 1.0f32);
/// let dx = normalization_backward(x.view(), dy.view(), &NormConfig::new(NormKind::Instance)).unwrap();
/// // A constant upstream gradient moves no standardized value.
/// assert!(dx.iter().all(|v| v.abs() < 1e-5));
/// ```
///
/// # Errors
/// [`Error::BadInput`] if the shapes differ, a value is NaN or ±∞, or the
/// configuration is invalid for x's channel count (see
/// [`NormConfig::validate`]).
pub fn normalization_backward(
    x: ArrayView4<f32>,
    dy: ArrayView4<f32>,
    cfg: &NormConfig,
) -> Result<Array4<f32>> {
    if x.shape() != dy.shape() {
        return Err(Error::BadInput(format!(
            "the upstream gradient dy is {:?} but x is {:?}; they must have the same shape",
            dy.shape(),
            x.shape()
        )));
    }
    let (n, c, h, w) = x.dim();
    cfg.validate(c)?;
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::BadInput("x holds NaN or infinite values".into()));
    }
    if dy.iter().any(|v| !v.is_finite()) {
        return Err(Error::BadInput("dy holds NaN or infinite values".into()));
    }
    let shape = Shape { n, c, hw: h * w };
    let xs = x.as_standard_layout();
    let gs = dy.as_standard_layout();
    let (xs, gs) = (xs.as_slice().unwrap_or(&[]), gs.as_slice().unwrap_or(&[]));
    let mut dx = vec![0.0f32; xs.len()];
    let mut xhat = vec![0.0f32; xs.len()];
    let mut stats = SetStats::default();
    let mut scratch = Vec::new();
    let mut one = |scope: Scope, weight: Option<&[f32]>, accumulate: bool, dx: &mut [f32]| {
        standardize(xs, shape, scope, cfg.eps, None, &mut stats, &mut xhat);
        standardize_backward(
            gs,
            &xhat,
            shape,
            scope,
            &stats,
            weight,
            accumulate,
            dx,
            &mut scratch,
        );
    };
    match cfg.kind {
        NormKind::BatchInstance => {
            let rho = cfg.rho.unwrap_or(0.5) as f32;
            one(Scope::Batch, Some(&vec![rho; c]), false, &mut dx);
            one(Scope::Instance, Some(&vec![1.0 - rho; c]), true, &mut dx);
        }
        kind => {
            let scope = Scope::of(kind, c, cfg.groups.unwrap_or(1), 0).unwrap_or(Scope::Batch);
            one(scope, None, false, &mut dx);
        }
    }
    Array4::from_shape_vec((n, c, h, w), dx)
        .map_err(|e| Error::Internal(format!("gradient shape: {e}")))
}
