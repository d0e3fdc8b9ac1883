//! Judging an image file from its header and structure, without decoding a pixel.
//!
//! The page lets the browser decode image files: its decoders are fast, and
//! leaving them out of the wasm module makes the download much smaller. But a
//! browser draws a cut-short or damaged file as far as it goes and says
//! nothing, so the core still judges every file before the browser sees it:
//!
//! ```text
//! bytes ─> tensor::recognize (size, empty, HEIC/PDF/SVG/..., magic bytes)  -> Unsupported / BadInput
//!       ─> header: width × height within LoadLimits                         -> TooLarge, before any pixel
//!       ─> structure:                                                       -> BadInput (cut short / damaged)
//!            PNG   chunks and their CRCs up to IEND; the zlib stream inflated
//!                  (counted, not stored) to as many bytes as IHDR's rows need
//!            JPEG  markers up to the end-of-image marker
//!            GIF   blocks up to the trailer; the first picture's LZW codes
//!                  counted up to width × height pixels
//!            BMP   the pixel array (or the RLE stream up to its end mark) in the file
//!            WebP  RIFF and chunk sizes within the file, a VP8/VP8L picture present
//! ```
//!
//! Every read is bounds-checked: these parsers see hostile bytes first.

use image::ImageFormat;

use crate::error::{Error, Result};
use crate::tensor::{self, LoadLimits};

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
/// [`tensor::decode_image`] (the size read from the header, before anything
/// else), then checks that the file is structurally complete: a browser
/// would show a cut-short file half grey or transparent without a word.
///
/// # Errors
/// [`Error::TooLarge`] above `limits`; [`Error::Unsupported`] for formats
/// normscope does not take; [`Error::BadInput`] for an empty, unrecognized,
/// cut-short or damaged file.
pub fn check_file(bytes: &[u8], limits: &LoadLimits) -> Result<FileInfo> {
    let format = tensor::recognize(bytes, limits)?;
    let name = tensor::format_name(format);
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
        _ => return Err(tensor::unsupported_format(format)),
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
enum Fault {
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
    fn into_error(self, name: &str) -> Error {
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

type Check<T> = std::result::Result<T, Fault>;

fn u16_le(b: &[u8], i: usize) -> Check<u16> {
    let s = b
        .get(i..i.checked_add(2).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_le(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u32_be(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn byte(b: &[u8], i: usize) -> Check<u8> {
    b.get(i).copied().ok_or(Fault::Short)
}

// ---- PNG ----------------------------------------------------------------

/// Width and height from IHDR, which must be the first chunk.
fn png_header(b: &[u8]) -> Check<(u32, u32)> {
    if b.len() < 24 {
        return Err(Fault::Short);
    }
    if u32_be(b, 8)? != 13 || &b[12..16] != b"IHDR" {
        return Err(Fault::Damaged("its first chunk is not the IHDR header"));
    }
    Ok((u32_be(b, 16)?, u32_be(b, 20)?))
}

/// Chunks with valid CRCs up to IEND, and a zlib stream holding every row.
fn png_structure(b: &[u8]) -> Check<()> {
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

// ---- zlib / deflate, counted -------------------------------------------

/// Little-endian bit reader over a list of slices (PNG's IDAT chunks).
struct Bits<'a> {
    parts: &'a [&'a [u8]],
    part: usize,
    pos: usize,
    buf: u64,
    n: u32,
}

impl Bits<'_> {
    fn next_byte(&mut self) -> Option<u8> {
        while let Some(p) = self.parts.get(self.part) {
            if let Some(&b) = p.get(self.pos) {
                self.pos += 1;
                return Some(b);
            }
            self.part += 1;
            self.pos = 0;
        }
        None
    }

    fn refill(&mut self) {
        while self.n <= 56 {
            match self.next_byte() {
                Some(b) => {
                    self.buf |= u64::from(b) << self.n;
                    self.n += 8;
                }
                None => break,
            }
        }
    }

    fn take(&mut self, k: u32) -> Check<u32> {
        if self.n < k {
            self.refill();
            if self.n < k {
                return Err(Fault::Short);
            }
        }
        let v = (self.buf & ((1u64 << k) - 1)) as u32;
        self.buf >>= k;
        self.n -= k;
        Ok(v)
    }

    fn decode(&mut self, t: &Huffman) -> Check<usize> {
        if self.n < 15 {
            self.refill();
        }
        let e = t.table[(self.buf & t.mask) as usize];
        let len = u32::from(e & 15);
        if len == 0 {
            return Err(Fault::Damaged("its compressed pixel data is corrupt"));
        }
        if len > self.n {
            return Err(Fault::Short);
        }
        self.buf >>= len;
        self.n -= len;
        Ok(usize::from(e >> 4))
    }

    /// Skip `len` whole bytes (a stored block), starting at a byte boundary.
    fn skip_bytes(&mut self, mut len: usize) -> Check<()> {
        self.buf >>= self.n % 8;
        self.n -= self.n % 8;
        while len > 0 && self.n >= 8 {
            self.buf >>= 8;
            self.n -= 8;
            len -= 1;
        }
        while len > 0 {
            let p = self.parts.get(self.part).ok_or(Fault::Short)?;
            let step = len.min(p.len() - self.pos.min(p.len()));
            self.pos += step;
            len -= step;
            if len > 0 {
                self.part += 1;
                self.pos = 0;
            }
        }
        Ok(())
    }
}

/// A canonical Huffman code as a lookup table: entry = symbol << 4 | length.
struct Huffman {
    table: Vec<u16>,
    mask: u64,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Check<Huffman> {
        let mut count = [0u32; 16];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        count[0] = 0;
        let mut left: i64 = 1;
        for &c in &count[1..] {
            left = (left << 1) - i64::from(c);
            if left < 0 {
                return Err(Fault::Damaged(
                    "its compressed pixel data has an impossible code",
                ));
            }
        }
        let max = (1..16).rev().find(|&l| count[l] > 0).unwrap_or(1);
        let mut next = [0u32; 16];
        let mut code = 0u32;
        for l in 1..16 {
            code = (code + count[l - 1]) << 1;
            next[l] = code;
        }
        let size = 1usize << max;
        let mut table = vec![0u16; size];
        for (sym, &l) in lengths.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let l = usize::from(l);
            let c = next[l];
            next[l] += 1;
            let mut i = (c.reverse_bits() >> (32 - l)) as usize;
            while i < size {
                table[i] = (sym as u16) << 4 | l as u16;
                i += 1 << l;
            }
        }
        Ok(Huffman {
            table,
            mask: (size - 1) as u64,
        })
    }
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// How many bytes a zlib stream inflates to, stopping once `enough` is
/// reached; nothing is stored, so a bomb costs time only up to `enough`.
///
/// # Errors
/// [`Fault::Short`] when the data ends inside the stream; [`Fault::Damaged`]
/// for a bad header, an impossible code or a distance before the start.
fn inflate_count(parts: &[&[u8]], enough: u64) -> Check<u64> {
    let mut bits = Bits {
        parts,
        part: 0,
        pos: 0,
        buf: 0,
        n: 0,
    };
    let cmf = bits.take(8)?;
    let flg = bits.take(8)?;
    if cmf & 0x0F != 8 || cmf >> 4 > 7 || (cmf << 8 | flg) % 31 != 0 || flg & 0x20 != 0 {
        return Err(Fault::Damaged(
            "its compressed pixel data has a bad zlib header",
        ));
    }
    let mut out = 0u64;
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => {
                bits.skip_bytes(0)?;
                let len = bits.take(16)?;
                let nlen = bits.take(16)?;
                if len != !nlen & 0xFFFF {
                    return Err(Fault::Damaged("its compressed pixel data is corrupt"));
                }
                bits.skip_bytes(len as usize)?;
                out += u64::from(len);
            }
            kind @ (1 | 2) => {
                let (lit, dist) = if kind == 1 {
                    let mut l = [8u8; 288];
                    l[144..256].fill(9);
                    l[256..280].fill(7);
                    (Huffman::new(&l)?, Huffman::new(&[5u8; 30])?)
                } else {
                    dynamic_tables(&mut bits)?
                };
                loop {
                    let sym = bits.decode(&lit)?;
                    if sym < 256 {
                        out += 1;
                    } else if sym == 256 {
                        break;
                    } else {
                        let i = sym - 257;
                        let (Some(&base), Some(&extra)) = (LEN_BASE.get(i), LEN_EXTRA.get(i))
                        else {
                            return Err(Fault::Damaged("its compressed pixel data is corrupt"));
                        };
                        let len = u64::from(base) + u64::from(bits.take(u32::from(extra))?);
                        let d = bits.decode(&dist)?;
                        let (Some(&base), Some(&extra)) = (DIST_BASE.get(d), DIST_EXTRA.get(d))
                        else {
                            return Err(Fault::Damaged("its compressed pixel data is corrupt"));
                        };
                        let distance = u64::from(base) + u64::from(bits.take(u32::from(extra))?);
                        if distance > out {
                            return Err(Fault::Damaged("its compressed pixel data is corrupt"));
                        }
                        out += len;
                    }
                    if out >= enough {
                        return Ok(out);
                    }
                }
            }
            _ => return Err(Fault::Damaged("its compressed pixel data is corrupt")),
        }
        if out >= enough || last {
            return Ok(out);
        }
    }
}

/// Read a dynamic block's code-length code, then its two codes.
fn dynamic_tables(bits: &mut Bits) -> Check<(Huffman, Huffman)> {
    const ORDER: [usize; 19] = [
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
    ];
    let nlit = bits.take(5)? as usize + 257;
    let ndist = bits.take(5)? as usize + 1;
    let ncode = bits.take(4)? as usize + 4;
    if nlit > 286 || ndist > 30 {
        return Err(Fault::Damaged("its compressed pixel data is corrupt"));
    }
    let mut code_lengths = [0u8; 19];
    for &k in &ORDER[..ncode] {
        code_lengths[k] = bits.take(3)? as u8;
    }
    let code = Huffman::new(&code_lengths)?;
    let mut lengths = [0u8; 286 + 30];
    let mut i = 0;
    while i < nlit + ndist {
        let sym = bits.decode(&code)?;
        let (value, repeat) = match sym {
            0..=15 => (sym as u8, 1),
            16 => {
                let prev = match i.checked_sub(1) {
                    Some(p) => lengths[p],
                    None => return Err(Fault::Damaged("its compressed pixel data is corrupt")),
                };
                (prev, 3 + bits.take(2)? as usize)
            }
            17 => (0, 3 + bits.take(3)? as usize),
            _ => (0, 11 + bits.take(7)? as usize),
        };
        if i + repeat > nlit + ndist {
            return Err(Fault::Damaged("its compressed pixel data is corrupt"));
        }
        lengths[i..i + repeat].fill(value);
        i += repeat;
    }
    if lengths[256] == 0 {
        return Err(Fault::Damaged("its compressed pixel data is corrupt"));
    }
    Ok((
        Huffman::new(&lengths[..nlit])?,
        Huffman::new(&lengths[nlit..nlit + ndist])?,
    ))
}

// ---- JPEG ---------------------------------------------------------------

/// What a walk over a JPEG's markers found.
pub(crate) struct JpegWalk {
    /// Width and height of the first frame header (SOF), if any.
    pub frame: Option<(u32, u32)>,
    /// True if the walk reached the end-of-image marker (FF D9).
    pub complete: bool,
}

/// Walk a JPEG's marker structure from SOI to the end-of-image marker.
///
/// Each segment is skipped by its length and each entropy-coded scan up to
/// the next real marker (FF followed by anything but 00, a restart marker or
/// fill FF). An embedded EXIF thumbnail's own FF D9 lives inside an APP1
/// segment and is skipped over; data appended after the end marker (some
/// phones add a trailer) is ignored.
pub(crate) fn jpeg_walk(bytes: &[u8]) -> JpegWalk {
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

// ---- GIF ----------------------------------------------------------------

/// The logical screen size.
fn gif_header(b: &[u8]) -> Check<(u32, u32)> {
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
fn gif_structure(b: &[u8], limits: &LoadLimits) -> Check<()> {
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

// ---- BMP ----------------------------------------------------------------

struct BmpHeader {
    width: u32,
    height: u32,
    offset: usize,
    header_size: usize,
    bits: u16,
    compression: u32,
}

fn bmp_header(b: &[u8]) -> Check<BmpHeader> {
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
fn bmp_structure(b: &[u8]) -> Check<()> {
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

// ---- WebP ---------------------------------------------------------------

/// Canvas size from the first chunk (VP8X, VP8 or VP8L).
fn webp_header(b: &[u8]) -> Check<(u32, u32)> {
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
fn webp_structure(b: &[u8]) -> Check<()> {
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

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn huffman_refuses_an_oversubscribed_code() {
        assert!(Huffman::new(&[1, 1, 1]).is_err());
        assert!(Huffman::new(&[1, 2, 2]).is_ok());
    }
}
