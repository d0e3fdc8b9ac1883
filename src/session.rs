//! A live batch for the page: images, per-image adjustments, the probe, the
//! kinds' parameters, batch-norm running statistics, and the probe's panels.
//!
//! Plain Rust, tested natively; the wasm skin (`src/wasm/session.rs`) is a
//! thin handle over it.
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
//!
//! The rooms, one file each in `src/session/`: `edits.rs` (adding, moving
//! and adjusting images; each edit clears exactly the parts of the cache it
//! makes stale), `cache.rs` (the one cache, filled on demand by whoever
//! reads it), `compute.rs` (how the outputs are computed and measured),
//! `panels.rs` (panel values, pixels, histograms), `readout.rs`,
//! `inspector.rs` (the N, C, H×W cube and the formula) and `experiments.rs`
//! (training and neighbour experiments). Every reader fills what it needs, so there is no
//! "compute first" order to get wrong: [`Session::compute`] only does the
//! work ahead of time.

mod cache;
mod compute;
mod edits;
mod experiments;
mod inspector;
mod panels;
mod readout;

use image::DynamicImage;
use ndarray::Array3;
use serde::Serialize;

use crate::adjust::Adjustment;
use crate::error::{Error, Result};
use crate::features;
use crate::norm::{self, NormConfig, NormKind, RunningPoint, RunningStats};

use cache::Cache;
pub use edits::reduce_source;
use experiments::Pin;
pub use readout::{KindReadout, Readout, RowStats};

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
    /// Everything derived from the above, filled on demand (see [`Cache`]).
    cache: Cache,
    /// The kinds the readout fills: those last asked for by
    /// [`Session::compute_kinds`] (all of them at first).
    shown: Vec<NormKind>,
    rgba: Vec<u8>,
    next_id: u64,
    /// The probe's outputs (original row) when [`Session::pin_probe`] was called.
    pinned: Option<Pin>,
    /// Counts the changes the original row sees (see [`Session::version`]).
    version: u64,
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
            cache: Cache::default(),
            shown: NormKind::PAGE.to_vec(),
            rgba: Vec::new(),
            next_id: 0,
            pinned: None,
            version: 0,
        })
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

    /// The photo image `index` was added from, as kept (its shorter side
    /// at most [`MAX_SIZE`]): `(width, height, RGB8 bytes)`. The lab's
    /// "Your photos" takes photos from the batch through this.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn source_rgb(&self, index: usize) -> Result<(u32, u32, Vec<u8>)> {
        let rgb = self.entry(index)?.source.to_rgb8();
        Ok((rgb.width(), rgb.height(), rgb.into_raw()))
    }

    fn entry(&self, index: usize) -> Result<&Entry> {
        self.entries.get(index).ok_or_else(|| {
            Error::BadInput(format!(
                "image {index} does not exist: the batch has {} image(s)",
                self.entries.len()
            ))
        })
    }

    /// The probe's index.
    pub fn probe(&self) -> usize {
        self.probe
    }

    /// Image `index`'s adjustment.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `index` is out of range.
    pub fn adjustment(&self, index: usize) -> Result<Adjustment> {
        Ok(self.entry(index)?.adjustment)
    }

    /// The kinds' shared parameters.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Batch norm's mode.
    pub fn bn_mode(&self) -> BnMode {
        self.bn_mode
    }

    /// The running statistics.
    pub fn running(&self) -> &RunningStats {
        &self.running
    }

    /// Every training step so far, for the convergence chart.
    pub fn history(&self) -> &[RunningPoint] {
        &self.history
    }

    fn configs(&self) -> Vec<NormConfig> {
        configs(&self.params)
    }
}

/// The number of kinds ([`NormKind::PAGE`]).
const KINDS: usize = NormKind::PAGE.len();

fn kind_index(kind: NormKind) -> usize {
    NormKind::PAGE.iter().position(|&k| k == kind).unwrap_or(0)
}

/// One config per kind, in [`NormKind::PAGE`] order.
fn configs(p: &Params) -> Vec<NormConfig> {
    NormKind::PAGE
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
