//! Loading images into an N×C×H×W batch, with limits.
//!
//! The path from untrusted bytes to a tensor:
//!
//! ```text
//! bytes ─> sniff (empty? HEIC? PDF? SVG? TIFF? text?)      -> Unsupported / BadInput
//!       ─> header only: width, height, megapixels, bytes    -> TooLarge, before any pixel
//!       ─> JPEG: end-of-image marker present?               -> BadInput (cut-short file)
//!       ─> decode with image::Limits, apply EXIF orientation
//!       ─> fit_image (8/16-bit, cheap pre-shrink + RESIZE_FILTER)
//!       ─> image_to_chw (f32 in [0, 1]) ─> stack ─> N×3×H×W
//! ```
//!
//! This module compiles for wasm32 too: it never touches the file system.
//! Callers add the file name to errors with [`Error::context`].

#[cfg(not(target_arch = "wasm32"))]
use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat};
#[cfg(not(target_arch = "wasm32"))]
use image::{ImageDecoder, ImageError, ImageReader};
use ndarray::{Array3, Array4, ArrayView4, Axis};

use crate::error::{Error, Result};

/// The filter used for every resize that is not a no-op.
///
/// Catmull-Rom is the cubic that PIL calls bicubic, the usual choice when
/// preparing photographs for a network: sharp, with less ringing (overshoot
/// next to edges) than Lanczos3, and a 2-pixel support that makes it cheaper.
pub const RESIZE_FILTER: FilterType = FilterType::CatmullRom;

/// How much input normscope accepts. Every check happens before the memory
/// it protects is allocated.
///
/// The defaults:
///
/// ```text
/// max_side        16 384 px      per side (width and height)
/// max_pixels      100 000 000    100 megapixels
/// max_alloc       800 000 000    bytes the decoder may allocate:
///                                100 MP × 4 bytes (RGBA8) × 2 (decode + orientation copy)
/// max_file_bytes  104 857 600    100 MiB of compressed input
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadLimits {
    /// Largest width or height, in pixels.
    pub max_side: u32,
    /// Largest width × height.
    pub max_pixels: u64,
    /// Largest decoded buffer, in bytes.
    pub max_alloc: u64,
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_side: 16_384,
            max_pixels: 100_000_000,
            max_alloc: 100_000_000 * 4 * 2,
            max_file_bytes: 100 * 1024 * 1024,
        }
    }
}

impl LoadLimits {
    /// Reject a width × height before any pixel is allocated.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a zero side; [`Error::TooLarge`] above
    /// `max_side` or `max_pixels`.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::BadInput(format!(
                "the image is {width}×{height} pixels: it has no pixels to show"
            )));
        }
        if width > self.max_side || height > self.max_side {
            return Err(Error::TooLarge(format!(
                "the image is {width}×{height} pixels; the largest side normscope accepts is {} px — scale it down first",
                self.max_side
            )));
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(Error::TooLarge(format!(
                "the image is {width}×{height} pixels ({:.1} megapixels); normscope accepts up to {:.0} megapixels — scale it down first",
                pixels as f64 / 1e6,
                self.max_pixels as f64 / 1e6
            )));
        }
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn image_limits(&self, with_sides: bool) -> image::Limits {
        let mut l = image::Limits::default();
        if with_sides {
            l.max_image_width = Some(self.max_side);
            l.max_image_height = Some(self.max_side);
        }
        l.max_alloc = Some(self.max_alloc);
        l
    }
}

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    /// How many pixel decodes this thread has started (see [`pixel_decodes_started`]).
    static PIXEL_DECODES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times [`decode_image`] got past every header check and started
/// decoding pixels, on this thread.
///
/// Tests use it to show that a hostile header is refused before the decoder
/// runs; it costs one thread-local increment per decode.
#[cfg(not(target_arch = "wasm32"))]
pub fn pixel_decodes_started() -> u64 {
    PIXEL_DECODES.with(std::cell::Cell::get)
}

/// The checks every image file passes before its header is read: the file
/// size, an empty file, formats normscope recognizes but does not take, and
/// the format from the magic bytes (PNG, JPEG, GIF, BMP or WebP).
///
/// # Errors
/// As [`decode_image`], for these checks.
pub fn recognize(bytes: &[u8], limits: &LoadLimits) -> Result<ImageFormat> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(Error::TooLarge(format!(
            "the file is {:.1} MB; normscope accepts files up to {:.0} MB — save a smaller version first",
            bytes.len() as f64 / 1e6,
            limits.max_file_bytes as f64 / 1e6
        )));
    }
    if bytes.is_empty() {
        return Err(Error::BadInput(
            "the file is empty (0 bytes) — pick the photo again; it may not have been saved or downloaded".into(),
        ));
    }
    if let Some(e) = sniff_unsupported(bytes) {
        return Err(e);
    }
    let format = image::guess_format(bytes).map_err(|_| {
        Error::BadInput(
            "this is not an image file normscope recognizes — use a PNG, JPEG, GIF, BMP or WebP image".into(),
        )
    })?;
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::Bmp
            | ImageFormat::WebP
    ) {
        return Err(unsupported_format(format));
    }
    Ok(format)
}

/// Decode an image file (PNG, JPEG, GIF's first frame, BMP, WebP) with
/// limits, upright according to its EXIF orientation.
///
/// The size is read from the header and checked before decoding, so a small
/// file claiming 100 000 × 100 000 pixels is rejected without allocating. A
/// JPEG must contain its end-of-image marker: a cut-short JPEG is an error,
/// not an image padded with grey.
///
/// # Errors
/// [`Error::TooLarge`] above `limits`; [`Error::Unsupported`] for HEIC/HEIF,
/// AVIF, PDF, SVG, TIFF, `.npy`, text and other formats normscope does not decode;
/// [`Error::BadInput`] for an empty, unrecognized, truncated or corrupt file.
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_image(bytes: &[u8], limits: &LoadLimits) -> Result<DynamicImage> {
    let format = recognize(bytes, limits)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);

    // Some decoders refuse a huge header themselves with a vague format
    // error; read those sizes first so the message names them.
    if let Some((width, height)) = peek_dimensions(bytes, format) {
        limits.check_dimensions(width, height)?;
    }
    // Header first: no side limits yet, so our own message can name the size.
    reader.limits(limits.image_limits(false));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| from_image_error(e, format))?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;
    let needed = decoder.total_bytes();
    if needed > limits.max_alloc {
        return Err(Error::TooLarge(format!(
            "decoding this {width}×{height} image needs {:.0} MB; normscope allows {:.0} MB — scale it down first",
            needed as f64 / 1e6,
            limits.max_alloc as f64 / 1e6
        )));
    }
    if format == ImageFormat::Jpeg && !crate::filecheck::jpeg_walk(bytes).complete {
        return Err(Error::BadInput(
            "the JPEG file is cut short (its end-of-image marker is missing), so part of the photo is lost — copy or download it again".into(),
        ));
    }
    decoder
        .set_limits(limits.image_limits(true))
        .map_err(|e| from_image_error(e, format))?;
    // A missing or unreadable EXIF block just means "upright as stored".
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    PIXEL_DECODES.with(|n| n.set(n.get() + 1));
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| from_image_error(e, format))?;
    img.apply_orientation(orientation);
    Ok(img)
}

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

/// The claimed width and height of a PNG, BMP or extended WebP file, read from
/// fixed header offsets (`None` for other formats or a too-short header).
///
/// ```text
/// PNG   signature(8) | IHDR length(4) "IHDR" | width (u32 BE) | height (u32 BE) at 16..24
/// BMP   bytes 14..18 header size; 12: u16 width, height at 18, 20
///                                  else: i32 width, height at 18, 22 (negative height = top-down)
/// WebP  "RIFF" size "WEBP" "VP8X" size flags(4) | width−1 (u24) | height−1 (u24) at 24..30
/// ```
#[cfg(not(target_arch = "wasm32"))]
fn peek_dimensions(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let u16_at = |i: usize| Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?));
    let u32_at = |i: usize| Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    let u32_be_at = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    let u24_at = |i: usize| {
        let b = bytes.get(i..i + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    match format {
        ImageFormat::Bmp => {
            if u32_at(14)? == 12 {
                Some((u32::from(u16_at(18)?), u32::from(u16_at(20)?)))
            } else {
                let w = u32_at(18)? as i32;
                let h = u32_at(22)? as i32;
                Some((w.unsigned_abs(), h.unsigned_abs()))
            }
        }
        // On wasm32 the PNG decoder refuses a huge IHDR with a bare
        // "memory limit exceeded" (its buffer size overflows 32 bits).
        ImageFormat::Png if bytes.get(12..16) == Some(b"IHDR") => {
            Some((u32_be_at(16)?, u32_be_at(20)?))
        }
        ImageFormat::WebP if bytes.get(12..16) == Some(b"VP8X") => {
            Some((u24_at(24)? + 1, u24_at(27)? + 1))
        }
        _ => None,
    }
}

/// Map a decoder error to whose fault it is, for a student.
#[cfg(not(target_arch = "wasm32"))]
fn from_image_error(e: ImageError, format: ImageFormat) -> Error {
    let name = format_name(format);
    // Decoder messages can span lines; the CLI promises one line.
    let detail = e.to_string().replace(['\n', '\r'], " ");
    match e {
        ImageError::Limits(_) => Error::TooLarge(format!(
            "the {name} image is too large to decode within normscope's limits ({detail}) — scale it down first"
        )),
        ImageError::Unsupported(_) => Error::Unsupported(format!(
            "this {name} file uses a feature normscope cannot decode ({detail}) — re-save it as an ordinary PNG or JPEG"
        )),
        _ => Error::BadInput(format!(
            "the {name} file is damaged or cut short ({detail}) — copy or download it again, or re-save it"
        )),
    }
}

pub(crate) fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::WebP => "WebP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Ico => "ICO",
        ImageFormat::Tga => "TGA",
        ImageFormat::Dds => "DDS",
        ImageFormat::Hdr => "HDR",
        ImageFormat::OpenExr => "OpenEXR",
        ImageFormat::Pnm => "PNM",
        ImageFormat::Qoi => "QOI",
        ImageFormat::Farbfeld => "farbfeld",
        _ => "image",
    }
}

pub(crate) fn unsupported_format(format: ImageFormat) -> Error {
    Error::Unsupported(format!(
        "{} images are not supported — convert it to PNG or JPEG",
        format_name(format)
    ))
}

/// Recognize common files that are not images normscope decodes, by their
/// first bytes, and say what to do instead.
fn sniff_unsupported(bytes: &[u8]) -> Option<Error> {
    let unsupported = |m: &str| Some(Error::Unsupported(m.to_string()));
    // ISO base media (HEIC/HEIF/AVIF/MP4/MOV): size, then "ftyp", then the brand.
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                unsupported("HEIC/HEIF photos (the iPhone default) are not supported — convert it to JPEG or PNG (on an iPhone: Settings › Camera › Formats › Most Compatible)")
            }
            b"avif" | b"avis" => {
                unsupported("AVIF images are not supported — convert it to JPEG or PNG")
            }
            _ => unsupported("this is a video or media file (MP4/MOV), not an image — export a frame as PNG or JPEG"),
        };
    }
    if bytes.starts_with(b"\x93NUMPY") {
        return unsupported(
            "this is a NumPy .npy array, not a photo — the page takes PNG or JPEG images; normalize .npy batches with the command-line tool (normscope normalize)",
        );
    }
    if bytes.starts_with(b"%PDF") {
        return unsupported(
            "this is a PDF document, not an image — export the page or figure as PNG or JPEG",
        );
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return unsupported("TIFF images are not supported — convert it to PNG or JPEG");
    }
    // Text-based files: skip a UTF-8 byte-order mark and leading whitespace.
    let head = &bytes[..bytes.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let text = &head[start..];
    let lower: Vec<u8> = text.iter().map(u8::to_ascii_lowercase).collect();
    let contains = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if lower.starts_with(b"<") && contains(b"<svg") {
        return unsupported(
            "SVG drawings are not supported — export it as PNG (any vector editor or browser can)",
        );
    }
    if lower.starts_with(b"<?xml") || lower.starts_with(b"<!doctype") || lower.starts_with(b"<html")
    {
        return unsupported(
            "this is an XML/HTML text file, not an image — save the picture itself as PNG or JPEG",
        );
    }
    if looks_like_text(head) {
        return unsupported("this is a text file, not an image — choose a PNG or JPEG photo");
    }
    None
}

/// True if the first bytes are printable UTF-8 text (tabs and newlines allowed).
fn looks_like_text(head: &[u8]) -> bool {
    // A multi-byte character may be cut at the end of the window.
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(s) => s,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    !s.is_empty()
        && s.chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_detection_accepts_utf8_and_rejects_binary() {
        assert!(looks_like_text("héllo wörld\n".as_bytes()));
        assert!(!looks_like_text(&[0x00, 0x01, 0x02]));
        assert!(!looks_like_text(&[0x89, b'P', b'N', b'G']));
    }
}
