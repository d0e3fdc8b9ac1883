//! Drawing on a browser canvas: the session's histogram and running-
//! statistics charts (a second `#[wasm_bindgen] impl` of the handle), and
//! the canvas backend they draw through.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::convert::{bad, js_err};
use super::names::{Column, Row};
use super::session::Session;
use crate::chart::forward::forward_drawing_backend;

#[wasm_bindgen]
impl Session {
    /// Draw one panel's per-channel histograms into `canvas` (plotters-canvas,
    /// the same chart code the CLI uses for SVG/PNG), clearing it first.
    ///
    /// Returns a fingerprint of what was drawn. Given the fingerprint of
    /// the canvas's last drawing as `drawn`, it leaves the canvas alone when
    /// the picture would be the same. `pixel_ratio` is the canvas's pixels
    /// per CSS pixel (size the canvas to its displayed size times
    /// `devicePixelRatio`): text is then at least 11 CSS px. With
    /// `with_moments` false the legend names the channels only (the page
    /// prints the numbers beside the chart).
    #[wasm_bindgen(js_name = drawHistogram)]
    #[allow(clippy::too_many_arguments)]
    pub fn draw_histogram(
        &self,
        canvas: HtmlCanvasElement,
        row: Row,
        column: Column,
        bins: usize,
        title: &str,
        drawn: Option<f64>,
        pixel_ratio: Option<f64>,
        with_moments: Option<bool>,
    ) -> Result<f64, JsError> {
        let ratio = pixel_ratio.unwrap_or(1.0);
        let (row, column) = (row.core()?, column.core()?);
        let hists = self
            .inner
            .panel_histograms(row, column, bins)
            .map_err(js_err)?;
        // The moments `compute` measured: no second pass over the values.
        let moments = self.inner.panel_moments(row, column).map_err(js_err)?;
        let moments = with_moments.unwrap_or(true).then_some(moments);
        let size = (canvas.width(), canvas.height());
        let key = crate::chart::histograms_fingerprint(&hists, moments, title, size) as f64;
        if drawn == Some(key) {
            return Ok(key);
        }
        let backend = CspCanvas::new(canvas)?;
        // The chart paints no background of its own.
        backend
            .context
            .clear_rect(0.0, 0.0, size.0 as f64, size.1 as f64);
        let area = backend.into_drawing_area();
        crate::chart::draw_histograms_scaled(&area, &hists, moments, title, ratio)
            .map_err(js_err)?;
        Ok(key)
    }

    /// Draw the running mean/variance convergence chart into `canvas`, with
    /// `pixel_ratio` canvas pixels per CSS pixel (as `drawHistogram`).
    #[wasm_bindgen(js_name = drawRunning)]
    pub fn draw_running(
        &self,
        canvas: HtmlCanvasElement,
        pixel_ratio: Option<f64>,
    ) -> Result<(), JsError> {
        let backend = CspCanvas::new(canvas)?;
        let area = backend.into_drawing_area();
        let history = self.inner.history();
        // Clear the previous drawing: the chart itself paints no background.
        area.fill(&WHITE)
            .map_err(|e| bad(format!("cannot draw: {e}")))?;
        if history.is_empty() {
            // Nothing to plot yet: say so on the canvas instead of failing.
            let (w, h) = area.dim_in_pixel();
            let style = ("sans-serif", 18).into_font().color(&BLACK);
            area.draw_text(
                "No training steps yet: press \"Train 10 steps\".",
                &style,
                (w as i32 / 20, h as i32 / 2),
            )
            .map_err(|e| bad(format!("cannot draw: {e}")))?;
            return area.present().map_err(|e| bad(format!("cannot draw: {e}")));
        }
        crate::chart::draw_running_stats_scaled(
            &area,
            history,
            "Batch-norm running statistics",
            pixel_ratio.unwrap_or(1.0),
        )
        .map_err(js_err)
    }
}

/// A plotters canvas backend that measures text with the canvas's own
/// `measureText`.
///
/// plotters' default text measurement appends a `<span style="…">` to the
/// page and reads its size; under the page's Content-Security-Policy
/// (`style-src 'self'`) that style attribute is blocked, logged as a
/// violation, and the measured size is wrong. Everything else is passed to
/// [`CanvasBackend`] unchanged.
struct CspCanvas {
    inner: CanvasBackend,
    context: web_sys::CanvasRenderingContext2d,
}

impl CspCanvas {
    fn new(canvas: HtmlCanvasElement) -> Result<CspCanvas, JsError> {
        let no_context = || bad("cannot draw: the canvas has no 2D context");
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
            .ok_or_else(no_context)?;
        let inner = CanvasBackend::with_canvas_object(canvas).ok_or_else(no_context)?;
        Ok(CspCanvas { inner, context })
    }
}

type CanvasErr = <CanvasBackend as DrawingBackend>::ErrorType;

forward_drawing_backend! {
    impl DrawingBackend for CspCanvas => inner: CanvasBackend;
    forward [get_size, ensure_prepared, present, draw_pixel, draw_line, draw_rect,
             draw_path, draw_circle, fill_polygon, draw_text, blit_bitmap];

    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), plotters_backend::DrawingErrorKind<CanvasErr>> {
        // The same font string plotters-canvas sets before fillText.
        self.context.save();
        self.context.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let width = self
            .context
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(0.0);
        self.context.restore();
        let (w, h) = (
            width.ceil().max(0.0) as u32,
            style.size().ceil().max(0.0) as u32,
        );
        // Rotated labels (the y-axis title) swap their extent.
        Ok(match style.transform() {
            plotters_backend::FontTransform::Rotate90
            | plotters_backend::FontTransform::Rotate270 => (h, w),
            _ => (w, h),
        })
    }
}
