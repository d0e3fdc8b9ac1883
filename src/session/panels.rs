//! The probe's panels: values, their moments, RGBA8 pixels with the one
//! fixed display mapping, and histograms.

use ndarray::ArrayView3;

use super::{Column, Row, Session, DIFF_FULL_SCALE};
use crate::display::{write_difference_rgba, write_rgba, DisplayRange};
use crate::error::{Error, Result};
use crate::stats::{self, Moments};

impl Session {
    /// The per-channel moments of one panel's values (as measured when
    /// they were computed).
    ///
    /// # Errors
    /// As [`Session::panel_values`].
    pub fn panel_moments(&self, row: Row, column: Column) -> Result<&[Moments]> {
        match column {
            Column::Input => match row {
                Row::Original => self.probe_moments(),
                Row::Adjusted => Ok(&self.adjusted_probe()?.pixel_moments),
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
    /// [`Error::BadInput`] with an empty batch, or for a difference column.
    pub fn panel_values(&self, row: Row, column: Column) -> Result<ArrayView3<'_, f32>> {
        match column {
            Column::Input => match row {
                Row::Original => Ok(self.probe_entry()?.input.view()),
                Row::Adjusted => Ok(self.adjusted_probe()?.pixels.view()),
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
}
