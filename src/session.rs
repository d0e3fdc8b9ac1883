//! A live batch for the page: images, per-image adjustments, the probe, the
//! kinds' parameters, batch-norm running statistics, and the probe's panels.
//!
//! Plain Rust, tested natively; `src/wasm.rs` is a thin skin over it.
//!
//! Every kind's statistics combine from per-(image, channel) moments
//! ([`norm::plane_moments`]), so moving the probe's slider recomputes the
//! moments of one image and re-applies the maps to the probe only — not the
//! whole batch.
//!
//! ```text
//! images ──fit S×S──> inputs (N×3×S×S) ──adjust others──> base moments (N·C)
//! probe ──adjust──> adjusted probe ──> its moments ──┐
//!                                                    ├─> plane maps per kind
//! base moments ──────────────────────────────────────┘      │
//!            probe input (original row) / adjusted probe ──apply──> outputs ──> RGBA panels
//! ```

use image::DynamicImage;
use ndarray::{s, Array3, Array4, ArrayView3, Axis};
use serde::Serialize;

use crate::adjust::Adjustment;
use crate::display::{write_difference_rgba, write_rgba, DisplayRange};
use crate::error::{Error, Result};
use crate::experiment::{self, is_unchanged, SplitMix64};
use crate::features;
#[cfg(not(target_arch = "wasm32"))]
use crate::file;
use crate::file::LoadLimits;
use crate::norm::{self, NormConfig, NormKind, PlaneMap, RunningPoint, RunningStats};
use crate::stats::{self, ChannelStats, Difference, Moments};
use crate::tensor::{self, Fit};

/// Smallest and largest working resolution (side of the square S×S).
pub const MIN_SIZE: u32 = 16;
pub const MAX_SIZE: u32 = 1024;
/// At most this many images in a batch.
pub const MAX_IMAGES: usize = 32;
/// A difference of this much (in normalized units) is full yellow in the heat map.
pub const DIFF_FULL_SCALE: f32 = 1.0;

/// The two rows of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Row {
    /// The probe as loaded (its adjustment not applied).
    Original,
    /// The probe with its adjustment applied.
    Adjusted,
}

/// The columns of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Input,
    Output(NormKind),
    /// |adjusted − original| of a kind's output, as a heat map.
    Difference(NormKind),
}

impl Column {
    /// Parse `"input"`, a kind name (`"batch"`, ...) or `"diff-<kind>"`.
    ///
    /// # Errors
    /// [`Error::BadInput`] for anything else.
    pub fn parse(s: &str) -> Result<Column> {
        if s == "input" {
            Ok(Column::Input)
        } else if let Some(k) = s.strip_prefix("diff-") {
            Ok(Column::Difference(k.parse()?))
        } else {
            Ok(Column::Output(s.parse()?))
        }
    }
}

/// Batch norm's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BnMode {
    /// Batch statistics (and training steps update the running ones).
    Train,
    /// Frozen running statistics: a fixed per-channel affine map.
    Eval,
}

struct Entry {
    /// Unique within the session, so a pin can tell its probe image again.
    id: u64,
    name: String,
    /// Decoded source, already reduced so its shorter side is at most
    /// [`MAX_SIZE`]: changing the working size never needs a re-decode.
    source: DynamicImage,
    /// 3×S×S at the working size, raw (no adjustment).
    input: Array3<f32>,
    adjustment: Adjustment,
}

/// Parameters shared by the kinds that need them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Params {
    pub groups: usize,
    pub rho: f64,
    pub eps: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            groups: 3,
            rho: 0.5,
            eps: norm::DEFAULT_EPS,
        }
    }
}

/// One row of the probe's output under one kind: the values, the maps that
/// made them, and the values' per-channel moments (taken while the values
/// were written, for the readout and the histogram legends).
struct RowOutput {
    values: Array3<f32>,
    maps: Vec<PlaneMap>,
    moments: Vec<Moments>,
}

/// The adjusted row of one kind, with how far it moved from the original row.
struct AdjustedOutput {
    row: RowOutput,
    invariance: Difference,
}

/// Both rows of the probe's output under one kind.
struct ProbeOutputs<'a> {
    original: &'a RowOutput,
    adjusted: &'a AdjustedOutput,
}

/// What the page reads after [`Session::compute`].
#[derive(Debug, Clone, Serialize)]
pub struct Readout {
    pub images: usize,
    pub size: u32,
    pub probe: usize,
    pub bn_mode: BnMode,
    pub input: RowStats,
    pub kinds: Vec<KindReadout>,
}

/// Per-channel moments of the probe in both rows.
#[derive(Debug, Clone, Serialize)]
pub struct RowStats {
    pub original: Vec<ChannelStats>,
    pub adjusted: Vec<ChannelStats>,
}

/// One kind's readout: the probe's output statistics and its invariance.
#[derive(Debug, Clone, Serialize)]
pub struct KindReadout {
    pub kind: NormKind,
    pub output: RowStats,
    /// How much the probe's output changed under its adjustment.
    pub invariance: Difference,
    /// True when that change is at most [`experiment::UNCHANGED_TOLERANCE`]
    /// (the same threshold the CLI's figure uses).
    pub unchanged: bool,
    /// The mean and standard deviation each channel of the probe was
    /// normalized with (for batch-instance: the effective mix), both rows.
    pub used: RowStats,
}

fn channel_stats(moments: &[Moments]) -> Vec<ChannelStats> {
    moments.iter().map(ChannelStats::from).collect()
}

fn used_stats(maps: &[PlaneMap], eps: f64) -> Vec<ChannelStats> {
    maps.iter()
        .map(|m| ChannelStats {
            mean: m.center,
            std: ((1.0 / (m.scale * m.scale)) - eps).max(0.0).sqrt(),
        })
        .collect()
}

/// The probe with its adjustment applied: as pixels, as the values that get
/// normalized (feature maps in feature-map mode), and their moments.
struct AdjustedProbe {
    pixels: Array3<f32>,
    /// The feature maps in feature-map mode; `None` when the values are the
    /// pixels themselves (no copy).
    features: Option<Array3<f32>>,
    /// Moments of the values that get normalized.
    moments: Vec<Moments>,
    /// Moments of the pixels (the input column's readout).
    pixel_moments: Vec<Moments>,
}

impl AdjustedProbe {
    fn values(&self) -> ArrayView3<'_, f32> {
        self.features.as_ref().unwrap_or(&self.pixels).view()
    }
}

/// The page's live batch. See the module docs for the data flow.
pub struct Session {
    entries: Vec<Entry>,
    size: u32,
    probe: usize,
    params: Params,
    bn_mode: BnMode,
    running: RunningStats,
    history: Vec<RunningPoint>,
    /// Normalize the outputs of [`features::FILTERS`] instead of raw RGB.
    feature_maps: bool,
    // Derived state, rebuilt by `compute` in parts, so that a probe slider
    // move recomputes the adjusted row only (the original row depends on
    // the batch, the probe and the kinds' parameters, not on its adjustment).
    base_moments: Option<Vec<Moments>>,
    /// Per-channel moments of the raw probe's pixels.
    probe_moments: Option<Vec<Moments>>,
    adjusted_probe: Option<AdjustedProbe>,
    /// Per kind, in [`NormKind::ALL`] order; `None` when stale or not
    /// asked for (see [`Session::compute_kinds`]).
    original: [Option<RowOutput>; KINDS],
    /// Per kind, as `original`.
    adjusted: [Option<AdjustedOutput>; KINDS],
    rgba: Vec<u8>,
    next_id: u64,
    /// The probe's outputs (original row) when [`Session::pin_probe`] was called.
    pinned: Option<Pin>,
    /// Counts the changes the original row sees (see [`Session::version`]).
    version: u64,
}

/// What [`Session::pin_probe`] remembers.
struct Pin {
    image_id: u64,
    feature_maps: bool,
    outputs: Vec<(NormKind, Array3<f32>)>,
}

impl Session {
    /// An empty session working at S×S pixels.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `size` is outside [`MIN_SIZE`]..=[`MAX_SIZE`].
    pub fn new(size: u32) -> Result<Self> {
        check_size(size)?;
        Ok(Session {
            entries: Vec::new(),
            size,
            probe: 0,
            params: Params::default(),
            bn_mode: BnMode::Train,
            running: RunningStats::new(3),
            history: Vec::new(),
            feature_maps: false,
            base_moments: None,
            probe_moments: None,
            adjusted_probe: None,
            original: Default::default(),
            adjusted: Default::default(),
            rgba: Vec::new(),
            next_id: 0,
            pinned: None,
            version: 0,
        })
    }

    /// The batch, the probe or the mode changed: everything is stale.
    fn invalidate_all(&mut self) {
        self.probe_moments = None;
        self.adjusted_probe = None;
        self.invalidate_batch();
    }

    /// Another image's adjustment changed: the batch statistics and the
    /// outputs are stale, the probe itself is not.
    fn invalidate_batch(&mut self) {
        self.base_moments = None;
        self.invalidate_outputs();
    }

    /// The kinds' parameters or batch norm's statistics changed.
    fn invalidate_outputs(&mut self) {
        self.version += 1;
        self.original = Default::default();
        self.adjusted = Default::default();
    }

    /// The probe's adjustment changed: only the adjusted row is stale.
    fn invalidate_adjusted(&mut self) {
        self.adjusted_probe = None;
        self.adjusted = Default::default();
    }

    /// Channels that get normalized: 3 (RGB) or the filter bank's count.
    pub fn channels(&self) -> usize {
        if self.feature_maps {
            features::CHANNELS
        } else {
            3
        }
    }

    /// True in feature-map mode.
    pub fn feature_maps(&self) -> bool {
        self.feature_maps
    }

    /// Switch between normalizing raw RGB and normalizing the feature maps of
    /// a fixed filter bank (see [`features`]). The running statistics are
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

    /// The values that get normalized for one (adjusted) image.
    fn values_of(&self, pixels: ArrayView3<f32>) -> Array3<f32> {
        if self.feature_maps {
            features::apply(pixels)
        } else {
            pixels.to_owned()
        }
    }

    /// A number that changes whenever the batch, the probe, the mode, the
    /// kinds' parameters or batch norm's statistics change: everything but
    /// the probe's own adjustment. What depends on the original row only
    /// (the page's N, C, H×W cube) need not be redrawn while it stays.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The working resolution S (images are S×S).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The name image `index` was added with.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn name(&self, index: usize) -> Result<&str> {
        Ok(&self.entry(index)?.name)
    }

    fn entry(&self, index: usize) -> Result<&Entry> {
        self.entries.get(index).ok_or_else(|| {
            Error::BadInput(format!(
                "image {index} does not exist: the batch has {} image(s)",
                self.entries.len()
            ))
        })
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
    /// [`Error::BadInput`] if `size` is outside [`MIN_SIZE`]..=[`MAX_SIZE`].
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

    /// The probe's index.
    pub fn probe(&self) -> usize {
        self.probe
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

    /// Image `index`'s adjustment.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn adjustment(&self, index: usize) -> Result<Adjustment> {
        Ok(self.entry(index)?.adjustment)
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

    /// The kinds' shared parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Set groups (must divide the channel count), ρ and eps.
    ///
    /// # Errors
    /// [`Error::BadInput`] for invalid values (as [`NormConfig::validate`]).
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

    /// Batch norm's mode.
    pub fn bn_mode(&self) -> BnMode {
        self.bn_mode
    }

    /// Switch batch norm between training (batch statistics) and evaluation
    /// (frozen running statistics).
    pub fn set_bn_mode(&mut self, mode: BnMode) {
        if mode != self.bn_mode {
            self.bn_mode = mode;
            self.invalidate_outputs();
        }
    }

    /// The running statistics.
    pub fn running(&self) -> &RunningStats {
        &self.running
    }

    /// Every training step so far, for the convergence chart.
    pub fn history(&self) -> &[RunningPoint] {
        &self.history
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

    fn configs(&self) -> Vec<NormConfig> {
        configs(&self.params)
    }

    /// Recompute whatever is stale. Cheap when only the probe's adjustment
    /// changed: one image's moments and the probe's adjusted panels.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn compute(&mut self) -> Result<()> {
        self.compute_kinds(&NormKind::ALL)
    }

    /// As [`Session::compute`], but the outputs of the given kinds only
    /// (the page computes the kinds it shows); the others stay stale and
    /// are left out of [`Session::readout`] until asked for.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn compute_kinds(&mut self, kinds: &[NormKind]) -> Result<()> {
        if self.entries.is_empty() {
            return Err(Error::BadInput(
                "the batch is empty: add at least one image".into(),
            ));
        }
        if self.base_moments.is_none() {
            self.base_moments = Some(self.base_plane_moments()?);
        }
        if self.probe_moments.is_none() {
            self.probe_moments = Some(per_channel_moments(self.entries[self.probe].input.view()));
        }
        if self.adjusted_probe.is_none() {
            let e = &self.entries[self.probe];
            let mut pixels = e.input.clone();
            e.adjustment.apply(pixels.view_mut())?;
            let pixel_moments = per_channel_moments(pixels.view());
            let (features, moments) = if self.feature_maps {
                let f = features::apply(pixels.view());
                let m = per_channel_moments(f.view());
                (Some(f), m)
            } else {
                (None, pixel_moments.clone())
            };
            self.adjusted_probe = Some(AdjustedProbe {
                pixels,
                features,
                moments,
                pixel_moments,
            });
        }
        for &kind in kinds {
            let k = kind_index(kind);
            if self.original[k].is_none() {
                self.original[k] = Some(self.original_output(kind)?);
            }
            if self.adjusted[k].is_none() {
                self.adjusted[k] = Some(self.adjusted_output(kind)?);
            }
        }
        Ok(())
    }

    fn base_plane_moments(&self) -> Result<Vec<Moments>> {
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
                all.extend(per_channel_moments(features::apply(pixels).view()));
            } else {
                all.extend(per_channel_moments(pixels));
            }
        }
        if all.iter().any(|m| !m.is_finite()) {
            return Err(Error::BadInput(
                "an image produced non-finite values".into(),
            ));
        }
        Ok(all)
    }

    /// The probe's maps under `cfg` in one row: from the batch's plane
    /// moments `planes` (the probe's own among them), or for batch norm in
    /// evaluation mode from the running statistics.
    fn probe_maps(
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
    fn original_output(&self, kind: NormKind) -> Result<RowOutput> {
        let base = self
            .base_moments
            .as_deref()
            .ok_or_else(|| Error::Internal("moments missing".into()))?;
        let input = self.entries[self.probe].input.view();
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
    /// how far it moved from the original row (computed first).
    fn adjusted_output(&self, kind: NormKind) -> Result<AdjustedOutput> {
        let base = self
            .base_moments
            .as_deref()
            .ok_or_else(|| Error::Internal("moments missing".into()))?;
        let adjusted = self
            .adjusted_probe
            .as_ref()
            .ok_or_else(|| Error::Internal("adjusted probe missing".into()))?;
        let ch = self.channels();
        let p = self.probe * ch;
        let mut with_adjusted = base.to_vec();
        with_adjusted[p..p + ch].copy_from_slice(&adjusted.moments);
        let k = kind_index(kind);
        let original = self.original[k]
            .as_ref()
            .ok_or_else(|| Error::Internal("original row missing".into()))?;
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

    fn output(&self, kind: NormKind) -> Result<ProbeOutputs<'_>> {
        let k = kind_index(kind);
        match (&self.original[k], &self.adjusted[k]) {
            (Some(original), Some(adjusted)) => Ok(ProbeOutputs { original, adjusted }),
            _ => Err(Error::BadInput("call compute() first".into())),
        }
    }

    /// The per-channel moments of one panel's values (as measured when
    /// they were computed).
    ///
    /// # Errors
    /// As [`Session::panel_values`].
    pub fn panel_moments(&self, row: Row, column: Column) -> Result<&[Moments]> {
        let stale = || Error::BadInput("call compute() first".into());
        match column {
            Column::Input => match row {
                Row::Original => self.probe_moments.as_deref().ok_or_else(stale),
                Row::Adjusted => self
                    .adjusted_probe
                    .as_ref()
                    .map(|a| a.pixel_moments.as_slice())
                    .ok_or_else(stale),
            },
            Column::Output(kind) => {
                let o = self.output(kind)?;
                Ok(match row {
                    Row::Original => &o.original.moments,
                    Row::Adjusted => &o.adjusted.row.moments,
                })
            }
            Column::Difference(_) => Err(Error::BadInput(
                "a difference panel has no values of its own; read its pixels".into(),
            )),
        }
    }

    /// The values shown in one panel (3×S×S).
    ///
    /// # Errors
    /// [`Error::BadInput`] before [`Session::compute`], or for a difference column.
    pub fn panel_values(&self, row: Row, column: Column) -> Result<ArrayView3<'_, f32>> {
        match column {
            Column::Input => match row {
                Row::Original => Ok(self.entry(self.probe)?.input.view()),
                Row::Adjusted => self
                    .adjusted_probe
                    .as_ref()
                    .map(|a| a.pixels.view())
                    .ok_or_else(|| Error::BadInput("call compute() first".into())),
            },
            Column::Output(kind) => {
                let o = self.output(kind)?;
                Ok(match row {
                    Row::Original => o.original.values.view(),
                    Row::Adjusted => o.adjusted.row.values.view(),
                })
            }
            Column::Difference(_) => Err(Error::BadInput(
                "a difference panel has no values of its own; read its pixels".into(),
            )),
        }
    }

    /// RGBA8 pixels (4·S·S bytes) of one panel, with the one fixed display
    /// mapping: inputs [0, 1], outputs [−3, 3], differences as a heat map
    /// (0 to [`DIFF_FULL_SCALE`]). The slice lives until the next call.
    ///
    /// # Errors
    /// As [`Session::panel_values`].
    pub fn panel_rgba(&mut self, row: Row, column: Column) -> Result<&[u8]> {
        let s = self.size as usize;
        let mut buf = std::mem::take(&mut self.rgba);
        buf.resize(4 * s * s, 0);
        let filled = match column {
            Column::Difference(kind) => self.output(kind).map(|o| {
                write_difference_rgba(
                    o.original.values.view(),
                    o.adjusted.row.values.view(),
                    DIFF_FULL_SCALE,
                    &mut buf,
                )
            }),
            Column::Input => self
                .panel_values(row, column)
                .map(|v| write_rgba(v, DisplayRange::INPUT, &mut buf)),
            Column::Output(_) => self
                .panel_values(row, column)
                .map(|v| write_rgba(v, DisplayRange::NORMALIZED, &mut buf)),
        };
        self.rgba = buf;
        filled?;
        Ok(&self.rgba)
    }

    /// RGBA8 pixels of image `index`'s raw input (for the tray).
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn input_rgba(&mut self, index: usize) -> Result<&[u8]> {
        let s = self.size as usize;
        let mut buf = std::mem::take(&mut self.rgba);
        buf.resize(4 * s * s, 0);
        let r = self
            .entry(index)
            .map(|e| write_rgba(e.input.view(), DisplayRange::INPUT, &mut buf));
        self.rgba = buf;
        r?;
        Ok(&self.rgba)
    }

    /// Per-channel histograms of one panel's values (inputs over [0, 1],
    /// outputs over [−4, 4]).
    ///
    /// # Errors
    /// As [`Session::panel_values`].
    pub fn panel_histograms(
        &self,
        row: Row,
        column: Column,
        bins: usize,
    ) -> Result<Vec<stats::Histogram>> {
        let values = self.panel_values(row, column)?;
        let (lo, hi) = match column {
            Column::Input => stats::INPUT_HIST_RANGE,
            _ => stats::OUTPUT_HIST_RANGE,
        };
        stats::channel_histograms(values, lo, hi, bins)
    }

    /// Statistics and invariance figures for every kind computed since the
    /// last change (all of them after [`Session::compute`]).
    ///
    /// # Errors
    /// [`Error::BadInput`] before [`Session::compute`].
    pub fn readout(&self) -> Result<Readout> {
        // Everything here was measured by `compute`: no pass over the data.
        let eps = self.params.eps;
        let mut kinds = Vec::with_capacity(NormKind::ALL.len());
        for kind in NormKind::ALL {
            // Kinds not asked for since the last change are left out.
            let Ok(o) = self.output(kind) else {
                continue;
            };
            let invariance = o.adjusted.invariance;
            kinds.push(KindReadout {
                kind,
                output: RowStats {
                    original: channel_stats(&o.original.moments),
                    adjusted: channel_stats(&o.adjusted.row.moments),
                },
                unchanged: is_unchanged(&invariance),
                invariance,
                used: RowStats {
                    original: used_stats(&o.original.maps, eps),
                    adjusted: used_stats(&o.adjusted.row.maps, eps),
                },
            });
        }
        if kinds.is_empty() {
            return Err(Error::BadInput("call compute() first".into()));
        }
        Ok(Readout {
            images: self.entries.len(),
            size: self.size,
            probe: self.probe,
            bn_mode: self.bn_mode,
            input: RowStats {
                original: channel_stats(self.panel_moments(Row::Original, Column::Input)?),
                adjusted: channel_stats(self.panel_moments(Row::Adjusted, Column::Input)?),
            },
            kinds,
        })
    }

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
    /// [`Error::BadInput`] before [`Session::compute`], for an index out of
    /// range, or for batch-instance (a mix of two statistics: ask for batch
    /// and instance).
    pub fn scope_stats(&self, kind: NormKind, image: usize, channel: usize) -> Result<Moments> {
        self.entry(image)?;
        let ch = self.channels();
        if channel >= ch {
            return Err(Error::BadInput(format!(
                "channel {channel} does not exist: the batch has {ch} channels"
            )));
        }
        let base = self
            .base_moments
            .as_deref()
            .ok_or_else(|| Error::BadInput("call compute() first".into()))?;
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
                _ => norm::Scope::for_kind(&configs(&self.params)[kind_index(kind)], ch)[0],
            };
        Ok(norm::scope_moments_from(base, ch, scope)[image * ch + channel])
    }

    /// Per image and channel, the mean of the normalized output under
    /// `kind` in the original row, computed from the moments without
    /// normalizing: `mean(y) = (μ_nc − center_nc) · scale_nc`.
    ///
    /// # Errors
    /// [`Error::BadInput`] before [`Session::compute`].
    pub fn output_means(&self, kind: NormKind) -> Result<Vec<Vec<f64>>> {
        let base = self
            .base_moments
            .as_deref()
            .ok_or_else(|| Error::BadInput("call compute() first".into()))?;
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
    fn original_maps(&self, kind: NormKind) -> Result<Vec<PlaneMap>> {
        let base = self
            .base_moments
            .as_deref()
            .ok_or_else(|| Error::BadInput("call compute() first".into()))?;
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
    /// [`Error::BadInput`] before [`Session::compute`] or for an index out of range.
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

    /// Remember the probe's current outputs (original row) for every kind,
    /// so [`Session::change_since_pin`] can say how much whatever happens
    /// next — neighbours replaced, shuffled, re-contrasted — moves them.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn pin_probe(&mut self) -> Result<()> {
        self.compute()?;
        self.pinned = Some(Pin {
            image_id: self.entries[self.probe].id,
            feature_maps: self.feature_maps,
            outputs: NormKind::ALL
                .iter()
                .zip(&self.original)
                .filter_map(|(&kind, o)| Some((kind, o.as_ref()?.values.clone())))
                .collect(),
        });
        Ok(())
    }

    /// Per kind, how much the probe's output (original row) moved since
    /// [`Session::pin_probe`].
    ///
    /// # Errors
    /// [`Error::BadInput`] if nothing is pinned, or the pinned image is no
    /// longer the probe, or the working size or mode changed since.
    pub fn change_since_pin(&mut self) -> Result<Vec<(NormKind, Difference)>> {
        self.compute()?;
        let pin = self
            .pinned
            .as_ref()
            .ok_or_else(|| Error::BadInput("nothing is pinned: call pin_probe() first".into()))?;
        if pin.image_id != self.entries[self.probe].id || pin.feature_maps != self.feature_maps {
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

/// The number of kinds ([`NormKind::ALL`]).
const KINDS: usize = NormKind::ALL.len();

fn kind_index(kind: NormKind) -> usize {
    NormKind::ALL.iter().position(|&k| k == kind).unwrap_or(0)
}

/// One config per kind, in [`NormKind::ALL`] order.
fn configs(p: &Params) -> Vec<NormConfig> {
    NormKind::ALL
        .iter()
        .map(|&k| {
            let c = NormConfig::new(k).with_eps(p.eps);
            match k {
                NormKind::Group => c.with_groups(p.groups),
                NormKind::BatchInstance => c.with_rho(p.rho),
                _ => c,
            }
        })
        .collect()
}

fn check_size(size: u32) -> Result<()> {
    if !(MIN_SIZE..=MAX_SIZE).contains(&size) {
        return Err(Error::BadInput(format!(
            "the working resolution must be between {MIN_SIZE} and {MAX_SIZE} pixels (got {size})"
        )));
    }
    Ok(())
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

fn per_channel_moments(image: ArrayView3<f32>) -> Vec<Moments> {
    image
        .outer_iter()
        .map(|p| stats::moments_of_planes(&[p]))
        .collect()
}

/// Values per step of [`apply_measured`]: a multiple of the moments' block,
/// small enough that a step's input, output and reference stay in L1 cache.
const STEP: usize = 4096;

/// Apply one map per channel, and measure the result on the way: its
/// per-channel moments and, with a `reference` of the same shape, the
/// [`Difference`] from it. One pass over the data, a cache-sized step at a
/// time; the figures are those [`stats::channel_moments`] and
/// [`stats::difference`] give.
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
