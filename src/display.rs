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
    // pos ≥ 0, so truncation is floor, and for v ≥ 0 `(v + 0.5)` truncated
    // (exact in f64) is `v.round()`: the same colors without the library
    // calls `floor` and `round` compile to in wasm (the page paints two
    // heat maps per slider move).
    let i = (pos as usize).min(HEAT_ANCHORS.len() - 2);
    let f = pos - i as f32;
    let (a, b) = (HEAT_ANCHORS[i], HEAT_ANCHORS[i + 1]);
    [0, 1, 2].map(|k| ((a[k] as f32 + (b[k] as f32 - a[k] as f32) * f) as f64 + 0.5) as u8)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    /// The heat map's colors are the rounded linear blend between anchors;
    /// the fast form must give exactly those bytes everywhere, including at
    /// the anchors and halfway points.
    #[test]
    fn heat_colors_are_the_rounded_blend_of_the_anchors() {
        let n = HEAT_ANCHORS.len() - 1;
        for step in 0..=70_000u32 {
            let t = step as f32 / 70_000.0;
            let pos = t * n as f32;
            let i = (pos.floor() as usize).min(n - 1);
            let f = pos - i as f32;
            let (a, b) = (HEAT_ANCHORS[i], HEAT_ANCHORS[i + 1]);
            let want =
                [0, 1, 2].map(|k| (a[k] as f32 + (b[k] as f32 - a[k] as f32) * f).round() as u8);
            assert_eq!(heat_color(t), want, "t = {t}");
        }
        assert_eq!(heat_color(-1.0), HEAT_ANCHORS[0]);
        assert_eq!(heat_color(2.0), HEAT_ANCHORS[n]);
        assert_eq!(heat_color(f32::NAN), HEAT_ANCHORS[0]);
    }

    /// The slice paths write the same bytes as per-pixel indexing would.
    #[test]
    fn panels_map_every_pixel_of_every_channel() {
        let a = Array3::from_shape_fn((3, 5, 7), |(c, y, x)| (c * 35 + y * 7 + x) as f32 / 105.0);
        let b = a.mapv(|v| v * 0.5);
        let mut rgba = vec![0u8; 4 * 35];
        write_rgba(a.view(), DisplayRange::INPUT, &mut rgba);
        let mut diff = vec![0u8; 4 * 35];
        write_difference_rgba(a.view(), b.view(), 0.5, &mut diff);
        for (k, (px, dpx)) in rgba.chunks_exact(4).zip(diff.chunks_exact(4)).enumerate() {
            let (y, x) = (k / 7, k % 7);
            for c in 0..3 {
                assert_eq!(px[c], DisplayRange::INPUT.to_byte(a[[c, y, x]]));
            }
            assert_eq!(px[3], 255);
            let d = (0..3)
                .map(|c| a[[c, y, x]] - b[[c, y, x]])
                .fold(0f32, f32::max);
            assert_eq!(&dpx[..3], &heat_color(d / 0.5));
        }
        // A strided (transposed) view takes the other path, same bytes.
        let at = Array3::from_shape_fn((3, 7, 5), |(c, x, y)| a[[c, y, x]]);
        let strided_view = at.view().permuted_axes([0, 2, 1]);
        assert!(strided_view.as_slice().is_none());
        let mut strided = vec![0u8; 4 * 35];
        write_rgba(strided_view, DisplayRange::INPUT, &mut strided);
        assert_eq!(strided, rgba);
        let bt = Array3::from_shape_fn((3, 7, 5), |(c, x, y)| b[[c, y, x]]);
        write_difference_rgba(
            strided_view,
            bt.view().permuted_axes([0, 2, 1]),
            0.5,
            &mut strided,
        );
        assert_eq!(strided, diff);
    }
}
