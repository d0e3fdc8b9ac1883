//! Loading images into an N×C×H×W batch: resizing, conversion to f32,
//! stacking, finiteness. Files are judged and decoded in [`crate::file`].
//!
//! ```text
//! DynamicImage (file::decode_image natively, browser RGBA on the page)
//!       ─> fit_image (8/16-bit, cheap pre-shrink + RESIZE_FILTER)
//!       ─> image_to_chw (f32 in [0, 1]) ─> stack ─> N×3×H×W
//! ```
//!
//! This module compiles for wasm32 too: it never touches the file system.
//! Callers add the file name to errors with [`Error::context`].

use image::imageops::FilterType;
use image::DynamicImage;
use ndarray::{Array3, Array4, ArrayView4, Axis};

use crate::error::{Error, Result};
// Also reachable at their paths from before `file` existed.
#[cfg(not(target_arch = "wasm32"))]
pub use crate::file::decode_image;
pub use crate::file::LoadLimits;

/// The filter used for every resize that is not a no-op.
///
/// Catmull-Rom is the cubic that PIL calls bicubic, the usual choice when
/// preparing photographs for a network: sharp, with less ringing (overshoot
/// next to edges) than Lanczos3, and a 2-pixel support that makes it cheaper.
pub const RESIZE_FILTER: FilterType = FilterType::CatmullRom;

/// Wrap browser RGBA bytes (`ImageData.data`, row-major, 4 bytes per pixel).
///
/// # Errors
/// [`Error::BadInput`] when `rgba.len() ≠ width·height·4` or a side is 0;
/// [`Error::TooLarge`] above `limits`.
pub fn image_from_rgba(
    rgba: &[u8],
    width: u32,
    height: u32,
    limits: &LoadLimits,
) -> Result<DynamicImage> {
    limits.check_dimensions(width, height)?;
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(Error::BadInput(format!(
            "an RGBA image of {width}×{height} pixels needs {expected} bytes, got {}",
            rgba.len()
        )));
    }
    image::RgbaImage::from_raw(width, height, rgba.to_vec())
        .map(DynamicImage::ImageRgba8)
        .ok_or_else(|| Error::Internal("RGBA buffer size was checked but rejected".into()))
}

/// How [`fit_image`] reaches a target size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Resize to exactly the target, changing the aspect ratio if needed.
    Stretch,
    /// Centre-crop to the target's aspect ratio, then resize (no distortion).
    Cover,
}

/// Resize an image to `width × height` in its own 8/16-bit pixel type.
///
/// The same size returns an unchanged copy: no resampling at all. Large
/// reductions first shrink with a cheap box average to at most twice the
/// target, then apply [`RESIZE_FILTER`]; the f32 conversion happens later,
/// on the small image. A zero target side is treated as 1.
pub fn fit_image(img: &DynamicImage, width: u32, height: u32, fit: Fit) -> DynamicImage {
    let (tw, th) = (width.max(1), height.max(1));
    let (sw, sh) = (img.width(), img.height());
    if (sw, sh) == (tw, th) {
        return img.clone();
    }
    match fit {
        Fit::Stretch => resize_exact(img, tw, th),
        Fit::Cover => {
            // Compare aspect ratios sw/sh and tw/th without division.
            let (cw, ch) = if u64::from(sw) * u64::from(th) > u64::from(tw) * u64::from(sh) {
                let cw = (u64::from(sh) * u64::from(tw) / u64::from(th)).max(1) as u32;
                (cw.min(sw), sh)
            } else {
                let ch = (u64::from(sw) * u64::from(th) / u64::from(tw)).max(1) as u32;
                (sw, ch.min(sh))
            };
            let cropped = img.crop_imm((sw - cw) / 2, (sh - ch) / 2, cw, ch);
            if (cw, ch) == (tw, th) {
                cropped
            } else {
                resize_exact(&cropped, tw, th)
            }
        }
    }
}

fn resize_exact(img: &DynamicImage, tw: u32, th: u32) -> DynamicImage {
    let (sw, sh) = (img.width(), img.height());
    // Box-average down to ≤ 2× the target first: the filter then works on a
    // small image, and the box average has already removed the aliasing.
    let iw = if sw > 2 * tw { 2 * tw } else { sw };
    let ih = if sh > 2 * th { 2 * th } else { sh };
    if (iw, ih) != (sw, sh) {
        img.thumbnail_exact(iw, ih)
            .resize_exact(tw, th, RESIZE_FILTER)
    } else {
        img.resize_exact(tw, th, RESIZE_FILTER)
    }
}

/// Convert to a 3×H×W RGB tensor with values in [0, 1].
///
/// ```text
/// 8-bit:  x = v / 255        16-bit:  x = v / 65535
/// ```
///
/// Grey is replicated to three channels and alpha is dropped (not blended).
pub fn image_to_chw(img: &DynamicImage) -> Array3<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    match img {
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA16(_)
        | DynamicImage::ImageRgb16(_)
        | DynamicImage::ImageRgba16(_) => {
            let rgb = img.to_rgb16();
            let raw = rgb.as_raw();
            Array3::from_shape_fn((3, h, w), |(c, y, x)| {
                f32::from(raw[(y * w + x) * 3 + c]) / 65535.0
            })
        }
        DynamicImage::ImageRgb32F(_) | DynamicImage::ImageRgba32F(_) => {
            let rgb = img.to_rgb32f();
            let raw = rgb.as_raw();
            Array3::from_shape_fn((3, h, w), |(c, y, x)| raw[(y * w + x) * 3 + c])
        }
        _ => {
            let rgb = img.to_rgb8();
            let raw = rgb.as_raw();
            Array3::from_shape_fn((3, h, w), |(c, y, x)| {
                f32::from(raw[(y * w + x) * 3 + c]) / 255.0
            })
        }
    }
}

/// Stack C×H×W images, in order, into one N×C×H×W batch.
///
/// # Errors
/// [`Error::BadInput`] when the list is empty or the shapes differ.
pub fn stack(images: &[Array3<f32>]) -> Result<Array4<f32>> {
    let first = images
        .first()
        .ok_or_else(|| Error::BadInput("no images were given: add at least one".into()))?;
    for (i, img) in images.iter().enumerate().skip(1) {
        if img.shape() != first.shape() {
            return Err(Error::BadInput(format!(
                "image {} is {} but image 1 is {}; all images in a batch must have the same size",
                i + 1,
                shape_text(img.shape()),
                shape_text(first.shape())
            )));
        }
    }
    let views: Vec<_> = images.iter().map(|a| a.view()).collect();
    ndarray::stack(Axis(0), &views).map_err(|e| Error::Internal(format!("stacking images: {e}")))
}

fn shape_text(shape: &[usize]) -> String {
    shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("×")
}

/// Check that every value is finite (no NaN, no ±∞).
///
/// # Errors
/// [`Error::BadInput`] naming the first offending position.
pub fn check_finite(x: ArrayView4<f32>) -> Result<()> {
    match x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        None => Ok(()),
        Some(((n, c, y, xx), v)) => Err(Error::BadInput(format!(
            "the data contains {v} at image {}, channel {}, row {}, column {}; normscope needs finite numbers — replace NaN/infinite values first",
            n + 1,
            c + 1,
            y + 1,
            xx + 1
        ))),
    }
}
