//! Experiments on the live batch: training batch norm's running
//! statistics on random re-contrasted batches, pinning the probe's outputs
//! to measure a later change, and re-contrasting the neighbours. The
//! figures and the random changes come from [`crate::experiment`].

use ndarray::{Array3, Array4, Axis};

use super::{Session, MAX_IMAGES};
use crate::error::{Error, Result};
use crate::experiment::{self, SplitMix64};
use crate::norm::{NormKind, RunningPoint};
use crate::stats::{self, Difference};

/// What [`Session::pin_probe`] remembers.
pub(super) struct Pin {
    image_id: u64,
    feature_maps: bool,
    outputs: Vec<(NormKind, Array3<f32>)>,
}

impl Session {
    /// Run `steps` training steps. Each draws a random batch of
    /// `batch_size` images from the tray (with replacement), each with a
    /// random contrast in [0.5, 2] and brightness in [−0.2, 0.2], and updates
    /// the running statistics from its batch statistics.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty tray, `batch_size` 0, or more than
    /// [`MAX_IMAGES`].
    pub fn train(&mut self, steps: u32, batch_size: usize, seed: u64) -> Result<()> {
        if self.entries.is_empty() {
            return Err(Error::BadInput(
                "add at least one image before training".into(),
            ));
        }
        if batch_size == 0 || batch_size > MAX_IMAGES {
            return Err(Error::BadInput(format!(
                "training batch size must be between 1 and {MAX_IMAGES} (got {batch_size})"
            )));
        }
        let s = self.size as usize;
        let mut rng = SplitMix64::new(seed);
        let mut batch = Array4::<f32>::zeros((batch_size, self.channels(), s, s));
        let mut pixels = Array3::<f32>::zeros((3, s, s));
        for _ in 0..steps {
            for n in 0..batch_size {
                let pick = rng.below(self.entries.len());
                let adj = experiment::random_recontrast(&mut rng);
                pixels.assign(&self.entries[pick].input);
                adj.apply(pixels.view_mut())?;
                let values = self.values_of(pixels.view());
                batch.index_axis_mut(Axis(0), n).assign(&values);
            }
            self.running.update(batch.view())?;
            self.history.push(RunningPoint {
                step: self.running.steps,
                mean: self.running.mean.clone(),
                var: self.running.var.clone(),
            });
        }
        self.invalidate_outputs();
        Ok(())
    }

    /// Remember the probe's current outputs (original row) for every kind,
    /// so [`Session::change_since_pin`] can say how much whatever happens
    /// next — neighbours replaced, shuffled, re-contrasted — moves them.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn pin_probe(&mut self) -> Result<()> {
        let outputs = NormKind::PAGE
            .iter()
            .map(|&kind| Ok((kind, self.output(kind)?.original.values.clone())))
            .collect::<Result<_>>()?;
        self.pinned = Some(Pin {
            image_id: self.probe_entry()?.id,
            feature_maps: self.feature_maps,
            outputs,
        });
        Ok(())
    }

    /// Per kind, how much the probe's output (original row) moved since
    /// [`Session::pin_probe`].
    ///
    /// # Errors
    /// [`Error::BadInput`] if nothing is pinned, or the pinned image is no
    /// longer the probe, or the working size or mode changed since.
    pub fn change_since_pin(&self) -> Result<Vec<(NormKind, Difference)>> {
        let pin = self
            .pinned
            .as_ref()
            .ok_or_else(|| Error::BadInput("nothing is pinned: call pin_probe() first".into()))?;
        if pin.image_id != self.probe_entry()?.id || pin.feature_maps != self.feature_maps {
            return Err(Error::BadInput(
                "the probe or the mode changed since it was pinned; pin it again".into(),
            ));
        }
        pin.outputs
            .iter()
            .map(|(kind, before)| {
                let now = &self.output(*kind)?.original.values;
                if now.dim() != before.dim() {
                    return Err(Error::BadInput(
                        "the working size changed since the probe was pinned; pin it again".into(),
                    ));
                }
                Ok((*kind, stats::difference(&before.view(), &now.view())?))
            })
            .collect()
    }

    /// How much the probe's output changes, per kind, when every other image
    /// is replaced by a randomly re-contrasted version of itself (contrast
    /// in [0.5, 2], brightness in [−0.2, 0.2]).
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn neighbour_sensitivity(&self, seed: u64) -> Result<Vec<(NormKind, Difference)>> {
        let batch = self.batch()?;
        let replacement =
            experiment::recontrast_others(batch.view(), self.probe, &mut SplitMix64::new(seed))?;
        self.configs()
            .iter()
            .map(|cfg| {
                experiment::neighbour_sensitivity(batch.view(), self.probe, replacement.view(), cfg)
                    .map(|d| (cfg.kind, d))
            })
            .collect()
    }
}
