//! Image files: how much normscope accepts, what a file is, whether it is
//! whole, and (natively) decoding it. One judge for both doors: the page
//! calls [`check_file`] before the browser decodes, and [`decode_image`]
//! (the CLI, natively) starts with the same call, so the same bytes get the
//! same verdict.
//!
//! ```text
//! bytes ─> sniff::recognize (size, empty, HEIC/PDF/SVG/..., magic bytes)  -> Unsupported / BadInput
//!       ─> header: width × height within LoadLimits                        -> TooLarge, before any pixel
//!       ─> structure:                                                      -> BadInput (cut short / damaged)
//!            PNG   chunks and their CRCs up to IEND; the zlib stream inflated
//!                  (counted, not stored) to as many bytes as IHDR's rows need
//!            JPEG  markers up to the end-of-image marker
//!            GIF   blocks up to the trailer; the first picture's LZW codes
//!                  counted up to width × height pixels
//!            BMP   the pixel array (or the RLE stream up to its end mark) in the file
//!            WebP  RIFF and chunk sizes within the file, a VP8/VP8L picture present
//!       ─> (natively) decode with image::Limits, EXIF orientation applied
//! ```
//!
//! Files: `limits` (the numbers), `sniff` (what a file is), `check` (the
//! judge) with one parser per format (`png` and its counting `inflate`,
//! `jpeg`, `gif`, `bmp`, `webp`), `bytes` (the bounds-checked readers and
//! `Fault` the parsers share), and `decode` (native only).

mod bmp;
mod bytes;
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod decode;
mod gif;
mod inflate;
mod jpeg;
mod limits;
mod png;
mod sniff;
mod webp;

pub use check::{check_file, FileInfo};
#[cfg(not(target_arch = "wasm32"))]
pub use decode::{decode_image, pixel_decodes_started};
pub use limits::LoadLimits;
pub use sniff::{format_name, recognize};
