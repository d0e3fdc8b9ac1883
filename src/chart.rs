//! Charts drawn with plotters, generic over the drawing backend.
//!
//! Every function here takes a `&DrawingArea<DB, Shift>` for any
//! `DB: DrawingBackend`, so the same code draws on a browser canvas
//! (plotters-canvas) and into SVG or PNG files natively. Binning and
//! statistics are computed in [`crate::stats`]; this module only draws.
//!
//! Natively, text is rendered with the bundled DejaVu Sans (registered once
//! by [`register_bundled_font`]), so figures need no system fonts.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use crate::error::{Error, Result};
use crate::stats::{Histogram, Moments};

/// Okabe–Ito vermillion, for the red channel.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito bluish green, for the green channel.
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito blue, for the blue channel.
pub const BLUE_OI: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Neutral grey, for a single (grey-scale) channel.
pub const GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Further Okabe–Ito colours, for channels beyond the third.
const EXTRA: [RGBColor; 4] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// The colour of channel `c` out of `channels`: R, G, B in a
/// colour-blind-safe palette, grey for a single channel.
pub fn channel_color(c: usize, channels: usize) -> RGBColor {
    if channels == 1 {
        return GREY;
    }
    match c {
        0 => VERMILLION,
        1 => BLUISH_GREEN,
        2 => BLUE_OI,
        k => EXTRA[(k - 3) % EXTRA.len()],
    }
}

/// A short name for channel `c` out of `channels`: R, G, B, grey, or `ch k`.
pub fn channel_name(c: usize, channels: usize) -> String {
    match (channels, c) {
        (1, _) => "grey".into(),
        (3, 0) | (4, 0) => "R".into(),
        (3, 1) | (4, 1) => "G".into(),
        (3, 2) | (4, 2) => "B".into(),
        _ => format!("ch {c}"),
    }
}

/// Turn a plotters error into the crate's error: a drawing failure is
/// never the user's fault.
pub fn draw_error<E: std::fmt::Display>(e: E) -> Error {
    Error::Internal(format!("drawing the chart failed: {e}"))
}

/// The bundled DejaVu Sans (native figures only).
#[cfg(not(target_arch = "wasm32"))]
const BUNDLED_FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Register the bundled DejaVu Sans as plotters' "sans-serif" (once).
/// Native only: in the browser the canvas uses the browser's fonts.
///
/// # Errors
/// [`Error::Internal`] if the bundled font cannot be read (a build defect).
#[cfg(not(target_arch = "wasm32"))]
pub fn register_bundled_font() -> Result<()> {
    use std::sync::OnceLock;
    static FONT: OnceLock<bool> = OnceLock::new();
    let ok = *FONT.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, BUNDLED_FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Internal(
            "the bundled font assets/fonts/DejaVuSans.ttf could not be loaded".into(),
        ))
    }
}

/// Fonts are the browser's on wasm32: nothing to register.
#[cfg(target_arch = "wasm32")]
pub fn register_bundled_font() -> Result<()> {
    Ok(())
}

/// Width and height of an area in pixels, 0 when splitting left it empty
/// (plotters' `dim_in_pixel` wraps negative sizes to huge numbers).
pub(crate) fn area_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> (u32, u32) {
    let (x, y) = area.get_pixel_range();
    (
        u32::try_from(x.end - x.start).unwrap_or(0),
        u32::try_from(y.end - y.start).unwrap_or(0),
    )
}

/// Font size in pixels that suits an area `height` pixels tall, within
/// [`min`, `max`].
pub(crate) fn font_px(height: u32, fraction: f64, min: f64, max: f64) -> f64 {
    (height as f64 * fraction).clamp(min, max)
}

/// Format a number compactly for labels: 3 significant digits, scientific
/// for very small or large magnitudes.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e4).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Format an axis tick: at most two decimals, trailing zeros dropped
/// (`-4`, `0.5`, `1`).
pub fn fmt_tick(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// Format a mean or standard deviation for a legend: three decimals, with
/// values that round to zero shown as `0.000` (never `-0.000` or `1e-11`).
pub fn fmt_stat(v: f64) -> String {
    if v.abs() >= 1e3 || !v.is_finite() {
        return fmt_num(v);
    }
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".into()
    } else {
        s
    }
}

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

/// Backend pixels per displayed pixel: `ratio` if it is a sensible number, else 1.
fn clean_ratio(ratio: f64) -> f64 {
    if ratio.is_finite() && (0.25..=8.0).contains(&ratio) {
        ratio
    } else {
        1.0
    }
}

/// Smallest chart text, in displayed pixels.
pub const MIN_TEXT_PX: f64 = 11.0;

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

/// Batch norm's running statistics after one training step.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunningPoint {
    pub step: u64,
    /// Running mean per channel.
    pub mean: Vec<f64>,
    /// Running (unbiased) variance per channel.
    pub var: Vec<f64>,
}

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

/// An RGB8 raster placed at a pixel position, drawn with the backend's
/// `blit_bitmap` (a real bitmap on PNG and canvas backends, an embedded PNG
/// in SVG through [`SvgImages`]).
pub struct Raster<'a> {
    pub pos: (i32, i32),
    pub size: (u32, u32),
    /// Row-major RGB8, `3·w·h` bytes.
    pub rgb: &'a [u8],
}

impl<'a, 'b> PointCollection<'a, (i32, i32)> for &'a Raster<'b> {
    type Point = &'a (i32, i32);
    type IntoIter = std::iter::Once<&'a (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.pos)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster<'_> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(p) if self.rgb.len() == 3 * self.size.0 as usize * self.size.1 as usize => {
                backend.blit_bitmap(p, self.size, self.rgb)
            }
            _ => Ok(()),
        }
    }
}

/// Resample an RGBA8 image (`w`×`h`) to RGB8 `tw`×`th`: box average when
/// shrinking, nearest neighbour when enlarging (pixels stay crisp).
pub fn resample_rgba_to_rgb(rgba: &[u8], (w, h): (u32, u32), (tw, th): (u32, u32)) -> Vec<u8> {
    let (w, h, tw, th) = (w as usize, h as usize, tw as usize, th as usize);
    let mut out = vec![0u8; 3 * tw * th];
    if w == 0 || h == 0 || rgba.len() < 4 * w * h {
        return out;
    }
    for ty in 0..th {
        let y0 = ty * h / th;
        let y1 = ((ty + 1) * h / th).max(y0 + 1).min(h);
        for tx in 0..tw {
            let x0 = tx * w / tw;
            let x1 = ((tx + 1) * w / tw).max(x0 + 1).min(w);
            let mut acc = [0u32; 3];
            for y in y0..y1 {
                for x in x0..x1 {
                    let p = 4 * (y * w + x);
                    for k in 0..3 {
                        acc[k] += rgba[p + k] as u32;
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            let o = 3 * (ty * tw + tx);
            for k in 0..3 {
                out[o + k] = ((acc[k] + n / 2) / n) as u8;
            }
        }
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::{render_png, render_svg, PngBackend, SvgImages};

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use plotters::coord::Shift;
    use plotters::prelude::*;
    use plotters_backend::{
        BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    };

    use super::{draw_error, register_bundled_font, resample_rgba_to_rgb, BUNDLED_FONT};
    use crate::error::{Error, Result};

    /// Largest side of a bitmap embedded in an SVG; larger blits are
    /// shrunk (and scaled back up by the SVG viewer) to keep files small.
    const SVG_BITMAP_MAX: u32 = 160;

    type Inner<'a> = plotters::backend::SVGBackend<'a>;

    /// An SVG backend that embeds blitted bitmaps as PNG `<image>`
    /// elements instead of one `<rect>` per pixel. Everything else is
    /// passed to plotters' SVG backend unchanged.
    pub struct SvgImages<'a> {
        inner: Inner<'a>,
        images: &'a std::cell::RefCell<Vec<String>>,
    }

    impl DrawingBackend for SvgImages<'_> {
        type ErrorType = <Inner<'static> as DrawingBackend>::ErrorType;

        fn get_size(&self) -> (u32, u32) {
            self.inner.get_size()
        }
        fn ensure_prepared(
            &mut self,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.ensure_prepared()
        }
        fn present(&mut self) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.present()
        }
        fn draw_pixel(
            &mut self,
            point: BackendCoord,
            color: BackendColor,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_pixel(point, color)
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            from: BackendCoord,
            to: BackendCoord,
            style: &S,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_line(from, to, style)
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            upper_left: BackendCoord,
            bottom_right: BackendCoord,
            style: &S,
            fill: bool,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_rect(upper_left, bottom_right, style, fill)
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_path(path, style)
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            center: BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_circle(center, radius, style, fill)
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            style: &S,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.fill_polygon(vert, style)
        }
        fn draw_text<TStyle: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &TStyle,
            pos: BackendCoord,
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_text(text, style, pos)
        }
        fn estimate_text_size<TStyle: BackendTextStyle>(
            &self,
            text: &str,
            style: &TStyle,
        ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
            self.inner.estimate_text_size(text, style)
        }
        fn blit_bitmap(
            &mut self,
            (x, y): BackendCoord,
            (w, h): (u32, u32),
            src: &[u8],
        ) -> std::result::Result<(), DrawingErrorKind<Self::ErrorType>> {
            if w == 0 || h == 0 || src.len() < 3 * w as usize * h as usize {
                return Ok(());
            }
            let shrink = (w.max(h) as f64 / SVG_BITMAP_MAX as f64).max(1.0);
            let (ew, eh) = (
                ((w as f64 / shrink).round() as u32).max(1),
                ((h as f64 / shrink).round() as u32).max(1),
            );
            let mut rgba = Vec::with_capacity(4 * (w * h) as usize);
            for p in src.chunks_exact(3).take((w * h) as usize) {
                rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
            }
            let rgb = resample_rgba_to_rgb(&rgba, (w, h), (ew, eh));
            let mut png = Vec::new();
            let encoded = image::ImageEncoder::write_image(
                image::codecs::png::PngEncoder::new(&mut png),
                &rgb,
                ew,
                eh,
                image::ExtendedColorType::Rgb8,
            );
            if encoded.is_err() {
                // Fall back to plain pixels rather than lose the panel.
                return self.inner.blit_bitmap((x, y), (w, h), src);
            }
            self.images.borrow_mut().push(format!(
                r#"<image x="{x}" y="{y}" width="{w}" height="{h}" preserveAspectRatio="none" href="data:image/png;base64,{}"/>"#,
                base64(&png)
            ));
            Ok(())
        }
    }

    /// Standard base64 with padding (RFC 4648), for data URLs.
    fn base64(bytes: &[u8]) -> String {
        const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            let chars = [18, 12, 6, 0].map(|s| ABC[((n >> s) & 63) as usize] as char);
            out.push(chars[0]);
            out.push(chars[1]);
            out.push(if chunk.len() > 1 { chars[2] } else { '=' });
            out.push(if chunk.len() > 2 { chars[3] } else { '=' });
        }
        out
    }

    /// Draw with `draw` on a white `width`×`height` SVG canvas and return
    /// the SVG text. Bitmaps drawn with [`super::Raster`] are embedded as
    /// PNG images.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a zero size; whatever `draw` returns;
    /// [`Error::Internal`] if the SVG cannot be written.
    pub fn render_svg<F>(width: u32, height: u32, draw: F) -> Result<String>
    where
        F: FnOnce(&DrawingArea<SvgImages<'_>, Shift>) -> Result<()>,
    {
        check_size(width, height)?;
        register_bundled_font()?;
        let images = std::cell::RefCell::new(Vec::new());
        let mut svg = String::new();
        {
            let backend = SvgImages {
                inner: Inner::with_string(&mut svg, (width, height)),
                images: &images,
            };
            let area = backend.into_drawing_area();
            area.fill(&WHITE).map_err(draw_error)?;
            draw(&area)?;
            area.present().map_err(draw_error)?;
        }
        let embedded = images.into_inner();
        if !embedded.is_empty() {
            let end = svg.rfind("</svg>").ok_or_else(|| {
                Error::Internal("the SVG backend wrote no closing </svg> tag".into())
            })?;
            svg.insert_str(end, &(embedded.join("\n") + "\n"));
        }
        Ok(svg)
    }

    type Bitmap<'a> = BitMapBackend<'a>;
    type BitmapErr = <Bitmap<'static> as DrawingBackend>::ErrorType;
    type BitmapResult<T> = std::result::Result<T, DrawingErrorKind<BitmapErr>>;

    /// A bitmap backend whose text sits on one baseline.
    ///
    /// plotters' own bitmap text rounds every glyph's top to a whole pixel
    /// on its own and ignores the left bearing, so a full stop lands one or
    /// two pixels above the digits beside it: "0.5" reads "0·5". Here a
    /// string is laid out once with sub-pixel glyph positions (the same
    /// baseline and advance widths plotters uses, so labels stay where the
    /// charts put them) and each glyph is rasterised at its true place.
    /// Everything else is passed to plotters' `BitMapBackend` unchanged.
    pub struct PngBackend<'a> {
        inner: Bitmap<'a>,
        font: ab_glyph::FontRef<'static>,
    }

    impl DrawingBackend for PngBackend<'_> {
        type ErrorType = BitmapErr;

        fn get_size(&self) -> (u32, u32) {
            self.inner.get_size()
        }
        fn ensure_prepared(&mut self) -> BitmapResult<()> {
            self.inner.ensure_prepared()
        }
        fn present(&mut self) -> BitmapResult<()> {
            self.inner.present()
        }
        fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BitmapResult<()> {
            self.inner.draw_pixel(point, color)
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            from: BackendCoord,
            to: BackendCoord,
            style: &S,
        ) -> BitmapResult<()> {
            self.inner.draw_line(from, to, style)
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            upper_left: BackendCoord,
            bottom_right: BackendCoord,
            style: &S,
            fill: bool,
        ) -> BitmapResult<()> {
            self.inner.draw_rect(upper_left, bottom_right, style, fill)
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> BitmapResult<()> {
            self.inner.draw_path(path, style)
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            center: BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> BitmapResult<()> {
            self.inner.draw_circle(center, radius, style, fill)
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            style: &S,
        ) -> BitmapResult<()> {
            self.inner.fill_polygon(vert, style)
        }
        fn blit_bitmap(
            &mut self,
            pos: BackendCoord,
            size: (u32, u32),
            src: &[u8],
        ) -> BitmapResult<()> {
            self.inner.blit_bitmap(pos, size, src)
        }
        fn draw_text<TStyle: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &TStyle,
            pos: BackendCoord,
        ) -> BitmapResult<()> {
            use ab_glyph::{Font, ScaleFont};
            use plotters_backend::text_anchor::{HPos, VPos};
            let color = style.color();
            if color.alpha == 0.0 {
                return Ok(());
            }
            // Anchor against plotters' own layout box, as its default does.
            let ((min_x, min_y), (max_x, max_y)) = style
                .layout_box(text)
                .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
            let (width, height) = (max_x - min_x, max_y - min_y);
            let dx = match style.anchor().h_pos {
                HPos::Left => 0,
                HPos::Right => -width,
                HPos::Center => -width / 2,
            };
            let dy = match style.anchor().v_pos {
                VPos::Top => 0,
                VPos::Center => -height / 2,
                VPos::Bottom => -height,
            };
            let size = style.size() as f32;
            let font = self.font.as_scaled(size);
            // plotters' baseline: half the font size below the box's top.
            let baseline = size / 2.0;
            let mut coverage: Vec<(i32, i32, f32)> = Vec::new();
            let mut caret = 0f32;
            let mut prev = None;
            for c in text.chars() {
                let id = font.glyph_id(c);
                if let Some(p) = prev {
                    caret += font.kern(p, id);
                }
                prev = Some(id);
                let glyph = id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
                if let Some(outline) = font.outline_glyph(glyph) {
                    let b = outline.px_bounds();
                    let (bx, by) = (b.min.x as i32, b.min.y as i32);
                    outline.draw(|x, y, a| coverage.push((bx + x as i32, by + y as i32, a)));
                }
                caret += font.h_advance(id);
            }
            let trans = style.transform();
            let (w, h) = self.inner.get_size();
            for (x, y, a) in coverage {
                if a <= 0.0 {
                    continue;
                }
                let (x, y) = trans.transform(x + dx - min_x, y + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    let mixed = BackendColor {
                        alpha: color.alpha * f64::from(a.min(1.0)),
                        rgb: color.rgb,
                    };
                    self.inner.draw_pixel((x, y), mixed)?;
                }
            }
            Ok(())
        }
    }

    /// Draw with `draw` on a white `width`×`height` bitmap and return it
    /// encoded as PNG.
    ///
    /// # Errors
    /// [`Error::BadInput`] for a zero or huge size; whatever `draw`
    /// returns; [`Error::Internal`] if encoding fails.
    pub fn render_png<F>(width: u32, height: u32, draw: F) -> Result<Vec<u8>>
    where
        F: FnOnce(&DrawingArea<PngBackend<'_>, Shift>) -> Result<()>,
    {
        check_size(width, height)?;
        register_bundled_font()?;
        let font = ab_glyph::FontRef::try_from_slice(BUNDLED_FONT).map_err(|_| {
            Error::Internal(
                "the bundled font assets/fonts/DejaVuSans.ttf could not be loaded".into(),
            )
        })?;
        let mut rgb = vec![255u8; 3 * width as usize * height as usize];
        {
            let backend = PngBackend {
                inner: BitMapBackend::with_buffer(&mut rgb, (width, height)),
                font,
            };
            let area = backend.into_drawing_area();
            area.fill(&WHITE).map_err(draw_error)?;
            draw(&area)?;
            area.present().map_err(draw_error)?;
        }
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &rgb,
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| Error::Internal(format!("encoding the PNG failed: {e}")))?;
        Ok(png)
    }

    /// Largest figure side accepted, in pixels.
    pub const MAX_FIGURE_SIDE: u32 = 8192;

    fn check_size(width: u32, height: u32) -> Result<()> {
        if width == 0 || height == 0 {
            return Err(Error::BadInput(format!(
                "a figure must be at least 1×1 pixel (got {width}×{height})"
            )));
        }
        if width > MAX_FIGURE_SIDE || height > MAX_FIGURE_SIDE {
            return Err(Error::TooLarge(format!(
                "a figure side may be at most {MAX_FIGURE_SIDE} pixels (got {width}×{height}); ask for a smaller size"
            )));
        }
        Ok(())
    }
}
