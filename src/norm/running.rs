//! Batch norm's running statistics: training steps, evaluation mode, and
//! the history the convergence chart draws.

use ndarray::{Array4, ArrayView4};
use serde::Serialize;

use super::{
    apply_plane_maps, non_finite_data, normalize, scope_moments, NormConfig, NormKind, PlaneMap,
    Scope, DEFAULT_MOMENTUM,
};

/// One step of a running statistic with momentum `m` (PyTorch's):
/// `r ← (1 − m)·r + m·s`. The page's [`RunningStats`] and the network's
/// norm layer both step with it.
#[inline]
pub fn running_step(r: f64, m: f64, s: f64) -> f64 {
    (1.0 - m) * r + m * s
}
use crate::error::{Error, Result};
use crate::stats::Moments;

/// Batch norm's running statistics and its train/eval modes, as PyTorch's
/// `BatchNorm2d(track_running_stats=True)`.
///
/// ```text
/// training:   y = (x − μ_B) / sqrt(σ²_B + eps)
///             running_mean ← (1 − m)·running_mean + m·μ_B
///             running_var  ← (1 − m)·running_var  + m·σ²_B·n/(n − 1)
/// evaluation: y = (x − running_mean) / sqrt(running_var + eps)
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunningStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
    /// Weight m of the newest batch, in (0, 1].
    pub momentum: f64,
    /// Number of training steps taken since creation or reset.
    pub steps: u64,
}

/// Batch norm's running statistics after one training step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunningPoint {
    pub step: u64,
    /// Running mean per channel.
    pub mean: Vec<f64>,
    /// Running (unbiased) variance per channel.
    pub var: Vec<f64>,
}

impl RunningStats {
    /// PyTorch's initial state: mean 0, variance 1, momentum 0.1.
    pub fn new(channels: usize) -> Self {
        RunningStats {
            mean: vec![0.0; channels],
            var: vec![1.0; channels],
            momentum: DEFAULT_MOMENTUM,
            steps: 0,
        }
    }

    /// Back to the initial state, keeping the momentum.
    pub fn reset(&mut self) {
        let momentum = self.momentum;
        *self = RunningStats::new(self.mean.len());
        self.momentum = momentum;
    }

    /// Set the momentum.
    ///
    /// # Errors
    /// [`Error::BadInput`] unless `momentum` is finite and within (0, 1].
    pub fn set_momentum(&mut self, momentum: f64) -> Result<()> {
        if !(momentum.is_finite() && momentum > 0.0 && momentum <= 1.0) {
            return Err(Error::BadInput(format!(
                "momentum must be greater than 0 and at most 1 (got {momentum})"
            )));
        }
        self.momentum = momentum;
        Ok(())
    }

    fn check_channels(&self, x: &ArrayView4<f32>) -> Result<()> {
        let ch = x.dim().1;
        if ch != self.mean.len() {
            return Err(Error::BadInput(format!(
                "the running statistics are for {} channels, the batch has {ch}",
                self.mean.len()
            )));
        }
        Ok(())
    }

    /// One training step: update the running statistics from `x`'s batch
    /// statistics and return the per-channel batch moments used.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a channel mismatch, NaN/infinite data, or a
    /// batch with a single value per channel (its unbiased variance is
    /// undefined; PyTorch refuses it too).
    pub fn update(&mut self, x: ArrayView4<f32>) -> Result<Vec<Moments>> {
        self.check_channels(&x)?;
        let (n_img, ch, h, w) = x.dim();
        if n_img * h * w < 2 {
            return Err(Error::BadInput(
                "training needs more than one value per channel (a bigger batch or image)".into(),
            ));
        }
        let moments: Vec<Moments> = scope_moments(x.view(), Scope::Batch)?
            .into_iter()
            .take(ch)
            .collect();
        let m = self.momentum;
        for (c, mo) in moments.iter().enumerate() {
            self.mean[c] = running_step(self.mean[c], m, mo.mean);
            self.var[c] = running_step(self.var[c], m, mo.unbiased_var());
        }
        self.steps += 1;
        Ok(moments)
    }

    /// A training forward pass: normalize with the batch statistics (as
    /// [`normalize`] with batch norm) and update the running statistics.
    ///
    /// # Errors
    /// As [`RunningStats::update`] and [`normalize`].
    pub fn train_step(&mut self, x: ArrayView4<f32>, eps: f64) -> Result<Array4<f32>> {
        let cfg = NormConfig::new(NormKind::Batch).with_eps(eps);
        let y = normalize(x.view(), &cfg)?;
        self.update(x)?;
        Ok(y)
    }

    /// The per-plane maps of evaluation mode: a fixed per-channel affine map.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a channel mismatch, a bad eps, or NaN/infinite
    /// data (refused as in training, rather than passed through as NaN).
    pub fn eval_maps(&self, x: ArrayView4<f32>, eps: f64) -> Result<Vec<PlaneMap>> {
        self.check_channels(&x)?;
        NormConfig::new(NormKind::Batch)
            .with_eps(eps)
            .validate(x.dim().1)?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(non_finite_data());
        }
        let (n_img, ch, _, _) = x.dim();
        Ok((0..n_img * ch)
            .map(|i| PlaneMap::running(self.mean[i % ch], self.var[i % ch], eps))
            .collect())
    }

    /// Evaluation mode: normalize with the frozen running statistics.
    ///
    /// # Errors
    /// As [`RunningStats::eval_maps`].
    pub fn eval(&self, x: ArrayView4<f32>, eps: f64) -> Result<Array4<f32>> {
        let maps = self.eval_maps(x.view(), eps)?;
        let mut out = Array4::zeros(x.dim());
        apply_plane_maps(x, &maps, out.view_mut())?;
        Ok(out)
    }
}
