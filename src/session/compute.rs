//! Computing the probe's outputs: the batch's plane moments, the maps of
//! each kind, and the outputs, measured (moments, invariance) while they
//! are written. Called by the cache (`cache.rs`) when a part is missing.

use ndarray::{Array3, ArrayView3, Axis};

use super::cache::{AdjustedOutput, AdjustedProbe, RowOutput};
use super::{kind_index, BnMode, Session};
use crate::error::{Error, Result};
use crate::features;
use crate::norm::{self, NormConfig, NormKind, PlaneMap};
use crate::stats::{self, Difference, Moments};

impl Session {
    /// The values that get normalized for one (adjusted) image.
    pub(super) fn values_of(&self, pixels: ArrayView3<f32>) -> Array3<f32> {
        if self.feature_maps {
            features::apply(pixels)
        } else {
            pixels.to_owned()
        }
    }

    /// Every (image, channel) plane's moments as the original row sees
    /// them: the probe raw, every other image with its own adjustment.
    pub(super) fn base_plane_moments(&self) -> Result<Vec<Moments>> {
        self.probe_entry()?;
        let mut all = Vec::with_capacity(self.entries.len() * self.channels());
        let mut scratch = Array3::<f32>::zeros((3, self.size as usize, self.size as usize));
        for (i, e) in self.entries.iter().enumerate() {
            let pixels = if i == self.probe || e.adjustment.is_identity() {
                e.input.view()
            } else {
                scratch.assign(&e.input);
                e.adjustment.apply(scratch.view_mut())?;
                scratch.view()
            };
            if self.feature_maps {
                all.extend(stats::channel_moments(features::apply(pixels).view()));
            } else {
                all.extend(stats::channel_moments(pixels));
            }
        }
        if all.iter().any(|m| !m.is_finite()) {
            return Err(Error::BadInput(
                "an image produced non-finite values".into(),
            ));
        }
        Ok(all)
    }

    /// The probe with its adjustment applied, and its moments.
    pub(super) fn make_adjusted_probe(&self) -> Result<AdjustedProbe> {
        let e = self.probe_entry()?;
        let mut pixels = e.input.clone();
        e.adjustment.apply(pixels.view_mut())?;
        let pixel_moments = stats::channel_moments(pixels.view());
        let (features, moments) = if self.feature_maps {
            let f = features::apply(pixels.view());
            let m = stats::channel_moments(f.view());
            (Some(f), m)
        } else {
            (None, pixel_moments.clone())
        };
        Ok(AdjustedProbe {
            pixels,
            features,
            moments,
            pixel_moments,
        })
    }

    /// The probe's maps under `cfg` in one row: from the batch's plane
    /// moments `planes` (the probe's own among them), or for batch norm in
    /// evaluation mode from the running statistics.
    pub(super) fn probe_maps(
        &self,
        cfg: &NormConfig,
        planes: &[Moments],
        values: ArrayView3<f32>,
    ) -> Result<Vec<PlaneMap>> {
        if cfg.kind == NormKind::Batch && self.bn_mode == BnMode::Eval {
            self.running.eval_maps(values.insert_axis(Axis(0)), cfg.eps)
        } else {
            let ch = self.channels();
            let p = self.probe * ch;
            Ok(norm::plane_maps_from(planes, ch, cfg)?[p..p + ch].to_vec())
        }
    }

    /// One kind's original row: the raw probe within the batch.
    pub(super) fn original_output(&self, kind: NormKind) -> Result<RowOutput> {
        let base = self.base_moments()?;
        let input = self.probe_entry()?.input.view();
        let features = self.feature_maps.then(|| features::apply(input));
        let values = features.as_ref().map_or(input, |f| f.view());
        let cfg = &self.configs()[kind_index(kind)];
        let maps = self.probe_maps(cfg, base, values)?;
        let (values, moments, _) = apply_measured(values, &maps, None);
        Ok(RowOutput {
            values,
            maps,
            moments,
        })
    }

    /// One kind's adjusted row: the adjusted probe within the batch, and
    /// how far it moved from `original`, the same kind's original row.
    pub(super) fn adjusted_output(
        &self,
        kind: NormKind,
        original: &RowOutput,
    ) -> Result<AdjustedOutput> {
        let base = self.base_moments()?;
        let adjusted = self.adjusted_probe()?;
        let ch = self.channels();
        let p = self.probe * ch;
        let mut with_adjusted = base.to_vec();
        with_adjusted[p..p + ch].copy_from_slice(&adjusted.moments);
        let k = kind_index(kind);
        let maps = self.probe_maps(&self.configs()[k], &with_adjusted, adjusted.values())?;
        let (values, moments, invariance) =
            apply_measured(adjusted.values(), &maps, Some(original.values.view()));
        let invariance = invariance.ok_or_else(|| Error::Internal("difference missing".into()))?;
        Ok(AdjustedOutput {
            row: RowOutput {
                values,
                maps,
                moments,
            },
            invariance,
        })
    }
}

/// Values per step of [`apply_measured`]: a multiple of the moments' block,
/// small enough that a step's input, output and reference stay in L1 cache.
const STEP: usize = 4096;

/// Apply one map per channel, and measure the result on the way: its
/// per-channel moments and, with a `reference` of the same shape, the
/// [`Difference`] from it. One pass over the data, a cache-sized step at a
/// time; the figures are those [`stats::channel_moments`] and
/// [`stats::difference`] give (the probe-change figure of
/// [`crate::experiment::probe_change`]).
fn apply_measured(
    image: ArrayView3<f32>,
    maps: &[PlaneMap],
    reference: Option<ArrayView3<f32>>,
) -> (Array3<f32>, Vec<Moments>, Option<Difference>) {
    let (ch, h, w) = image.dim();
    let plane = (h * w).max(1);
    let image = image.as_standard_layout();
    let reference = reference.filter(|r| r.dim() == image.dim());
    let reference = reference.as_ref().map(|r| r.as_standard_layout());
    let mut out = Array3::<f32>::zeros((ch, h, w));
    let mut moments = Vec::with_capacity(ch);
    let mut diff = stats::DifferenceAcc::new();
    let src = image.as_slice().unwrap_or(&[]);
    let refs = reference.as_ref().and_then(|r| r.as_slice());
    let dst_all = out.as_slice_mut().unwrap_or(&mut []);
    for (c, (dst, m)) in dst_all.chunks_mut(plane).zip(maps).enumerate() {
        let mut acc = stats::MomentsAcc::new();
        for (k, d) in dst.chunks_mut(STEP).enumerate() {
            let start = c * plane + k * STEP;
            let range = start..start + d.len();
            m.apply_slice(&src[range.clone()], d);
            acc.push(d);
            if let Some(r) = refs {
                diff.push(&r[range], d);
            }
        }
        moments.push(acc.finish());
    }
    (out, moments, refs.map(|_| diff.finish()))
}
