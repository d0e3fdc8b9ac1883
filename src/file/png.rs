//! PNG: the IHDR header, chunks and CRCs up to IEND, and enough pixel data.

use super::bytes::{u32_be, Check, Fault};
use super::inflate::inflate_count;

/// Width and height from IHDR, which must be the first chunk.
pub(super) fn png_header(b: &[u8]) -> Check<(u32, u32)> {
    if b.len() < 24 {
        return Err(Fault::Short);
    }
    if u32_be(b, 8)? != 13 || &b[12..16] != b"IHDR" {
        return Err(Fault::Damaged("its first chunk is not the IHDR header"));
    }
    Ok((u32_be(b, 16)?, u32_be(b, 20)?))
}

/// Chunks with valid CRCs up to IEND, and a zlib stream holding every row.
pub(super) fn png_structure(b: &[u8]) -> Check<()> {
    let (width, height) = png_header(b)?;
    if b.len() < 33 {
        return Err(Fault::Short);
    }
    let (depth, colour, interlace) = (b[24], b[25], b[28]);
    let channels: u64 = match (colour, depth) {
        (0, 1 | 2 | 4 | 8 | 16) | (3, 1 | 2 | 4 | 8) => 1,
        (4, 8 | 16) => 2,
        (2, 8 | 16) => 3,
        (6, 8 | 16) => 4,
        _ => {
            return Err(Fault::Damaged(
                "its header names an impossible colour type and bit depth",
            ))
        }
    };
    if b[26] != 0 || b[27] != 0 || interlace > 1 {
        return Err(Fault::Damaged(
            "its header names an unknown compression, filter or interlace method",
        ));
    }
    let mut idat: Vec<&[u8]> = Vec::new();
    let mut pos = 8usize;
    loop {
        let len = u32_be(b, pos)?;
        if len > 0x7FFF_FFFF {
            return Err(Fault::Damaged("a chunk claims an impossible length"));
        }
        let data = pos + 8;
        let end = data.checked_add(len as usize).ok_or(Fault::Short)?;
        let stored = u32_be(b, end)?;
        let kind = &b[pos + 4..data];
        if crc32(&b[pos + 4..end]) != stored {
            return Err(Fault::Damaged(
                "a chunk's checksum does not match its contents",
            ));
        }
        match kind {
            b"IDAT" => idat.push(&b[data..end]),
            b"IEND" => break,
            _ => {}
        }
        pos = end + 4;
    }
    if idat.is_empty() {
        return Err(Fault::Damaged("it has no image data"));
    }
    let bits = channels * u64::from(depth);
    let row_bytes = |w: u64| 1 + (w * bits).div_ceil(8);
    let (w, h) = (u64::from(width), u64::from(height));
    let needed = if interlace == 0 {
        h * row_bytes(w)
    } else {
        // Adam7: seven reduced images, each row with its own filter byte.
        const PASSES: [(u64, u64, u64, u64); 7] = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        PASSES
            .iter()
            .map(|&(x0, y0, dx, dy)| {
                let pw = if w > x0 { (w - x0).div_ceil(dx) } else { 0 };
                let ph = if h > y0 { (h - y0).div_ceil(dy) } else { 0 };
                if pw == 0 || ph == 0 {
                    0
                } else {
                    ph * row_bytes(pw)
                }
            })
            .sum()
    };
    let got = inflate_count(&idat, needed)?;
    if got < needed {
        return Err(Fault::Incomplete(format!(
            "its pixel data holds {got} of the {needed} bytes its {width}×{height} header needs"
        )));
    }
    Ok(())
}

/// CRC-32 (ISO-HDLC, as PNG uses), one table lookup per byte.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    !data.iter().fold(!0u32, |c, &x| {
        TABLE[((c ^ u32::from(x)) & 0xFF) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
