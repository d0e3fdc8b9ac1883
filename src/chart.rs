//! Charts drawn with plotters, generic over the drawing backend.
//!
//! Every function here takes a `&DrawingArea<DB, Shift>` for any
//! `DB: DrawingBackend`, so the same code draws on a browser canvas
//! (plotters-canvas) and into SVG or PNG files natively. Binning and
//! statistics are computed in [`crate::stats`]; this module only draws.
//!
//! Natively, text is rendered with the bundled DejaVu Sans (registered once
//! by [`register_bundled_font`]), so figures need no system fonts.
//!
//! Files: this one (colours, labels, number formats, fonts), `histograms.rs`,
//! `running.rs` (batch norm's running statistics), `raster.rs` (bitmaps in
//! a chart), `files.rs` (SVG and PNG files, native only) and `forward.rs`
//! (the adapter for backends that wrap another).

#[cfg(not(target_arch = "wasm32"))]
mod files;
// Used by the figure files and the page's canvas, not by the engine-only wasm build.
#[cfg(any(not(target_arch = "wasm32"), feature = "page"))]
pub(crate) mod forward;
mod histograms;
mod raster;
mod running;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

#[cfg(not(target_arch = "wasm32"))]
pub use files::{render_png, render_svg, PngBackend, SvgImages, MAX_FIGURE_SIDE};
pub(crate) use histograms::histograms_into;
pub use histograms::{draw_histograms, draw_histograms_scaled, histograms_fingerprint};
pub use raster::{resample_rgba_to_rgb, Raster};
pub use running::{draw_running_stats, draw_running_stats_scaled};

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
pub(crate) const BUNDLED_FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

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

/// Backend pixels per displayed pixel: `ratio` if it is a sensible number, else 1.
pub(crate) fn clean_ratio(ratio: f64) -> f64 {
    if ratio.is_finite() && (0.25..=8.0).contains(&ratio) {
        ratio
    } else {
        1.0
    }
}

/// Smallest chart text, in displayed pixels.
pub const MIN_TEXT_PX: f64 = 11.0;

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
