//! A small fixed filter bank: what a CNN's first convolution might compute,
//! so the page can normalize feature maps instead of raw RGB.
//!
//! Each filter is a 3×3 kernel applied to the luminance
//! `Y = 0.299·R + 0.587·G + 0.114·B`, with replicated borders. Everything is
//! linear in the input, so an affine change `a·x + b` of the image becomes
//! `a·F + b·Σk` in every feature map F — a per-channel affine change, which
//! instance norm removes just as it does for raw pixels.

use ndarray::{Array3, ArrayView3};

/// Luminance weights (ITU-R BT.601).
const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

/// The bank: name and kernel (rows top to bottom).
pub const FILTERS: [(&str, [[f32; 3]; 3]); 6] = [
    (
        "vertical edges",
        [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],
    ),
    (
        "horizontal edges",
        [[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]],
    ),
    (
        "spots (Laplacian)",
        [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]],
    ),
    (
        "diagonal ↘ edges",
        [[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]],
    ),
    (
        "diagonal ↗ edges",
        [[0.0, 1.0, 2.0], [-1.0, 0.0, 1.0], [-2.0, -1.0, 0.0]],
    ),
    (
        "blur",
        [
            [0.0625, 0.125, 0.0625],
            [0.125, 0.25, 0.125],
            [0.0625, 0.125, 0.0625],
        ],
    ),
];

/// Gain applied to the zero-sum (edge and spot) filters. Their responses on
/// photos are small (most of a photo is smooth), and eps = 1e-5 would then
/// be a visible fraction of their variance; a first conv layer's weights
/// have no fixed scale, so this keeps the demonstration about the
/// normalization rather than about eps.
pub const EDGE_GAIN: f32 = 4.0;

/// Number of feature maps the bank produces.
pub const CHANNELS: usize = FILTERS.len();

/// Apply the bank to a C×H×W image (C = 3 uses luminance; C = 1 uses the
/// single channel; otherwise the channel mean): returns 6×H×W.
///
/// ```text
/// F_k[y, x] = g_k · Σ_{i,j ∈ {−1,0,1}} K_k[i+1, j+1] · Y[clamp(y+i), clamp(x+j)]
/// g_k = EDGE_GAIN for kernels that sum to 0, else 1
/// ```
pub fn apply(image: ArrayView3<f32>) -> Array3<f32> {
    let (ch, h, w) = image.dim();
    let mut luma = ndarray::Array2::<f32>::zeros((h, w));
    if ch == 3 {
        for (c, weight) in LUMA.iter().enumerate() {
            luma.scaled_add(*weight, &image.index_axis(ndarray::Axis(0), c));
        }
    } else {
        for plane in image.outer_iter() {
            luma.scaled_add(1.0 / ch.max(1) as f32, &plane);
        }
    }
    let mut out = Array3::<f32>::zeros((CHANNELS, h, w));
    if h == 0 || w == 0 {
        return out;
    }
    let at = |y: isize, x: isize| -> f32 {
        let yy = y.clamp(0, h as isize - 1) as usize;
        let xx = x.clamp(0, w as isize - 1) as usize;
        luma[[yy, xx]]
    };
    for (k, (_, kernel)) in FILTERS.iter().enumerate() {
        let sum: f32 = kernel.iter().flatten().sum();
        let gain = if sum == 0.0 { EDGE_GAIN } else { 1.0 };
        let mut plane = out.index_axis_mut(ndarray::Axis(0), k);
        for y in 0..h as isize {
            for x in 0..w as isize {
                let mut acc = 0f32;
                for (i, row) in kernel.iter().enumerate() {
                    for (j, &kv) in row.iter().enumerate() {
                        if kv != 0.0 {
                            acc += kv * at(y + i as isize - 1, x + j as isize - 1);
                        }
                    }
                }
                plane[[y as usize, x as usize]] = gain * acc;
            }
        }
    }
    out
}
