//! The readout: per-channel statistics of the probe in both rows and, per
//! kind, its outputs' statistics, the maps' statistics and the invariance
//! figure with its verdict.

use serde::Serialize;

use super::{BnMode, Column, Row, Session};
use crate::error::Result;
use crate::experiment::is_unchanged;
use crate::norm::{NormKind, PlaneMap};
use crate::stats::{ChannelStats, Difference, Moments};

/// What the page reads: [`Session::readout`].
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
    /// True when that change is at most [`crate::experiment::UNCHANGED_TOLERANCE`]
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

impl Session {
    /// Statistics and invariance figures for the kinds on show (see
    /// [`Session::compute_kinds`]; all of them unless told otherwise),
    /// filled if needed, and for any other kind read since the last change.
    ///
    /// # Errors
    /// [`crate::Error::BadInput`] with an empty batch.
    pub fn readout(&self) -> Result<Readout> {
        self.fill(&self.shown)?;
        // Everything here was measured while the outputs were written: no
        // pass over the data.
        let eps = self.params.eps;
        let mut kinds = Vec::with_capacity(NormKind::PAGE.len());
        for kind in NormKind::PAGE {
            // Kinds neither shown nor read since the last change are left out.
            if !self.has_output(kind) {
                continue;
            }
            let o = self.output(kind)?;
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
}
