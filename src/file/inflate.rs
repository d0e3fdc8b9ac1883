//! zlib / deflate, counted: how many bytes a PNG's IDAT stream inflates to,
//! by miniz_oxide's streaming decoder writing into one reused 32 KiB window
//! (deflate refers back at most 32 KiB), so nothing is stored and a bomb
//! costs time only up to the count that is enough.

use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_IGNORE_ADLER32, TINFL_FLAG_PARSE_ZLIB_HEADER,
};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::bytes::{Check, Fault};

/// The window: a power of two, as the decoder needs for wrapping output.
const WINDOW: usize = 32 * 1024;

/// How many bytes a zlib stream, cut into `parts` (PNG's IDAT chunks),
/// inflates to, stopping once `enough` is reached.
///
/// The Adler-32 checksum is not checked: browsers draw a picture whose
/// pixels are all there whatever it says.
///
/// # Errors
/// [`Fault::Short`] when the data ends inside the stream; [`Fault::Damaged`]
/// for a bad header, an impossible code or a distance before the start.
pub(super) fn inflate_count(parts: &[&[u8]], enough: u64) -> Check<u64> {
    let mut state = Box::<DecompressorOxide>::default();
    let mut window = vec![0u8; WINDOW];
    let (mut at, mut out) = (0usize, 0u64);
    for (k, part) in parts.iter().enumerate() {
        let more = if k + 1 < parts.len() {
            TINFL_FLAG_HAS_MORE_INPUT
        } else {
            0
        };
        let flags = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_IGNORE_ADLER32 | more;
        let mut input: &[u8] = part;
        loop {
            let (status, read, written) = decompress(&mut state, input, &mut window, at, flags);
            input = input.get(read..).unwrap_or(&[]);
            at = (at + written) & (WINDOW - 1);
            out += written as u64;
            if out >= enough {
                return Ok(out);
            }
            match status {
                TINFLStatus::Done => return Ok(out),
                TINFLStatus::HasMoreOutput => {}
                TINFLStatus::NeedsMoreInput => break,
                TINFLStatus::FailedCannotMakeProgress => return Err(Fault::Short),
                _ => return Err(Fault::Damaged("its compressed pixel data is corrupt")),
            }
        }
    }
    Err(Fault::Short)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zlib stream of `data` in stored (uncompressed) blocks.
    fn stored(data: &[u8]) -> Vec<u8> {
        let mut z = vec![0x78, 0x01];
        let len = data.len() as u16;
        z.push(1);
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(data);
        z.extend_from_slice(&[0, 0, 0, 0]);
        z
    }

    #[test]
    fn counts_across_chunks_and_stops_at_enough() {
        let z = stored(&[7u8; 1000]);
        let (a, b) = z.split_at(300);
        assert_eq!(inflate_count(&[a, b], 5000), Ok(1000));
        assert!(inflate_count(&[&z], 10).is_ok_and(|n| n >= 10));
        assert_eq!(inflate_count(&[&z[..500]], 5000), Err(Fault::Short));
        assert_eq!(
            inflate_count(&[&[0x78, 0x01, 0x07]], 10),
            Err(Fault::Damaged("its compressed pixel data is corrupt"))
        );
    }
}
