//! The backward pass of the page's pure normalization (training-mode
//! statistics, no γ/β): what `normscope grad` computes, so a hand
//! derivation can be checked against it.
//!
//! ```text
//! x̂ = (x − μ_S)/√(σ²_S + ε)            over each kind's sets S (see crate::norm)
//! ∂L/∂x = (1/σ_S)·(g − mean_S(g) − x̂·mean_S(g·x̂)),   g = ∂L/∂x̂
//! batch-instance: x̂ = ρ·x̂_batch + (1 − ρ)·x̂_instance, so
//! ∂L/∂x = ρ·∂batch(g) + (1 − ρ)·∂instance(g)
//! ```
//!
//! Moments and the gradient's means are computed in f64, so inputs like
//! 1e4 ± 1e-2 keep their precision.

use ndarray::{Array4, ArrayView4};

use super::norm_layer::{standardize, standardize_backward, Scope, SetStats};
use crate::error::{Error, Result};
use crate::norm::{NormConfig, NormKind};

/// `∂L/∂x` of `y = normalize(x)` given `dy = ∂L/∂y` (training mode, no
/// affine), float32 with `x`'s shape.
///
/// ```
/// use ndarray::Array4;
/// use normscope::nn::grad::normalization_backward;
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
    let hw = h * w;
    let xs = x.as_standard_layout();
    let gs = dy.as_standard_layout();
    let (xs, gs) = (xs.as_slice().unwrap_or(&[]), gs.as_slice().unwrap_or(&[]));
    let mut dx = vec![0.0f32; xs.len()];
    let mut xhat = vec![0.0f32; xs.len()];
    let mut stats = SetStats::default();
    let mut scratch = Vec::new();
    let mut one = |scope: Scope, weight: Option<&[f32]>, accumulate: bool, dx: &mut [f32]| {
        standardize(xs, n, c, hw, scope, cfg.eps, None, &mut stats, &mut xhat);
        standardize_backward(
            gs,
            &xhat,
            n,
            c,
            hw,
            scope,
            &stats,
            weight,
            accumulate,
            dx,
            &mut scratch,
        );
    };
    match cfg.kind {
        NormKind::Batch => one(Scope::Batch, None, false, &mut dx),
        NormKind::Instance => one(Scope::Instance, None, false, &mut dx),
        NormKind::Layer => one(Scope::Layer, None, false, &mut dx),
        NormKind::Group => one(Scope::Group(cfg.groups.unwrap_or(1)), None, false, &mut dx),
        NormKind::BatchInstance => {
            let rho = cfg.rho.unwrap_or(0.5) as f32;
            one(Scope::Batch, Some(&vec![rho; c]), false, &mut dx);
            one(Scope::Instance, Some(&vec![1.0 - rho; c]), true, &mut dx);
        }
    }
    Array4::from_shape_vec((n, c, h, w), dx)
        .map_err(|e| Error::Internal(format!("gradient shape: {e}")))
}
