//! The network's normalization layer: what a layer adds to the one
//! normalization core ([`crate::norm`]): learned γ and β, batch-instance's
//! learned ρ, running statistics, and its buffers.
//!
//! ```text
//! x̂ = the kind's standardization (norm::standardize; none: x̂ = x)
//! ibn: first block instance on channels [0, C/2), batch on the rest;
//!      later blocks batch (adapted from IBN-Net's IBN-a, Pan et al. 2018,
//!      which does this in every residual block of its first three
//!      stages; this network has three blocks)
//! batch-instance: x̂ = ρ_c·x̂_batch + (1 − ρ_c)·x̂_instance
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
//! running statistics updated as PyTorch does: `r ← (1 − m)·r + m·s`
//! ([`running_step`]) with momentum m = 0.1 and the unbiased variance
//! (divided by count − 1), kept in f32.

use super::layer::{Layer, Mode, Param};
use crate::error::{Error, Result};
use crate::norm::{
    mix_channels, rho_grad, running_step, standardize, standardize_backward, NormKind, Scope,
    SetStats, Shape,
};

/// A norm layer's kind and numbers, apart from its shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormSettings {
    pub kind: NormKind,
    /// Group norm's G; must divide the channels.
    pub groups: usize,
    pub eps: f64,
    /// Running statistics' momentum.
    pub momentum: f64,
}

/// How one block's layer normalizes, resolved from its [`NormKind`].
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
    /// The layer of block `block` (0-based) for `shape.c` channels of
    /// `shape.hw` values, holding up to `shape.n` samples.
    ///
    /// # Errors
    /// [`Error::BadInput`] if group norm's `groups` is 0 or does not divide `c`.
    pub fn new(name: &str, settings: &NormSettings, block: usize, shape: Shape) -> Result<Self> {
        let Shape { c, hw, .. } = shape;
        let NormSettings {
            kind,
            groups,
            eps,
            momentum,
        } = *settings;
        if kind == NormKind::Group && (groups == 0 || !c.is_multiple_of(groups)) {
            return Err(Error::BadInput(format!(
                "the number of groups must divide the number of channels: {c} channels cannot be split into {groups} groups"
            )));
        }
        let plan = match kind {
            NormKind::None => Plan::Identity,
            NormKind::BatchInstance => Plan::BatchInstance,
            _ => Plan::One(Scope::of(kind, c, groups, block).unwrap_or(Scope::Batch)),
        };
        let len = shape.len();
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

    /// The shape of `n` samples.
    fn shape(&self, n: usize) -> Shape {
        Shape {
            n,
            c: self.c,
            hw: self.hw,
        }
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
            let mo = st.moments[scope.set_of(0, ch, n, self.c)];
            self.running_mean[ch] = running_step(self.running_mean[ch] as f64, m, mo.mean) as f32;
            self.running_var[ch] =
                running_step(self.running_var[ch] as f64, m, mo.unbiased_var()) as f32;
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
        let shape = self.shape(n);
        let running =
            (mode == Mode::Eval).then_some((&self.running_mean[..], &self.running_var[..]));
        match self.plan {
            Plan::Identity => {}
            Plan::One(scope) => {
                standardize(
                    x,
                    shape,
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
                    shape,
                    Scope::Batch,
                    self.eps,
                    running,
                    &mut self.stats,
                    &mut self.xhat,
                );
                standardize(
                    x,
                    shape,
                    Scope::Instance,
                    self.eps,
                    None,
                    &mut self.stats_in,
                    &mut self.xhat_in,
                );
                let rho = self.rho.as_ref().map_or(&[][..], |p| &p.value[..]);
                mix_channels(rho, &self.xhat, &self.xhat_in, shape, &mut self.mixed);
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
            rho_grad(
                &self.dxhat,
                &self.xhat,
                &self.xhat_in,
                Shape { n, c, hw },
                &mut rho.grad,
            );
        }
        let Some(dx) = dx else { return };
        match self.plan {
            Plan::Identity => dx[..n * c * hw].copy_from_slice(&self.dxhat[..n * c * hw]),
            Plan::One(scope) => standardize_backward(
                &self.dxhat,
                &self.xhat,
                Shape { n, c, hw },
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
                    Shape { n, c, hw },
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
                    Shape { n, c, hw },
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
