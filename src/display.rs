//! The one fixed mapping from values to RGBA8 pixels shared by every panel.
//!
//! Panels are never stretched to their own range: that would hide exactly
//! the differences normscope exists to show. Inputs use [0, 1]; normalized
//! outputs use [−3, 3] (three standard deviations either side of the mean).

use ndarray::ArrayView3;

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
    // The page repaints panels on every slider move: plane slices, no
    // per-pixel index arithmetic (a strided view is copied first).
    let image = image.as_standard_layout();
    let values = image.as_slice().unwrap_or(&[]);
    let plane = h * w;
    let pick = |k: usize| {
        let c = if ch >= 3 { k } else { 0 };
        values.get(c * plane..(c + 1) * plane).unwrap_or(&[])
    };
    rgba_from_planes(pick(0), pick(1), pick(2), range, out);
}

/// Three planes of the same length into RGBA8 pixels, one value at a time.
fn rgba_scalar(r: &[f32], g: &[f32], b: &[f32], range: DisplayRange, out: &mut [u8]) {
    for (((px, &r), &g), &b) in out.chunks_exact_mut(4).zip(r).zip(g).zip(b) {
        px.copy_from_slice(&[range.to_byte(r), range.to_byte(g), range.to_byte(b), 255]);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn rgba_from_planes(r: &[f32], g: &[f32], b: &[f32], range: DisplayRange, out: &mut [u8]) {
    rgba_scalar(r, g, b, range, out);
}

/// As [`rgba_scalar`], four pixels per step. The same arithmetic as
/// [`DisplayRange::to_byte`] lane by lane; the clamp and the saturating
/// `as u8` are the saturating conversions: f32 → i32 (NaN → 0), then
/// i32 → i16 → u8.
#[cfg(target_arch = "wasm32")]
fn rgba_from_planes(r: &[f32], g: &[f32], b: &[f32], range: DisplayRange, out: &mut [u8]) {
    use core::arch::wasm32::*;
    let lo = f32x4_splat(range.lo);
    let width = f32x4_splat(range.hi - range.lo);
    let (k255, half) = (f32x4_splat(255.0), f32x4_splat(0.5));
    let to_int = |p: &[f32]| {
        let t = f32x4_div(f32x4_sub(crate::lanes::raw::load_f32x4(p), lo), width);
        i32x4_trunc_sat_f32x4(f32x4_add(f32x4_mul(t, k255), half))
    };
    let opaque = i32x4_splat(255);
    let n = (out.len() / 4).min(r.len()).min(g.len()).min(b.len());
    let whole = n / 4 * 4;
    // Index loops: at opt-level "s" the chunk iterators' steps stay calls.
    for i in (0..whole).step_by(4) {
        let (vr, vg, vb) = (to_int(&r[i..]), to_int(&g[i..]), to_int(&b[i..]));
        // [r0..r3 g0..g3 b0..b3 255×4], then interleaved to r0 g0 b0 255 r1 ...
        let planar = u8x16_narrow_i16x8(i16x8_narrow_i32x4(vr, vg), i16x8_narrow_i32x4(vb, opaque));
        let pixels =
            i8x16_shuffle::<0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15>(planar, planar);
        crate::lanes::raw::store_u8x16(&mut out[4 * i..], pixels);
    }
    rgba_scalar(
        &r[whole..],
        &g[whole..],
        &b[whole..],
        range,
        &mut out[4 * whole..],
    );
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
    // Plane slices, as in `write_rgba` (a strided view is copied first).
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let plane = (h * w).max(1);
    let (sa, sb) = (a.as_slice().unwrap_or(&[]), b.as_slice().unwrap_or(&[]));
    let pa: Vec<&[f32]> = sa.chunks_exact(plane).take(ch).collect();
    let pb: Vec<&[f32]> = sb.chunks_exact(plane).take(ch).collect();
    heat_from_planes(&pa, &pb, 0, full_scale, out);
}

/// Heat-map pixels from channel planes (`a[c]`, `b[c]`), starting at pixel
/// `from` of the planes and of `out`, one pixel at a time.
fn heat_scalar(a: &[&[f32]], b: &[&[f32]], from: usize, full_scale: f32, out: &mut [u8]) {
    for (k, px) in out.chunks_exact_mut(4).enumerate().skip(from) {
        let m = a
            .iter()
            .zip(b)
            .filter_map(|(pa, pb)| Some((pa.get(k)? - pb.get(k)?).abs()))
            .fold(0f32, f32::max);
        let [r, g, bl] = heat_color(m / full_scale);
        px.copy_from_slice(&[r, g, bl, 255]);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn heat_from_planes(a: &[&[f32]], b: &[&[f32]], from: usize, full_scale: f32, out: &mut [u8]) {
    heat_scalar(a, b, from, full_scale, out);
}

/// As [`heat_scalar`], four pixels per step, lane by lane the same
/// arithmetic as [`heat_color`]: the anchors are looked up with byte
/// swizzles, and `(v + 0.5)` truncated in f64 is `⌊v⌋ + (v − ⌊v⌋ ≥ 0.5)`
/// (both exact for 0 ≤ v < 256).
#[cfg(target_arch = "wasm32")]
fn heat_from_planes(a: &[&[f32]], b: &[&[f32]], from: usize, full_scale: f32, out: &mut [u8]) {
    use core::arch::wasm32::*;
    let n = a
        .iter()
        .chain(b)
        .map(|p| p.len())
        .min()
        .unwrap_or(0)
        .min(out.len() / 4);
    let whole = n / 4 * 4;
    let last = (HEAT_ANCHORS.len() - 1) as f32;
    let table = |k: usize| {
        let mut t = [0u8; 16];
        for (slot, anchor) in t.iter_mut().zip(HEAT_ANCHORS) {
            *slot = anchor[k];
        }
        crate::lanes::raw::load_u8x16(&t)
    };
    let (tab_r, tab_g, tab_b) = (table(0), table(1), table(2));
    // Bytes 1..3 of each 32-bit lane out of the table's range: a swizzle
    // then gives the anchor byte as a 32-bit integer.
    let high = i32x4_splat(!0xFF);
    let (zero, one, half) = (f32x4_splat(0.0), f32x4_splat(1.0), f32x4_splat(0.5));
    let channels = a.len().min(b.len());
    for i in (from..whole).step_by(4) {
        let mut m = zero;
        for c in 0..channels {
            let d = f32x4_abs(f32x4_sub(
                crate::lanes::raw::load_f32x4(&a[c][i..]),
                crate::lanes::raw::load_f32x4(&b[c][i..]),
            ));
            // pmax keeps `m` where d is NaN, as f32::max does.
            m = f32x4_pmax(m, d);
        }
        let t = f32x4_div(m, f32x4_splat(full_scale));
        // Non-finite → 0 (t − t is NaN exactly then), then clamp to [0, 1].
        let t = v128_and(t, f32x4_eq(f32x4_sub(t, t), zero));
        let t = f32x4_pmin(one, f32x4_pmax(zero, t));
        let pos = f32x4_mul(t, f32x4_splat(last));
        let seg = i32x4_min(i32x4_trunc_sat_f32x4(pos), i32x4_splat(last as i32 - 1));
        let f = f32x4_sub(pos, f32x4_convert_i32x4(seg));
        let (lo_idx, hi_idx) = (
            v128_or(seg, high),
            v128_or(i32x4_add(seg, i32x4_splat(1)), high),
        );
        let channel = |tab: v128| {
            let lo = f32x4_convert_i32x4(i8x16_swizzle(tab, lo_idx));
            let hi = f32x4_convert_i32x4(i8x16_swizzle(tab, hi_idx));
            let v = f32x4_add(lo, f32x4_mul(f32x4_sub(hi, lo), f));
            let whole = i32x4_trunc_sat_f32x4(v);
            let up = f32x4_ge(f32x4_sub(v, f32x4_convert_i32x4(whole)), half);
            // The mask is −1 where the fraction rounds up.
            i32x4_sub(whole, up)
        };
        let (r, g, bl) = (channel(tab_r), channel(tab_g), channel(tab_b));
        let planar = u8x16_narrow_i16x8(
            i16x8_narrow_i32x4(r, g),
            i16x8_narrow_i32x4(bl, i32x4_splat(255)),
        );
        let pixels =
            i8x16_shuffle::<0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15>(planar, planar);
        crate::lanes::raw::store_u8x16(&mut out[4 * i..], pixels);
    }
    heat_scalar(a, b, whole.max(from), full_scale, out);
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
