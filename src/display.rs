//! The one fixed mapping from values to RGBA8 pixels shared by every panel.
//!
//! Panels are never stretched to their own range: that would hide exactly
//! the differences normscope exists to show. Inputs use [0, 1]; normalized
//! outputs use [−3, 3] (three standard deviations either side of the mean).

use ndarray::{ArrayView3, Axis};

/// A value range mapped linearly onto 0..=255, clamped outside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplayRange {
    pub lo: f32,
    pub hi: f32,
}

impl DisplayRange {
    /// Raw inputs: [0, 1].
    pub const INPUT: DisplayRange = DisplayRange { lo: 0.0, hi: 1.0 };
    /// Normalized outputs: [−3, 3].
    pub const NORMALIZED: DisplayRange = DisplayRange { lo: -3.0, hi: 3.0 };

    /// Map one value to a byte.
    #[inline]
    pub fn to_byte(&self, v: f32) -> u8 {
        let t = (v - self.lo) / (self.hi - self.lo);
        // NaN maps to 0 by `as u8` saturation; finite data never has NaN.
        (t * 255.0 + 0.5).clamp(0.0, 255.0) as u8
    }
}

/// Write a C×H×W image as RGBA8 into `out` (length 4·H·W): three channels
/// map to RGB, one channel to grey, more than three show the first three.
///
/// # Panics
/// If `out.len() != 4·H·W`.
pub fn write_rgba(image: ArrayView3<f32>, range: DisplayRange, out: &mut [u8]) {
    let (ch, h, w) = image.dim();
    assert_eq!(out.len(), 4 * h * w, "RGBA buffer has the wrong length");
    let pick = |k: usize| if ch >= 3 { k } else { 0 };
    // The page repaints every panel on each slider move: walk the three
    // channel planes as slices (no per-pixel index arithmetic).
    let planes = [0, 1, 2].map(|k| image.index_axis(Axis(0), pick(k)));
    if let [Some(r), Some(g), Some(b)] = planes.each_ref().map(|p| p.to_slice()) {
        for (((px, &r), &g), &b) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b) {
            px.copy_from_slice(&[range.to_byte(r), range.to_byte(g), range.to_byte(b), 255]);
        }
        return;
    }
    for (k, px) in out.chunks_exact_mut(4).enumerate() {
        let (y, x) = (k / w, k % w);
        for (j, slot) in px.iter_mut().take(3).enumerate() {
            *slot = range.to_byte(image[[pick(j), y, x]]);
        }
        px[3] = 255;
    }
}

/// [`write_rgba`] into a new buffer.
pub fn to_rgba(image: ArrayView3<f32>, range: DisplayRange) -> Vec<u8> {
    let (_, h, w) = image.dim();
    let mut out = vec![0; 4 * h * w];
    write_rgba(image, range, &mut out);
    out
}

/// A colour-blind-safe sequential map (dark blue → yellow, viridis-like),
/// as eight anchors interpolated linearly.
const HEAT_ANCHORS: [[u8; 3]; 8] = [
    [68, 1, 84],
    [70, 50, 127],
    [54, 92, 141],
    [39, 127, 142],
    [31, 161, 135],
    [74, 194, 109],
    [159, 218, 58],
    [253, 231, 37],
];

/// Colour for `t` in [0, 1] (clamped) on the heat map.
pub fn heat_color(t: f32) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (HEAT_ANCHORS.len() - 1) as f32;
    let i = (pos.floor() as usize).min(HEAT_ANCHORS.len() - 2);
    let f = pos - i as f32;
    let (a, b) = (HEAT_ANCHORS[i], HEAT_ANCHORS[i + 1]);
    [0, 1, 2].map(|k| (a[k] as f32 + (b[k] as f32 - a[k] as f32) * f).round() as u8)
}

/// Write the per-pixel difference `max_c |a − b|` as an RGBA8 heat map:
/// 0 is dark blue, `full_scale` or more is yellow.
///
/// # Panics
/// If the shapes differ or `out.len() != 4·H·W`.
pub fn write_difference_rgba(
    a: ArrayView3<f32>,
    b: ArrayView3<f32>,
    full_scale: f32,
    out: &mut [u8],
) {
    assert_eq!(
        a.dim(),
        b.dim(),
        "difference of images with different shapes"
    );
    let (ch, h, w) = a.dim();
    assert_eq!(out.len(), 4 * h * w, "RGBA buffer has the wrong length");
    if let (Some(sa), Some(sb)) = (a.as_slice(), b.as_slice()) {
        // Contiguous: the running max over channels, one plane at a time.
        let plane = h * w;
        let mut d = vec![0f32; plane];
        for (pa, pb) in sa
            .chunks_exact(plane.max(1))
            .zip(sb.chunks_exact(plane.max(1)))
        {
            for ((m, &x), &y) in d.iter_mut().zip(pa).zip(pb) {
                *m = m.max((x - y).abs());
            }
        }
        for (px, &m) in out.chunks_exact_mut(4).zip(&d) {
            let [r, g, bl] = heat_color(m / full_scale);
            px.copy_from_slice(&[r, g, bl, 255]);
        }
        return;
    }
    for (k, px) in out.chunks_exact_mut(4).enumerate() {
        let (y, x) = (k / w, k % w);
        let d = (0..ch)
            .map(|c| (a[[c, y, x]] - b[[c, y, x]]).abs())
            .fold(0f32, f32::max);
        let [r, g, bl] = heat_color(d / full_scale);
        px.copy_from_slice(&[r, g, bl, 255]);
    }
}
