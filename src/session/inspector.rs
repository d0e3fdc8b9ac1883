//! The inspector behind the page's N, C, H×W cube and formula: the batch
//! as the original row normalizes it, the statistics each plane is
//! normalized with, and single values before and after.

use ndarray::{s, Array3, Array4};

use super::{configs, kind_index, BnMode, Session};
use crate::error::{Error, Result};
use crate::norm::{self, NormKind, PlaneMap};
use crate::stats::Moments;

impl Session {
    /// The batch as the page normalizes it in the original row: every image
    /// with its own adjustment except the probe.
    pub fn batch(&self) -> Result<Array4<f32>> {
        let s = self.size as usize;
        let mut batch = Array4::<f32>::zeros((self.entries.len(), self.channels(), s, s));
        let mut pixels = Array3::<f32>::zeros((3, s, s));
        for (i, e) in self.entries.iter().enumerate() {
            pixels.assign(&e.input);
            if i != self.probe {
                e.adjustment.apply(pixels.view_mut())?;
            }
            let values = self.values_of(pixels.view());
            batch.slice_mut(s![i, .., .., ..]).assign(&values);
        }
        Ok(batch)
    }

    /// The mean and variance that plane (`image`, `channel`) is normalized
    /// with under `kind` in the original row (batch norm in evaluation mode:
    /// the running statistics), with the number of values they cover.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an index out of range, or for batch-instance (a mix of two statistics: ask for batch
    /// and instance).
    pub fn scope_stats(&self, kind: NormKind, image: usize, channel: usize) -> Result<Moments> {
        self.entry(image)?;
        let ch = self.channels();
        if channel >= ch {
            return Err(Error::BadInput(format!(
                "channel {channel} does not exist: the batch has {ch} channels"
            )));
        }
        let base = self.base_moments()?;
        let scope =
            match kind {
                NormKind::BatchInstance => return Err(Error::BadInput(
                    "batch-instance norm mixes batch and instance statistics; ask for each of them"
                        .into(),
                )),
                NormKind::Batch if self.bn_mode == BnMode::Eval => {
                    return Ok(Moments {
                        mean: self.running.mean[channel],
                        var: self.running.var[channel],
                        count: 0,
                    });
                }
                _ => configs(&self.params)[kind_index(kind)]
                    .scope(ch)
                    .ok_or_else(|| Error::BadInput(format!("{kind} norm has no statistics")))?,
            };
        Ok(norm::scope_moments_from(base, ch, scope)[image * ch + channel])
    }

    /// Per image and channel, the mean of the normalized output under
    /// `kind` in the original row, computed from the moments without
    /// normalizing: `mean(y) = (μ_nc − center_nc) · scale_nc`.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn output_means(&self, kind: NormKind) -> Result<Vec<Vec<f64>>> {
        let base = self.base_moments()?;
        let ch = self.channels();
        let maps = self.original_maps(kind)?;
        Ok(base
            .chunks_exact(ch)
            .zip(maps.chunks_exact(ch))
            .map(|(m, p)| {
                m.iter()
                    .zip(p)
                    .map(|(m, p)| (m.mean - p.center) * p.scale + p.offset)
                    .collect()
            })
            .collect())
    }

    /// The affine map of every (image, channel) plane under `kind` in the
    /// original row, indexed `image·C + channel`.
    pub(super) fn original_maps(&self, kind: NormKind) -> Result<Vec<PlaneMap>> {
        let base = self.base_moments()?;
        let ch = self.channels();
        let cfg = &configs(&self.params)[kind_index(kind)];
        if kind == NormKind::Batch && self.bn_mode == BnMode::Eval {
            Ok((0..base.len())
                .map(|i| PlaneMap {
                    center: self.running.mean[i % ch],
                    scale: 1.0 / (self.running.var[i % ch] + cfg.eps).sqrt(),
                    offset: 0.0,
                })
                .collect())
        } else {
            norm::plane_maps_from(base, ch, cfg)
        }
    }

    /// One value that gets normalized, as the original row sees it: image
    /// `image`, channel `channel`, pixel row `y`, column `x` (the probe raw,
    /// every other image with its own adjustment, as in [`Session::batch`];
    /// in feature-map mode the filter response there).
    ///
    /// # Errors
    /// [`Error::BadInput`] for an index out of range.
    pub fn input_value(&self, image: usize, channel: usize, y: usize, x: usize) -> Result<f32> {
        let e = self.entry(image)?;
        let (s, ch) = (self.size as usize, self.channels());
        if channel >= ch || y >= s || x >= s {
            return Err(Error::BadInput(format!(
                "value (channel {channel}, row {y}, column {x}) does not exist: images have {ch} channels of {s}×{s} pixels"
            )));
        }
        // As `Adjustment::apply`: the identity leaves values bit-exact.
        let adjust = image != self.probe && !e.adjustment.is_identity();
        if !self.feature_maps {
            let v = e.input[[channel, y, x]];
            return Ok(if adjust {
                e.adjustment.apply_value(v)
            } else {
                v
            });
        }
        // A filter response depends on the neighbourhood: filter the whole
        // (adjusted) image, as the batch does.
        let mut pixels = e.input.clone();
        if adjust {
            e.adjustment.apply(pixels.view_mut())?;
        }
        Ok(self.values_of(pixels.view())[[channel, y, x]])
    }

    /// One normalized value under `kind` in the original row: the plane's
    /// map applied to [`Session::input_value`].
    ///
    /// ```text
    /// y = (x − μ) / sqrt(σ² + ε)   (batch-instance: the mixed map)
    /// ```
    ///
    /// For the probe this is exactly the value in its output panel.
    ///
    /// # Errors
    /// [`Error::BadInput`] for an index out of range.
    pub fn output_value(
        &self,
        kind: NormKind,
        image: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Result<f32> {
        let v = self.input_value(image, channel, y, x)?;
        let maps = self.original_maps(kind)?;
        // The same arithmetic as the panels (`apply_slice`), so the value
        // equals the panel's to the bit.
        maps.get(image * self.channels() + channel)
            .map(|m| {
                let mut y = [0f32];
                m.apply_slice(&[v], &mut y);
                y[0]
            })
            .ok_or_else(|| Error::Internal("plane map missing".into()))
    }
}
