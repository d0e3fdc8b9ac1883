//! Per-channel histograms overlaid on one chart, and their fingerprint.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;
use crate::error::{Error, Result};
use crate::stats::{Histogram, Moments};

/// Draw per-channel histograms overlaid on one chart: x is the value over
/// the histograms' fixed range, y the count. With `moments`, each legend
/// entry shows that channel's mean ± standard deviation. Values outside the
/// range are reported in the legend, never silently dropped.
///
/// Draws into `area` and presents it.
///
/// # Errors
/// [`Error::BadInput`] if `hists` is empty or `moments` has another length;
/// [`Error::Internal`] if drawing fails.
pub fn draw_histograms<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hists: &[Histogram],
    moments: Option<&[Moments]>,
    title: &str,
) -> Result<()> {
    draw_histograms_scaled(area, hists, moments, title, 1.0)
}

/// [`draw_histograms`] on an area with `pixel_ratio` backend pixels per
/// displayed pixel (a browser canvas drawn at `devicePixelRatio`): text,
/// margins and lines are sized in displayed pixels, so labels are at least
/// [`MIN_TEXT_PX`] as the reader sees them. A ratio that is not a number
/// between 0.25 and 8 counts as 1.
///
/// # Errors
/// As [`draw_histograms`].
pub fn draw_histograms_scaled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hists: &[Histogram],
    moments: Option<&[Moments]>,
    title: &str,
    pixel_ratio: f64,
) -> Result<()> {
    histograms_into(area, hists, moments, title, pixel_ratio)?;
    area.present().map_err(draw_error)
}

/// [`draw_histograms_scaled`] without `present()`, for composite figures.
pub(crate) fn histograms_into<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hists: &[Histogram],
    moments: Option<&[Moments]>,
    title: &str,
    pixel_ratio: f64,
) -> Result<()> {
    let r = clean_ratio(pixel_ratio);
    register_bundled_font()?;
    let first = hists.first().ok_or_else(|| {
        Error::BadInput("there is no histogram to draw (the image has no channels)".into())
    })?;
    if let Some(m) = moments {
        if m.len() != hists.len() {
            return Err(Error::BadInput(format!(
                "{} histograms but {} sets of moments; give one per channel",
                hists.len(),
                m.len()
            )));
        }
    }
    let (lo, hi) = (first.lo as f64, first.hi as f64);
    let peak = hists
        .iter()
        .flat_map(|h| h.counts.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (w_px, h_px) = area_size(area);
    if w_px < 8 || h_px < 8 {
        // Nothing readable fits; leave the space empty.
        return Ok(());
    }
    // Sizes in displayed pixels, times the ratio.
    let text = font_px((h_px as f64 / r) as u32, 0.075, MIN_TEXT_PX + 1.0, 16.0) * r;
    let small = (text * 0.9).max(MIN_TEXT_PX * r);
    let px = |n: f64| (n * r).round() as i32;
    let channels = hists.len();

    let labels = legend_labels(hists, moments);
    let outside: u64 = hists.iter().map(|h| h.below + h.above).sum();
    // Two short lines, so a narrow chart keeps its legend beside the bars.
    let outside_note = (outside > 0).then(|| {
        [
            format!("{outside} outside"),
            format!("[{}, {}]", fmt_tick(lo), fmt_tick(hi)),
        ]
    });
    // The legend never covers the bars: beside the chart when there is
    // room, in rows above it otherwise.
    let longest = labels
        .iter()
        .chain(outside_note.iter().flatten())
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let strip_w = (longest * small * 0.58 + small * 2.2) as u32;
    let beside = strip_w * 2 <= w_px;
    let entry_w = strip_w.max(1);
    let per_row = ((w_px / entry_w) as usize).clamp(1, channels.max(1));
    let above_rows = channels.div_ceil(per_row) + 2 * usize::from(outside_note.is_some());
    let line = (small * 1.45) as u32;
    let (plot_area, strip) = if beside {
        let (a, b) = area.split_horizontally(w_px - strip_w);
        (a, b)
    } else {
        let (b, a) = area.split_vertically(line * above_rows as u32 + px(4.0) as u32);
        (a, b)
    };

    // Room on the left for the widest count label and the rotated "count"
    // beside it, so the two never overlap.
    let widest_count = fmt_tick(peak * 1.08).chars().count().max(2) as f64;
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .margin(px(4.0))
        .x_label_area_size(text * 2.6)
        .y_label_area_size(small * (widest_count * 0.6 + 2.2));
    if !title.is_empty() {
        builder.caption(title, ("sans-serif", text * 1.1));
    }
    let mut chart = builder
        .build_cartesian_2d(lo..hi, 0.0..peak * 1.08)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("value")
        .y_desc("count")
        .x_labels(5)
        .y_labels(4)
        .label_style(("sans-serif", small))
        .axis_desc_style(("sans-serif", small))
        .x_label_formatter(&|v| fmt_tick(*v))
        .y_label_formatter(&|v| fmt_tick(*v))
        .draw()
        .map_err(draw_error)?;

    for (c, h) in hists.iter().enumerate() {
        let color = channel_color(c, channels);
        let edges = h.edges();
        // A step outline: each bin is a flat top from its left to its right edge.
        let mut pts = Vec::with_capacity(2 * h.counts.len());
        for (k, &n) in h.counts.iter().enumerate() {
            pts.push((edges[k], n as f64));
            pts.push((edges[k + 1], n as f64));
        }
        chart
            .draw_series(
                AreaSeries::new(pts, 0.0, color.mix(0.15))
                    .border_style(color.stroke_width(px(2.0).max(1) as u32)),
            )
            .map_err(draw_error)?;
    }
    let legend_font = TextStyle::from(("sans-serif", small).into_font()).color(&BLACK);
    let sw = (small * 0.9) as i32;
    let (top, rows_per_col, col_w) = if beside {
        ((text * 0.8) as i32, channels.max(1), 0)
    } else {
        (px(2.0), per_row.max(1), entry_w as i32)
    };
    for (c, label) in labels.iter().enumerate() {
        let color = channel_color(c, channels);
        // Beside: one entry per line. Above: `per_row` entries per line.
        let (row, col) = if beside {
            (c, 0)
        } else {
            (c / rows_per_col, c % rows_per_col)
        };
        let (x, y) = (px(2.0) + col as i32 * col_w, top + row as i32 * line as i32);
        strip
            .draw(&Rectangle::new(
                [(x, y + px(2.0)), (x + sw, y + px(2.0) + sw)],
                color.filled(),
            ))
            .map_err(draw_error)?;
        strip
            .draw_text(label, &legend_font, (x + sw + (small * 0.5) as i32, y))
            .map_err(draw_error)?;
    }
    if let Some(note) = &outside_note {
        let rows = if beside {
            channels
        } else {
            channels.div_ceil(rows_per_col)
        };
        for (k, part) in note.iter().enumerate() {
            strip
                .draw_text(
                    part,
                    &TextStyle::from(("sans-serif", small).into_font()).color(&GREY),
                    (px(2.0), top + (rows + k) as i32 * line as i32),
                )
                .map_err(draw_error)?;
        }
    }
    Ok(())
}

/// One legend line per channel: its name, and with `moments` its mean ±
/// standard deviation as the chart prints them.
fn legend_labels(hists: &[Histogram], moments: Option<&[Moments]>) -> Vec<String> {
    let channels = hists.len();
    (0..channels)
        .map(|c| {
            let mut label = channel_name(c, channels);
            if let Some(m) = moments.and_then(|m| m.get(c)) {
                label.push_str(&format!(" {} ± {}", fmt_stat(m.mean), fmt_stat(m.std())));
            }
            label
        })
        .collect()
}

/// A fingerprint of everything [`draw_histograms`] shows for these
/// arguments on an area of `size` pixels: equal fingerprints draw the same
/// picture, so a caller may skip redrawing (a contrast change often leaves
/// a normalized panel's histogram as it was). FNV-1a, 52 bits, so that it
/// survives the trip to a JS number.
pub fn histograms_fingerprint(
    hists: &[Histogram],
    moments: Option<&[Moments]>,
    title: &str,
    size: (u32, u32),
) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(title.as_bytes());
    eat(&size.0.to_le_bytes());
    eat(&size.1.to_le_bytes());
    for hist in hists {
        eat(&hist.lo.to_le_bytes());
        eat(&hist.hi.to_le_bytes());
        eat(&hist.below.to_le_bytes());
        eat(&hist.above.to_le_bytes());
        eat(&(hist.counts.len() as u64).to_le_bytes());
        for c in &hist.counts {
            eat(&c.to_le_bytes());
        }
    }
    for label in legend_labels(hists, moments) {
        eat(label.as_bytes());
        eat(&[0]);
    }
    h & ((1 << 52) - 1)
}
