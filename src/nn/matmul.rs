//! The matrix products behind the convolution, through [`crate::lanes`].
//!
//! Every output element is summed in one fixed order, whatever the target:
//! in [`gemm`] over `k` ascending, one product at a time (`c + a·b` as a
//! multiply then an add, never fused); in [`gemm_nt`] as four running lane
//! sums combined `(l0 + l1) + (l2 + l3)`, then the scalar tail. The lanes
//! compute lane by lane exactly what the scalar code would, so native and
//! wasm32 results are bit-identical.
//!
//! Blocking: [`gemm`] computes a 4-row × 8-column tile of `C` per pass over
//! `k` (eight vector accumulators, each `B` load shared by four rows);
//! [`gemm_nt`] computes a 2 × 2 tile of dot products per pass.

use crate::lanes::F32x4;

/// How to read the left matrix `A` (m×k): element (i, kk) is
/// `a[i * row_stride + kk * col_stride]`. `(k, 1)` is row-major `A`;
/// `(1, m)` reads a row-major k×m matrix as its transpose.
#[derive(Debug, Clone, Copy)]
pub struct Strides {
    pub row: usize,
    pub col: usize,
}

impl Strides {
    /// A row-major m×k matrix.
    pub fn normal(k: usize) -> Self {
        Strides { row: k, col: 1 }
    }
    /// The transpose of a row-major k×m matrix.
    pub fn transposed(m: usize) -> Self {
        Strides { row: 1, col: m }
    }
}

#[inline(always)]
fn ld(chunks: &[[f32; 4]], j: usize) -> F32x4 {
    F32x4::load(&chunks[j])
}

/// `C = A·B` (m×n, overwritten), `A` m×k read through `sa`, `B` k×n
/// row-major.
///
/// ```text
/// c[i][j] = (((0 + a(i,0)·b[0][j]) + a(i,1)·b[1][j]) + …) + a(i,k−1)·b[k−1][j]
/// ```
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], sa: Strides, b: &[f32], c: &mut [f32]) {
    let a_at = |i: usize, kk: usize| a[i * sa.row + kk * sa.col];
    let n4 = n / 4;
    let mut i = 0;
    while i < m {
        let rows = (m - i).min(4);
        // Vector columns, two chunks (8 columns) at a time, then one.
        let mut jc = 0;
        while jc < n4 {
            let width = (n4 - jc).min(2);
            let mut acc = [[F32x4::zero(); 2]; 4];
            if rows == 4 && width == 2 {
                // The common full tile, written out: at opt-level "s" the
                // row loop below is not unrolled, and its accumulators live
                // in memory rather than in registers.
                let [mut c00, mut c01, mut c10, mut c11] = [F32x4::zero(); 4];
                let [mut c20, mut c21, mut c30, mut c31] = [F32x4::zero(); 4];
                for kk in 0..k {
                    let (bc, _) = b[kk * n + jc * 4..kk * n + jc * 4 + 8].as_chunks::<4>();
                    let (b0, b1) = (ld(bc, 0), ld(bc, 1));
                    let s = F32x4::splat(a_at(i, kk));
                    c00 = c00 + s * b0;
                    c01 = c01 + s * b1;
                    let s = F32x4::splat(a_at(i + 1, kk));
                    c10 = c10 + s * b0;
                    c11 = c11 + s * b1;
                    let s = F32x4::splat(a_at(i + 2, kk));
                    c20 = c20 + s * b0;
                    c21 = c21 + s * b1;
                    let s = F32x4::splat(a_at(i + 3, kk));
                    c30 = c30 + s * b0;
                    c31 = c31 + s * b1;
                }
                acc = [[c00, c01], [c10, c11], [c20, c21], [c30, c31]];
            } else {
                for kk in 0..k {
                    let (brow, _) = b[kk * n..kk * n + n].as_chunks::<4>();
                    let b0 = ld(brow, jc);
                    let b1 = if width == 2 { ld(brow, jc + 1) } else { b0 };
                    for (r, acc_r) in acc.iter_mut().enumerate().take(rows) {
                        let s = F32x4::splat(a_at(i + r, kk));
                        acc_r[0] = acc_r[0] + s * b0;
                        acc_r[1] = acc_r[1] + s * b1;
                    }
                }
            }
            for (r, acc_r) in acc.iter().enumerate().take(rows) {
                let (crow, _) = c[(i + r) * n..(i + r) * n + n].as_chunks_mut::<4>();
                for w in 0..width {
                    acc_r[w].store(&mut crow[jc + w]);
                }
            }
            jc += width;
        }
        // Scalar tail columns, same order.
        for r in 0..rows {
            for j in n4 * 4..n {
                let mut s = 0.0f32;
                for kk in 0..k {
                    s += a_at(i + r, kk) * b[kk * n + j];
                }
                c[(i + r) * n + j] = s;
            }
        }
        i += rows;
    }
}

/// Sum of `x·y` in the fixed lane order of this module.
#[inline(always)]
fn dot(x: &[f32], y: &[f32]) -> f32 {
    let (xc, xt) = x.as_chunks::<4>();
    let (yc, yt) = y.as_chunks::<4>();
    let mut acc = F32x4::zero();
    for (a, b) in xc.iter().zip(yc) {
        acc = acc + F32x4::load(a) * F32x4::load(b);
    }
    let [l0, l1, l2, l3] = acc.to_array();
    let mut s = (l0 + l1) + (l2 + l3);
    for (a, b) in xt.iter().zip(yt) {
        s += a * b;
    }
    s
}

/// `C += A·Bᵀ`: `A` m×len and `B` n×len row-major, `C` m×n.
///
/// ```text
/// c[i][j] ← c[i][j] + dot(a[i], b[j])      (dot in the lane order above)
/// ```
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_nt(m: usize, n: usize, len: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    let mut i = 0;
    while i < m {
        let ri = (m - i).min(2);
        let mut j = 0;
        while j < n {
            let rj = (n - j).min(2);
            if ri == 2 && rj == 2 {
                // 2×2 tile: each loaded vector used twice.
                let (a0, _) = a[i * len..(i + 1) * len].as_chunks::<4>();
                let (a1, _) = a[(i + 1) * len..(i + 2) * len].as_chunks::<4>();
                let (b0, _) = b[j * len..(j + 1) * len].as_chunks::<4>();
                let (b1, _) = b[(j + 1) * len..(j + 2) * len].as_chunks::<4>();
                // Locals, not an array: registers at opt-level "s" too.
                let [mut s00, mut s01, mut s10, mut s11] = [F32x4::zero(); 4];
                for p in 0..a0.len() {
                    let (x0, x1) = (ld(a0, p), ld(a1, p));
                    let (y0, y1) = (ld(b0, p), ld(b1, p));
                    s00 = s00 + x0 * y0;
                    s01 = s01 + x0 * y1;
                    s10 = s10 + x1 * y0;
                    s11 = s11 + x1 * y1;
                }
                let acc = [s00, s01, s10, s11];
                let tail = a0.len() * 4..len;
                for (t, (ii, jj)) in [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().enumerate() {
                    let [l0, l1, l2, l3] = acc[t].to_array();
                    let mut s = (l0 + l1) + (l2 + l3);
                    for q in tail.clone() {
                        s += a[(i + ii) * len + q] * b[(j + jj) * len + q];
                    }
                    c[(i + ii) * n + j + jj] += s;
                }
            } else {
                for ii in 0..ri {
                    for jj in 0..rj {
                        let s = dot(
                            &a[(i + ii) * len..(i + ii + 1) * len],
                            &b[(j + jj) * len..(j + jj + 1) * len],
                        );
                        c[(i + ii) * n + j + jj] += s;
                    }
                }
            }
            j += rj;
        }
        i += ri;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, k: usize, n: usize, a: impl Fn(usize, usize) -> f32, b: &[f32]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k)
                    .map(|kk| a(i, kk) as f64 * b[kk * n + j] as f64)
                    .sum();
            }
        }
        c
    }

    #[test]
    fn products_match_a_plain_loop_on_odd_shapes() {
        let mut r = crate::nn::rng::Rng::new(3);
        for &(m, k, n) in &[(1, 1, 1), (5, 3, 7), (4, 9, 8), (7, 13, 18), (3, 2, 33)] {
            let a: Vec<f32> = (0..m * k).map(|_| r.normal()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| r.normal()).collect();
            let mut c = vec![f32::NAN; m * n];
            gemm(m, k, n, &a, Strides::normal(k), &b, &mut c);
            let want = naive(m, k, n, |i, kk| a[i * k + kk], &b);
            for (x, y) in c.iter().zip(&want) {
                assert!((*x as f64 - y).abs() < 1e-5, "{x} vs {y}");
            }
            // Aᵀ stored as k×m.
            let at: Vec<f32> = (0..k * m).map(|t| a[(t % m) * k + t / m]).collect();
            let mut c2 = vec![0.0; m * n];
            gemm(m, k, n, &at, Strides::transposed(m), &b, &mut c2);
            assert_eq!(c, c2);
            // A·Bᵀ with B given as n×k.
            let bt: Vec<f32> = (0..n * k).map(|t| b[(t % k) * n + t / k]).collect();
            let mut c3 = vec![1.0; m * n];
            gemm_nt(m, n, k, &a, &bt, &mut c3);
            for (x, y) in c3.iter().zip(&want) {
                assert!((*x as f64 - 1.0 - y).abs() < 1e-5, "{x} vs {y}");
            }
        }
    }
}
