//! zlib / deflate, counted: how many bytes a PNG's IDAT stream inflates
//! to, without storing them.

use super::check::{Check, Fault};

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
pub(super) fn inflate_count(parts: &[&[u8]], enough: u64) -> Check<u64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huffman_refuses_an_oversubscribed_code() {
        assert!(Huffman::new(&[1, 1, 1]).is_err());
        assert!(Huffman::new(&[1, 2, 2]).is_ok());
    }
}
