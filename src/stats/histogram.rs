//! Histograms over a fixed range: values out of range are counted, never
//! dropped; a wasm32 path bins four values per step.

use ndarray::{ArrayView3, Axis};
use serde::Serialize;

use crate::error::{Error, Result};

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
