//! JPEG: a walk over the markers, for the frame size and the end-of-image marker.

/// What a walk over a JPEG's markers found.
pub(super) struct JpegWalk {
    /// Width and height of the first frame header (SOF), if any.
    pub(super) frame: Option<(u32, u32)>,
    /// True if the walk reached the end-of-image marker (FF D9).
    pub(super) complete: bool,
}

/// Walk a JPEG's marker structure from SOI to the end-of-image marker.
///
/// Each segment is skipped by its length and each entropy-coded scan up to
/// the next real marker (FF followed by anything but 00, a restart marker or
/// fill FF). An embedded EXIF thumbnail's own FF D9 lives inside an APP1
/// segment and is skipped over; data appended after the end marker (some
/// phones add a trailer) is ignored.
pub(super) fn jpeg_walk(bytes: &[u8]) -> JpegWalk {
    let mut walk = JpegWalk {
        frame: None,
        complete: false,
    };
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return walk;
    }
    let n = bytes.len();
    let mut i = 2;
    loop {
        // Find the next marker, skipping fill bytes.
        match bytes[i.min(n)..].iter().position(|&b| b == 0xFF) {
            Some(p) => i += p,
            None => return walk,
        }
        while i < n && bytes[i] == 0xFF {
            i += 1;
        }
        if i >= n {
            return walk;
        }
        let marker = bytes[i];
        i += 1;
        match marker {
            0xD9 => {
                walk.complete = true;
                return walk;
            }
            // Markers without a length.
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        if i + 2 > n {
            return walk;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i], bytes[i + 1]]));
        // Start of frame (every SOFn but DHT C4, JPG C8 and DAC CC): precision, height, width.
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame && walk.frame.is_none() && len >= 7 && i + 7 <= n {
            let h = u16::from_be_bytes([bytes[i + 3], bytes[i + 4]]);
            let w = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]);
            walk.frame = Some((u32::from(w), u32::from(h)));
        }
        if len < 2 || i + len > n {
            return walk;
        }
        i += len;
        if marker == 0xDA {
            // Entropy-coded data: stop at the FF of the next real marker.
            loop {
                match bytes[i.min(n)..].iter().position(|&b| b == 0xFF) {
                    Some(p) => i += p,
                    None => return walk,
                }
                if i + 1 >= n {
                    return walk;
                }
                match bytes[i + 1] {
                    0x00 | 0xD0..=0xD7 => i += 2,
                    0xFF => i += 1,
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_walk_needs_the_end_marker() {
        // SOI, a tiny APP0, SOS with 2 bytes of data containing stuffed FF 00, EOI.
        let full = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAB, 0xCD, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF,
            0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9,
        ];
        assert!(jpeg_walk(&full).complete);
        for cut in 2..full.len() {
            assert!(!jpeg_walk(&full[..cut]).complete, "cut at {cut}");
        }
        // A trailer after the end marker is fine.
        let mut trailer = full.to_vec();
        trailer.extend_from_slice(b"TRAILER\xFF\xDA");
        assert!(jpeg_walk(&trailer).complete);
    }
}
