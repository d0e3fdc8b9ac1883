//! How much input normscope accepts, in one place: every door (the page's
//! file check, the CLI's decoder, browser RGBA) checks against these.

use crate::error::{Error, Result};

/// How much input normscope accepts. Every check happens before the memory
/// it protects is allocated.
///
/// The defaults:
///
/// ```text
/// max_side        16 384 px      per side (width and height)
/// max_pixels      100 000 000    100 megapixels
/// max_alloc       800 000 000    bytes the decoder may allocate:
///                                100 MP × 4 bytes (RGBA8) × 2 (decode + orientation copy)
/// max_file_bytes  104 857 600    100 MiB of compressed input
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadLimits {
    /// Largest width or height, in pixels.
    pub max_side: u32,
    /// Largest width × height.
    pub max_pixels: u64,
    /// Largest decoded buffer, in bytes.
    pub max_alloc: u64,
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_side: 16_384,
            max_pixels: 100_000_000,
            max_alloc: 100_000_000 * 4 * 2,
            max_file_bytes: 100 * 1024 * 1024,
        }
    }
}

impl LoadLimits {
    /// Reject a width × height before any pixel is allocated.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a zero side; [`Error::TooLarge`] above
    /// `max_side` or `max_pixels`.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::BadInput(format!(
                "the image is {width}×{height} pixels: it has no pixels to show"
            )));
        }
        if width > self.max_side || height > self.max_side {
            return Err(Error::TooLarge(format!(
                "the image is {width}×{height} pixels; the largest side normscope accepts is {} px — scale it down first",
                self.max_side
            )));
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(Error::TooLarge(format!(
                "the image is {width}×{height} pixels ({:.1} megapixels); normscope accepts up to {:.0} megapixels — scale it down first",
                pixels as f64 / 1e6,
                self.max_pixels as f64 / 1e6
            )));
        }
        Ok(())
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn image_limits(&self, with_sides: bool) -> image::Limits {
        let mut l = image::Limits::default();
        if with_sides {
            l.max_image_width = Some(self.max_side);
            l.max_image_height = Some(self.max_side);
        }
        l.max_alloc = Some(self.max_alloc);
        l
    }
}
