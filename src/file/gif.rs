//! GIF: the screen size, every block up to the trailer, and the first
//! picture's LZW codes counted up to its pixel count.

use super::check::{byte, u16_le, Check, Fault};
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
/// stopping at `enough`; only each code's string length is tracked.
fn lzw_count(b: &[u8], start: usize, min_code: u8, enough: u64) -> Check<u64> {
    if !(1..=11).contains(&min_code) {
        return Err(Fault::Damaged(
            "its picture data has an impossible code size",
        ));
    }
    let clear = 1usize << min_code;
    let end = clear + 1;
    let mut lens = vec![0u32; 4096];
    let mut size = u32::from(min_code) + 1;
    let mut next = clear + 2;
    let mut prev: Option<u32> = None;
    let mut out = 0u64;
    let (mut buf, mut n) = (0u32, 0u32);
    let mut i = start;
    let mut left = 0usize;
    loop {
        while n < size {
            if left == 0 {
                left = usize::from(byte(b, i)?);
                i += 1;
                if left == 0 {
                    // The data ended without an end code: count what came.
                    return Ok(out);
                }
            }
            buf |= u32::from(byte(b, i)?) << n;
            i += 1;
            left -= 1;
            n += 8;
        }
        let code = (buf & ((1 << size) - 1)) as usize;
        buf >>= size;
        n -= size;
        if code == clear {
            size = u32::from(min_code) + 1;
            next = clear + 2;
            prev = None;
            continue;
        }
        if code == end {
            return Ok(out);
        }
        let len = match (code, prev) {
            (c, _) if c < clear => 1,
            (c, _) if c < next => lens[c],
            (c, Some(p)) if c == next => p + 1,
            _ => return Err(Fault::Damaged("its picture data is corrupt")),
        };
        out += u64::from(len);
        if out >= enough {
            return Ok(out);
        }
        if let Some(p) = prev {
            if next < 4096 {
                lens[next] = p + 1;
                next += 1;
                if next == 1 << size && size < 12 {
                    size += 1;
                }
            }
        }
        prev = Some(len);
    }
}
