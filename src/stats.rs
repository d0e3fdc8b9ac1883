//! Statistics: numerically stable moments, histograms, and the figures the
//! page reports (invariance and neighbour sensitivity).
//!
//! Moments are accumulated in f64 with a corrected two-pass scheme, so a
//! channel of `10000 + 0.01·noise` stored as f32 gets the right variance.
//! (The one-pass `E[x²] − E[x]²` in f32 returns 0 there, the exact
//! low-contrast case this tool is about.)

use ndarray::{s, ArrayView2, ArrayView3, ArrayView4, Axis};
use serde::Serialize;

use crate::adjust::Adjustment;
use crate::error::{Error, Result};
use crate::lanes::F32x4;
use crate::norm::{normalize, NormConfig};

/// Mean and biased variance of a set of values, with their count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    pub mean: f64,
    /// Biased (population) variance: divides by `count`.
    pub var: f64,
    pub count: usize,
}

impl Moments {
    /// Standard deviation, `sqrt(var)`.
    pub fn std(&self) -> f64 {
        self.var.sqrt()
    }

    /// Unbiased variance, `var · n / (n − 1)` (what PyTorch stores as
    /// `running_var`). Equals `var` when `count < 2`.
    pub fn unbiased_var(&self) -> f64 {
        if self.count < 2 {
            self.var
        } else {
            self.var * self.count as f64 / (self.count - 1) as f64
        }
    }

    /// True when both moments are finite numbers (the input had no NaN/Inf).
    pub fn is_finite(&self) -> bool {
        self.mean.is_finite() && self.var.is_finite()
    }

    /// The moments of the union of disjoint sets, from each set's moments
    /// (the parallel form of the two-pass algorithm, exact up to rounding):
    ///
    /// ```text
    /// n = Σ nᵢ     mean = Σ nᵢ·meanᵢ / n     var = Σ nᵢ·(varᵢ + (meanᵢ − mean)²) / n
    /// ```
    ///
    /// Every term of the variance is non-negative, so nothing cancels.
    pub fn combine(parts: &[Moments]) -> Moments {
        let count: usize = parts.iter().map(|m| m.count).sum();
        if count == 0 {
            return Moments {
                mean: 0.0,
                var: 0.0,
                count: 0,
            };
        }
        if let [single] = parts {
            return *single;
        }
        let n = count as f64;
        let mean = parts.iter().map(|m| m.count as f64 * m.mean).sum::<f64>() / n;
        let var = parts
            .iter()
            .map(|m| m.count as f64 * (m.var + (m.mean - mean) * (m.mean - mean)))
            .sum::<f64>()
            / n;
        Moments { mean, var, count }
    }
}

/// Values per block of [`MomentsAcc`]: 4 KiB, so a block's second pass
/// reads from L1 cache and the data itself is read from memory once.
const BLOCK: usize = 1024;

/// Sum of a slice in f64 with eight accumulators (no long dependency
/// chain, and a shape the compiler turns into SIMD; no less accurate).
fn sum_f64(values: &[f32]) -> f64 {
    let mut acc = [0f64; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v as f64;
        }
    }
    let tail_sum: f64 = tail.iter().map(|&v| v as f64).sum();
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail_sum
}

/// Sum of a slice in f32, sixteen lanes at a time: only an estimate, for
/// the center of [`centered_sums_f32`].
fn sum_f32(values: &[f32]) -> f32 {
    let (sixteens, tail) = values.as_chunks::<16>();
    let mut acc = [F32x4::zero(); 4];
    for sixteen in sixteens {
        // Written out: at opt-level "s" a loop of four stays a loop.
        let four = sixteen.as_chunks::<4>().0;
        acc = [
            acc[0] + F32x4::load(&four[0]),
            acc[1] + F32x4::load(&four[1]),
            acc[2] + F32x4::load(&four[2]),
            acc[3] + F32x4::load(&four[3]),
        ];
    }
    let [a, b, c, d] = acc;
    let lanes = ((a + b) + (c + d)).to_array();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail.iter().sum::<f32>()
}

/// Values summed in f32 lanes before the partial sums move to f64.
const F32_RUN: usize = 64;

/// `(Σ d, Σ d²)` with `d = x − center`, fast: d and the products in f32
/// lanes, each lane summing only sixteen terms before its partial sum is
/// added into f64, so the result is as accurate as summing in f64 while f32's
/// range holds (see [`f32_sums_are_trustworthy`]).
fn centered_sums_f32(values: &[f32], center: f32) -> (f64, f64) {
    let c = F32x4::splat(center);
    let (runs, tail) = values.as_chunks::<F32_RUN>();
    let (mut t1, mut t2) = (0f64, 0f64);
    for run in runs {
        let mut s1 = [F32x4::zero(); 2];
        let mut s2 = [F32x4::zero(); 2];
        // Sixteen values per step: fewer loop steps than vector operations.
        for sixteen in run.as_chunks::<16>().0 {
            let four = sixteen.as_chunks::<4>().0;
            let d = [
                F32x4::load(&four[0]) - c,
                F32x4::load(&four[1]) - c,
                F32x4::load(&four[2]) - c,
                F32x4::load(&four[3]) - c,
            ];
            s1 = [s1[0] + (d[0] + d[2]), s1[1] + (d[1] + d[3])];
            s2 = [
                s2[0] + (d[0] * d[0] + d[2] * d[2]),
                s2[1] + (d[1] * d[1] + d[3] * d[3]),
            ];
        }
        t1 += (s1[0] + s1[1]).sum_f64();
        t2 += (s2[0] + s2[1]).sum_f64();
    }
    for &v in tail {
        let d = v as f64 - center as f64;
        t1 += d;
        t2 += d * d;
    }
    (t1, t2)
}

/// Whether [`centered_sums_f32`] stayed inside f32's range: no overflow (a
/// spread beyond 1e19), and no squares lost below f32's smallest normal
/// numbers (a spread below about 1e-15). `Σd² = 0` is exact when the center
/// is not tiny: then any value other than the center differs from it by at
/// least f32's spacing there, whose square is still a nonzero f32.
fn f32_sums_are_trustworthy(s1: f64, s2: f64, center: f32, count: usize) -> bool {
    s1.is_finite()
        && s2.is_finite()
        && (s2 > count as f64 * 1e-30 || (s2 == 0.0 && center.abs() >= 1e-14))
}

/// `(Σ d, Σ d²)` with `d = x − center`, in f64: the slow path for blocks
/// outside f32's comfortable range.
fn centered_sums(values: &[f32], center: f64) -> (f64, f64) {
    let mut s1 = [0f64; 4];
    let mut s2 = [0f64; 4];
    let chunks = values.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            let d = c[k] as f64 - center;
            s1[k] += d;
            s2[k] += d * d;
        }
    }
    let mut t1 = (s1[0] + s1[1]) + (s1[2] + s1[3]);
    let mut t2 = (s2[0] + s2[1]) + (s2[2] + s2[3]);
    for &v in tail {
        let d = v as f64 - center;
        t1 += d;
        t2 += d * d;
    }
    (t1, t2)
}

/// `(mean, Σ(x − mean)²)` of one block entirely in f64 (values near
/// f32::MAX, tiny spreads, NaN or infinities, which come out non-finite).
fn slow_block_moments(block: &[f32]) -> (f64, f64) {
    let k = block.len() as f64;
    let rough = sum_f32(block);
    let m = if rough.is_finite() {
        rough as f64 / k
    } else {
        sum_f64(block) / k
    };
    if !m.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let (s1, s2) = centered_sums(block, m);
    (m + s1 / k, (s2 - s1 * s1 / k).max(0.0))
}

/// Moments of a stream of f32 values fed in slices of any length.
///
/// Each slice is cut into blocks of 1024 values; each block gets the
/// corrected two-pass algorithm while it sits in L1 cache — `m` and `d` in
/// f32 lanes (`x − m` is exact when x is near m, the case that matters),
/// the sums of `d` and `d²` moved into f64 every eight terms per lane — and
/// the blocks merge by Chan et al.'s pairwise update (the same formula as
/// [`Moments::combine`]):
///
/// ```text
/// block:  m = Σx/k,  d = x − m,  mean_b = m + Σd/k,  M2_b = Σd² − (Σd)²/k
/// merge:  δ = mean_b − mean,  n' = n + k
///         mean ← mean + δ·k/n',  M2 ← M2 + M2_b + δ²·n·k/n'
/// var = M2 / n
/// ```
///
/// So the data is read from memory once, not twice, and the result is as
/// accurate as the whole-set two-pass algorithm in f64 (every f32 partial
/// sum has eight terms; nothing cancels in the merge). Blocks outside f32's
/// range (spreads beyond 1e19 or below 1e-15, NaN, infinities) take an
/// all-f64 path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MomentsAcc {
    count: usize,
    mean: f64,
    m2: f64,
}

impl MomentsAcc {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add the values of `values`.
    pub fn push(&mut self, values: &[f32]) {
        for block in values.chunks(BLOCK) {
            let k = block.len() as f64;
            // The first pass only picks the center of the second, which
            // corrects for it: an f32 estimate is close enough.
            let center = sum_f32(block) / block.len() as f32;
            let (s1, s2) = centered_sums_f32(block, center);
            let (mean_b, m2_b) = if f32_sums_are_trustworthy(s1, s2, center, block.len()) {
                (center as f64 + s1 / k, (s2 - s1 * s1 / k).max(0.0))
            } else {
                slow_block_moments(block)
            };
            self.merge(block.len(), mean_b, m2_b);
        }
    }

    fn merge(&mut self, k: usize, mean_b: f64, m2_b: f64) {
        if self.count == 0 {
            *self = MomentsAcc {
                count: k,
                mean: mean_b,
                m2: m2_b,
            };
            return;
        }
        let n_a = self.count as f64;
        let n_b = k as f64;
        let n = n_a + n_b;
        let delta = mean_b - self.mean;
        // A constant stream keeps its exact value: δ = 0 adds nothing.
        self.mean += delta * (n_b / n);
        self.m2 += m2_b + delta * delta * (n_a * n_b / n);
        self.count += k;
    }

    /// The moments of everything pushed (biased variance).
    pub fn finish(&self) -> Moments {
        if self.count == 0 {
            return Moments {
                mean: 0.0,
                var: 0.0,
                count: 0,
            };
        }
        Moments {
            mean: self.mean,
            var: (self.m2 / self.count as f64).max(0.0),
            count: self.count,
        }
    }
}

/// Moments of the union of several planes (e.g. one channel across the
/// batch), by the corrected two-pass algorithm in f64, blocked so that the
/// data is read from memory once (see [`MomentsAcc`]):
///
/// ```text
/// m   = Σx / n                          (pass 1, f64)
/// d   = x − m
/// var = (Σd² − (Σd)² / n) / n           (pass 2, f64; the Σd term corrects m)
/// mean = m + Σd / n
/// ```
///
/// A set of equal values gets exactly that value as mean and variance 0.
/// NaN or infinite input shows up as non-finite moments
/// (see [`Moments::is_finite`]): a finite f32 sum cannot overflow f64.
///
/// ```
/// use ndarray::Array2;
/// use normscope::stats::moments_of_planes;
/// let p = Array2::from_shape_vec((1, 4), vec![1.0f32, 2.0, 3.0, 4.0]).unwrap();
/// let m = moments_of_planes(&[p.view()]);
/// assert_eq!(m.mean, 2.5);
/// assert_eq!(m.var, 1.25);
/// ```
pub fn moments_of_planes(planes: &[ArrayView2<f32>]) -> Moments {
    let mut acc = MomentsAcc::new();
    for plane in planes {
        match plane.as_slice() {
            Some(values) => acc.push(values),
            None => {
                // A strided view: gather one block at a time.
                let mut block = Vec::with_capacity(BLOCK);
                for &v in plane.iter() {
                    block.push(v);
                    if block.len() == BLOCK {
                        acc.push(&block);
                        block.clear();
                    }
                }
                acc.push(&block);
            }
        }
    }
    acc.finish()
}

/// Default histogram range for raw inputs: [0, 1].
pub const INPUT_HIST_RANGE: (f32, f32) = (0.0, 1.0);
/// Default histogram range for normalized outputs: [−4, 4].
pub const OUTPUT_HIST_RANGE: (f32, f32) = (-4.0, 4.0);
/// Default number of histogram bins.
pub const DEFAULT_BINS: usize = 64;

/// Counts of values in equal-width bins over a fixed range `[lo, hi]`.
///
/// Values outside the range are counted in `below`/`above`, never dropped,
/// so `Σ counts + below + above` is the number of values seen. NaN counts
/// as neither (it is not a number to place); normalized data has none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    pub lo: f32,
    pub hi: f32,
    pub counts: Vec<u32>,
    /// Values `< lo`.
    pub below: u64,
    /// Values `> hi`.
    pub above: u64,
}

impl Histogram {
    /// The `counts.len() + 1` bin edges, from `lo` to `hi`.
    pub fn edges(&self) -> Vec<f64> {
        let n = self.counts.len().max(1);
        let (lo, hi) = (self.lo as f64, self.hi as f64);
        (0..=n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect()
    }

    /// Total number of finite values counted, including those out of range.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).sum::<u64>() + self.below + self.above
    }
}

/// Histogram of `values` in `bins` equal bins over `[lo, hi]`.
///
/// ```text
/// bin(x) = floor((x − lo) / (hi − lo) · bins)   for lo ≤ x < hi
/// x = hi goes to the last bin; x < lo → below; x > hi → above
/// ```
///
/// # Errors
/// [`Error::BadInput`] if `bins` is 0 or `lo < hi` does not hold with both
/// finite.
///
/// ```
/// use normscope::stats::histogram;
/// let h = histogram([0.1f32, 0.6, 0.9, 1.5, -2.0], 0.0, 1.0, 2).unwrap();
/// assert_eq!(h.counts, vec![1, 2]);
/// assert_eq!((h.below, h.above), (1, 1));
/// ```
pub fn histogram<I>(values: I, lo: f32, hi: f32, bins: usize) -> Result<Histogram>
where
    I: IntoIterator,
    I::Item: std::borrow::Borrow<f32>,
{
    use std::borrow::Borrow;
    if bins == 0 {
        return Err(Error::BadInput(
            "a histogram needs at least 1 bin; pass a bin count of 1 or more".into(),
        ));
    }
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::BadInput(format!(
            "the histogram range must go from a smaller to a larger finite number (got {lo} to {hi})"
        )));
    }
    let mut h = Histogram {
        lo,
        hi,
        counts: vec![0; bins],
        below: 0,
        above: 0,
    };
    let (lo64, width) = (lo as f64, hi as f64 - lo as f64);
    for v in values {
        let v = *v.borrow();
        if v < lo {
            h.below += 1;
        } else if v > hi {
            h.above += 1;
        } else if v.is_finite() {
            // f64 keeps the edge placement exact for f32 input.
            let k = ((v as f64 - lo64) / width * bins as f64) as usize;
            let k = k.min(bins - 1);
            h.counts[k] = h.counts[k].saturating_add(1);
        }
    }
    Ok(h)
}

/// One [`histogram`] per channel of a C×H×W image.
///
/// # Errors
/// As [`histogram`].
pub fn channel_histograms(
    image: ArrayView3<f32>,
    lo: f32,
    hi: f32,
    bins: usize,
) -> Result<Vec<Histogram>> {
    image
        .axis_iter(Axis(0))
        .map(|plane| histogram(plane.iter(), lo, hi, bins))
        .collect()
}

/// Mean and variance of each channel of one C×H×W image
/// (see [`moments_of_planes`]).
pub fn channel_moments(image: ArrayView3<f32>) -> Vec<Moments> {
    image
        .axis_iter(Axis(0))
        .map(|plane| moments_of_planes(&[plane]))
        .collect()
}

/// How far two arrays of the same shape are apart.
///
/// ```text
/// max_abs = max |a − b|
/// rms     = sqrt(mean((a − b)²))
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub max_abs: f64,
    pub rms: f64,
}

/// The [`Difference`] between `a` and `b` (any dimension, same shape),
/// computed in f64. Two empty arrays differ by 0.
///
/// # Errors
/// [`Error::BadInput`] if the shapes differ.
pub fn difference<D: ndarray::Dimension>(
    a: &ndarray::ArrayView<f32, D>,
    b: &ndarray::ArrayView<f32, D>,
) -> Result<Difference> {
    if a.shape() != b.shape() {
        return Err(Error::BadInput(format!(
            "cannot compare arrays of different shapes {:?} and {:?}",
            a.shape(),
            b.shape()
        )));
    }
    let (mut max_abs, mut sq) = (0f64, 0f64);
    let mut add = |x: f32, y: f32| {
        let d = (x as f64 - y as f64).abs();
        // NaN must not be hidden by `max`.
        if d > max_abs || d.is_nan() {
            max_abs = d;
        }
        sq += d * d;
    };
    // The page asks for this on every slider move: plain slices when it can.
    match (a.as_slice(), b.as_slice()) {
        (Some(sa), Some(sb)) => sa.iter().zip(sb).for_each(|(&x, &y)| add(x, y)),
        _ => a.iter().zip(b.iter()).for_each(|(&x, &y)| add(x, y)),
    }
    let n = a.len();
    let rms = if n == 0 { 0.0 } else { (sq / n as f64).sqrt() };
    Ok(Difference { max_abs, rms })
}

fn check_probe(n: usize, probe: usize) -> Result<()> {
    if probe >= n {
        return Err(Error::BadInput(format!(
            "probe image {probe} does not exist: the batch has {n} image(s), numbered from 0"
        )));
    }
    Ok(())
}

/// How much the probe image's output changes when only the probe's input
/// is adjusted: the invariance figure of a normalization kind.
///
/// ```text
/// y  = norm(batch)[probe]
/// y' = norm(batch with batch[probe] ← adj(batch[probe]))[probe]
/// result = difference(y, y')
/// ```
///
/// Instance, layer and group norm give ≈ 0 for an affine adjustment
/// (contrast, brightness), up to the effect of eps; batch norm does not.
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range, or the adjustment or
/// configuration is invalid, or the data is not finite.
pub fn invariance(
    batch: ArrayView4<f32>,
    probe: usize,
    adj: &Adjustment,
    cfg: &NormConfig,
) -> Result<Difference> {
    check_probe(batch.dim().0, probe)?;
    adj.validate()?;
    let original = normalize(batch, cfg)?;
    let mut adjusted = batch.to_owned();
    adj.apply_to(adjusted.view_mut(), probe)?;
    let after = normalize(adjusted.view(), cfg)?;
    difference(
        &original.index_axis(Axis(0), probe),
        &after.index_axis(Axis(0), probe),
    )
}

/// How much the probe image's output changes when every OTHER image of the
/// batch is replaced by the one at the same index in `replacement`.
///
/// ```text
/// y  = norm(batch)[probe]
/// y' = norm(replacement with [probe] ← batch[probe])[probe]
/// ```
///
/// Kinds whose statistics stay within one image (instance, layer, group)
/// give exactly 0; batch norm does not.
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range, the shapes differ, the
/// configuration is invalid, or the data is not finite.
pub fn neighbour_sensitivity(
    batch: ArrayView4<f32>,
    probe: usize,
    replacement: ArrayView4<f32>,
    cfg: &NormConfig,
) -> Result<Difference> {
    check_probe(batch.dim().0, probe)?;
    if batch.dim() != replacement.dim() {
        return Err(Error::BadInput(format!(
            "the replacement batch must have the same shape as the batch: {:?} vs {:?}",
            replacement.dim(),
            batch.dim()
        )));
    }
    let original = normalize(batch, cfg)?;
    let mut swapped = replacement.to_owned();
    swapped
        .slice_mut(s![probe, .., .., ..])
        .assign(&batch.slice(s![probe, .., .., ..]));
    let after = normalize(swapped.view(), cfg)?;
    difference(
        &original.index_axis(Axis(0), probe),
        &after.index_axis(Axis(0), probe),
    )
}
