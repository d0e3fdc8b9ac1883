//! Statistics: numerically stable moments (this file), histograms
//! (`histogram.rs`) and differences (`difference.rs`).
//! Plain numbers over slices and arrays: this module depends on nothing
//! above it (the experiments that normalize a batch and measure it live in
//! [`crate::experiment`]).
//!
//! Moments are accumulated in f64 with a corrected two-pass scheme, so a
//! channel of `10000 + 0.01·noise` stored as f32 gets the right variance.
//! (The one-pass `E[x²] − E[x]²` in f32 returns 0 there, the exact
//! low-contrast case this tool is about.)

mod difference;
mod histogram;

use ndarray::{ArrayView2, ArrayView3, Axis};
use serde::Serialize;

use crate::lanes::F32x4;

pub use difference::{difference, Difference, DifferenceAcc};
pub use histogram::{
    channel_histograms, histogram, Histogram, DEFAULT_BINS, INPUT_HIST_RANGE, OUTPUT_HIST_RANGE,
};

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

/// Mean and standard deviation of one channel (what reports and the page show).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChannelStats {
    pub mean: f64,
    pub std: f64,
}

impl From<&Moments> for ChannelStats {
    fn from(m: &Moments) -> Self {
        ChannelStats {
            mean: m.mean,
            std: m.std(),
        }
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

/// Mean and variance of each channel of one C×H×W image
/// (see [`moments_of_planes`]).
pub fn channel_moments(image: ArrayView3<f32>) -> Vec<Moments> {
    image
        .axis_iter(Axis(0))
        .map(|plane| moments_of_planes(&[plane]))
        .collect()
}
