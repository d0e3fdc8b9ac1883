//! What a file is, from its first bytes: the formats normscope takes, and
//! a clear refusal for the ones people often try (HEIC, PDF, SVG, TIFF,
//! `.npy`, text).

use image::ImageFormat;

use super::LoadLimits;
use crate::error::{Error, Result};

/// The checks every image file passes before its header is read: the file
/// size, an empty file, formats normscope recognizes but does not take, and
/// the format from the magic bytes (PNG, JPEG, GIF, BMP or WebP).
///
/// # Errors
/// As [`super::check_file`], for these checks.
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

/// The usual name of a format, for messages (`PNG`, `JPEG`, ...).
pub fn format_name(format: ImageFormat) -> &'static str {
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

pub(super) fn unsupported_format(format: ImageFormat) -> Error {
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
