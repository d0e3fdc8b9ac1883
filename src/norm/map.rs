//! The per-plane affine map every kind ends in, and its SIMD loops.

use serde::Serialize;

use crate::lanes::F32x4;
use crate::stats::Moments;

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

    /// Evaluation mode's map from running statistics: `(x − mean)/sqrt(var + eps)`.
    pub fn running(mean: f64, var: f64, eps: f64) -> Self {
        PlaneMap {
            center: mean,
            scale: 1.0 / (var + eps).sqrt(),
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

    /// `(c₁, f32(s), b)` of [`PlaneMap::apply_slice`], or `None` when a
    /// finite center's scale or offset leave f32's range (eps far below a
    /// tiny variance): then stay in f64. A center that is not finite (only a
    /// diverged network's, never the page's: it refuses such data) stays in
    /// f32, where it gives NaN as it should.
    fn f32_parts(&self) -> Option<(f32, f32, f32)> {
        let c1 = self.center as f32;
        let k = self.scale as f32;
        let b = (self.offset - (self.center - c1 as f64) * self.scale) as f32;
        let in_range = k.is_finite() && k != 0.0 && b.is_finite();
        (in_range || !c1.is_finite()).then_some((c1, k, b))
    }

    pub(super) fn with_affine(self, gamma: f32, beta: f32) -> Self {
        PlaneMap {
            center: self.center,
            scale: self.scale * gamma as f64,
            offset: self.offset * gamma as f64 + beta as f64,
        }
    }
}
