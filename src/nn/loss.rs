//! Softmax cross-entropy, averaged over the batch (PyTorch's
//! `F.cross_entropy` with `reduction="mean"`).

/// The loss and its gradient for `n` samples of `k` logits.
///
/// ```text
/// p = softmax(z) = exp(z − max z) / Σ exp(z − max z)
/// L = (1/n) Σ_s −ln p[s][y_s]            (summed in f64)
/// dz[s][j] = (p[s][j] − [j = y_s]) / n
/// ```
///
/// `exp` and `ln` are `libm`'s, so the result is the same on every target.
/// Returns `L`; writes `dz` (same shape as `logits`) and the predicted
/// class of each sample into `pred`.
///
/// # Panics
/// If a label is not below `k` or a slice is too short.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    k: usize,
    dz: &mut [f32],
    pred: &mut [u8],
) -> f32 {
    let n = labels.len();
    let mut total = 0.0f64;
    let inv_n = 1.0 / n as f32;
    for s in 0..n {
        let z = &logits[s * k..(s + 1) * k];
        let (arg, max) = argmax(z);
        pred[s] = arg as u8;
        let mut sum = 0.0f64;
        for &v in z {
            sum += libm::expf(v - max) as f64;
        }
        let y = labels[s] as usize;
        let log_sum = libm::log(sum);
        total += log_sum - (z[y] - max) as f64;
        for j in 0..k {
            let p = (libm::exp((z[j] - max) as f64 - log_sum)) as f32;
            let t = if j == y { 1.0 } else { 0.0 };
            dz[s * k + j] = (p - t) * inv_n;
        }
    }
    (total / n as f64) as f32
}

/// Index and value of the largest logit (the first on ties; NaN never wins).
pub fn argmax(z: &[f32]) -> (usize, f32) {
    let mut best = 0;
    for (j, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = j;
        }
    }
    (best, z[best])
}
