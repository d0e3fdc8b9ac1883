//! Four f32 lanes for the hot loops (moments, the affine map, pixels).
//!
//! The release build is optimized for size (`opt-level = "s"`), and at that
//! level rustc runs no LLVM vectorizer: a loop written to vectorize stays
//! scalar. These few operations are written with the target's SIMD
//! instructions instead — wasm32 `simd128` in the browser, SSE on x86-64
//! (the native CLI, tests and the training engine's timings) and plain
//! arrays elsewhere — so the speed does not depend on the optimization
//! level. Every lane is IEEE single precision, so all three give the same
//! bits.

/// Four f32 values operated on together.
#[derive(Clone, Copy)]
pub struct F32x4(imp::V);

impl F32x4 {
    /// All four lanes `0.0`.
    #[inline(always)]
    pub fn zero() -> Self {
        Self::splat(0.0)
    }

    /// All four lanes `v`.
    #[inline(always)]
    pub fn splat(v: f32) -> Self {
        F32x4(imp::splat(v))
    }

    /// The four values of `src`.
    #[inline(always)]
    pub fn load(src: &[f32; 4]) -> Self {
        F32x4(imp::load(src))
    }

    /// Write the four lanes to `dst`.
    #[inline(always)]
    pub fn store(self, dst: &mut [f32; 4]) {
        imp::store(self.0, dst)
    }

    /// The four lanes.
    #[inline(always)]
    pub fn to_array(self) -> [f32; 4] {
        let mut a = [0.0; 4];
        self.store(&mut a);
        a
    }

    /// Each lane `x > 0 ? x : 0` (ReLU; NaN and −0 give +0), exactly as the
    /// scalar expression.
    #[inline(always)]
    pub fn positive_part(self) -> Self {
        F32x4(imp::positive_part(self.0))
    }

    /// Each lane `gate > 0 ? self : 0` (ReLU's backward: the gradient where
    /// the input was positive).
    #[inline(always)]
    pub fn where_positive(self, gate: Self) -> Self {
        F32x4(imp::where_positive(self.0, gate.0))
    }

    /// The sum of the four lanes, added in f64 (no rounding beyond f64's).
    #[inline(always)]
    pub fn sum_f64(self) -> f64 {
        let [a, b, c, d] = self.to_array();
        (a as f64 + b as f64) + (c as f64 + d as f64)
    }
}

impl std::ops::Add for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        F32x4(imp::add(self.0, o.0))
    }
}

impl std::ops::Sub for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        F32x4(imp::sub(self.0, o.0))
    }
}

impl std::ops::Mul for F32x4 {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        F32x4(imp::mul(self.0, o.0))
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;
    pub type V = v128;

    #[inline(always)]
    pub fn splat(v: f32) -> V {
        f32x4_splat(v)
    }
    // Through `raw` (one v128.load): a safe `f32x4(a, b, c, d)` from the
    // four values compiles to four separate lane loads here, which made the
    // moment loop about twice as slow.
    #[inline(always)]
    pub fn load(src: &[f32; 4]) -> V {
        super::raw::load_f32x4(src)
    }
    #[inline(always)]
    pub fn store(v: V, dst: &mut [f32; 4]) {
        super::raw::store_f32x4(dst, v)
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        f32x4_add(a, b)
    }
    #[inline(always)]
    pub fn sub(a: V, b: V) -> V {
        f32x4_sub(a, b)
    }
    #[inline(always)]
    pub fn mul(a: V, b: V) -> V {
        f32x4_mul(a, b)
    }
    // pmax(0, x) is `0 < x ? x : 0`: the scalar ReLU, NaN and −0 included.
    #[inline(always)]
    pub fn positive_part(x: V) -> V {
        f32x4_pmax(f32x4_splat(0.0), x)
    }
    #[inline(always)]
    pub fn where_positive(v: V, gate: V) -> V {
        v128_and(v, f32x4_gt(gate, f32x4_splat(0.0)))
    }
}

/// Raw wasm32 vectors for loops that use `core::arch::wasm32` directly
/// (pixels, heat maps, histogram bins, differences): moving values between
/// slices and registers. Its arithmetic is safe to call; only loads and
/// stores take raw pointers, and these check the slice's length first
/// (wasm allows unaligned vector access).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[allow(unsafe_code)]
pub(crate) mod raw {
    use core::arch::wasm32::{v128, v128_load, v128_store};

    /// The first four f32 of `x` as one vector (lane i = `x[i]`).
    ///
    /// # Panics
    /// If `x` has fewer than four values (callers pass whole groups of four).
    #[inline(always)]
    pub(crate) fn load_f32x4(x: &[f32]) -> v128 {
        let x = &x[..4];
        // SAFETY: `x` is 16 readable bytes; v128_load has no alignment needs.
        unsafe { v128_load(x.as_ptr().cast::<v128>()) }
    }

    /// Write the vector's four f32 lanes to the start of `out`.
    ///
    /// # Panics
    /// If `out` has fewer than four values.
    #[inline(always)]
    pub(crate) fn store_f32x4(out: &mut [f32], v: v128) {
        let out = &mut out[..4];
        // SAFETY: `out` is 16 writable bytes; no alignment needs.
        unsafe { v128_store(out.as_mut_ptr().cast::<v128>(), v) }
    }

    /// Sixteen bytes as one vector.
    #[inline(always)]
    pub(crate) fn load_u8x16(x: &[u8; 16]) -> v128 {
        // SAFETY: as above.
        unsafe { v128_load(x.as_ptr().cast::<v128>()) }
    }

    /// Write the vector's 16 bytes to the start of `out`.
    ///
    /// # Panics
    /// If `out` is shorter than 16 bytes.
    #[inline(always)]
    pub(crate) fn store_u8x16(out: &mut [u8], v: v128) {
        let out = &mut out[..16];
        // SAFETY: `out` is 16 writable bytes; no alignment needs.
        unsafe { v128_store(out.as_mut_ptr().cast::<v128>(), v) }
    }

    /// The vector's two f64 lanes.
    #[inline(always)]
    pub(crate) fn to_f64x2(v: v128) -> [f64; 2] {
        // SAFETY: both are 16 bytes of plain data; any bits are valid f64s.
        unsafe { core::mem::transmute::<v128, [f64; 2]>(v) }
    }
}

// x86-64 always has SSE2: the native build (CLI, tests, benchmarks) gets
// real four-lane arithmetic too. Lane by lane it is IEEE single precision,
// like the wasm lanes, so both give the same bits.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use raw_x86 as imp;

/// SSE on x86-64 (which always has it). The intrinsics are `unsafe` to call
/// from functions not marked `#[target_feature]`, although SSE2 is part of
/// the x86-64 baseline, so they are wrapped here.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(unsafe_code)]
pub(crate) mod raw_x86 {
    use core::arch::x86_64::*;
    pub type V = __m128;

    #[inline(always)]
    pub fn splat(v: f32) -> V {
        // SAFETY: SSE is enabled (x86-64 baseline, checked by the cfg).
        unsafe { _mm_set1_ps(v) }
    }
    #[inline(always)]
    pub fn load(src: &[f32; 4]) -> V {
        // SAFETY: `src` is 16 readable bytes; loadu has no alignment needs.
        unsafe { _mm_loadu_ps(src.as_ptr()) }
    }
    #[inline(always)]
    pub fn store(v: V, dst: &mut [f32; 4]) {
        // SAFETY: `dst` is 16 writable bytes; storeu has no alignment needs.
        unsafe { _mm_storeu_ps(dst.as_mut_ptr(), v) }
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        // SAFETY: SSE is enabled.
        unsafe { _mm_add_ps(a, b) }
    }
    #[inline(always)]
    pub fn sub(a: V, b: V) -> V {
        // SAFETY: SSE is enabled.
        unsafe { _mm_sub_ps(a, b) }
    }
    #[inline(always)]
    pub fn mul(a: V, b: V) -> V {
        // SAFETY: SSE is enabled.
        unsafe { _mm_mul_ps(a, b) }
    }
    // maxps(x, 0) is `x > 0 ? x : 0` (the second operand when unordered or
    // equal): the scalar ReLU, NaN and −0 included.
    #[inline(always)]
    pub fn positive_part(x: V) -> V {
        // SAFETY: SSE is enabled.
        unsafe { _mm_max_ps(x, _mm_setzero_ps()) }
    }
    #[inline(always)]
    pub fn where_positive(v: V, gate: V) -> V {
        // SAFETY: SSE is enabled.
        unsafe { _mm_and_ps(v, _mm_cmpgt_ps(gate, _mm_setzero_ps())) }
    }
}

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    all(target_arch = "x86_64", target_feature = "sse2")
)))]
mod imp {
    pub type V = [f32; 4];

    #[inline(always)]
    fn lanes(a: V, b: V, f: impl Fn(f32, f32) -> f32) -> V {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }
    #[inline(always)]
    pub fn splat(v: f32) -> V {
        [v; 4]
    }
    #[inline(always)]
    pub fn load(src: &[f32; 4]) -> V {
        *src
    }
    #[inline(always)]
    pub fn store(v: V, dst: &mut [f32; 4]) {
        *dst = v
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        lanes(a, b, |x, y| x + y)
    }
    #[inline(always)]
    pub fn sub(a: V, b: V) -> V {
        lanes(a, b, |x, y| x - y)
    }
    #[inline(always)]
    pub fn mul(a: V, b: V) -> V {
        lanes(a, b, |x, y| x * y)
    }
    #[inline(always)]
    pub fn positive_part(x: V) -> V {
        lanes(x, x, |x, _| if x > 0.0 { x } else { 0.0 })
    }
    #[inline(always)]
    pub fn where_positive(v: V, gate: V) -> V {
        lanes(v, gate, |v, g| if g > 0.0 { v } else { 0.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::F32x4;

    #[test]
    fn lanes_compute_like_scalars() {
        let a = F32x4::load(&[1.0, -2.0, 3.5, 1e30]);
        let b = F32x4::load(&[0.5, 4.0, -1.0, 1e30]);
        assert_eq!((a + b).to_array(), [1.5, 2.0, 2.5, 2e30]);
        assert_eq!((a - b).to_array(), [0.5, -6.0, 4.5, 0.0]);
        assert_eq!((a * b).to_array(), [0.5, -8.0, -3.5, f32::INFINITY]);
        let relu_of = |x: f32| if x > 0.0 { x } else { 0.0 };
        let odd = [f32::NAN, -0.0, 2.5, -1e-40];
        let got = F32x4::load(&odd).positive_part().to_array();
        for (g, x) in got.iter().zip(odd) {
            assert_eq!(g.to_bits(), relu_of(x).to_bits(), "relu({x})");
        }
        let g = F32x4::load(&[1.0, 2.0, 3.0, 4.0]).where_positive(F32x4::load(&odd));
        assert_eq!(g.to_array(), [0.0, 0.0, 3.0, 0.0]);
        let mut out = [0.0; 4];
        F32x4::splat(7.0).store(&mut out);
        assert_eq!(out, [7.0; 4]);
        // (1e8 + 1) + (−1e8 + 0.5) is 0.5 in f32 but 1.5 in f64.
        assert_eq!(F32x4::load(&[1e8, 1.0, -1e8, 0.5]).sum_f64(), 1.5);
    }
}
