//! Edits of the batch (images, their order, adjustments, the probe, the
//! working size, the mode and the kinds' parameters) and what each one
//! makes stale in the cache. The invalidations are the only writers of the
//! cache besides the readers filling it.

use image::DynamicImage;

use super::{check_size, configs, BnMode, Entry, Params, Session, MAX_IMAGES, MAX_SIZE};
use crate::adjust::Adjustment;
use crate::error::{Error, Result};
#[cfg(not(target_arch = "wasm32"))]
use crate::file;
use crate::file::LoadLimits;
use crate::norm::RunningStats;
use crate::tensor::{self, Fit};

impl Session {
    /// The batch, the probe or the mode changed: everything is stale.
    pub(super) fn invalidate_all(&mut self) {
        self.cache.probe_moments.take();
        self.cache.adjusted_probe.take();
        self.invalidate_batch();
    }

    /// Another image's adjustment changed: the batch statistics and the
    /// outputs are stale, the probe itself is not.
    pub(super) fn invalidate_batch(&mut self) {
        self.cache.base_moments.take();
        self.invalidate_outputs();
    }

    /// The kinds' parameters or batch norm's statistics changed.
    pub(super) fn invalidate_outputs(&mut self) {
        self.version += 1;
        self.cache.original = Default::default();
        self.cache.adjusted = Default::default();
    }

    /// The probe's adjustment changed: only the adjusted row is stale.
    pub(super) fn invalidate_adjusted(&mut self) {
        self.cache.adjusted_probe.take();
        self.cache.adjusted = Default::default();
    }

    /// Switch between normalizing raw RGB and normalizing the feature maps of
    /// a fixed filter bank (see [`crate::features`]). The running statistics are
    /// reset (they have one entry per channel), and the group count falls
    /// back to the largest divisor of the new channel count not above it.
    pub fn set_feature_maps(&mut self, on: bool) {
        if on == self.feature_maps {
            return;
        }
        self.feature_maps = on;
        let ch = self.channels();
        let momentum = self.running.momentum;
        self.running = RunningStats::new(ch);
        self.running.momentum = momentum;
        self.history.clear();
        self.params.groups = (1..=self.params.groups.min(ch))
            .rev()
            .find(|g| ch.is_multiple_of(*g))
            .unwrap_or(1);
        self.invalidate_all();
    }

    /// Add a decoded image; returns its index.
    ///
    /// # Errors
    /// [`Error::TooLarge`] when the batch already has [`MAX_IMAGES`].
    pub fn add_image(&mut self, name: &str, image: DynamicImage) -> Result<usize> {
        if self.entries.len() >= MAX_IMAGES {
            return Err(Error::TooLarge(format!(
                "{name}: a batch holds at most {MAX_IMAGES} images; remove one first"
            )));
        }
        let source = reduce_source(image);
        let input = tensor::image_to_chw(&tensor::fit_image(
            &source,
            self.size,
            self.size,
            Fit::Cover,
        ));
        self.next_id += 1;
        self.entries.push(Entry {
            id: self.next_id,
            name: name.to_string(),
            source,
            input,
            adjustment: Adjustment::default(),
        });
        self.invalidate_all();
        Ok(self.entries.len() - 1)
    }

    /// Decode an encoded file (PNG, JPEG, ...) and add it.
    ///
    /// # Errors
    /// As [`file::decode_image`] (the message names the file), and as
    /// [`Session::add_image`].
    #[cfg(not(target_arch = "wasm32"))]
    pub fn add_encoded(&mut self, name: &str, bytes: &[u8]) -> Result<usize> {
        let image =
            file::decode_image(bytes, &LoadLimits::default()).map_err(|e| e.context(name))?;
        self.add_image(name, image)
    }

    /// Add an image from RGBA8 pixels (as the browser's `getImageData` gives).
    ///
    /// # Errors
    /// As [`tensor::image_from_rgba`] and [`Session::add_image`].
    pub fn add_rgba(&mut self, name: &str, rgba: &[u8], width: u32, height: u32) -> Result<usize> {
        let image = tensor::image_from_rgba(rgba, width, height, &LoadLimits::default())
            .map_err(|e| e.context(name))?;
        self.add_image(name, image)
    }

    /// Remove image `index`. The probe stays on the same image if it can.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn remove(&mut self, index: usize) -> Result<()> {
        self.entry(index)?;
        self.entries.remove(index);
        if self.probe > index || (self.probe == index && self.probe >= self.entries.len()) {
            self.probe = self.probe.saturating_sub(1);
        }
        self.invalidate_all();
        Ok(())
    }

    /// Move image `from` to position `to`; the probe follows its image.
    ///
    /// # Errors
    /// [`Error::BadInput`] if either index is out of range.
    pub fn move_image(&mut self, from: usize, to: usize) -> Result<()> {
        self.entry(from)?;
        self.entry(to)?;
        let probe_name_index = self.probe;
        let e = self.entries.remove(from);
        self.entries.insert(to, e);
        self.probe = moved_index(probe_name_index, from, to);
        self.invalidate_all();
        Ok(())
    }

    /// Change the working resolution (re-fits every image from its source).
    ///
    /// # Errors
    /// [`Error::BadInput`] if `size` is outside [`super::MIN_SIZE`]..=[`MAX_SIZE`].
    pub fn set_size(&mut self, size: u32) -> Result<()> {
        check_size(size)?;
        if size != self.size {
            self.size = size;
            for e in &mut self.entries {
                e.input =
                    tensor::image_to_chw(&tensor::fit_image(&e.source, size, size, Fit::Cover));
            }
            self.invalidate_all();
        }
        Ok(())
    }

    /// Choose the probe image.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn set_probe(&mut self, index: usize) -> Result<()> {
        self.entry(index)?;
        if index != self.probe {
            self.probe = index;
            self.invalidate_all();
        }
        Ok(())
    }

    /// Set image `index`'s adjustment. For the probe it is the difference
    /// between the grid's two rows; for the others it changes the batch.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a bad index or bad parameters.
    pub fn set_adjustment(&mut self, index: usize, adjustment: Adjustment) -> Result<()> {
        adjustment.validate()?;
        self.entry(index)?;
        if self.entries[index].adjustment != adjustment {
            self.entries[index].adjustment = adjustment;
            if index == self.probe {
                self.invalidate_adjusted();
            } else {
                self.invalidate_batch();
            }
        }
        Ok(())
    }

    /// Set groups (must divide the channel count), ρ and eps.
    ///
    /// # Errors
    /// [`Error::BadInput`] for invalid values (as [`crate::NormConfig::validate`]).
    pub fn set_params(&mut self, params: Params) -> Result<()> {
        for cfg in configs(&params) {
            cfg.validate(self.channels())?;
        }
        if params != self.params {
            self.params = params;
            self.invalidate_outputs();
        }
        Ok(())
    }

    /// Switch batch norm between training (batch statistics) and evaluation
    /// (frozen running statistics).
    pub fn set_bn_mode(&mut self, mode: BnMode) {
        if mode != self.bn_mode {
            self.bn_mode = mode;
            self.invalidate_outputs();
        }
    }

    /// Reset the running statistics to PyTorch's initial 0 / 1.
    pub fn reset_running(&mut self) {
        self.running.reset();
        self.history.clear();
        self.invalidate_outputs();
    }

    /// Set the running statistics' momentum.
    ///
    /// # Errors
    /// [`Error::BadInput`] unless within (0, 1].
    pub fn set_momentum(&mut self, momentum: f64) -> Result<()> {
        self.running.set_momentum(momentum)
    }
}

/// Keep the shorter side at most [`MAX_SIZE`]: enough for any working size
/// with a centre crop, and a 50-megapixel photo does not stay in memory.
pub fn reduce_source(image: DynamicImage) -> DynamicImage {
    let (w, h) = (image.width(), image.height());
    let short = w.min(h);
    if short <= MAX_SIZE {
        return image;
    }
    let scale = MAX_SIZE as f64 / short as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).max(1),
        ((h as f64 * scale).round() as u32).max(1),
    );
    tensor::fit_image(&image, nw, nh, Fit::Stretch)
}

fn moved_index(i: usize, from: usize, to: usize) -> usize {
    if i == from {
        to
    } else if from < i && i <= to {
        i - 1
    } else if to <= i && i < from {
        i + 1
    } else {
        i
    }
}
