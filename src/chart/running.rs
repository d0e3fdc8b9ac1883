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
    let (_, h_px) = area_size(area);
    let text = font_px(h_px, 0.04, 10.0, 16.0);
    let body = if title.is_empty() {
        area.clone()
    } else {
        area.titled(title, ("sans-serif", text * 1.2))
            .map_err(draw_error)?
    };
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
            .margin(6)
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
                    color.stroke_width(2),
                ))
                .map_err(draw_error)?;
        }
        // The legend is drawn by hand, not with configure_series_labels:
        // in the browser plotters sizes series labels with a styled DOM
        // span, which the page's Content-Security-Policy blocks.
        let plot = chart.plotting_area().strip_coord_spec();
        let (pw, _) = plot.dim_in_pixel();
        let font = TextStyle::from(("sans-serif", text * 0.85).into_font()).color(&BLACK);
        let names: Vec<String> = (0..channels).map(|c| channel_name(c, channels)).collect();
        let widest = names
            .iter()
            .filter_map(|n| plot.estimate_text_size(n, &font).ok())
            .map(|(w, _)| w as i32)
            .max()
            .unwrap_or(0);
        let (pad, swatch, line) = (6, 14, (text * 1.2) as i32);
        let (bw, bh) = (3 * pad + swatch + widest, 2 * pad + line * channels as i32);
        let (x0, y0) = (pw as i32 - bw - pad, pad);
        let frame = [(x0, y0), (x0 + bw, y0 + bh)];
        plot.draw(&Rectangle::new(frame, WHITE.mix(0.85).filled()))
            .map_err(draw_error)?;
        plot.draw(&Rectangle::new(frame, BLACK.mix(0.3)))
            .map_err(draw_error)?;
        for (c, name) in names.iter().enumerate() {
            let y = y0 + pad + line * c as i32 + line / 2;
            let color = channel_color(c, channels);
            plot.draw(&PathElement::new(
                [(x0 + pad, y), (x0 + pad + swatch, y)],
                color.stroke_width(2),
            ))
            .map_err(draw_error)?;
            let style = font.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            plot.draw_text(name, &style, (x0 + 2 * pad + swatch, y))
                .map_err(draw_error)?;
        }
    }
    area.present().map_err(draw_error)
}
