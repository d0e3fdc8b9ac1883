//! Contrast, brightness, gamma and clipping: what the page's sliders drive.
//!
//! ```text
//! x ← max(x, 0)^γ            (only when γ ≠ 1)
//! x ← a·(x − 0.5) + 0.5 + b  (contrast a > 0 around mid-grey, brightness b)
//! x ← clamp(x, 0, 1)         (only with clip: "like a camera")
//! ```
//!
//! The middle step is affine, so instance, layer and group norm remove it
//! (up to eps); gamma and clipping are not affine, so they do not.

use ndarray::{ArrayViewMut3, ArrayViewMut4};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One image's adjustment. The default is the identity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Contrast a > 0 around 0.5.
    pub contrast: f32,
    /// Brightness b, added after the contrast.
    pub brightness: f32,
    /// Gamma γ > 0, applied first; 1 means none.
    pub gamma: f32,
    /// Clamp the result to [0, 1], as a camera sensor saturates.
    pub clip: bool,
}

impl Default for Adjustment {
    fn default() -> Self {
        Adjustment {
            contrast: 1.0,
            brightness: 0.0,
            gamma: 1.0,
            clip: false,
        }
    }
}

impl Adjustment {
    /// True if applying it would change nothing.
    pub fn is_identity(&self) -> bool {
        *self == Adjustment::default()
    }

    /// Check the parameters.
    ///
    /// # Errors
    /// [`Error::BadInput`] unless contrast and gamma are finite and > 0 and
    /// brightness is finite.
    pub fn validate(&self) -> Result<()> {
        if !(self.contrast.is_finite() && self.contrast > 0.0) {
            return Err(Error::BadInput(format!(
                "contrast must be a number greater than 0 (got {})",
                self.contrast
            )));
        }
        if !(self.gamma.is_finite() && self.gamma > 0.0) {
            return Err(Error::BadInput(format!(
                "gamma must be a number greater than 0 (got {})",
                self.gamma
            )));
        }
        if !self.brightness.is_finite() {
            return Err(Error::BadInput(format!(
                "brightness must be a finite number (got {})",
                self.brightness
            )));
        }
        Ok(())
    }

    /// Adjust one value.
    #[inline]
    pub fn apply_value(&self, x: f32) -> f32 {
        let x = if self.gamma != 1.0 {
            x.max(0.0).powf(self.gamma)
        } else {
            x
        };
        let y = self.contrast * (x - 0.5) + 0.5 + self.brightness;
        if self.clip {
            y.clamp(0.0, 1.0)
        } else {
            y
        }
    }

    /// Adjust one C×H×W image in place.
    ///
    /// # Errors
    /// As [`Adjustment::validate`].
    pub fn apply(&self, mut image: ArrayViewMut3<f32>) -> Result<()> {
        self.validate()?;
        if !self.is_identity() {
            image.mapv_inplace(|v| self.apply_value(v));
        }
        Ok(())
    }

    /// Adjust image `index` of an N×C×H×W batch in place.
    ///
    /// # Errors
    /// As [`Adjustment::validate`], and [`Error::BadInput`] if `index` is
    /// out of range.
    pub fn apply_to(&self, mut batch: ArrayViewMut4<f32>, index: usize) -> Result<()> {
        let n = batch.dim().0;
        if index >= n {
            return Err(Error::BadInput(format!(
                "image {index} does not exist: the batch has {n} image(s)"
            )));
        }
        self.apply(batch.index_axis_mut(ndarray::Axis(0), index))
    }
}
