//! An RGB8 bitmap as a plotters element, and the resampling that fits one.

use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

/// An RGB8 raster placed at a pixel position, drawn with the backend's
/// `blit_bitmap` (a real bitmap on PNG and canvas backends, an embedded PNG
/// in SVG through `SvgImages`).
pub struct Raster<'a> {
    pub pos: (i32, i32),
    pub size: (u32, u32),
    /// Row-major RGB8, `3·w·h` bytes.
    pub rgb: &'a [u8],
}

impl<'a, 'b> PointCollection<'a, (i32, i32)> for &'a Raster<'b> {
    type Point = &'a (i32, i32);
    type IntoIter = std::iter::Once<&'a (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.pos)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(p) if self.rgb.len() == 3 * self.size.0 as usize * self.size.1 as usize => {
                backend.blit_bitmap(p, self.size, self.rgb)
            }
            _ => Ok(()),
        }
    }
}

/// Resample an RGBA8 image (`w`×`h`) to RGB8 `tw`×`th`: box average when
/// shrinking, nearest neighbour when enlarging (pixels stay crisp).
pub fn resample_rgba_to_rgb(rgba: &[u8], (w, h): (u32, u32), (tw, th): (u32, u32)) -> Vec<u8> {
    let (w, h, tw, th) = (w as usize, h as usize, tw as usize, th as usize);
    let mut out = vec![0u8; 3 * tw * th];
    if w == 0 || h == 0 || rgba.len() < 4 * w * h {
        return out;
    }
    for ty in 0..th {
        let y0 = ty * h / th;
        let y1 = ((ty + 1) * h / th).max(y0 + 1).min(h);
        for tx in 0..tw {
            let x0 = tx * w / tw;
            let x1 = ((tx + 1) * w / tw).max(x0 + 1).min(w);
            let mut acc = [0u32; 3];
            for y in y0..y1 {
                for x in x0..x1 {
                    let p = 4 * (y * w + x);
                    for k in 0..3 {
                        acc[k] += rgba[p + k] as u32;
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            let o = 3 * (ty * tw + tx);
            for k in 0..3 {
                out[o + k] = ((acc[k] + n / 2) / n) as u8;
            }
        }
    }
    out
}
