//! The byte readers every format parser shares, and [`Fault`], why a
//! structure check failed. Every read is bounds-checked: these parsers see
//! hostile bytes first. Kept apart from the judge (`check`) so the parsers
//! import only this file and the judge imports the parsers: no loop.

use crate::error::Error;

/// Why a file failed a structure check.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Fault {
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
    pub(super) fn into_error(self, name: &str) -> Error {
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

pub(super) type Check<T> = std::result::Result<T, Fault>;

pub(super) fn u16_le(b: &[u8], i: usize) -> Check<u16> {
    let s = b
        .get(i..i.checked_add(2).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

pub(super) fn u32_le(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn u32_be(b: &[u8], i: usize) -> Check<u32> {
    let s = b
        .get(i..i.checked_add(4).ok_or(Fault::Short)?)
        .ok_or(Fault::Short)?;
    Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn byte(b: &[u8], i: usize) -> Check<u8> {
    b.get(i).copied().ok_or(Fault::Short)
}
