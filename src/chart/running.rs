//! Batch norm's running mean and variance over training steps.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::*;
use crate::error::{Error, Result};
use crate::norm::RunningPoint;

/// Reads one channel's value out of a [`RunningPoint`].
type ValueOf = fn(&RunningPoint, usize) -> f64;

/// Draw running mean (top) and running variance (bottom) per channel over
/// training steps, as lines. Draws into `area` and presents it.
///
/// # Errors
/// [`Error::BadInput`] if `history` is empty or its points have different
/// channel counts; [`Error::Internal`] if drawing fails.
pub fn draw_running_stats<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &[RunningPoint],
    title: &str,
) -> Result<()> {
    draw_running_stats_scaled(area, history, title, 1.0)
}

/// [`draw_running_stats`] with `pixel_ratio` backend pixels per displayed
/// pixel, as [`draw_histograms_scaled`].
///
/// # Errors
/// As [`draw_running_stats`].
pub fn draw_running_stats_scaled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    history: &[RunningPoint],
    title: &str,
    pixel_ratio: f64,
) -> Result<()> {
    let r = clean_ratio(pixel_ratio);
    let px = |n: f64| (n * r).round() as i32;
    register_bundled_font()?;
    let first = history.first().ok_or_else(|| {
        Error::BadInput("no training steps yet: take a step to see running statistics".into())
    })?;
    let channels = first.mean.len();
    if history
        .iter()
        .any(|p| p.mean.len() != channels || p.var.len() != channels)
    {
        return Err(Error::BadInput(
            "every training step must report one mean and one variance per channel".into(),
        ));
    }
    let (w_px, h_px) = area_size(area);
    // Displayed pixels, times the ratio; label text at least MIN_TEXT_PX.
    let text = font_px((h_px as f64 / r) as u32, 0.05, MIN_TEXT_PX / 0.85, 16.0) * r;
    let body = if title.is_empty() {
        area.clone()
    } else {
        area.titled(title, ("sans-serif", text * 1.2))
            .map_err(draw_error)?
    };
    // The legend has a strip of its own on the right, never over the lines.
    // It is drawn by hand, not with configure_series_labels: in the browser
    // plotters sizes series labels with a styled DOM span, which the page's
    // Content-Security-Policy blocks.
    let font = TextStyle::from(("sans-serif", text * 0.85).into_font()).color(&BLACK);
    let names: Vec<String> = (0..channels).map(|c| channel_name(c, channels)).collect();
    let widest = names
        .iter()
        .filter_map(|n| area.estimate_text_size(n, &font).ok())
        .map(|(w, _)| w as i32)
        .max()
        .unwrap_or(0);
    let (pad, swatch, line) = (px(6.0), px(14.0), (text * 1.2) as i32);
    let legend_w = (3 * pad + swatch + widest).max(0) as u32;
    let (body, legend) = body.split_horizontally(w_px.saturating_sub(legend_w));
    for (c, name) in names.iter().enumerate() {
        let y = px(30.0) + line * c as i32;
        let color = channel_color(c, channels);
        legend
            .draw(&PathElement::new(
                [(pad, y), (pad + swatch, y)],
                color.stroke_width(px(2.0).max(1) as u32),
            ))
            .map_err(draw_error)?;
        let style = font.pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
        legend
            .draw_text(name, &style, (2 * pad + swatch, y))
            .map_err(draw_error)?;
    }
    let (top, bottom) = body.split_vertically(area_size(&body).1 / 2);
    let s0 = history.iter().map(|p| p.step).min().unwrap_or(0) as f64;
    let s1 = history.iter().map(|p| p.step).max().unwrap_or(0) as f64;
    let x_range = s0..(s1.max(s0 + 1.0));

    let get_mean: ValueOf = |p, c| p.mean[c];
    let get_var: ValueOf = |p, c| p.var[c];
    let panels = [
        (&top, "running mean", get_mean),
        (&bottom, "running variance", get_var),
    ];
    for (panel, what, get) in panels {
        let values = history
            .iter()
            .flat_map(|p| (0..channels).map(move |c| get(p, c)));
        let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !(lo.is_finite() && hi.is_finite()) {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.08).max(1e-6);
        let mut chart = ChartBuilder::on(panel)
            .margin(px(6.0))
            .x_label_area_size(text * 2.4)
            .y_label_area_size(text * 4.0)
            .build_cartesian_2d(x_range.clone(), (lo - pad)..(hi + pad))
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("training step")
            .y_desc(what)
            .label_style(("sans-serif", text * 0.85))
            .axis_desc_style(("sans-serif", text * 0.85))
            .y_label_formatter(&|v| fmt_num(*v))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_error)?;
        for c in 0..channels {
            let color = channel_color(c, channels);
            chart
                .draw_series(LineSeries::new(
                    history.iter().map(|p| (p.step as f64, get(p, c))),
                    color.stroke_width(px(2.0).max(1) as u32),
                ))
                .map_err(draw_error)?;
        }
    }
    area.present().map_err(draw_error)
}
