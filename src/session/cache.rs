//! The session's one cache: everything derived from the batch, each part
//! filled the first time a reader needs it and cleared by the edits that
//! make it stale (see `edits.rs`).
//!
//! ```text
//! base_moments ─┐                (the batch, the probe, the mode)
//! probe_moments │                (the probe)
//! adjusted_probe┤                (the probe and its adjustment)
//!               ├─> original[kind] ─> adjusted[kind]   (+ the kinds' parameters,
//!               │                                        batch norm's statistics)
//! ```
//!
//! The parts are [`OnceCell`]s: a reader with `&self` fills what it needs
//! and borrows it, so a reader can never see a part that is missing.

use std::cell::OnceCell;

use ndarray::{Array3, ArrayView3};

use super::{kind_index, Session, KINDS};
use crate::error::{Error, Result};
use crate::norm::{NormKind, PlaneMap};
use crate::stats::{self, Difference, Moments};

/// The derived state of a [`Session`], in parts (see the module docs).
#[derive(Default)]
pub(super) struct Cache {
    /// Per-(image, channel) moments of the values the original row
    /// normalizes (every image but the probe with its own adjustment).
    pub(super) base_moments: OnceCell<Vec<Moments>>,
    /// Per-channel moments of the raw probe's pixels.
    pub(super) probe_moments: OnceCell<Vec<Moments>>,
    pub(super) adjusted_probe: OnceCell<AdjustedProbe>,
    /// Per kind, in [`NormKind::PAGE`] order.
    pub(super) original: [OnceCell<RowOutput>; KINDS],
    /// Per kind, as `original`.
    pub(super) adjusted: [OnceCell<AdjustedOutput>; KINDS],
}

/// One row of the probe's output under one kind: the values, the maps that
/// made them, and the values' per-channel moments (taken while the values
/// were written, for the readout and the histogram legends).
pub(super) struct RowOutput {
    pub(super) values: Array3<f32>,
    pub(super) maps: Vec<PlaneMap>,
    pub(super) moments: Vec<Moments>,
}

/// The adjusted row of one kind, with how far it moved from the original row.
pub(super) struct AdjustedOutput {
    pub(super) row: RowOutput,
    pub(super) invariance: Difference,
}

/// Both rows of the probe's output under one kind.
pub(super) struct ProbeOutputs<'a> {
    pub(super) original: &'a RowOutput,
    pub(super) adjusted: &'a AdjustedOutput,
}

/// The probe with its adjustment applied: as pixels, as the values that get
/// normalized (feature maps in feature-map mode), and their moments.
pub(super) struct AdjustedProbe {
    pub(super) pixels: Array3<f32>,
    /// The feature maps in feature-map mode; `None` when the values are the
    /// pixels themselves (no copy).
    pub(super) features: Option<Array3<f32>>,
    /// Moments of the values that get normalized.
    pub(super) moments: Vec<Moments>,
    /// Moments of the pixels (the input column's readout).
    pub(super) pixel_moments: Vec<Moments>,
}

impl AdjustedProbe {
    pub(super) fn values(&self) -> ArrayView3<'_, f32> {
        self.features.as_ref().unwrap_or(&self.pixels).view()
    }
}

/// The cell's value, made by `make` first if the cell is empty.
fn filled<T>(cell: &OnceCell<T>, make: impl FnOnce() -> Result<T>) -> Result<&T> {
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let v = make()?;
    Ok(cell.get_or_init(|| v))
}

impl Session {
    /// Fill every part the given kinds need, ahead of the readers. Cheap
    /// when only the probe's adjustment changed: one image's moments and
    /// the probe's adjusted panels.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn compute(&mut self) -> Result<()> {
        self.compute_kinds(&NormKind::PAGE)
    }

    /// As [`Session::compute`], but the outputs of the given kinds only
    /// (the page computes the kinds it shows). [`Session::readout`] fills
    /// these kinds from now on and lists them with any other kind read since
    /// the last change.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub fn compute_kinds(&mut self, kinds: &[NormKind]) -> Result<()> {
        self.shown = kinds.to_vec();
        self.fill(kinds)
    }

    /// Fill the inputs' parts and the given kinds' outputs.
    pub(super) fn fill(&self, kinds: &[NormKind]) -> Result<()> {
        self.base_moments()?;
        self.probe_moments()?;
        self.adjusted_probe()?;
        for &kind in kinds {
            self.output(kind)?;
        }
        Ok(())
    }

    /// The probe's entry.
    ///
    /// # Errors
    /// [`Error::BadInput`] with an empty batch.
    pub(super) fn probe_entry(&self) -> Result<&super::Entry> {
        self.entries
            .get(self.probe)
            .ok_or_else(|| Error::BadInput("the batch is empty: add at least one image".into()))
    }

    /// [`Cache::base_moments`], filled.
    pub(super) fn base_moments(&self) -> Result<&[Moments]> {
        filled(&self.cache.base_moments, || self.base_plane_moments()).map(Vec::as_slice)
    }

    /// [`Cache::probe_moments`], filled.
    pub(super) fn probe_moments(&self) -> Result<&[Moments]> {
        filled(&self.cache.probe_moments, || {
            Ok(stats::channel_moments(self.probe_entry()?.input.view()))
        })
        .map(Vec::as_slice)
    }

    /// [`Cache::adjusted_probe`], filled.
    pub(super) fn adjusted_probe(&self) -> Result<&AdjustedProbe> {
        filled(&self.cache.adjusted_probe, || self.make_adjusted_probe())
    }

    /// Both rows of one kind's output, filled.
    pub(super) fn output(&self, kind: NormKind) -> Result<ProbeOutputs<'_>> {
        let k = kind_index(kind);
        let original = filled(&self.cache.original[k], || self.original_output(kind))?;
        let adjusted = filled(&self.cache.adjusted[k], || {
            self.adjusted_output(kind, original)
        })?;
        Ok(ProbeOutputs { original, adjusted })
    }

    /// Whether both rows of `kind` are filled (since the last change).
    pub(super) fn has_output(&self, kind: NormKind) -> bool {
        let k = kind_index(kind);
        self.cache.original[k].get().is_some() && self.cache.adjusted[k].get().is_some()
    }
}
