//! How far two arrays are apart (`max |a − b|`, RMS), whole or a piece at
//! a time.

use serde::Serialize;

use crate::error::{Error, Result};

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
