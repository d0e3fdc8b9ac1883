//! The structure check of an image file: the page's judge, and the first
//! step of every decode (see [`super`]).
//!
//! Every read is bounds-checked: these parsers see hostile bytes first.

use image::ImageFormat;

use super::bmp::{bmp_header, bmp_structure};
use super::gif::{gif_header, gif_structure};
use super::jpeg::jpeg_walk;
use super::png::{png_header, png_structure};
use super::sniff::{format_name, recognize, unsupported_format};
use super::webp::{webp_header, webp_structure};
use super::LoadLimits;
use crate::error::{Error, Result};

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

/// Why a file failed a structure check.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Fault {
    /// The file ends before its structure does.
    Short,
    /// Something inside is wrong (the text says what).
    Damaged(&'static str),
    /// A part the browser would need is missing or too small (the text says what).
    Incomplete(String),
    /// A feature normscope does not take.
    Unsupported(&'static str),
    /// A limit was exceeded inside the file (an animation frame).
    TooLarge(Error),
}

impl Fault {
    pub(super) fn into_error(self, name: &str) -> Error {
        match self {
            Fault::Short => Error::BadInput(format!(
                "the {name} file is cut short, so part of the picture is lost — copy or download it again"
            )),
            Fault::Damaged(what) => Error::BadInput(format!(
                "the {name} file is damaged ({what}) — copy or download it again, or re-save it"
            )),
            Fault::Incomplete(what) => Error::BadInput(format!(
                "the {name} file is damaged or cut short ({what}) — copy or download it again, or re-save it"
            )),
            Fault::Unsupported(what) => Error::Unsupported(format!(
                "this {name} file uses a feature normscope cannot read ({what}) — re-save it as an ordinary PNG or JPEG"
            )),
            Fault::TooLarge(e) => e,
        }
    }
}

pub(super) type Check<T> = std::result::Result<T, Fault>;

pub(super) fn u16_le(b: &[u8], i: usize) -> Check<u16> {
    let s = b
        .get(i..i.checked_add(2).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

pub(super) fn u32_le(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn u32_be(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn byte(b: &[u8], i: usize) -> Check<u8> {
    b.get(i).copied().ok_or(Fault::Short)
}
