//! Figures as files (native only): SVG with bitmaps embedded as PNG, and PNG.

use base64::Engine as _;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::BackendCoord;

use super::forward::forward_drawing_backend;
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

forward_drawing_backend! {
    impl DrawingBackend for SvgImages<'_> => inner: Inner<'static>;
    forward [get_size, ensure_prepared, present, draw_pixel, draw_line, draw_rect,
             draw_path, draw_circle, fill_polygon, draw_text, estimate_text_size];

    fn blit_bitmap(
        &mut self,
        (x, y): BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> std::result::Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
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
            base64::engine::general_purpose::STANDARD.encode(&png)
        ));
        Ok(())
    }
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
        let end = svg
            .rfind("</svg>")
            .ok_or_else(|| Error::Internal("the SVG backend wrote no closing </svg> tag".into()))?;
        svg.insert_str(end, &(embedded.join("\n") + "\n"));
    }
    Ok(svg)
}

type Bitmap<'a> = BitMapBackend<'a>;

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

forward_drawing_backend! {
    impl DrawingBackend for PngBackend<'_> => inner: Bitmap<'static>;
    forward [get_size, ensure_prepared, present, draw_pixel, draw_line, draw_rect,
             draw_path, draw_circle, fill_polygon, blit_bitmap, estimate_text_size];

    fn draw_text<TStyle: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> std::result::Result<(), plotters_backend::DrawingErrorKind<Self::ErrorType>> {
        use ab_glyph::{Font, ScaleFont};
        use plotters_backend::text_anchor::{HPos, VPos};
        use plotters_backend::{BackendColor, DrawingErrorKind};
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
        Error::Internal("the bundled font assets/fonts/DejaVuSans.ttf could not be loaded".into())
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
