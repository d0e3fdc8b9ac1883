//! WebP: the canvas size, and the RIFF chunks inside the file with a picture.

use super::bytes::{byte, u16_le, u32_le, Check, Fault};

/// Canvas size from the first chunk (VP8X, VP8 or VP8L).
pub(super) fn webp_header(b: &[u8]) -> Check<(u32, u32)> {
    let kind = b.get(12..16).ok_or(Fault::Short)?;
    let u24 = |i: usize| -> Check<u32> {
        Ok(u32::from(byte(b, i)?)
            | u32::from(byte(b, i + 1)?) << 8
            | u32::from(byte(b, i + 2)?) << 16)
    };
    match kind {
        b"VP8X" => Ok((u24(24)? + 1, u24(27)? + 1)),
        b"VP8 " => {
            if b.get(23..26).ok_or(Fault::Short)? != [0x9D, 0x01, 0x2A] {
                return Err(Fault::Damaged("its VP8 frame header is missing"));
            }
            Ok((
                u32::from(u16_le(b, 26)? & 0x3FFF),
                u32::from(u16_le(b, 28)? & 0x3FFF),
            ))
        }
        b"VP8L" => {
            if byte(b, 20)? != 0x2F {
                return Err(Fault::Damaged("its VP8L header is missing"));
            }
            let v = u32_le(b, 21)?;
            Ok(((v & 0x3FFF) + 1, (v >> 14 & 0x3FFF) + 1))
        }
        _ => Err(Fault::Damaged("its first chunk is not VP8, VP8L or VP8X")),
    }
}

/// The RIFF container and every chunk end inside the file; a picture is present.
pub(super) fn webp_structure(b: &[u8]) -> Check<()> {
    let riff_end = (u32_le(b, 4)? as usize)
        .checked_add(8)
        .ok_or(Fault::Short)?;
    if riff_end > b.len() {
        return Err(Fault::Short);
    }
    let mut pos = 12;
    let mut picture = false;
    while pos + 8 <= riff_end {
        let kind = &b[pos..pos + 4];
        let size = u32_le(b, pos + 4)? as usize;
        let data = pos + 8;
        let end = data.checked_add(size).ok_or(Fault::Short)?;
        if end > riff_end {
            return Err(Fault::Short);
        }
        match kind {
            b"VP8 " => {
                // Frame tag: the first partition must fit in the chunk.
                let tag = u32::from(byte(b, data)?)
                    | u32::from(byte(b, data + 1)?) << 8
                    | u32::from(byte(b, data + 2)?) << 16;
                if (tag >> 5) as usize + 10 > size {
                    return Err(Fault::Short);
                }
                picture = true;
            }
            b"VP8L" | b"ANMF" => picture = true,
            _ => {}
        }
        pos = end + (size & 1);
    }
    if !picture {
        return Err(Fault::Damaged("it holds no picture"));
    }
    Ok(())
}
