//! Standardization of flat N×C×H×W data over a [`Scope`]: the network's
//! forward pass (its backward is in `backward.rs`).

use super::{set_moments, PlaneMap, Scope, SetStats, Shape};

/// Standardize `shape.n` images of `shape.c` planes over `scope`, keeping
/// the statistics in `stats` for the backward pass.
///
/// ```text
/// μ_S, σ²_S over each set S (see set_moments)
/// x̂ = (x − μ_S) / √(σ²_S + ε)
/// ```
///
/// Each plane gets its set's [`PlaneMap`], applied in f32 lanes with the
/// centre split (so a mean near 1e4 rounded to f32 does not shift a channel
/// whose σ is 1e-2).
///
/// With `running = Some((mean, var))` (evaluation mode), batch channels use
/// those per-channel values instead of the batch's; `stats` still holds the
/// batch's.
pub fn standardize(
    x: &[f32],
    shape: Shape,
    scope: Scope,
    eps: f64,
    running: Option<(&[f32], &[f32])>,
    stats: &mut SetStats,
    xhat: &mut [f32],
) {
    let Shape { n, c, .. } = shape;
    set_moments(x, shape, scope, eps, stats);
    let mut maps: Vec<PlaneMap> = stats
        .moments
        .iter()
        .zip(&stats.inv_std)
        .map(|(m, &inv)| PlaneMap {
            center: m.mean,
            scale: inv,
            offset: 0.0,
        })
        .collect();
    if let Some((rm, rv)) = running {
        for ch in (0..c).filter(|&ch| scope.is_batch_channel(ch)) {
            maps[scope.set_of(0, ch, n, c)] = PlaneMap::running(rm[ch] as f64, rv[ch] as f64, eps);
        }
    }
    for s in 0..n {
        for ch in 0..c {
            let plane = shape.plane(s, ch);
            maps[scope.set_of(s, ch, n, c)].apply_slice(&x[plane.clone()], &mut xhat[plane]);
        }
    }
}
