//! Normalization, one core for the page and the network, with PyTorch's
//! semantics.
//!
//! Every kind standardizes each (image, channel) plane of an NCHW batch with
//! an affine map `y = (x − center) · scale + offset`; the kinds differ only
//! in which values share a mean and variance ([`Scope`]):
//!
//! ```text
//! kind            one mean/variance per        reduced over
//! none            —                            (y = x; the network only)
//! batch           channel c                    (N, H, W)
//! instance        image n, channel c           (H, W)
//! layer           image n                      (C, H, W)
//! group (G)       image n, group g             (C/G, H, W)
//! batch-instance  ρ·batch + (1 − ρ)·instance
//! ibn             instance on channels [0, C/2), batch on the rest (the network only)
//! ```
//!
//! Statistics are computed in f64 (`moments.rs`). The map itself runs in f32
//! (four values per SIMD instruction), but the center is split: a mean near
//! 1e4 rounded to f32 is off by ~5e-4, which is 0.05σ for a channel with
//! σ = 0.01, so that rounding error is folded into the offset in f64 and
//! `x − f32(μ)` is exact there (see [`PlaneMap::apply_slice`]).
//!
//! Files, one concern each:
//!
//! ```text
//! norm.rs             configurations and the page's forward pass (normalize, plane maps)
//! norm/kind.rs        NormKind: the one list of kinds and their names
//! norm/scope.rs       Scope (which planes share statistics) and Shape (N, C, H·W)
//! norm/moments.rs     per-plane and per-set moments in f64
//! norm/map.rs         PlaneMap, the per-plane affine map, and its SIMD loops
//! norm/standardize.rs the network's forward over flat slices (kept for the backward)
//! norm/backward.rs    ∂L/∂x of a standardization; the page's normalization_backward
//! norm/batch_instance.rs  the ρ mix of batch and instance norm, forward and ρ's gradient
//! norm/running.rs     batch norm's running statistics, training and evaluation
//! ```
//!
//! The network's layer (`crate::nn::norm_layer`) adds only what a layer
//! needs: γ/β, learned ρ, running statistics in its buffers.

use ndarray::{s, Array4, ArrayView4, ArrayViewMut4, Zip};

mod backward;
mod batch_instance;
mod kind;
mod map;
mod moments;
mod running;
mod scope;
mod standardize;

use crate::error::{Error, Result};
use crate::stats::Moments;

pub use backward::{normalization_backward, standardize_backward};
pub use batch_instance::{mix_channels, rho_grad};
pub use kind::NormKind;
pub use map::PlaneMap;
use moments::non_finite_data;
pub use moments::{plane_moments, scope_moments, scope_moments_from, set_moments, SetStats};
pub use running::{running_step, RunningPoint, RunningStats};
pub use scope::{Scope, Shape};
pub use standardize::standardize;

/// PyTorch's default epsilon for all its normalization layers.
pub const DEFAULT_EPS: f64 = 1e-5;
/// PyTorch's default momentum for batch-norm running statistics.
pub const DEFAULT_MOMENTUM: f64 = 0.1;

/// Optional learned per-channel scale γ and shift β: `y = γ·x̂ + β`.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelAffine {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

/// A kind with its parameters. Build with [`NormConfig::new`] and the
/// `with_*` methods, then [`NormConfig::validate`] against a channel count
/// (the forward functions validate too).
#[derive(Debug, Clone, PartialEq)]
pub struct NormConfig {
    pub kind: NormKind,
    /// Number of groups G; required for [`NormKind::Group`], must divide C.
    pub groups: Option<usize>,
    /// Batch/instance mix ρ ∈ [0, 1]; required for [`NormKind::BatchInstance`].
    pub rho: Option<f64>,
    /// Added to the variance before the square root; finite and > 0.
    pub eps: f64,
    /// Optional γ, β (none by default: PyTorch's default for InstanceNorm2d,
    /// `affine=False`; its BatchNorm2d, GroupNorm and LayerNorm default to
    /// learnable γ = 1, β = 0, which is the same map until trained).
    pub affine: Option<ChannelAffine>,
}

impl NormConfig {
    /// The one scope this kind standardizes over for `channels` channels
    /// (see [`Scope::of`]; IBN as in the network's first block).
    pub fn scope(&self, channels: usize) -> Option<Scope> {
        Scope::of(self.kind, channels, self.groups.unwrap_or(1), 0)
    }

    /// A kind with eps = 1e-5 (PyTorch's default), no γ/β, no groups/ρ.
    pub fn new(kind: NormKind) -> Self {
        NormConfig {
            kind,
            groups: None,
            rho: None,
            eps: DEFAULT_EPS,
            affine: None,
        }
    }

    pub fn with_groups(mut self, groups: usize) -> Self {
        self.groups = Some(groups);
        self
    }

    pub fn with_rho(mut self, rho: f64) -> Self {
        self.rho = Some(rho);
        self
    }

    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    pub fn with_affine(mut self, gamma: Vec<f32>, beta: Vec<f32>) -> Self {
        self.affine = Some(ChannelAffine { gamma, beta });
        self
    }

    /// Check the parameters against a batch with `channels` channels.
    ///
    /// # Errors
    /// [`Error::BadInput`] for `none` and `ibn` (the network's layers
    /// only), when eps is not finite and > 0, when `groups` is
    /// missing for group norm or does not divide `channels`, when `rho` is
    /// missing for batch-instance or not within [0, 1], or when γ/β do not
    /// have one finite value per channel.
    pub fn validate(&self, channels: usize) -> Result<()> {
        if !NormKind::PAGE.contains(&self.kind) {
            return Err(Error::BadInput(format!(
                "{:?} is a layer of the lab's network (normscope train), not a normalization of a batch; expected one of: batch, instance, layer, group, batch-instance",
                self.kind.name()
            )));
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(Error::BadInput(format!(
                "eps must be a finite number greater than 0 (got {})",
                self.eps
            )));
        }
        if self.kind == NormKind::Group {
            let g = self.groups.ok_or_else(|| {
                Error::BadInput("group norm needs a number of groups (--groups G)".into())
            })?;
            if g == 0 || !channels.is_multiple_of(g) {
                return Err(Error::BadInput(format!(
                    "the number of groups must divide the number of channels: {channels} channels cannot be split into {g} groups"
                )));
            }
        }
        if self.kind == NormKind::BatchInstance {
            let rho = self.rho.ok_or_else(|| {
                Error::BadInput(
                    "batch-instance norm needs a mix ρ (--rho R, between 0 and 1)".into(),
                )
            })?;
            if !(rho.is_finite() && (0.0..=1.0).contains(&rho)) {
                return Err(Error::BadInput(format!(
                    "ρ (rho) must be between 0 and 1 (got {rho})"
                )));
            }
        }
        if let Some(a) = &self.affine {
            if a.gamma.len() != channels || a.beta.len() != channels {
                return Err(Error::BadInput(format!(
                    "γ and β need one value per channel: {channels} channels, got {} and {}",
                    a.gamma.len(),
                    a.beta.len()
                )));
            }
            if a.gamma.iter().chain(&a.beta).any(|v| !v.is_finite()) {
                return Err(Error::BadInput("γ and β must be finite numbers".into()));
            }
        }
        Ok(())
    }
}

/// The per-plane maps of a kind for batch `x` (length N·C, index `n·C + c`).
///
/// # Errors
/// [`Error::BadInput`] for invalid parameters (see [`NormConfig::validate`])
/// or NaN/infinite data.
pub fn plane_maps(x: ArrayView4<f32>, cfg: &NormConfig) -> Result<Vec<PlaneMap>> {
    let (_, ch, _, _) = x.dim();
    cfg.validate(ch)?;
    let planes = plane_moments(x)?;
    plane_maps_from(&planes, ch, cfg)
}

/// [`plane_maps`] from per-plane moments (as [`plane_moments`] returns):
/// cheap, O(N·C), so a caller that changes one image only recomputes that
/// image's plane moments.
///
/// # Errors
/// [`Error::BadInput`] for invalid parameters (see [`NormConfig::validate`]).
pub fn plane_maps_from(
    planes: &[Moments],
    channels: usize,
    cfg: &NormConfig,
) -> Result<Vec<PlaneMap>> {
    cfg.validate(channels)?;
    let ch = channels;
    let standardized = |scope| -> Vec<PlaneMap> {
        scope_moments_from(planes, ch, scope)
            .iter()
            .map(|m| PlaneMap::standardize(m, cfg.eps))
            .collect()
    };
    let maps = match cfg.kind {
        NormKind::BatchInstance => {
            let rho = cfg.rho.unwrap_or(0.5);
            // ρ = 0 and ρ = 1 are exactly instance and batch norm.
            if rho == 1.0 {
                standardized(Scope::Batch)
            } else if rho == 0.0 {
                standardized(Scope::Instance)
            } else {
                let bn = standardized(Scope::Batch);
                let inn = standardized(Scope::Instance);
                bn.iter()
                    .zip(&inn)
                    .map(|(a, b)| PlaneMap::mix(a, b, rho))
                    .collect()
            }
        }
        _ => standardized(cfg.scope(ch).unwrap_or(Scope::Batch)),
    };
    Ok(apply_channel_affine(maps, cfg, ch))
}

fn apply_channel_affine(maps: Vec<PlaneMap>, cfg: &NormConfig, ch: usize) -> Vec<PlaneMap> {
    match &cfg.affine {
        None => maps,
        Some(a) => maps
            .into_iter()
            .enumerate()
            .map(|(i, m)| m.with_affine(a.gamma[i % ch], a.beta[i % ch]))
            .collect(),
    }
}

/// Write `maps` applied to `x` into `out` (same shape).
///
/// # Errors
/// [`Error::BadInput`] if the shapes differ or `maps` has the wrong length.
pub fn apply_plane_maps(
    x: ArrayView4<f32>,
    maps: &[PlaneMap],
    mut out: ArrayViewMut4<f32>,
) -> Result<()> {
    let (n_img, ch, _, _) = x.dim();
    if x.dim() != out.dim() {
        return Err(Error::BadInput(format!(
            "output shape {:?} differs from input shape {:?}",
            out.dim(),
            x.dim()
        )));
    }
    if maps.len() != n_img * ch {
        return Err(Error::Internal(format!(
            "{} plane maps for {} planes",
            maps.len(),
            n_img * ch
        )));
    }
    for n in 0..n_img {
        for c in 0..ch {
            let m = maps[n * ch + c];
            let src = x.slice(s![n, c, .., ..]);
            let mut dst = out.slice_mut(s![n, c, .., ..]);
            match (src.as_slice(), dst.as_slice_mut()) {
                (Some(a), Some(b)) => m.apply_slice(a, b),
                _ => Zip::from(dst).and(src).for_each(|o, &v| *o = m.apply(v)),
            }
        }
    }
    Ok(())
}

/// Normalize batch `x` (N×C×H×W) as `cfg` says, in training mode for batch
/// norm (batch statistics, as PyTorch's `F.batch_norm(training=True)`).
///
/// ```text
/// y = (x − μ) / sqrt(σ² + eps)      σ² biased; μ, σ² over the kind's scope
/// ```
///
/// # Errors
/// [`Error::BadInput`] for invalid parameters or NaN/infinite data.
///
/// ```
/// use ndarray::Array4;
/// use normscope::norm::{normalize, NormConfig, NormKind};
/// let x = Array4::from_shape_fn((2, 3, 4, 4), |(n, c, h, w)| (n + c * h + w) as f32);
/// let y = normalize(x.view(), &NormConfig::new(NormKind::Instance)).unwrap();
/// let mean: f32 = y.slice(ndarray::s![0, 1, .., ..]).mean().unwrap();
/// assert!(mean.abs() < 1e-6);
/// ```
pub fn normalize(x: ArrayView4<f32>, cfg: &NormConfig) -> Result<Array4<f32>> {
    let mut out = Array4::zeros(x.dim());
    normalize_into(x, cfg, out.view_mut())?;
    Ok(out)
}

/// [`normalize`] into a caller-provided output (reused across calls).
///
/// # Errors
/// As [`normalize`], and [`Error::BadInput`] if `out` has another shape.
pub fn normalize_into(x: ArrayView4<f32>, cfg: &NormConfig, out: ArrayViewMut4<f32>) -> Result<()> {
    let maps = plane_maps(x.view(), cfg)?;
    apply_plane_maps(x, &maps, out)
}
