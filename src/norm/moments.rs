//! The moments every kind standardizes with, two ways to the same numbers:
//!
//! - **per plane, then combined** ([`plane_moments`], [`scope_moments_from`]):
//!   the page's way. Each (image, channel) plane's moments come from
//!   [`crate::stats::moments_of_planes`]; a scope's moments combine those
//!   ([`Moments::combine`]), so changing one image recomputes only its
//!   planes and an O(N·C) combination.
//! - **per set, in two passes** ([`set_moments`]): the network's way. The
//!   sum of each set in f64, then the sum of squared deviations from that
//!   mean, each over the set's planes in a fixed order (four interleaved
//!   f64 sums per plane), so natively and in wasm the bytes are the same.
//!
//! Both are two-pass in spirit and accurate for a channel at 1e4 ± 1e-2;
//! they round differently in the last bits, and each caller's numbers are
//! recorded (the page's reference values, the lab's recorded runs), so
//! both stay.

use ndarray::{s, ArrayView4};

use super::{Scope, Shape};
use crate::error::{Error, Result};
use crate::stats::{moments_of_planes, Moments};

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
    let c = channels.max(1);
    let n = planes.len() / c;
    let mut parts: Vec<Vec<Moments>> = vec![Vec::new(); scope.sets(n, c)];
    for s in 0..n {
        for ch in 0..c {
            parts[scope.set_of(s, ch, n, c)].push(planes[s * c + ch]);
        }
    }
    let sets: Vec<Moments> = parts.iter().map(|p| Moments::combine(p)).collect();
    (0..n)
        .flat_map(|s| (0..c).map(move |ch| (s, ch)))
        .map(|(s, ch)| sets[scope.set_of(s, ch, n, c)])
        .collect()
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
pub(super) fn non_finite_data() -> Error {
    Error::BadInput(
        "the data contains NaN or infinite values; normscope only normalizes finite numbers".into(),
    )
}

/// Per-set statistics of one standardization (see [`set_moments`]).
#[derive(Debug, Clone, Default)]
pub struct SetStats {
    /// Mean, biased variance and count of each set.
    pub moments: Vec<Moments>,
    /// `1/√(σ² + ε)` of each set.
    pub inv_std: Vec<f64>,
}

/// The moments of every set of `scope` in flat N×C×H×W data `x`, in two
/// passes over the set's planes, and `1/√(σ² + ε)`, into `stats`.
///
/// ```text
/// μ_S = (1/|S|) Σ_S x        σ²_S = (1/|S|) Σ_S (x − μ_S)²        (f64)
/// ```
pub fn set_moments(x: &[f32], shape: Shape, scope: Scope, eps: f64, stats: &mut SetStats) {
    let Shape { n, c, hw } = shape;
    let sets = scope.sets(n, c);
    let (mut mean, mut var, mut count) =
        (vec![0.0f64; sets], vec![0.0f64; sets], vec![0usize; sets]);
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            mean[k] += sum_f64(&x[shape.plane(s, ch)]);
            count[k] += hw;
        }
    }
    for k in 0..sets {
        mean[k] /= count[k] as f64;
    }
    for s in 0..n {
        for ch in 0..c {
            let k = scope.set_of(s, ch, n, c);
            var[k] += sum_sq_dev_f64(&x[shape.plane(s, ch)], mean[k]);
        }
    }
    stats.moments.clear();
    stats.inv_std.clear();
    for k in 0..sets {
        let v = var[k] / count[k] as f64;
        stats.moments.push(Moments {
            mean: mean[k],
            var: v,
            count: count[k],
        });
        stats.inv_std.push(1.0 / (v + eps).sqrt());
    }
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
