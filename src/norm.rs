//! The normalization kinds and their forward pass, with PyTorch's semantics.
//!
//! Every kind reduces to the same last step: each (image, channel) plane of
//! the NCHW batch gets its own affine map `y = (x − center) · scale + offset`.
//! The kinds differ only in which values share a mean and variance:
//!
//! ```text
//! kind            one mean/variance per      reduced over
//! batch           channel c                  (N, H, W)
//! instance        image n, channel c         (H, W)
//! layer           image n                    (C, H, W)
//! group (G)       image n, group g           (C/G, H, W)
//! batch-instance  ρ·batch + (1 − ρ)·instance
//! ```
//!
//! Statistics are computed in f64 ([`crate::stats::moments_of_planes`]).
//! The map itself runs in f32 (four values per SIMD instruction), but the
//! center is split: a mean near 1e4 rounded to f32 is off by ~5e-4, which is
//! 0.05σ for a channel with σ = 0.01, so that rounding error is folded into
//! the offset in f64 and `x − f32(μ)` is exact there (see
//! [`PlaneMap::apply_slice`]).
//!
//! Files: this one (kinds, configurations, scopes, moments, maps, the
//! forward pass), `map.rs` (the per-plane affine map and its SIMD loops),
//! `running.rs` (batch norm's running statistics).

use std::fmt;
use std::str::FromStr;

use ndarray::{s, Array4, ArrayView4, ArrayViewMut4, Zip};
use serde::Serialize;

mod map;
mod running;

use crate::error::{Error, Result};
use crate::stats::{moments_of_planes, Moments};

pub use map::PlaneMap;
pub use running::{RunningPoint, RunningStats};

/// PyTorch's default epsilon for all its normalization layers.
pub const DEFAULT_EPS: f64 = 1e-5;
/// PyTorch's default momentum for batch-norm running statistics.
pub const DEFAULT_MOMENTUM: f64 = 0.1;

/// Which values share one mean and variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NormKind {
    Batch,
    Instance,
    Layer,
    Group,
    BatchInstance,
}

impl NormKind {
    /// All kinds, in the order the page and the CLI list them.
    pub const ALL: [NormKind; 5] = [
        NormKind::Batch,
        NormKind::Instance,
        NormKind::Layer,
        NormKind::Group,
        NormKind::BatchInstance,
    ];

    /// The name used on the command line and in the JS API.
    pub fn name(self) -> &'static str {
        match self {
            NormKind::Batch => "batch",
            NormKind::Instance => "instance",
            NormKind::Layer => "layer",
            NormKind::Group => "group",
            NormKind::BatchInstance => "batch-instance",
        }
    }
}

impl fmt::Display for NormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NormKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        NormKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "unknown normalization kind {s:?}; expected one of: batch, instance, layer, group, batch-instance"
                ))
            })
    }
}

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
    /// [`Error::BadInput`] when eps is not finite and > 0, when `groups` is
    /// missing for group norm or does not divide `channels`, when `rho` is
    /// missing for batch-instance or not within [0, 1], or when γ/β do not
    /// have one finite value per channel.
    pub fn validate(&self, channels: usize) -> Result<()> {
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

/// Which values share one set of statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Per channel over (N, H, W): batch norm.
    Batch,
    /// Per image over G contiguous channel groups: G = C is instance norm,
    /// G = 1 is layer norm.
    Groups(usize),
}

impl Scope {
    /// The scope(s) a kind reads its statistics from, for a batch with
    /// `channels` channels. Batch-instance uses both batch and instance.
    pub fn for_kind(cfg: &NormConfig, channels: usize) -> Vec<Scope> {
        match cfg.kind {
            NormKind::Batch => vec![Scope::Batch],
            NormKind::Instance => vec![Scope::Groups(channels)],
            NormKind::Layer => vec![Scope::Groups(1)],
            NormKind::Group => vec![Scope::Groups(cfg.groups.unwrap_or(1).max(1))],
            NormKind::BatchInstance => vec![Scope::Batch, Scope::Groups(channels)],
        }
    }
}

/// The moments of every (n, c) plane of `x`, indexed `n·C + c`. Every kind's
/// statistics combine from these (see [`scope_moments_from`]), so one pass
/// pair over the data serves all kinds.
///
/// # Errors
/// [`Error::BadInput`] if the batch contains NaN or infinite values.
pub fn plane_moments(x: ArrayView4<f32>) -> Result<Vec<Moments>> {
    let (n_img, ch, _, _) = x.dim();
    let mut out = Vec::with_capacity(n_img * ch);
    for n in 0..n_img {
        for c in 0..ch {
            out.push(moments_of_planes(&[x.slice(s![n, c, .., ..])]));
        }
    }
    if out.iter().any(|m| !m.is_finite()) {
        return Err(non_finite_data());
    }
    Ok(out)
}

/// The moments used for every (n, c) plane under `scope`, from per-plane
/// moments `planes` (length N·C, as [`plane_moments`] returns). The result
/// has the same indexing; shared statistics are repeated.
pub fn scope_moments_from(planes: &[Moments], channels: usize, scope: Scope) -> Vec<Moments> {
    let ch = channels.max(1);
    let n_img = planes.len() / ch;
    let mut out = Vec::with_capacity(planes.len());
    match scope {
        Scope::Batch => {
            let per_channel: Vec<Moments> = (0..ch)
                .map(|c| {
                    let parts: Vec<Moments> = (0..n_img).map(|n| planes[n * ch + c]).collect();
                    Moments::combine(&parts)
                })
                .collect();
            for _ in 0..n_img {
                out.extend_from_slice(&per_channel);
            }
        }
        Scope::Groups(g) => {
            let per_group = ch / g.max(1);
            for image in planes.chunks_exact(ch) {
                for group in image.chunks_exact(per_group.max(1)) {
                    let m = Moments::combine(group);
                    out.extend(std::iter::repeat_n(m, group.len()));
                }
            }
        }
    }
    out
}

/// The moments used for every (n, c) plane of `x` under `scope`.
///
/// # Errors
/// [`Error::BadInput`] if the batch contains NaN or infinite values.
pub fn scope_moments(x: ArrayView4<f32>, scope: Scope) -> Result<Vec<Moments>> {
    let planes = plane_moments(x.view())?;
    Ok(scope_moments_from(&planes, x.dim().1, scope))
}

/// The error for a batch with NaN or infinite values.
fn non_finite_data() -> Error {
    Error::BadInput(
        "the data contains NaN or infinite values; normscope only normalizes finite numbers".into(),
    )
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
                standardized(Scope::Groups(ch))
            } else {
                let bn = standardized(Scope::Batch);
                let inn = standardized(Scope::Groups(ch));
                bn.iter()
                    .zip(&inn)
                    .map(|(a, b)| PlaneMap::mix(a, b, rho))
                    .collect()
            }
        }
        _ => standardized(Scope::for_kind(cfg, ch)[0]),
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
