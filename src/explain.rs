//! The explainer: one probe image, original vs adjusted, through each
//! normalization kind, as a statistics report and as a figure.
//!
//! ```text
//!              input          batch               instance
//! original   [image]        [image]             [image]
//!            [hist 0..1]    [hist −4..4]        [hist −4..4]
//! adjusted   [image]        [image]             [image]
//!            [hist 0..1]    [hist −4..4]        [hist −4..4]
//!                           max |Δ| = 0.41      max |Δ| = 3e-6
//!                           — changed           — unchanged
//! ```
//!
//! Image panels use the one fixed mapping of [`crate::display`] (inputs
//! [0, 1], outputs [−3, 3]); they are never re-stretched.
//!
//! This file computes (options, labels, the report); `figure.rs` draws.

mod figure;

use ndarray::{Array4, ArrayView4, Axis};
use serde::Serialize;

use crate::adjust::Adjustment;
use crate::error::{Error, Result};
use crate::experiment::{adjust_probe, check_probe, is_unchanged, run_adjusted};
use crate::norm::{NormConfig, NormKind};

use crate::stats::{channel_moments, ChannelStats, Difference};
#[cfg(not(target_arch = "wasm32"))]
pub use figure::render_figure;
pub use figure::{draw_explainer, min_figure_size, FigureFormat};

/// What the explainer shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainOptions {
    /// Index of the image that gets adjusted (from 0).
    pub probe: usize,
    /// What is done to the probe image.
    pub adjustment: Adjustment,
    /// The kinds compared, one column each.
    pub norms: Vec<NormConfig>,
    /// Histogram bins.
    pub bins: usize,
}

impl Default for ExplainOptions {
    /// Probe 0, identity adjustment, batch and instance norm, 64 bins.
    fn default() -> Self {
        ExplainOptions {
            probe: 0,
            adjustment: Adjustment::default(),
            norms: vec![
                NormConfig::new(NormKind::Batch),
                NormConfig::new(NormKind::Instance),
            ],
            bins: crate::stats::DEFAULT_BINS,
        }
    }
}

impl ExplainOptions {
    /// Check the options against a batch of `n` images.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `probe >= n`, `norms` is empty, `bins` is 0,
    /// or the adjustment is invalid.
    pub fn validate(&self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::BadInput(
                "the batch is empty; give at least one image".into(),
            ));
        }
        check_probe(n, self.probe)?;
        if self.norms.is_empty() {
            return Err(Error::BadInput(
                "choose at least one normalization kind to compare".into(),
            ));
        }
        if self.bins == 0 {
            return Err(Error::BadInput(
                "the number of histogram bins must be at least 1".into(),
            ));
        }
        self.adjustment.validate()
    }
}

/// A short label for a configuration: `batch`, `group (G=4)`,
/// `batch-instance (ρ=0.5)`.
pub fn norm_label(cfg: &NormConfig) -> String {
    match cfg.kind {
        NormKind::Group => format!("group (G={})", cfg.groups.unwrap_or(1)),
        NormKind::BatchInstance => format!("batch-instance (ρ={})", cfg.rho.unwrap_or(0.5)),
        k => k.name().to_string(),
    }
}

/// A human description of an adjustment: `contrast 0.5, brightness +0.1`.
pub fn adjustment_label(adj: &Adjustment) -> String {
    if adj.is_identity() {
        return "no adjustment".into();
    }
    let mut parts = Vec::new();
    if adj.gamma != 1.0 {
        parts.push(format!("gamma {}", adj.gamma));
    }
    if adj.contrast != 1.0 {
        parts.push(format!("contrast {}", adj.contrast));
    }
    if adj.brightness != 0.0 {
        parts.push(format!("brightness {:+}", adj.brightness));
    }
    if adj.clip {
        parts.push("clipped to [0, 1]".into());
    }
    parts.join(", ")
}

/// One kind's output for one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputStats {
    /// The kind's label (see [`norm_label`]).
    pub kind: String,
    pub channels: Vec<ChannelStats>,
}

/// Per-channel statistics of one image, before and after each kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageStats {
    pub index: usize,
    pub name: String,
    pub input: Vec<ChannelStats>,
    /// One entry per kind, in the order of [`ExplainOptions::norms`].
    pub outputs: Vec<OutputStats>,
}

/// How one kind reacts to adjusting the probe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invariance {
    pub kind: String,
    pub difference: Difference,
    /// `max_abs ≤` [`crate::experiment::UNCHANGED_TOLERANCE`].
    pub unchanged: bool,
}

/// Everything the `stats` command prints, serializable as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsReport {
    pub probe: usize,
    pub adjustment: Adjustment,
    /// Statistics of the original batch (nothing adjusted).
    pub images: Vec<ImageStats>,
    /// Per kind, how the probe's output changes under the adjustment.
    pub invariance: Vec<Invariance>,
}

fn name_of(names: &[String], i: usize) -> String {
    names
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("image {i}"))
}

/// The probe's outputs before and after the adjustment, per kind: the
/// shared computation of the report and the figure.
pub(super) struct Outcome {
    adjusted_batch: Array4<f32>,
    /// Per kind: (output of the original batch, output of the adjusted batch).
    outputs: Vec<(Array4<f32>, Array4<f32>)>,
    invariance: Vec<Invariance>,
}

pub(super) fn compute(batch: ArrayView4<f32>, opts: &ExplainOptions) -> Result<Outcome> {
    opts.validate(batch.dim().0)?;
    let adjusted_batch = adjust_probe(batch, opts.probe, &opts.adjustment)?;
    let mut outputs = Vec::with_capacity(opts.norms.len());
    let mut invariance = Vec::with_capacity(opts.norms.len());
    for cfg in &opts.norms {
        let run = run_adjusted(batch, adjusted_batch.view(), opts.probe, cfg)?;
        invariance.push(Invariance {
            kind: norm_label(cfg),
            difference: run.change,
            unchanged: is_unchanged(&run.change),
        });
        outputs.push((run.before, run.after));
    }
    Ok(Outcome {
        adjusted_batch,
        outputs,
        invariance,
    })
}

/// Per image and channel, the mean and standard deviation of the input and
/// of each kind's output (original batch), and per kind the invariance
/// figure of the probe under the adjustment
/// (see [`crate::experiment::invariance`]).
///
/// Images without a name in `names` are called `image i`.
///
/// # Errors
/// [`Error::BadInput`] for invalid options (see [`ExplainOptions::validate`]),
/// invalid kind parameters, or non-finite data.
pub fn stats_report(
    batch: ArrayView4<f32>,
    names: &[String],
    opts: &ExplainOptions,
) -> Result<StatsReport> {
    let outcome = compute(batch, opts)?;
    let images = (0..batch.dim().0)
        .map(|i| ImageStats {
            index: i,
            name: name_of(names, i),
            input: channel_moments(batch.index_axis(Axis(0), i))
                .iter()
                .map(ChannelStats::from)
                .collect(),
            outputs: opts
                .norms
                .iter()
                .zip(&outcome.outputs)
                .map(|(cfg, (before, _))| OutputStats {
                    kind: norm_label(cfg),
                    channels: channel_moments(before.index_axis(Axis(0), i))
                        .iter()
                        .map(ChannelStats::from)
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(StatsReport {
        probe: opts.probe,
        adjustment: opts.adjustment,
        images,
        invariance: outcome.invariance,
    })
}
