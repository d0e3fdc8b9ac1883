//! Moving values between slices and wasm32's 128-bit SIMD registers.
//!
//! At opt-level "s" LLVM vectorizes nothing by itself, so the page's hot
//! loops use `core::arch::wasm32` explicitly. Its arithmetic is safe to
//! call; only loads and stores take raw pointers, and these check the
//! slice's length first (wasm allows unaligned vector access).
#![allow(unsafe_code)]

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
