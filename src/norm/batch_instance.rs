//! Batch-instance norm (Nam & Kim 2018): a mix of the two standardizations.
//!
//! ```text
//! x̂ = ρ·x̂_batch + (1 − ρ)·x̂_instance        ρ = 1: batch norm, ρ = 0: instance norm
//! ```
//!
//! The page mixes the two plane maps with one ρ ([`PlaneMap::mix`], itself
//! an affine map); the network mixes the standardized values per channel
//! with a learned ρ_c ([`mix_channels`]) and learns it ([`rho_grad`]).

use super::{PlaneMap, Shape};

impl PlaneMap {
    /// `ρ·a + (1 − ρ)·b`, itself an affine map (both have positive scales).
    pub(super) fn mix(a: &PlaneMap, b: &PlaneMap, rho: f64) -> Self {
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
}

/// `out = ρ_c·batch + (1 − ρ_c)·instance`, per channel c, in f32.
pub fn mix_channels(rho: &[f32], batch: &[f32], instance: &[f32], shape: Shape, out: &mut [f32]) {
    for s in 0..shape.n {
        for (ch, &r) in rho.iter().enumerate() {
            let p = shape.plane(s, ch);
            for ((m, &a), &b) in out[p.clone()]
                .iter_mut()
                .zip(&batch[p.clone()])
                .zip(&instance[p])
            {
                *m = r * a + (1.0 - r) * b;
            }
        }
    }
}

/// Add `∂L/∂ρ_c = Σ g·(x̂_batch − x̂_instance)` to `grad`, given `g = ∂L/∂x̂`
/// (a plane's sum in f32, the planes' in f64).
pub fn rho_grad(g: &[f32], batch: &[f32], instance: &[f32], shape: Shape, grad: &mut [f32]) {
    for (ch, out) in grad.iter_mut().enumerate().take(shape.c) {
        let mut acc = 0.0f64;
        for s in 0..shape.n {
            let plane = shape.plane(s, ch);
            let mut a = 0.0f32;
            for ((&d, &p), &q) in g[plane.clone()]
                .iter()
                .zip(&batch[plane.clone()])
                .zip(&instance[plane])
            {
                a += d * (p - q);
            }
            acc += a as f64;
        }
        *out += acc as f32;
    }
}
