//! BMP: the header, and the pixel array (or RLE stream) inside the file.

use super::bytes::{byte, u16_le, u32_le, Check, Fault};

pub(super) struct BmpHeader {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) offset: usize,
    pub(super) header_size: usize,
    pub(super) bits: u16,
    pub(super) compression: u32,
}

pub(super) fn bmp_header(b: &[u8]) -> Check<BmpHeader> {
    let offset = u32_le(b, 10)? as usize;
    let header_size = u32_le(b, 14)? as usize;
    if header_size == 12 {
        return Ok(BmpHeader {
            width: u32::from(u16_le(b, 18)?),
            height: u32::from(u16_le(b, 20)?),
            offset,
            header_size,
            bits: u16_le(b, 24)?,
            compression: 0,
        });
    }
    if header_size < 40 {
        return Err(Fault::Damaged("its header has an unknown size"));
    }
    // Negative height: rows stored top-down.
    Ok(BmpHeader {
        width: (u32_le(b, 18)? as i32).unsigned_abs(),
        height: (u32_le(b, 22)? as i32).unsigned_abs(),
        offset,
        header_size,
        bits: u16_le(b, 28)?,
        compression: u32_le(b, 30)?,
    })
}

/// The pixel array (or the RLE stream up to its end mark) lies inside the file.
pub(super) fn bmp_structure(b: &[u8]) -> Check<()> {
    let h = bmp_header(b)?;
    if h.offset > b.len() {
        return Err(Fault::Short);
    }
    if h.offset < h.header_size.saturating_add(14) {
        return Err(Fault::Damaged(
            "its pixel data would start inside its header",
        ));
    }
    match (h.compression, h.bits) {
        (0 | 3 | 6, 1 | 4 | 8 | 16 | 24 | 32) => {
            let stride = (u64::from(h.width) * u64::from(h.bits)).div_ceil(32) * 4;
            let needed = h.offset as u64 + stride * u64::from(h.height);
            if needed > b.len() as u64 {
                return Err(Fault::Short);
            }
            Ok(())
        }
        (0 | 3 | 6, _) => Err(Fault::Damaged("its header names an impossible bit depth")),
        // RLE8 / RLE4: (count, value) pairs, escapes after a zero count.
        (1, 8) | (2, 4) => {
            let mut i = h.offset;
            loop {
                let (count, value) = (byte(b, i)?, byte(b, i + 1)?);
                i += 2;
                match (count, value) {
                    (0, 0) => {}
                    (0, 1) => return Ok(()),
                    (0, 2) => i += 2,
                    (0, k) => {
                        let k = usize::from(k);
                        let bytes = if h.bits == 8 { k } else { k.div_ceil(2) };
                        i += bytes + bytes % 2;
                    }
                    _ => {}
                }
            }
        }
        (1 | 2, _) => Err(Fault::Damaged("its header names an impossible bit depth")),
        _ => Err(Fault::Unsupported("an embedded or unusual compression")),
    }
}
