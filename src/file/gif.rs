//! GIF: the screen size, every block up to the trailer, and the first
//! picture's LZW codes counted up to its pixel count.

use super::bytes::{byte, u16_le, Check, Fault};
use super::LoadLimits;

/// The logical screen size.
pub(super) fn gif_header(b: &[u8]) -> Check<(u32, u32)> {
    Ok((u32::from(u16_le(b, 6)?), u32::from(u16_le(b, 8)?)))
}

/// Skip data sub-blocks (a length byte, then that many bytes) up to the
/// empty one; returns the position after it.
fn skip_sub_blocks(b: &[u8], mut i: usize) -> Check<usize> {
    loop {
        let len = usize::from(byte(b, i)?);
        i += 1;
        if len == 0 {
            return Ok(i);
        }
        i += len;
    }
}

/// Every block up to the trailer (3B), and a first picture with all its pixels.
pub(super) fn gif_structure(b: &[u8], limits: &LoadLimits) -> Check<()> {
    let packed = byte(b, 10)?;
    let mut i = 13;
    if packed & 0x80 != 0 {
        i += 3 << ((packed & 7) + 1);
    }
    let mut pictures = 0u32;
    loop {
        match byte(b, i)? {
            0x3B if pictures > 0 => return Ok(()),
            0x3B => return Err(Fault::Damaged("it holds no picture")),
            0x21 => i = skip_sub_blocks(b, i + 2)?,
            0x2C => {
                let (w, h) = (u16_le(b, i + 5)?, u16_le(b, i + 7)?);
                // A frame can be larger than the screen; browsers grow the picture.
                limits
                    .check_dimensions(u32::from(w).max(1), u32::from(h).max(1))
                    .map_err(Fault::TooLarge)?;
                let packed = byte(b, i + 9)?;
                i += 10;
                if packed & 0x80 != 0 {
                    i += 3 << ((packed & 7) + 1);
                }
                let min_code = byte(b, i)?;
                let end = skip_sub_blocks(b, i + 1)?;
                if pictures == 0 {
                    let needed = u64::from(w) * u64::from(h);
                    let got = lzw_count(b, i + 1, min_code, needed)?;
                    if got < needed {
                        return Err(Fault::Incomplete(format!(
                            "its first picture holds {got} of its {w}×{h} pixels"
                        )));
                    }
                }
                pictures += 1;
                i = end;
            }
            _ => return Err(Fault::Damaged("it contains an unknown block")),
        }
    }
}

/// How many pixels GIF LZW data (in sub-blocks from `start`) decodes to,
/// stopping at `enough`: weezl's streaming decoder writes into one small
/// reused buffer, and only the count is kept.
fn lzw_count(b: &[u8], start: usize, min_code: u8, enough: u64) -> Check<u64> {
    if !(1..=11).contains(&min_code) {
        return Err(Fault::Damaged(
            "its picture data has an impossible code size",
        ));
    }
    let mut decoder = weezl::decode::Decoder::new(weezl::BitOrder::Lsb, min_code);
    let mut buf = [0u8; 4096];
    let mut out = 0u64;
    let mut i = start;
    loop {
        let len = usize::from(byte(b, i)?);
        i += 1;
        if len == 0 {
            // The data ended without an end code: count what came, with
            // the last word the decoder still holds.
            loop {
                let r = decoder.decode_bytes(&[], &mut buf);
                out += r.consumed_out as u64;
                if r.consumed_out == 0 || out >= enough {
                    return Ok(out);
                }
            }
        }
        let end = i.saturating_add(len);
        let mut input = b.get(i..end.min(b.len())).unwrap_or(&[]);
        while !input.is_empty() {
            let r = decoder.decode_bytes(input, &mut buf);
            input = input.get(r.consumed_in..).unwrap_or(&[]);
            out += r.consumed_out as u64;
            if out >= enough {
                return Ok(out);
            }
            match r.status {
                Ok(weezl::LzwStatus::Done) => return Ok(out),
                Ok(_) if r.consumed_in == 0 && r.consumed_out == 0 => break,
                Ok(_) => {}
                Err(_) => return Err(Fault::Damaged("its picture data is corrupt")),
            }
        }
        if end > b.len() {
            return Err(Fault::Short);
        }
        i = end;
    }
}
