//! The explainer figure: the probe, original and adjusted, through each
//! kind, with histograms and the invariance verdicts, on any plotters
//! backend (SVG or PNG files natively).

use ndarray::{ArrayView4, Axis};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{adjustment_label, compute, ExplainOptions};
use crate::chart::{area_size, resample_rgba_to_rgb, Raster};
use crate::chart::{
    draw_error, fmt_num, fmt_tick, font_px, histograms_into, register_bundled_font,
};
use crate::display::{to_rgba, DisplayRange};
use crate::error::{Error, Result};
use crate::experiment::UNCHANGED_TOLERANCE;
use crate::stats::{channel_histograms, channel_moments, INPUT_HIST_RANGE, OUTPUT_HIST_RANGE};

/// File format of [`render_figure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureFormat {
    Svg,
    Png,
}

/// Render the explainer figure as SVG text (UTF-8 bytes) or PNG bytes,
/// `width`×`height` pixels.
///
/// # Errors
/// As [`draw_explainer`]; [`Error::BadInput`]/[`Error::TooLarge`] for a
/// zero or oversized figure.
#[cfg(not(target_arch = "wasm32"))]
pub fn render_figure(
    batch: ArrayView4<f32>,
    names: &[String],
    opts: &ExplainOptions,
    format: FigureFormat,
    width: u32,
    height: u32,
) -> Result<Vec<u8>> {
    match format {
        FigureFormat::Svg => crate::chart::render_svg(width, height, |area| {
            draw_explainer(area, batch, names, opts)
        })
        .map(String::into_bytes),
        FigureFormat::Png => crate::chart::render_png(width, height, |area| {
            draw_explainer(area, batch, names, opts)
        }),
    }
}

fn centred_text<'a>(size: f64, color: &'a RGBAColor) -> TextStyle<'a> {
    TextStyle::from(("sans-serif", size).into_font())
        .pos(Pos::new(HPos::Center, VPos::Top))
        .color(color)
}

/// The smallest explainer figure, in pixels, with `cols` columns (input
/// plus one per kind) that still has room for images and histograms.
pub fn min_figure_size(cols: usize) -> (u32, u32) {
    (40 + 240 * cols as u32, 560)
}

/// Draw one C×H×W image with a fixed display range, fitted (aspect kept)
/// and centred in `area`, with a thin frame.
fn draw_image<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    image: ndarray::ArrayView3<f32>,
    range: DisplayRange,
) -> Result<()> {
    let (_, ih, iw) = image.dim();
    let (aw, ah) = area_size(area);
    if ih == 0 || iw == 0 || aw < 4 || ah < 4 {
        return Ok(());
    }
    let scale = (aw as f64 / iw as f64).min(ah as f64 / ih as f64);
    let tw = ((iw as f64 * scale).floor() as u32).clamp(1, aw);
    let th = ((ih as f64 * scale).floor() as u32).clamp(1, ah);
    let rgba = to_rgba(image, range);
    let rgb = resample_rgba_to_rgb(&rgba, (iw as u32, ih as u32), (tw, th));
    let x = ((aw - tw) / 2) as i32;
    let y = ((ah - th) / 2) as i32;
    area.draw(&Raster {
        pos: (x, y),
        size: (tw, th),
        rgb: &rgb,
    })
    .map_err(draw_error)?;
    area.draw(&Rectangle::new(
        [(x - 1, y - 1), (x + tw as i32, y + th as i32)],
        BLACK.mix(0.35),
    ))
    .map_err(draw_error)?;
    Ok(())
}

/// Draw the explainer figure into `area` and present it: rows are the
/// original and the adjusted probe, columns the input and then each kind
/// of `opts.norms`; under each image its per-channel histogram (inputs over
/// [0, 1], outputs over [−4, 4]). Each output column is titled with its
/// kind and invariance figure.
///
/// # Errors
/// [`Error::BadInput`] for invalid options, kind parameters, non-finite
/// data, or an area smaller than [`min_figure_size`];
/// [`Error::Internal`] if drawing fails.
pub fn draw_explainer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    batch: ArrayView4<f32>,
    names: &[String],
    opts: &ExplainOptions,
) -> Result<()> {
    register_bundled_font()?;
    let outcome = compute(batch, opts)?;
    let probe = opts.probe;
    let (w_px, h_px) = area_size(area);
    let cols = 1 + opts.norms.len();
    let (min_w, min_h) = min_figure_size(cols);
    if w_px < min_w || h_px < min_h {
        return Err(Error::BadInput(format!(
            "a figure of {w_px}×{h_px} pixels is too small for {cols} columns; make it at least {min_w}×{min_h}"
        )));
    }
    let text = font_px(h_px.min(w_px), 0.022, 10.0, 18.0);

    let n = batch.dim().0;
    let what = match names.get(probe) {
        Some(name) => format!("{name} (image {probe} of a batch of {n})"),
        None => format!("image {probe} of a batch of {n}"),
    };
    let title = format!("{what}: original vs {}", adjustment_label(&opts.adjustment));
    let body = area
        .titled(&title, ("sans-serif", text * 1.3))
        .map_err(draw_error)?;
    let (_, body_h) = area_size(&body);
    let (body, footer) = body.split_vertically(body_h.saturating_sub((text * 2.9) as u32));
    let notes = [
        "Images use fixed ranges, never re-stretched: inputs [0, 1], outputs [−3, 3].".to_string(),
        format!(
            "max |Δ|: largest change in the probe's output when only the probe is adjusted \
             (below {} counts as unchanged).",
            fmt_tick(UNCHANGED_TOLERANCE)
        ),
    ];
    let note_style =
        TextStyle::from(("sans-serif", text * 0.85).into_font()).color(&RGBColor(0x44, 0x44, 0x44));
    for (k, note) in notes.iter().enumerate() {
        footer
            .draw_text(
                note,
                &note_style,
                ((text * 0.5) as i32, (text * (0.3 + 1.2 * k as f64)) as i32),
            )
            .map_err(draw_error)?;
    }

    // Row labels on the left, column headers on top.
    let label_w = (text * 2.2) as u32;
    let header_h = (text * 3.4) as u32;
    let (left, grid) = body.split_horizontally(label_w);
    let (_, left) = left.split_vertically(header_h);
    let (header, grid) = grid.split_vertically(header_h);

    let rows_left = left.split_evenly((2, 1));
    for (row, name) in rows_left.iter().zip(["original", "adjusted"]) {
        let (_, rh) = area_size(row);
        let style = TextStyle::from(("sans-serif", text * 1.1).into_font())
            .transform(FontTransform::Rotate270)
            .color(&BLACK);
        let tw = (text * 0.6 * name.len() as f64) as i32;
        row.draw_text(
            name,
            &style,
            ((label_w as f64 * 0.25) as i32, rh as i32 / 2 + tw / 2),
        )
        .map_err(draw_error)?;
    }

    let headers = header.split_evenly((1, cols));
    let mut header_lines = vec![(
        "input".to_string(),
        "display and histogram over [0, 1]".to_string(),
        BLACK.to_rgba(),
    )];
    for inv in &outcome.invariance {
        let verdict = if inv.unchanged {
            "unchanged"
        } else {
            "changed"
        };
        let color = if inv.unchanged {
            RGBColor(0x00, 0x6D, 0x4F).to_rgba()
        } else {
            RGBColor(0xB0, 0x40, 0x00).to_rgba()
        };
        header_lines.push((
            format!("{} norm", inv.kind),
            format!("max |Δ| = {} — {verdict}", fmt_num(inv.difference.max_abs)),
            color,
        ));
    }
    for (cell, (l1, l2, color)) in headers.iter().zip(header_lines) {
        let (cw, _) = area_size(cell);
        cell.draw_text(
            &l1,
            &centred_text(text * 1.15, &BLACK.to_rgba()),
            (cw as i32 / 2, (text * 0.3) as i32),
        )
        .map_err(draw_error)?;
        cell.draw_text(
            &l2,
            &centred_text(text, &color),
            (cw as i32 / 2, (text * 1.75) as i32),
        )
        .map_err(draw_error)?;
    }

    let cells = grid.split_evenly((2, cols));
    let probe_in = [
        batch.index_axis(Axis(0), probe),
        outcome.adjusted_batch.index_axis(Axis(0), probe),
    ];
    for (row, input) in probe_in.iter().enumerate() {
        for col in 0..cols {
            let cell = cells[row * cols + col].margin(4, 4, 6, 6);
            let (_, ch) = area_size(&cell);
            let (img_area, hist_area) = cell.split_vertically((ch as f64 * 0.56) as u32);
            let (image, range, hist_range) = if col == 0 {
                (input.view(), DisplayRange::INPUT, INPUT_HIST_RANGE)
            } else {
                let (before, after) = &outcome.outputs[col - 1];
                let out = if row == 0 { before } else { after };
                (
                    out.index_axis(Axis(0), probe),
                    DisplayRange::NORMALIZED,
                    OUTPUT_HIST_RANGE,
                )
            };
            draw_image(&img_area, image.view(), range)?;
            let hists = channel_histograms(image.view(), hist_range.0, hist_range.1, opts.bins)?;
            let moments = channel_moments(image.view());
            histograms_into(&hist_area, &hists, Some(&moments), "", 1.0)?;
        }
    }
    area.present().map_err(draw_error)
}
