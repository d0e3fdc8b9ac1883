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

use std::fmt;
use std::str::FromStr;

use ndarray::{s, Array4, ArrayView4, ArrayViewMut4, Zip};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::lanes::F32x4;
use crate::stats::{moments_of_planes, Moments};

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

/// The affine map one (n, c) plane gets: `y = (x − center) · scale + offset`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlaneMap {
    pub center: f64,
    pub scale: f64,
    pub offset: f64,
}

impl PlaneMap {
    /// The map that standardizes values with moments `m`: `(x − μ)/sqrt(σ² + eps)`.
    pub fn standardize(m: &Moments, eps: f64) -> Self {
        PlaneMap {
            center: m.mean,
            scale: 1.0 / (m.var + eps).sqrt(),
            offset: 0.0,
        }
    }

    /// Apply the map to one value, in f64.
    #[inline]
    pub fn apply(&self, x: f32) -> f32 {
        ((x as f64 - self.center) * self.scale + self.offset) as f32
    }

    /// Apply the map to every value of `src`, writing `dst` (same length;
    /// extra values of the longer one are left alone).
    ///
    /// In f32, which vectorizes four values per instruction, with the
    /// center split into an f32 part and the rest folded into the offset:
    ///
    /// ```text
    /// c₁ = f32(c)        b = f32(o − (c − c₁)·s)
    /// y  = (x − c₁)·f32(s) + b
    /// ```
    ///
    /// `x − c₁` is exact whenever x is within a factor 2 of c₁ (the case
    /// where rounding c would hurt: a large offset, a small spread), so the
    /// result stays within a few f32 roundings of `y` computed in f64.
    pub fn apply_slice(&self, src: &[f32], dst: &mut [f32]) {
        let Some((c1, k, b)) = self.f32_parts() else {
            for (y, &x) in dst.iter_mut().zip(src) {
                *y = self.apply(x);
            }
            return;
        };
        let (cv, kv, bv) = (F32x4::splat(c1), F32x4::splat(k), F32x4::splat(b));
        let map = |x: &[f32; 4], y: &mut [f32; 4]| ((F32x4::load(x) - cv) * kv + bv).store(y);
        // Sixteen values per loop step (fewer steps than vector operations),
        // then four at a time, then one.
        let (dst16, dst_rest) = dst.as_chunks_mut::<16>();
        let (src16, src_rest) = src.as_chunks::<16>();
        for (y, x) in dst16.iter_mut().zip(src16) {
            let (y, x) = (y.as_chunks_mut::<4>().0, x.as_chunks::<4>().0);
            // Written out: at opt-level "s" a loop of four stays a loop.
            map(&x[0], &mut y[0]);
            map(&x[1], &mut y[1]);
            map(&x[2], &mut y[2]);
            map(&x[3], &mut y[3]);
        }
        let (dst4, dst_tail) = dst_rest.as_chunks_mut::<4>();
        let (src4, src_tail) = src_rest.as_chunks::<4>();
        for (y, x) in dst4.iter_mut().zip(src4) {
            map(x, y);
        }
        for (y, &x) in dst_tail.iter_mut().zip(src_tail) {
            *y = (x - c1) * k + b;
        }
    }

    /// [`PlaneMap::apply_slice`] in place.
    pub fn apply_in_place(&self, values: &mut [f32]) {
        let Some((c1, k, b)) = self.f32_parts() else {
            for v in values.iter_mut() {
                *v = self.apply(*v);
            }
            return;
        };
        let (cv, kv, bv) = (F32x4::splat(c1), F32x4::splat(k), F32x4::splat(b));
        let map = |y: &mut [f32; 4]| ((F32x4::load(y) - cv) * kv + bv).store(y);
        let (sixteens, rest) = values.as_chunks_mut::<16>();
        for y in sixteens {
            let y = y.as_chunks_mut::<4>().0;
            map(&mut y[0]);
            map(&mut y[1]);
            map(&mut y[2]);
            map(&mut y[3]);
        }
        let (four, tail) = rest.as_chunks_mut::<4>();
        for y in four {
            map(y);
        }
        for v in tail {
            *v = (*v - c1) * k + b;
        }
    }

    /// `(c₁, f32(s), b)` of [`PlaneMap::apply_slice`], or `None` when they
    /// leave f32's range (eps far below a tiny variance): then stay in f64.
    fn f32_parts(&self) -> Option<(f32, f32, f32)> {
        let c1 = self.center as f32;
        let k = self.scale as f32;
        let b = (self.offset - (self.center - c1 as f64) * self.scale) as f32;
        (c1.is_finite() && k.is_finite() && k != 0.0 && b.is_finite()).then_some((c1, k, b))
    }

    /// `ρ·a + (1 − ρ)·b`, itself an affine map (both have positive scales).
    fn mix(a: &PlaneMap, b: &PlaneMap, rho: f64) -> Self {
        let scale = rho * a.scale + (1.0 - rho) * b.scale;
        // The center is a weighted mean of the two centers; written as a step
        // from a's center so that equal centers (a constant plane) stay exact
        // and the plane still maps to exactly 0.
        let w = (1.0 - rho) * b.scale / scale;
        let center = a.center + w * (b.center - a.center);
        PlaneMap {
            center,
            scale,
            offset: 0.0,
        }
    }

    fn with_affine(self, gamma: f32, beta: f32) -> Self {
        PlaneMap {
            center: self.center,
            scale: self.scale * gamma as f64,
            offset: self.offset * gamma as f64 + beta as f64,
        }
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
            self.mean[c] = (1.0 - m) * self.mean[c] + m * mo.mean;
            self.var[c] = (1.0 - m) * self.var[c] + m * mo.unbiased_var();
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
            .map(|i| {
                let c = i % ch;
                PlaneMap {
                    center: self.mean[c],
                    scale: 1.0 / (self.var[c] + eps).sqrt(),
                    offset: 0.0,
                }
            })
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
