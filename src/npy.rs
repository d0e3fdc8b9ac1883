//! Reading and writing `.npy` batches (native only).
//!
//! A batch file holds one N×C×H×W array of float32 or float64, as NumPy
//! writes it with `np.save`. The header is checked against the real data
//! length before anything is read, so a header claiming a huge shape costs
//! nothing.
//!
//! ```text
//! "\x93NUMPY" | major minor | header_len (u16 in v1, u32 in v2/v3) | header dict | data
//! ```

use std::io::{Cursor, Write};

use ndarray::{Array4, ArrayD, Ix4};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyExt, WriteNpyExt};

use crate::error::{Error, Result};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Read one N×C×H×W float32/float64 array; float64 becomes float32.
///
/// # Errors
/// [`Error::BadInput`] when the bytes are not a `.npy` file, the header
/// disagrees with the data length, the array is not 4-D, has a zero-size
/// axis, is not float32/float64, holds NaN/±∞, or a float64 value does not
/// fit in float32.
pub fn read_npy(bytes: &[u8]) -> Result<Array4<f32>> {
    let header = read_header(bytes)?;
    let ndim = header.shape.len();
    let shape_txt = header
        .shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("×");
    if ndim != 4 {
        return Err(Error::BadInput(format!(
            "the array has {ndim} dimension(s) ({shape_txt}); normscope needs 4: images × channels × height × width (N×C×H×W) — reshape it, e.g. x[None] for one C×H×W image"
        )));
    }
    if header.shape.contains(&0) {
        return Err(Error::BadInput(format!(
            "the array is {shape_txt}: it has no values — every axis must be at least 1"
        )));
    }
    let descr = header.type_descriptor.to_string();
    let item_size = match descr.trim_matches(['\'', '"']) {
        "<f4" | ">f4" | "=f4" => 4,
        "<f8" | ">f8" | "=f8" => 8,
        other => {
            return Err(Error::BadInput(format!(
                "the array's type is {other}; normscope reads float32 or float64 only — convert with x.astype(np.float32)"
            )))
        }
    };
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad_length(&shape_txt))?;
    let data_bytes = count
        .checked_mul(item_size)
        .ok_or_else(|| bad_length(&shape_txt))?;
    let data_len = bytes.len() - header_end(bytes)?;
    if data_bytes != data_len {
        return Err(Error::BadInput(format!(
            "the header says {shape_txt} values ({data_bytes} bytes) but the file holds {data_len} bytes of data — the file is damaged or cut short; save it again"
        )));
    }

    let array: Array4<f32> = if item_size == 4 {
        let a = ArrayD::<f32>::read_npy(Cursor::new(bytes)).map_err(read_error)?;
        to_4d(a)?
    } else {
        let a = ArrayD::<f64>::read_npy(Cursor::new(bytes)).map_err(read_error)?;
        let a = to_4d(a)?;
        if let Some(((n, c, y, x), v)) = a
            .indexed_iter()
            .find(|(_, v)| v.is_finite() && v.abs() > f64::from(f32::MAX))
        {
            return Err(Error::BadInput(format!(
                "the value {v:e} at image {}, channel {}, row {}, column {} is too large for float32 — rescale the data first",
                n + 1,
                c + 1,
                y + 1,
                x + 1
            )));
        }
        a.mapv(|v| v as f32)
    };
    crate::tensor::check_finite(array.view())?;
    Ok(array.as_standard_layout().into_owned())
}

/// Write a batch as a float32 `.npy` file (C order) to any writer.
///
/// # Errors
/// [`Error::BadInput`] when writing fails (e.g. the disk is full).
pub fn write_npy<W: Write>(writer: W, array: &Array4<f32>) -> Result<()> {
    array
        .write_npy(writer)
        .map_err(|e| Error::BadInput(format!("could not write the .npy data: {e}")))
}

fn to_4d<T>(a: ArrayD<T>) -> Result<Array4<T>> {
    a.into_dimensionality::<Ix4>()
        .map_err(|e| Error::Internal(format!("a checked 4-D shape did not convert: {e}")))
}

fn bad_length(shape_txt: &str) -> Error {
    Error::BadInput(format!(
        "the header claims an impossible shape ({shape_txt}) — the file is damaged"
    ))
}

fn read_error(e: ndarray_npy::ReadNpyError) -> Error {
    Error::BadInput(format!(
        "the .npy data could not be read ({}) — save it again with np.save",
        e.to_string().replace(['\n', '\r'], " ")
    ))
}

/// Where the header ends (= where the data starts), checked against the
/// length of `bytes` so the header parser never allocates more than exists.
fn header_end(bytes: &[u8]) -> Result<usize> {
    if !bytes.starts_with(MAGIC) {
        return Err(Error::BadInput(
            "this is not a .npy file (it does not start with \\x93NUMPY) — save the array with np.save".into(),
        ));
    }
    let not_npy = || Error::BadInput("the .npy header is cut short — the file is damaged".into());
    let major = *bytes.get(6).ok_or_else(not_npy)?;
    let (len_at, len_size) = match major {
        1 => (8, 2),
        2 | 3 => (8, 4),
        v => {
            return Err(Error::Unsupported(format!(
                "this .npy file uses format version {v}, which normscope does not read — save it again with np.save"
            )))
        }
    };
    let raw = bytes.get(len_at..len_at + len_size).ok_or_else(not_npy)?;
    let header_len = if len_size == 2 {
        usize::from(u16::from_le_bytes([raw[0], raw[1]]))
    } else {
        u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize
    };
    let end = (len_at + len_size)
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(not_npy)?;
    Ok(end)
}

fn read_header(bytes: &[u8]) -> Result<Header> {
    header_end(bytes)?;
    Header::from_reader(&mut Cursor::new(bytes)).map_err(|e| {
        Error::BadInput(format!(
            "the .npy header is not valid ({}) — save the array again with np.save",
            e.to_string().replace(['\n', '\r'], " ")
        ))
    })
}
