//! The engine's matrix product for the training benchmark (bench/train.js),
//! which reports its GFLOP/s beside a plain JS loop.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use super::convert::bad;
use crate::nn::matmul::{gemm, Strides};

/// The engine's matrix product `C = A·B` (row-major, A m×k, B k×n), the
/// kernel under every convolution, exposed so the training benchmark can
/// report its GFLOP/s beside a plain JS loop. `out` (length m·n) is
/// overwritten.
///
/// Throws when a length does not match the sizes.
#[wasm_bindgen]
pub fn matmul(
    a: &Float32Array,
    b: &Float32Array,
    m: usize,
    k: usize,
    n: usize,
    out: &Float32Array,
) -> Result<(), JsError> {
    let (am, bm, cm) = (m.checked_mul(k), k.checked_mul(n), m.checked_mul(n));
    if am != Some(a.length() as usize)
        || bm != Some(b.length() as usize)
        || cm != Some(out.length() as usize)
    {
        return Err(bad(format!(
            "matmul: A must hold m·k = {m}·{k}, B k·n = {k}·{n} and out m·n = {m}·{n} values (got {}, {}, {})",
            a.length(),
            b.length(),
            out.length()
        )));
    }
    let (a, b) = (a.to_vec(), b.to_vec());
    let mut c = vec![0.0f32; m * n];
    gemm(m, k, n, &a, Strides::normal(k), &b, &mut c);
    out.copy_from(&c);
    Ok(())
}
