//! The learning-rate schedule: cosine annealing to zero without restarts
//! (Loshchilov & Hutter 2017; PyTorch's `CosineAnnealingLR` with
//! `eta_min = 0`, `T_max` = the number of steps).
//!
//! ```text
//! lr(t) = lr₀ · ½ · (1 + cos(π · t / T)),   t = 0 … T − 1
//! ```
//!
//! `cos` is `libm`'s, so the rate is the same on every target.

/// The rate for step `t` (0-based) of `total`.
///
/// ```
/// use normscope::nn::schedule::cosine_lr;
/// assert_eq!(cosine_lr(0.1, 0, 100), 0.1);
/// assert!((cosine_lr(0.1, 50, 100) - 0.05).abs() < 1e-7);
/// ```
pub fn cosine_lr(lr0: f32, t: u32, total: u32) -> f32 {
    if total == 0 {
        return lr0;
    }
    let phase = std::f64::consts::PI * t as f64 / total as f64;
    (lr0 as f64 * 0.5 * (1.0 + libm::cos(phase))) as f32
}
