//! The structure check of an image file: the page's judge, and the first
//! step of every decode (see [`super`]).

use image::ImageFormat;

use super::bmp::{bmp_header, bmp_structure};
use super::bytes::Fault;
use super::gif::{gif_header, gif_structure};
use super::jpeg::jpeg_walk;
use super::png::{png_header, png_structure};
use super::sniff::{format_name, recognize, unsupported_format};
use super::webp::{webp_header, webp_structure};
use super::LoadLimits;
use crate::error::Result;

/// What [`check_file`] found out about an image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    /// PNG, JPEG, GIF, BMP or WebP.
    pub format: ImageFormat,
    /// Width in the header (before any EXIF rotation).
    pub width: u32,
    /// Height in the header (before any EXIF rotation).
    pub height: u32,
}

/// Judge an image file as the page needs before a browser decodes it.
///
/// Applies the same size, format and dimension checks as
/// [`super::decode_image`] (natively) (the size read from the header, before anything
/// else), then checks that the file is structurally complete: a browser
/// would show a cut-short file half grey or transparent without a word.
///
/// # Errors
/// [`Error::TooLarge`] above `limits`; [`Error::Unsupported`] for formats
/// normscope does not take; [`Error::BadInput`] for an empty, unrecognized,
/// cut-short or damaged file.
pub fn check_file(bytes: &[u8], limits: &LoadLimits) -> Result<FileInfo> {
    let format = recognize(bytes, limits)?;
    let name = format_name(format);
    let jpeg = (format == ImageFormat::Jpeg).then(|| jpeg_walk(bytes));
    let (width, height) = match (format, &jpeg) {
        (ImageFormat::Png, _) => png_header(bytes),
        (ImageFormat::Jpeg, Some(walk)) => match walk.frame {
            Some(size) => Ok(size),
            None if walk.complete => Err(Fault::Damaged("it has no frame header")),
            None => Err(Fault::Short),
        },
        (ImageFormat::Gif, _) => gif_header(bytes),
        (ImageFormat::Bmp, _) => bmp_header(bytes).map(|h| (h.width, h.height)),
        (ImageFormat::WebP, _) => webp_header(bytes),
        _ => return Err(unsupported_format(format)),
    }
    .map_err(|f| f.into_error(name))?;
    limits.check_dimensions(width, height)?;
    match (format, &jpeg) {
        (ImageFormat::Png, _) => png_structure(bytes),
        (ImageFormat::Jpeg, Some(walk)) if walk.complete => Ok(()),
        (ImageFormat::Jpeg, _) => Err(Fault::Short),
        (ImageFormat::Gif, _) => gif_structure(bytes, limits),
        (ImageFormat::Bmp, _) => bmp_structure(bytes),
        _ => webp_structure(bytes),
    }
    .map_err(|f| f.into_error(name))?;
    Ok(FileInfo {
        format,
        width,
        height,
    })
}
