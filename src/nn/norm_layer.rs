//! The normalization layer of the network, every kind, with a backward pass.
//!
//! Each kind standardizes `x` over some set of values, then applies a
//! learned per-channel scale γ and shift β (initialised to 1 and 0):
//!
//! ```text
//! kind            statistics over             x̂
//! none            —                           x
//! batch           (N, H, W) per channel       (x − μ)/√(σ² + ε)
//! instance        (H, W) per sample, channel  same, per plane
//! layer           (C, H, W) per sample        same, per sample
//! group (G)       (C/G, H, W) per sample      same, per group
//! batch-instance  both of the above           ρ_c·x̂_batch + (1 − ρ_c)·x̂_instance
//! ibn             first block: instance on channels [0, C/2), batch on the rest;
//!                 later blocks: batch          (adapted from IBN-Net's IBN-a,
//!                 Pan et al. 2018, which does this in every residual block of
//!                 its first three stages; this network has three blocks)
//! y = γ_c·x̂ + β_c
//! ```
//!
//! γ and β exist for every kind, `none` included (there they act as the
//! convolution's bias and a per-channel scale). That is PyTorch's default
//! for `BatchNorm2d`, `LayerNorm`, `GroupNorm` (`affine=True`), though not
//! for `InstanceNorm2d`; the page's pure normalization
//! ([`crate::norm::normalize`]) has none. Batch-instance's ρ_c starts at
//! 0.5 and is clipped to [0, 1] after each step (Nam & Kim 2018).
//!
//! Batch statistics in training mode; in evaluation mode batch channels use
//! running statistics updated as PyTorch does: `r ← (1 − m)·r + m·s` with
//! momentum m = 0.1 and the unbiased variance (divided by count − 1).
//!
//! Moments are computed two-pass in f64 (mean, then the mean squared
//! deviation), and `x̂ = (x − μ)·(1/σ)` in f64 before rounding to f32, so
//! a channel at 1e4 ± 1e-2 is standardized as well as one at 0 ± 1.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::layer::{Layer, Mode, Param};
use crate::error::{Error, Result};
use crate::lanes::F32x4;

/// The kinds of normalization layer the network can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetNorm {
    None,
    Batch,
    Instance,
    Layer,
    Group,
    BatchInstance,
    Ibn,
}

impl NetNorm {
    /// All kinds, in the order reports list them.
    pub const ALL: [NetNorm; 7] = [
        NetNorm::None,
        NetNorm::Batch,
        NetNorm::Instance,
        NetNorm::Layer,
        NetNorm::Group,
        NetNorm::BatchInstance,
        NetNorm::Ibn,
    ];

    /// The name on the command line, in JSON and in the JS API.
    pub fn name(self) -> &'static str {
        match self {
            NetNorm::None => "none",
            NetNorm::Batch => "batch",
            NetNorm::Instance => "instance",
            NetNorm::Layer => "layer",
            NetNorm::Group => "group",
            NetNorm::BatchInstance => "batch-instance",
            NetNorm::Ibn => "ibn",
        }
    }
}

impl fmt::Display for NetNorm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NetNorm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        NetNorm::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "unknown normalization kind {s:?}; expected one of: none, batch, instance, layer, group, batch-instance, ibn"
                ))
            })
    }
}

/// Which values share one mean and variance, as sets of channel planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One set per channel, over the batch.
    Batch,
    /// One set per (sample, channel).
    Instance,
    /// One set per sample.
    Layer,
    /// One set per (sample, group of C/G channels).
    Group(usize),
    /// Instance on channels `[0, half)`, batch on `[half, C)` (adapted from IBN-a).
    InstanceBatch(usize),
}

impl Scope {
    /// Number of sets for `n` samples of `c` channels.
    pub fn sets(self, n: usize, c: usize) -> usize {
        match self {
            Scope::Batch => c,
            Scope::Instance => n * c,
            Scope::Layer => n,
            Scope::Group(g) => n * g,
            Scope::InstanceBatch(half) => n * half + (c - half),
        }
    }

    /// The set of plane (sample `s`, channel `ch`).
    #[inline]
    pub fn set_of(self, s: usize, ch: usize, n: usize, c: usize) -> usize {
        match self {
            Scope::Batch => ch,
            Scope::Instance => s * c + ch,
            Scope::Layer => s,
            Scope::Group(g) => s * g + ch / (c / g),
            Scope::InstanceBatch(half) => {
                if ch < half {
                    s * half + ch
                } else {
                    n * half + (ch - half)
                }
            }
        }
    }

    /// Whether channel `ch` is normalized over the batch (and so has
    /// running statistics).
    pub fn is_batch_channel(self, ch: usize) -> bool {
        match self {
            Scope::Batch => true,
            Scope::InstanceBatch(half) => ch >= half,
            _ => false,
        }
    }
}

/// Per-set statistics of the last standardization (f64).
#[derive(Debug, Clone, Default)]
pub struct SetStats {
    pub mean: Vec<f64>,
    /// Biased variance (divided by the count).
    pub var: Vec<f64>,
    pub inv_std: Vec<f64>,
    pub count: Vec<f64>,
}

/// Σ v in f64, as four interleaved running sums combined `(s0 + s1) + (s2 + s3)`
/// (a fixed order; four sums hide the latency of one long chain).
#[inline]
fn sum_f64(v: &[f32]) -> f64 {
    let (chunks, tail) = v.as_chunks::<4>();
    let mut s = [0.0f64; 4];
    for q in chunks {
        for l in 0..4 {
            s[l] += q[l] as f64;
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for &x in tail {
        t += x as f64;
    }
    t
}

/// Σ (v − m)² in f64, in the order of [`sum_f64`].
#[inline]
fn sum_sq_dev_f64(v: &[f32], m: f64) -> f64 {
    let (chunks, tail) = v.as_chunks::<4>();
    let mut s = [0.0f64; 4];
    for q in chunks {
        for l in 0..4 {
            let d = q[l] as f64 - m;
            s[l] += d * d;
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for &x in tail {
        let d = x as f64 - m;
        t += d * d;
    }
    t
}

/// (Σ g, Σ g·x̂) in f64, in the order of [`sum_f64`].
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

/// `out = (v − m)·inv + off`, four lanes at a time ([`F32x4`]).
#[inline]
fn affine_map(v: &[f32], m: f32, inv: f32, off: f32, out: &mut [f32]) {
    let (vc, vt) = v.as_chunks::<4>();
    let (oc, ot) = out.as_chunks_mut::<4>();
    let (m4, i4, o4) = (F32x4::splat(m), F32x4::splat(inv), F32x4::splat(off));
    for (q, o) in vc.iter().zip(oc) {
        ((F32x4::load(q) - m4) * i4 + o4).store(o);
    }
    for (x, o) in vt.iter().zip(ot) {
        *o = (x - m) * inv + off;
    }
}

/// Standardize `n` samples of `c` planes of `hw` values over `scope`.
///
/// ```text
/// μ_S = (1/|S|) Σ_S x        σ²_S = (1/|S|) Σ_S (x − μ_S)²        (two passes, f64)
/// x̂ = (x − μ_S) / √(σ²_S + ε)
/// ```
///
/// The last line runs in f32 lanes with the centre split as in
/// [`crate::norm`]: `x̂ = (x − m)·s + (m − μ)·s` with `m = f32(μ)`, the
/// second term computed in f64, so the rounding of a mean near 1e4 to f32
/// (up to 5e-4) does not shift a channel whose σ is 1e-2.
///
/// With `running = Some((mean, var))` (evaluation mode), batch channels use
/// those per-channel values instead of the batch's.
#[allow(clippy::too_many_arguments)]
pub fn standardize(
    x: &[f32],
    n: usize,
    c: usize,
    hw: usize,
    scope: Scope,
    eps: f64,
    running: Option<(&[f32], &[f32])>,
    stats: &mut SetStats,
    xhat: &mut [f32],
) {
    let sets = scope.sets(n, c);
    for v in [
        &mut stats.mean,
        &mut stats.var,
        &mut stats.inv_std,
        &mut stats.count,
    ] {
        v.clear();
        v.resize(sets, 0.0);
    }
    let plane = |s: usize, ch: usize| &x[(s * c + ch) * hw..(s * c + ch + 1) * hw];
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            stats.mean[k] += sum_f64(plane(s, ch));
            stats.count[k] += hw as f64;
        }
    }
    for k in 0..sets {
        stats.mean[k] /= stats.count[k];
    }
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            stats.var[k] += sum_sq_dev_f64(plane(s, ch), stats.mean[k]);
        }
    }
    for k in 0..sets {
        stats.var[k] /= stats.count[k];
        stats.inv_std[k] = 1.0 / (stats.var[k] + eps).sqrt();
    }
    if let Some((rm, rv)) = running {
        for ch in (0..c).filter(|&ch| scope.is_batch_channel(ch)) {
            let k = scope.set_of(0, ch, n, c);
            stats.mean[k] = rm[ch] as f64;
            stats.inv_std[k] = 1.0 / (rv[ch] as f64 + eps).sqrt();
        }
    }
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            let (mu, inv) = (stats.mean[k], stats.inv_std[k]);
            let m = mu as f32;
            let off = ((m as f64 - mu) * inv) as f32;
            let o = (s * c + ch) * hw;
            affine_map(plane(s, ch), m, inv as f32, off, &mut xhat[o..o + hw]);
        }
    }
}

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
    n: usize,
    c: usize,
    hw: usize,
    scope: Scope,
    stats: &SetStats,
    weight: Option<&[f32]>,
    accumulate: bool,
    dx: &mut [f32],
    scratch: &mut Vec<f64>,
) {
    let sets = scope.sets(n, c);
    scratch.clear();
    scratch.resize(2 * sets, 0.0);
    let (m1, m2) = scratch.split_at_mut(sets);
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            let o = (s * c + ch) * hw;
            let (a, b) = sum_g_gx_f64(&g[o..o + hw], &xhat[o..o + hw]);
            m1[k] += a;
            m2[k] += b;
        }
    }
    for k in 0..sets {
        m1[k] /= stats.count[k];
        m2[k] /= stats.count[k];
    }
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            let w = (weight.map_or(1.0, |w| w[ch] as f64) * stats.inv_std[k]) as f32;
            let (a, b) = (m1[k] as f32, m2[k] as f32);
            let o = (s * c + ch) * hw;
            let (gc, gt) = g[o..o + hw].as_chunks::<4>();
            let (xc, xt) = xhat[o..o + hw].as_chunks::<4>();
            let (dc, dt) = dx[o..o + hw].as_chunks_mut::<4>();
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

/// How one block's layer normalizes, resolved from [`NetNorm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Identity,
    One(Scope),
    BatchInstance,
}

/// A normalization layer over `c` channels of `hw` values, with γ, β
/// (and ρ for batch-instance) and, for batch channels, running statistics.
#[derive(Debug, Clone)]
pub struct NormLayer {
    plan: Plan,
    c: usize,
    hw: usize,
    eps: f64,
    momentum: f64,
    pub gamma: Param,
    pub beta: Param,
    /// Batch-instance only: the per-channel mix ρ ∈ [0, 1].
    pub rho: Option<Param>,
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
    stats: SetStats,
    stats_in: SetStats,
    xhat: Vec<f32>,
    xhat_in: Vec<f32>,
    mixed: Vec<f32>,
    dxhat: Vec<f32>,
    scratch: Vec<f64>,
}

impl NormLayer {
    /// The layer of block `block` (0-based) for kind `kind`; `groups` is
    /// used by group norm and must divide `c`.
    ///
    /// # Errors
    /// [`Error::BadInput`] if group norm's `groups` is 0 or does not divide `c`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        kind: NetNorm,
        block: usize,
        c: usize,
        hw: usize,
        max_batch: usize,
        groups: usize,
        eps: f64,
        momentum: f64,
    ) -> Result<Self> {
        let plan = match kind {
            NetNorm::None => Plan::Identity,
            NetNorm::Batch => Plan::One(Scope::Batch),
            NetNorm::Instance => Plan::One(Scope::Instance),
            NetNorm::Layer => Plan::One(Scope::Layer),
            NetNorm::Group => {
                if groups == 0 || !c.is_multiple_of(groups) {
                    return Err(Error::BadInput(format!(
                        "the number of groups must divide the number of channels: {c} channels cannot be split into {groups} groups"
                    )));
                }
                Plan::One(Scope::Group(groups))
            }
            NetNorm::BatchInstance => Plan::BatchInstance,
            NetNorm::Ibn if block == 0 => Plan::One(Scope::InstanceBatch(c / 2)),
            NetNorm::Ibn => Plan::One(Scope::Batch),
        };
        let len = max_batch * c * hw;
        let bin = plan == Plan::BatchInstance;
        let rho = bin.then(|| {
            let mut p = Param::new(format!("{name}.rho"), vec![0.5; c]);
            p.decay = false;
            p.clip_unit = true;
            p
        });
        Ok(NormLayer {
            plan,
            c,
            hw,
            eps,
            momentum,
            gamma: Param::new(format!("{name}.gamma"), vec![1.0; c]),
            beta: Param::new(format!("{name}.beta"), vec![0.0; c]),
            rho,
            running_mean: vec![0.0; c],
            running_var: vec![1.0; c],
            stats: SetStats::default(),
            stats_in: SetStats::default(),
            xhat: vec![0.0; if plan == Plan::Identity { 0 } else { len }],
            xhat_in: vec![0.0; if bin { len } else { 0 }],
            mixed: vec![0.0; if bin { len } else { 0 }],
            dxhat: vec![0.0; len],
            scratch: Vec::new(),
        })
    }

    /// Whether this layer keeps running statistics (some channel is
    /// normalized over the batch).
    pub fn has_running_stats(&self) -> bool {
        match self.plan {
            Plan::Identity => false,
            Plan::BatchInstance => true,
            Plan::One(s) => (0..self.c).any(|ch| s.is_batch_channel(ch)),
        }
    }

    /// Which channels use (and update) running statistics.
    pub fn batch_channels(&self) -> Vec<usize> {
        (0..self.c)
            .filter(|&ch| match self.plan {
                Plan::Identity => false,
                Plan::BatchInstance => true,
                Plan::One(s) => s.is_batch_channel(ch),
            })
            .collect()
    }

    fn update_running(&mut self, scope: Scope, n: usize, stats_is_in: bool) {
        let st = if stats_is_in {
            &self.stats_in
        } else {
            &self.stats
        };
        let m = self.momentum;
        for ch in (0..self.c).filter(|&ch| scope.is_batch_channel(ch)) {
            let k = scope.set_of(0, ch, n, self.c);
            let cnt = st.count[k];
            let unbiased = if cnt > 1.0 {
                st.var[k] * cnt / (cnt - 1.0)
            } else {
                st.var[k]
            };
            self.running_mean[ch] =
                ((1.0 - m) * self.running_mean[ch] as f64 + m * st.mean[k]) as f32;
            self.running_var[ch] = ((1.0 - m) * self.running_var[ch] as f64 + m * unbiased) as f32;
        }
    }
}

impl Layer for NormLayer {
    fn in_len(&self) -> usize {
        self.c * self.hw
    }
    fn out_len(&self) -> usize {
        self.c * self.hw
    }

    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], mode: Mode) {
        let (c, hw) = (self.c, self.hw);
        let len = n * c * hw;
        let running =
            (mode == Mode::Eval).then_some((&self.running_mean[..], &self.running_var[..]));
        match self.plan {
            Plan::Identity => {}
            Plan::One(scope) => {
                standardize(
                    x,
                    n,
                    c,
                    hw,
                    scope,
                    self.eps,
                    running,
                    &mut self.stats,
                    &mut self.xhat,
                );
            }
            Plan::BatchInstance => {
                standardize(
                    x,
                    n,
                    c,
                    hw,
                    Scope::Batch,
                    self.eps,
                    running,
                    &mut self.stats,
                    &mut self.xhat,
                );
                standardize(
                    x,
                    n,
                    c,
                    hw,
                    Scope::Instance,
                    self.eps,
                    None,
                    &mut self.stats_in,
                    &mut self.xhat_in,
                );
                let rho = self.rho.as_ref().map_or(&[][..], |p| &p.value[..]);
                for s in 0..n {
                    for (ch, &r) in rho.iter().enumerate() {
                        let o = (s * c + ch) * hw;
                        for ((m, &a), &b) in self.mixed[o..o + hw]
                            .iter_mut()
                            .zip(&self.xhat[o..o + hw])
                            .zip(&self.xhat_in[o..o + hw])
                        {
                            *m = r * a + (1.0 - r) * b;
                        }
                    }
                }
            }
        }
        if mode == Mode::Train {
            match self.plan {
                Plan::One(scope) => self.update_running(scope, n, false),
                Plan::BatchInstance => self.update_running(Scope::Batch, n, false),
                Plan::Identity => {}
            }
        }
        let xhat: &[f32] = match self.plan {
            Plan::Identity => x,
            Plan::One(_) => &self.xhat,
            Plan::BatchInstance => &self.mixed,
        };
        for s in 0..n {
            for ch in 0..c {
                let (g, b) = (self.gamma.value[ch], self.beta.value[ch]);
                let o = (s * c + ch) * hw;
                for (out, &v) in y[o..o + hw].iter_mut().zip(&xhat[o..o + hw]) {
                    *out = g * v + b;
                }
            }
        }
        let _ = len;
    }

    /// ```text
    /// dβ_c += Σ dy      dγ_c += Σ dy·x̂      g = γ_c·dy
    /// batch-instance: dρ_c += Σ g·(x̂_batch − x̂_instance),
    ///                 dx = ρ_c·∂batch(g) + (1 − ρ_c)·∂instance(g)
    /// others: dx = ∂scope(g) (see standardize_backward); none: dx = g
    /// ```
    fn backward(&mut self, x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let (c, hw) = (self.c, self.hw);
        {
            let xhat: &[f32] = match self.plan {
                Plan::Identity => x,
                Plan::One(_) => &self.xhat,
                Plan::BatchInstance => &self.mixed,
            };
            for ch in 0..c {
                let (mut sg, mut sb) = (0.0f64, 0.0f64);
                let gamma = self.gamma.value[ch];
                for s in 0..n {
                    let o = (s * c + ch) * hw;
                    let mut a = 0.0f32;
                    let mut b = 0.0f32;
                    for ((d, &g), &v) in self.dxhat[o..o + hw]
                        .iter_mut()
                        .zip(&dy[o..o + hw])
                        .zip(&xhat[o..o + hw])
                    {
                        a += g * v;
                        b += g;
                        *d = gamma * g;
                    }
                    sg += a as f64;
                    sb += b as f64;
                }
                self.gamma.grad[ch] += sg as f32;
                self.beta.grad[ch] += sb as f32;
            }
        }
        if let (Plan::BatchInstance, Some(rho)) = (self.plan, self.rho.as_mut()) {
            for ch in 0..c {
                let mut acc = 0.0f64;
                for s in 0..n {
                    let o = (s * c + ch) * hw;
                    let mut a = 0.0f32;
                    for ((&g, &p), &q) in self.dxhat[o..o + hw]
                        .iter()
                        .zip(&self.xhat[o..o + hw])
                        .zip(&self.xhat_in[o..o + hw])
                    {
                        a += g * (p - q);
                    }
                    acc += a as f64;
                }
                rho.grad[ch] += acc as f32;
            }
        }
        let Some(dx) = dx else { return };
        match self.plan {
            Plan::Identity => dx[..n * c * hw].copy_from_slice(&self.dxhat[..n * c * hw]),
            Plan::One(scope) => standardize_backward(
                &self.dxhat,
                &self.xhat,
                n,
                c,
                hw,
                scope,
                &self.stats,
                None,
                false,
                dx,
                &mut self.scratch,
            ),
            Plan::BatchInstance => {
                let rho = self.rho.as_ref().map_or(vec![0.5; c], |p| p.value.clone());
                let one_minus: Vec<f32> = rho.iter().map(|r| 1.0 - r).collect();
                standardize_backward(
                    &self.dxhat,
                    &self.xhat,
                    n,
                    c,
                    hw,
                    Scope::Batch,
                    &self.stats,
                    Some(&rho),
                    false,
                    dx,
                    &mut self.scratch,
                );
                standardize_backward(
                    &self.dxhat,
                    &self.xhat_in,
                    n,
                    c,
                    hw,
                    Scope::Instance,
                    &self.stats_in,
                    Some(&one_minus),
                    true,
                    dx,
                    &mut self.scratch,
                );
            }
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut v = vec![&mut self.gamma, &mut self.beta];
        if let Some(r) = self.rho.as_mut() {
            v.push(r);
        }
        v
    }
    fn params(&self) -> Vec<&Param> {
        let mut v = vec![&self.gamma, &self.beta];
        if let Some(r) = self.rho.as_ref() {
            v.push(r);
        }
        v
    }
}
