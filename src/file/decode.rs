//! Decoding an image file natively (the CLI, tests): the page's structure
//! check first, then the `image` crate with explicit limits. The page has
//! no decoder in wasm: the browser decodes there.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use super::sniff::format_name;
use super::{check_file, LoadLimits};
use crate::error::{Error, Result};

thread_local! {
    /// How many pixel decodes this thread has started (see [`pixel_decodes_started`]).
    static PIXEL_DECODES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times [`decode_image`] got past every header check and started
/// decoding pixels, on this thread.
///
/// Tests use it to show that a hostile header is refused before the decoder
/// runs; it costs one thread-local increment per decode.
pub fn pixel_decodes_started() -> u64 {
    PIXEL_DECODES.with(std::cell::Cell::get)
}

/// Decode an image file (PNG, JPEG, GIF's first frame, BMP, WebP) with
/// limits, upright according to its EXIF orientation.
///
/// The file first passes [`check_file`], the page's judge: the size is read
/// from the header and checked before decoding, so a small file claiming
/// 100 000 × 100 000 pixels is rejected without allocating, and a file cut
/// short is an error, not an image padded with grey.
///
/// # Errors
/// [`Error::TooLarge`] above `limits`; [`Error::Unsupported`] for HEIC/HEIF,
/// AVIF, PDF, SVG, TIFF, `.npy`, text and other formats normscope does not decode;
/// [`Error::BadInput`] for an empty, unrecognized, truncated or corrupt file.
pub fn decode_image(bytes: &[u8], limits: &LoadLimits) -> Result<DynamicImage> {
    // The page's judge first: the format, the header's size within the
    // limits, and a file that is whole. Both doors give the same verdict.
    let format = check_file(bytes, limits)?.format;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
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

/// Map a decoder error to whose fault it is, for a student.
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
