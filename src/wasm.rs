//! The browser skin: the only module that knows wasm-bindgen, js-sys and
//! web-sys. Everything here converts JS values, calls the core, and turns
//! [`crate::Error`] into a JS `Error` with the core's message.
//!
//! Big data stays in wasm memory: the [`Session`] owns the batch, and pixel
//! reads return short-lived views of wasm memory (valid until the next call
//! into wasm, which may grow memory and detach them).

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array, Uint8ClampedArray};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::adjust::Adjustment;
use crate::error::Error;
use crate::norm::{plane_maps_from, NormConfig, NormKind};
use crate::session::{self, BnMode, Column, Params, Row};
use crate::stats::MomentsAcc;

/// The training engine's handle (`Trainer`), the task photo list and the matrix product.
pub mod trainer;

fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn bad(msg: impl Into<String>) -> JsError {
    JsError::new(&msg.into())
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Serialize a core value into a plain JS object (maps as objects).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&ser)
        .map_err(|e| bad(format!("internal error: {e}")))
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsError> {
    Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| bad(format!("cannot read options.{key}")))
}

/// An optional finite number field of an options object.
fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, JsError> {
    let v = get(obj, key)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(bad(format!("options.{key} must be a finite number"))),
    }
}

fn parse_shape(shape: &JsValue) -> Result<[usize; 4], JsError> {
    let msg = "shape must be an array of four positive integers [N, C, H, W]";
    if !Array::is_array(shape) {
        return Err(bad(msg));
    }
    let arr = Array::from(shape);
    if arr.length() != 4 {
        return Err(bad(format!("{msg}; got {} entries", arr.length())));
    }
    let mut dims = [0usize; 4];
    for (i, d) in dims.iter_mut().enumerate() {
        match arr.get(i as u32).as_f64() {
            Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => *d = x as usize,
            _ => return Err(bad(msg)),
        }
    }
    Ok(dims)
}

fn parse_config(options: &JsValue) -> Result<NormConfig, JsError> {
    if !options.is_object() {
        return Err(bad(
            "options must be an object such as { norm: 'instance' } (norm: batch, instance, layer, group or batch-instance)",
        ));
    }
    let norm = get(options, "norm")?.as_string().ok_or_else(|| {
        bad("options.norm must be one of 'batch', 'instance', 'layer', 'group', 'batch-instance'")
    })?;
    let kind: NormKind = norm.parse().map_err(js_err)?;
    let mut cfg = NormConfig::new(kind);
    if let Some(g) = opt_number(options, "groups")? {
        if g < 1.0 || g.fract() != 0.0 {
            return Err(bad(format!(
                "options.groups must be a positive integer (got {g})"
            )));
        }
        cfg = cfg.with_groups(g as usize);
    }
    if let Some(r) = opt_number(options, "rho")? {
        cfg = cfg.with_rho(r);
    }
    if let Some(e) = opt_number(options, "eps")? {
        cfg = cfg.with_eps(e);
    }
    Ok(cfg)
}

/// Values per step of [`normalize`]'s copies across the JS boundary:
/// 64 KiB, so a step's data is still in cache when it is used.
const CHUNK: usize = 64 * 1024;

thread_local! {
    /// One chunk of [`normalize`]'s data on its way in or out, kept between
    /// calls: wasm memory never grows with the size of a batch.
    static STAGE: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Normalize an N×C×H×W batch, exactly as the CLI does.
///
/// `normalize(data: Float32Array, shape: [N, C, H, W], options: { norm,
/// groups?, rho?, eps?, out? }) → Float32Array`. With `options.out` (a
/// Float32Array of the same length) the result is written there and `out`
/// is returned, so repeated calls allocate nothing new.
///
/// The data never moves into wasm memory as a whole: it is read twice in
/// 64 KiB chunks through one small staging buffer — first for the moments,
/// then to be mapped and copied into the result. So the data is read from
/// memory twice and the result written once, the physical floor of a
/// two-pass normalization, and wasm memory does not grow with the batch.
///
/// Throws an `Error` saying what is wrong for a bad length, shape, kind or
/// parameter, or for NaN/infinite data.
#[wasm_bindgen]
pub fn normalize(
    data: &JsValue,
    shape: &JsValue,
    options: &JsValue,
) -> Result<Float32Array, JsError> {
    let input = data
        .dyn_ref::<Float32Array>()
        .ok_or_else(|| bad("data must be a Float32Array"))?;
    let dims = parse_shape(shape)?;
    let cfg = parse_config(options)?;
    let len = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad("shape is too large"))?;
    if input.length() as usize != len {
        return Err(bad(format!(
            "data has {} values but shape [{}, {}, {}, {}] needs {len}",
            input.length(),
            dims[0],
            dims[1],
            dims[2],
            dims[3]
        )));
    }
    cfg.validate(dims[1]).map_err(js_err)?;
    let out_arg = get(options, "out")?;
    let out_js = if out_arg.is_undefined() || out_arg.is_null() {
        None
    } else {
        let o = out_arg
            .dyn_into::<Float32Array>()
            .map_err(|_| bad("options.out must be a Float32Array"))?;
        if o.length() as usize != len {
            return Err(bad(format!(
                "options.out has {} values but the result needs {len}",
                o.length()
            )));
        }
        Some(o)
    };
    let plane = dims[2] * dims[3];
    let planes = dims[0] * dims[1];
    // Every chunk lies inside one plane: a plane's values share one map.
    // (plane, start, end) of every chunk, in order.
    let chunks = || {
        (0..planes).flat_map(move |p| {
            (0..plane).step_by(CHUNK).map(move |i| {
                let (start, end) = (p * plane + i, p * plane + (i + CHUNK).min(plane));
                (p, start as u32, end as u32)
            })
        })
    };
    STAGE.with_borrow_mut(|stage| {
        stage.resize(CHUNK.min(plane), 0.0);
        // Pass 1: the moments of each plane, chunk by chunk.
        let mut moments = vec![MomentsAcc::new(); planes];
        for (p, start, end) in chunks() {
            let staged = &mut stage[..(end - start) as usize];
            input.subarray(start, end).copy_to(staged);
            moments[p].push(staged);
        }
        let moments: Vec<_> = moments.iter().map(MomentsAcc::finish).collect();
        if moments.iter().any(|m| !m.is_finite()) {
            return Err(js_err(Error::BadInput(
                "the data contains NaN or infinite values; normscope only normalizes finite numbers"
                    .into(),
            )));
        }
        let maps = plane_maps_from(&moments, dims[1], &cfg).map_err(js_err)?;
        // Pass 2: each chunk again, mapped in place and copied out.
        let out = out_js.unwrap_or_else(|| Float32Array::new_with_length(len as u32));
        for (p, start, end) in chunks() {
            let staged = &mut stage[..(end - start) as usize];
            input.subarray(start, end).copy_to(staged);
            maps[p].apply_in_place(staged);
            out.subarray(start, end).copy_from(staged);
        }
        Ok(out)
    })
}

/// Judge an image file before the browser decodes it: the size, the
/// format, the width and height read from the header (within the limits),
/// and that the file is complete (see `filecheck`). Returns
/// `{ format: 'png'|'jpeg'|'gif'|'bmp'|'webp', width, height }` (the
/// header's size, before EXIF rotation). Throws an `Error` naming the file
/// and the reason.
///
/// The wasm module carries no image decoder: decode a file that passed with
/// the browser (`createImageBitmap`) and add its pixels with
/// `Session.addRgba`, as `www/js/imagefile.js` does.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image(name: &str, bytes: &Uint8Array) -> Result<Object, JsError> {
    let info = crate::filecheck::check_file(&bytes.to_vec(), &crate::tensor::LoadLimits::default())
        .map_err(|e| js_err(e.context(name)))?;
    let format = match info.format {
        image::ImageFormat::Png => "png",
        image::ImageFormat::Jpeg => "jpeg",
        image::ImageFormat::Gif => "gif",
        image::ImageFormat::Bmp => "bmp",
        _ => "webp",
    };
    let obj = Object::new();
    for (k, v) in [
        ("format", JsValue::from_str(format)),
        ("width", JsValue::from(info.width)),
        ("height", JsValue::from(info.height)),
    ] {
        Reflect::set(&obj, &JsValue::from_str(k), &v)
            .map_err(|_| bad("internal error: cannot build result"))?;
    }
    Ok(obj)
}

/// The names of the normalization kinds, in display order.
#[wasm_bindgen(js_name = normKinds)]
pub fn norm_kinds() -> Array {
    NormKind::ALL
        .iter()
        .map(|k| JsValue::from_str(k.name()))
        .collect()
}

fn parse_row(row: &str) -> Result<Row, JsError> {
    match row {
        "original" => Ok(Row::Original),
        "adjusted" => Ok(Row::Adjusted),
        _ => Err(bad(format!(
            "row must be 'original' or 'adjusted' (got {row:?})"
        ))),
    }
}

/// A live batch owned by wasm memory: the page's handle to the core.
#[wasm_bindgen]
pub struct Session {
    inner: session::Session,
}

#[wasm_bindgen]
impl Session {
    /// An empty batch working at `size`×`size` pixels (16 to 1024).
    #[wasm_bindgen(constructor)]
    pub fn new(size: u32) -> Result<Session, JsError> {
        Ok(Session {
            inner: session::Session::new(size).map_err(js_err)?,
        })
    }

    /// Number of images.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Changes whenever anything but the probe's own adjustment changes
    /// (see the core's `Session::version`).
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> f64 {
        self.inner.version() as f64
    }

    /// Working resolution S (images are S×S).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.inner.size()
    }

    /// Change the working resolution.
    #[wasm_bindgen(js_name = setSize)]
    pub fn set_size(&mut self, size: u32) -> Result<(), JsError> {
        self.inner.set_size(size).map_err(js_err)
    }

    /// Name of image `index`.
    pub fn name(&self, index: usize) -> Result<String, JsError> {
        self.inner.name(index).map(str::to_string).map_err(js_err)
    }

    /// Add browser-decoded RGBA8 pixels (e.g. from `getImageData`); returns its index.
    #[wasm_bindgen(js_name = addRgba)]
    pub fn add_rgba(
        &mut self,
        name: &str,
        rgba: &Uint8ClampedArray,
        width: u32,
        height: u32,
    ) -> Result<usize, JsError> {
        self.inner
            .add_rgba(name, &rgba.to_vec(), width, height)
            .map_err(js_err)
    }

    /// Remove image `index`.
    pub fn remove(&mut self, index: usize) -> Result<(), JsError> {
        self.inner.remove(index).map_err(js_err)
    }

    /// Move image `from` to position `to`.
    #[wasm_bindgen(js_name = moveImage)]
    pub fn move_image(&mut self, from: usize, to: usize) -> Result<(), JsError> {
        self.inner.move_image(from, to).map_err(js_err)
    }

    /// The probe's index.
    #[wasm_bindgen(getter)]
    pub fn probe(&self) -> usize {
        self.inner.probe()
    }

    /// Choose the probe image.
    #[wasm_bindgen(js_name = setProbe)]
    pub fn set_probe(&mut self, index: usize) -> Result<(), JsError> {
        self.inner.set_probe(index).map_err(js_err)
    }

    /// Set image `index`'s adjustment: contrast a > 0, brightness b, gamma > 0, clip.
    #[wasm_bindgen(js_name = setAdjustment)]
    pub fn set_adjustment(
        &mut self,
        index: usize,
        contrast: f32,
        brightness: f32,
        gamma: f32,
        clip: bool,
    ) -> Result<(), JsError> {
        let adj = Adjustment {
            contrast,
            brightness,
            gamma,
            clip,
        };
        self.inner.set_adjustment(index, adj).map_err(js_err)
    }

    /// Image `index`'s adjustment as `{ contrast, brightness, gamma, clip }`.
    pub fn adjustment(&self, index: usize) -> Result<JsValue, JsError> {
        to_js(&self.inner.adjustment(index).map_err(js_err)?)
    }

    /// Channels that get normalized: 3 (RGB) or 6 in feature-map mode.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> usize {
        self.inner.channels()
    }

    /// Normalize the outputs of a fixed 3×3 filter bank (edges, spots, blur)
    /// instead of raw RGB. Resets the running statistics.
    #[wasm_bindgen(js_name = setFeatureMaps)]
    pub fn set_feature_maps(&mut self, on: bool) {
        self.inner.set_feature_maps(on);
    }

    /// The filter bank's names, in channel order.
    #[wasm_bindgen(js_name = featureNames)]
    pub fn feature_names() -> Array {
        crate::features::FILTERS
            .iter()
            .map(|(name, _)| JsValue::from_str(name))
            .collect()
    }

    /// Set the group count (must divide the channel count), ρ and eps.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, groups: usize, rho: f64, eps: f64) -> Result<(), JsError> {
        self.inner
            .set_params(Params { groups, rho, eps })
            .map_err(js_err)
    }

    /// `{ groups, rho, eps }`.
    pub fn params(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.params())
    }

    /// Batch norm mode: `'train'` (batch statistics) or `'eval'` (running statistics).
    #[wasm_bindgen(js_name = setBnMode)]
    pub fn set_bn_mode(&mut self, mode: &str) -> Result<(), JsError> {
        let m = match mode {
            "train" => BnMode::Train,
            "eval" => BnMode::Eval,
            _ => {
                return Err(bad(format!(
                    "batch-norm mode must be 'train' or 'eval' (got {mode:?})"
                )))
            }
        };
        self.inner.set_bn_mode(m);
        Ok(())
    }

    /// Run training steps on random batches drawn from the tray.
    pub fn train(&mut self, steps: u32, batch_size: usize, seed: f64) -> Result<(), JsError> {
        self.inner
            .train(steps, batch_size, seed as u64)
            .map_err(js_err)
    }

    /// Reset running statistics to mean 0, variance 1.
    #[wasm_bindgen(js_name = resetRunning)]
    pub fn reset_running(&mut self) {
        self.inner.reset_running();
    }

    /// Set the running statistics' momentum (0 < m ≤ 1).
    #[wasm_bindgen(js_name = setMomentum)]
    pub fn set_momentum(&mut self, momentum: f64) -> Result<(), JsError> {
        self.inner.set_momentum(momentum).map_err(js_err)
    }

    /// `{ mean: [..], var: [..], momentum, steps }`.
    pub fn running(&self) -> Result<JsValue, JsError> {
        to_js(self.inner.running())
    }

    /// Recompute what is stale (cheap after a probe slider move).
    pub fn compute(&mut self) -> Result<(), JsError> {
        self.inner.compute().map_err(js_err)
    }

    /// As `compute`, for the named kinds only, comma-separated (e.g.
    /// `'batch,instance'`, the ones on screen); `readout` then lists those.
    #[wasm_bindgen(js_name = computeKinds)]
    pub fn compute_kinds(&mut self, kinds: &str) -> Result<(), JsError> {
        let mut list = Vec::new();
        for name in kinds.split(',').filter(|k| !k.is_empty()) {
            list.push(name.parse::<NormKind>().map_err(js_err)?);
        }
        self.inner.compute_kinds(&list).map_err(js_err)
    }

    /// Statistics and invariance figures for every computed kind, as a plain object.
    pub fn readout(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.readout().map_err(js_err)?)
    }

    /// Per kind, how much the probe's output changes when its neighbours are
    /// re-contrasted at random: `{ batch: { max_abs, rms }, instance: ... }`.
    #[wasm_bindgen(js_name = neighbourSensitivity)]
    pub fn neighbour_sensitivity(&self, seed: f64) -> Result<JsValue, JsError> {
        let figures = self
            .inner
            .neighbour_sensitivity(seed as u64)
            .map_err(js_err)?;
        kind_figures(figures)
    }

    /// `{ mean, var, count }` that plane (`image`, `channel`) is normalized
    /// with under `kind` ('batch', 'instance', 'layer' or 'group'), original row.
    #[wasm_bindgen(js_name = scopeStats)]
    pub fn scope_stats(
        &self,
        kind: &str,
        image: usize,
        channel: usize,
    ) -> Result<JsValue, JsError> {
        let kind: NormKind = kind.parse().map_err(js_err)?;
        to_js(
            &self
                .inner
                .scope_stats(kind, image, channel)
                .map_err(js_err)?,
        )
    }

    /// One input value of the original row: image, channel, pixel row `y`,
    /// column `x` (other images with their adjustment, the probe raw).
    #[wasm_bindgen(js_name = inputValue)]
    pub fn input_value(
        &self,
        image: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Result<f32, JsError> {
        self.inner.input_value(image, channel, y, x).map_err(js_err)
    }

    /// That value normalized under `kind` (original row); for the probe it
    /// equals the value shown in its output panel.
    #[wasm_bindgen(js_name = outputValue)]
    pub fn output_value(
        &self,
        kind: &str,
        image: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Result<f32, JsError> {
        let kind: NormKind = kind.parse().map_err(js_err)?;
        self.inner
            .output_value(kind, image, channel, y, x)
            .map_err(js_err)
    }

    /// Per image, the mean of each channel of its normalized output under
    /// `kind` (original row): `[[r, g, b], ...]`.
    #[wasm_bindgen(js_name = outputMeans)]
    pub fn output_means(&self, kind: &str) -> Result<JsValue, JsError> {
        let kind: NormKind = kind.parse().map_err(js_err)?;
        to_js(&self.inner.output_means(kind).map_err(js_err)?)
    }

    /// Remember the probe's current outputs, for `changeSincePin`.
    #[wasm_bindgen(js_name = pinProbe)]
    pub fn pin_probe(&mut self) -> Result<(), JsError> {
        self.inner.pin_probe().map_err(js_err)
    }

    /// Per kind, how much the probe's output moved since `pinProbe`:
    /// `{ batch: { max_abs, rms }, instance: ... }`.
    #[wasm_bindgen(js_name = changeSincePin)]
    pub fn change_since_pin(&mut self) -> Result<JsValue, JsError> {
        let figures = self.inner.change_since_pin().map_err(js_err)?;
        kind_figures(figures)
    }

    /// RGBA8 pixels of one panel as a view of wasm memory. Use it at once
    /// (e.g. `new ImageData(view, size, size)`); any later call into wasm may
    /// invalidate it. `row`: 'original' | 'adjusted'; `column`: 'input', a
    /// kind name, or 'diff-<kind>'.
    #[wasm_bindgen(js_name = panelPixels)]
    pub fn panel_pixels(&mut self, row: &str, column: &str) -> Result<Uint8ClampedArray, JsError> {
        let row = parse_row(row)?;
        let column = Column::parse(column).map_err(js_err)?;
        let px = self.inner.panel_rgba(row, column).map_err(js_err)?;
        view_u8(px)
    }

    /// RGBA8 pixels of image `index`'s input (for the tray), as a short-lived view.
    #[wasm_bindgen(js_name = inputPixels)]
    pub fn input_pixels(&mut self, index: usize) -> Result<Uint8ClampedArray, JsError> {
        let px = self.inner.input_rgba(index).map_err(js_err)?;
        view_u8(px)
    }

    /// Per-channel histograms of one panel as plain objects.
    pub fn histograms(&self, row: &str, column: &str, bins: usize) -> Result<JsValue, JsError> {
        let row = parse_row(row)?;
        let column = Column::parse(column).map_err(js_err)?;
        to_js(
            &self
                .inner
                .panel_histograms(row, column, bins)
                .map_err(js_err)?,
        )
    }

    /// Draw one panel's per-channel histograms into `canvas` (plotters-canvas,
    /// the same chart code the CLI uses for SVG/PNG), clearing it first.
    ///
    /// Returns a fingerprint of what was drawn. Given the fingerprint of
    /// the canvas's last drawing as `drawn`, it leaves the canvas alone when
    /// the picture would be the same.
    #[wasm_bindgen(js_name = drawHistogram)]
    pub fn draw_histogram(
        &self,
        canvas: HtmlCanvasElement,
        row: &str,
        column: &str,
        bins: usize,
        title: &str,
        drawn: Option<f64>,
    ) -> Result<f64, JsError> {
        let row = parse_row(row)?;
        let column = Column::parse(column).map_err(js_err)?;
        let hists = self
            .inner
            .panel_histograms(row, column, bins)
            .map_err(js_err)?;
        // The moments `compute` measured: no second pass over the values.
        let moments = self.inner.panel_moments(row, column).map_err(js_err)?;
        let size = (canvas.width(), canvas.height());
        let key = crate::chart::histograms_fingerprint(&hists, Some(moments), title, size) as f64;
        if drawn == Some(key) {
            return Ok(key);
        }
        let backend = CspCanvas::new(canvas)?;
        // The chart paints no background of its own.
        backend
            .context
            .clear_rect(0.0, 0.0, size.0 as f64, size.1 as f64);
        let area = backend.into_drawing_area();
        crate::chart::draw_histograms(&area, &hists, Some(moments), title).map_err(js_err)?;
        Ok(key)
    }

    /// Draw the running mean/variance convergence chart into `canvas`.
    #[wasm_bindgen(js_name = drawRunning)]
    pub fn draw_running(&self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
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
        crate::chart::draw_running_stats(&area, history, "Batch-norm running statistics")
            .map_err(js_err)
    }
}

/// `{ batch: { max_abs, rms, unchanged }, instance: ... }` from per-kind figures.
fn kind_figures(figures: Vec<(NormKind, crate::stats::Difference)>) -> Result<JsValue, JsError> {
    /// A difference with the core's verdict, so the page never re-judges it.
    #[derive(Serialize)]
    struct Judged {
        max_abs: f64,
        rms: f64,
        unchanged: bool,
    }
    let obj = Object::new();
    for (kind, d) in figures {
        let judged = Judged {
            max_abs: d.max_abs,
            rms: d.rms,
            unchanged: crate::explain::is_unchanged(&d),
        };
        Reflect::set(&obj, &JsValue::from_str(kind.name()), &to_js(&judged)?)
            .map_err(|_| bad("internal error: cannot build result"))?;
    }
    Ok(obj.into())
}

/// A view of wasm memory as a `Uint8ClampedArray`, without a copy.
///
/// Built from the memory's buffer, offset and length (js-sys's
/// `Uint8ClampedArray::view` hands back a plain `Uint8Array`, which
/// `ImageData` refuses). The view stays valid until memory grows, which only
/// a later call into wasm can do; after that it is detached, never dangling.
fn view_u8(bytes: &[u8]) -> Result<Uint8ClampedArray, JsError> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory()
        .dyn_into()
        .map_err(|_| bad("internal error: wasm memory is not a WebAssembly.Memory"))?;
    Ok(Uint8ClampedArray::new_with_byte_offset_and_length(
        &memory.buffer(),
        bytes.as_ptr() as u32,
        bytes.len() as u32,
    ))
}

/// How well one threshold on one number per image separates two classes:
/// `separability(values: Float64Array, labels: Uint8Array) → { accuracy,
/// correct, count, chance, threshold (undefined if none helps), class1_above,
/// margin, fisher, mean0, mean1 }`. See [`crate::classify::separability`].
///
/// Throws an `Error` for mismatched lengths, no values, labels other than
/// 0/1, non-finite values, or a single class.
#[wasm_bindgen]
pub fn separability(values: &[f64], labels: &[u8]) -> Result<JsValue, JsError> {
    to_js(&crate::classify::separability(values, labels).map_err(js_err)?)
}

/// The size of this module's linear memory in bytes (`memory.buffer.byteLength`).
///
/// Memory only ever grows; the page tests read it to show that moving
/// sliders and adding/removing images does not leak.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| f64::from(js_sys::ArrayBuffer::from(m.buffer()).byte_length()))
        .unwrap_or(0.0)
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
type DrawResult<T> = Result<T, plotters_backend::DrawingErrorKind<CanvasErr>>;

impl DrawingBackend for CspCanvas {
    type ErrorType = CanvasErr;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> DrawResult<()> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> DrawResult<()> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: plotters_backend::BackendCoord,
        color: plotters_backend::BackendColor,
    ) -> DrawResult<()> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: plotters_backend::BackendCoord,
        to: plotters_backend::BackendCoord,
        style: &S,
    ) -> DrawResult<()> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: plotters_backend::BackendCoord,
        bottom_right: plotters_backend::BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult<()> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult<()> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: plotters_backend::BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult<()> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<
        S: plotters_backend::BackendStyle,
        I: IntoIterator<Item = plotters_backend::BackendCoord>,
    >(
        &mut self,
        vert: I,
        style: &S,
    ) -> DrawResult<()> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: plotters_backend::BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: plotters_backend::BackendCoord,
    ) -> DrawResult<()> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: plotters_backend::BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> DrawResult<(u32, u32)> {
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
    fn blit_bitmap(
        &mut self,
        pos: plotters_backend::BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> DrawResult<()> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
