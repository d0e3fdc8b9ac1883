//! Statistics: numerically stable moments, histograms and differences.
//! Plain numbers over slices and arrays: this module depends on nothing
//! above it (the experiments that normalize a batch and measure it live in
//! [`crate::experiment`]).
//!
//! Moments are accumulated in f64 with a corrected two-pass scheme, so a
//! channel of `10000 + 0.01·noise` stored as f32 gets the right variance.
//! (The one-pass `E[x²] − E[x]²` in f32 returns 0 there, the exact
//! low-contrast case this tool is about.)

use ndarray::{ArrayView2, ArrayView3, Axis};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::lanes::F32x4;

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
    for v in values {
        h.add(*v.borrow());
    }
    Ok(h)
}

impl Histogram {
    /// Count one value.
    #[inline]
    fn add(&mut self, v: f32) {
        let bins = self.counts.len();
        if v < self.lo {
            self.below += 1;
        } else if v > self.hi {
            self.above += 1;
        } else if v.is_finite() {
            // f64 keeps the edge placement exact for f32 input.
            let (lo, width) = (self.lo as f64, self.hi as f64 - self.lo as f64);
            let k = ((v as f64 - lo) / width * bins as f64) as usize;
            let k = k.min(bins - 1);
            self.counts[k] = self.counts[k].saturating_add(1);
        }
    }

    /// Count every value of `values`: as [`Histogram::add`], faster.
    ///
    /// When the range's width is a power of two (both default ranges),
    /// dividing by it is exact, so `(x − lo) / width · bins` is the one
    /// rounding of `(x − lo) · (bins / width)`: a multiplication gives the
    /// same bins as the division.
    fn add_slice(&mut self, values: &[f32]) {
        let bins = self.counts.len();
        let (lo, hi) = (self.lo, self.hi);
        let width = hi as f64 - lo as f64;
        let exact = width.is_normal() && width.to_bits() & ((1u64 << 52) - 1) == 0;
        if !exact || bins == 0 {
            for &v in values {
                self.add(v);
            }
            return;
        }
        let (lo64, scale, last) = (lo as f64, bins as f64 / width, bins - 1);
        let (mut below, mut above) = (0u64, 0u64);
        let done = self.add_fours(&values[..values.len() / 4 * 4], scale);
        for &v in &values[done..] {
            if v < lo {
                below += 1;
            } else if v > hi {
                above += 1;
            } else if v.is_finite() {
                let k = (((v as f64 - lo64) * scale) as usize).min(last);
                if let Some(c) = self.counts.get_mut(k) {
                    *c = c.saturating_add(1);
                }
            }
        }
        self.below += below;
        self.above += above;
    }

    /// The leading groups of four of [`Histogram::add_slice`]'s fast case;
    /// returns how many values were counted (none without wasm32 SIMD).
    #[cfg(not(target_arch = "wasm32"))]
    fn add_fours(&mut self, _values: &[f32], _scale: f64) -> usize {
        0
    }

    /// Four values per step: the bin of each lane computed as the scalar
    /// loop does (f64, the same operations), values out of range or NaN
    /// sent to a spare slot past the last bin, and the lanes counted one by
    /// one.
    #[cfg(target_arch = "wasm32")]
    fn add_fours(&mut self, values: &[f32], scale: f64) -> usize {
        use core::arch::wasm32::*;
        let bins = self.counts.len();
        let mut counts = vec![0u32; bins + 1];
        let (lo, hi) = (f32x4_splat(self.lo), f32x4_splat(self.hi));
        let (lo64, scale64) = (f64x2_splat(self.lo as f64), f64x2_splat(scale));
        let (last, spare) = (i32x4_splat(bins as i32 - 1), i32x4_splat(bins as i32));
        let (mut below, mut above) = (i32x4_splat(0), i32x4_splat(0));
        // A wasm32 slice holds fewer than 2³⁰ f32: no count can overflow.
        for i in (0..values.len() / 4 * 4).step_by(4) {
            let v = crate::lanes::raw::load_f32x4(&values[i..]);
            let (under, over) = (f32x4_lt(v, lo), f32x4_gt(v, hi));
            // In range: neither below nor above, and not NaN (v == v).
            let inside = v128_andnot(v128_andnot(f32x4_eq(v, v), under), over);
            let bin = |x: v128| {
                let t = f64x2_mul(f64x2_sub(f64x2_promote_low_f32x4(x), lo64), scale64);
                i32x4_trunc_sat_f64x2_zero(t)
            };
            let (b01, b23) = (bin(v), bin(i64x2_shuffle::<1, 1>(v, v)));
            let k = i32x4_min(i64x2_shuffle::<0, 2>(b01, b23), last);
            let k = v128_bitselect(k, spare, inside);
            for lane in [
                i32x4_extract_lane::<0>(k),
                i32x4_extract_lane::<1>(k),
                i32x4_extract_lane::<2>(k),
                i32x4_extract_lane::<3>(k),
            ] {
                if let Some(c) = counts.get_mut(lane as usize) {
                    *c += 1;
                }
            }
            // The masks are −1 per lane.
            below = i32x4_sub(below, under);
            above = i32x4_sub(above, over);
        }
        for (c, n) in self.counts.iter_mut().zip(&counts) {
            *c = c.saturating_add(*n);
        }
        let lanes = |x: v128| {
            [
                i32x4_extract_lane::<0>(x),
                i32x4_extract_lane::<1>(x),
                i32x4_extract_lane::<2>(x),
                i32x4_extract_lane::<3>(x),
            ]
            .iter()
            .map(|&n| n as u32 as u64)
            .sum::<u64>()
        };
        self.below += lanes(below);
        self.above += lanes(above);
        values.len() / 4 * 4
    }
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
        .map(|plane| match plane.as_slice() {
            Some(values) => {
                let mut h = histogram(std::iter::empty::<f32>(), lo, hi, bins)?;
                h.add_slice(values);
                Ok(h)
            }
            None => histogram(plane.iter(), lo, hi, bins),
        })
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
    // Both in logical order (a copy only for a strided view).
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let mut acc = DifferenceAcc::new();
    if let (Some(sa), Some(sb)) = (a.as_slice(), b.as_slice()) {
        acc.push(sa, sb);
    }
    Ok(acc.finish())
}

/// A [`Difference`] taken a piece at a time: the page measures its outputs
/// while it writes them, one cache-sized step after another.
///
/// The squares are summed in f64 in four interleaved sums (value `i` of a
/// piece into sum `i mod 4`), so that wasm32 can take four values per step
/// and no long chain of dependent additions holds it up; the sums are
/// added at the end. NaN anywhere makes both figures NaN.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DifferenceAcc {
    max_abs: [f64; 4],
    sq: [f64; 4],
    count: usize,
}

impl DifferenceAcc {
    /// Nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add the pairs `(a[i], b[i])` (up to the shorter length).
    pub fn push(&mut self, a: &[f32], b: &[f32]) {
        let n = a.len().min(b.len());
        let whole = self.push_fours(&a[..n], &b[..n]);
        for (i, (&x, &y)) in a[whole..n].iter().zip(&b[whole..n]).enumerate() {
            self.add(i % 4, x, y);
        }
        self.count += n;
    }

    #[inline]
    fn add(&mut self, lane: usize, x: f32, y: f32) {
        let d = (x as f64 - y as f64).abs();
        // NaN must not be hidden by `max`: once in, it stays.
        if d > self.max_abs[lane] || d.is_nan() {
            self.max_abs[lane] = d;
        }
        self.sq[lane] += d * d;
    }

    /// The leading whole groups of four; returns how many values that was.
    #[cfg(not(target_arch = "wasm32"))]
    fn push_fours(&mut self, a: &[f32], b: &[f32]) -> usize {
        let whole = a.len() / 4 * 4;
        for (qa, qb) in a[..whole].chunks_exact(4).zip(b[..whole].chunks_exact(4)) {
            for lane in 0..4 {
                self.add(lane, qa[lane], qb[lane]);
            }
        }
        whole
    }

    /// As the portable version, lane for lane: f64 arithmetic is the same
    /// everywhere, and `f64x2_max` keeps NaN as the scalar test does.
    #[cfg(target_arch = "wasm32")]
    fn push_fours(&mut self, a: &[f32], b: &[f32]) -> usize {
        use core::arch::wasm32::*;
        let whole = a.len() / 4 * 4;
        let load = |x: [f64; 4]| (f64x2(x[0], x[1]), f64x2(x[2], x[3]));
        let (mut m01, mut m23) = load(self.max_abs);
        let (mut s01, mut s23) = load(self.sq);
        // An index loop: at opt-level "s" the chunk iterators' steps stay calls.
        for i in (0..whole).step_by(4) {
            let (va, vb) = (
                crate::lanes::raw::load_f32x4(&a[i..]),
                crate::lanes::raw::load_f32x4(&b[i..]),
            );
            let d01 = f64x2_abs(f64x2_sub(
                f64x2_promote_low_f32x4(va),
                f64x2_promote_low_f32x4(vb),
            ));
            let (ha, hb) = (i64x2_shuffle::<1, 1>(va, va), i64x2_shuffle::<1, 1>(vb, vb));
            let d23 = f64x2_abs(f64x2_sub(
                f64x2_promote_low_f32x4(ha),
                f64x2_promote_low_f32x4(hb),
            ));
            m01 = f64x2_max(m01, d01);
            m23 = f64x2_max(m23, d23);
            s01 = f64x2_add(s01, f64x2_mul(d01, d01));
            s23 = f64x2_add(s23, f64x2_mul(d23, d23));
        }
        let [m0, m1] = crate::lanes::raw::to_f64x2(m01);
        let [m2, m3] = crate::lanes::raw::to_f64x2(m23);
        let [q0, q1] = crate::lanes::raw::to_f64x2(s01);
        let [q2, q3] = crate::lanes::raw::to_f64x2(s23);
        self.max_abs = [m0, m1, m2, m3];
        self.sq = [q0, q1, q2, q3];
        whole
    }

    /// The figures for everything pushed; 0 and 0 for nothing.
    pub fn finish(&self) -> Difference {
        let m = self.max_abs;
        let pick = |x: f64, y: f64| if x > y || x.is_nan() { x } else { y };
        let max_abs = pick(pick(m[0], m[1]), pick(m[2], m[3]));
        let sq = (self.sq[0] + self.sq[1]) + (self.sq[2] + self.sq[3]);
        let rms = if self.count == 0 {
            0.0
        } else {
            (sq / self.count as f64).sqrt()
        };
        Difference { max_abs, rms }
    }
}
