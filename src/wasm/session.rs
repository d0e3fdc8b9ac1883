//! `Session`: the page's handle to the core's live batch (see
//! [`crate::session`]), which stays in wasm memory. Drawing on a canvas is
//! in `canvas.rs`, a second `impl` block of the same handle.

use js_sys::{Array, Object, Reflect, Uint8ClampedArray};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err, to_js, view_u8};
use super::names::{parse_kinds, BnMode, Column, Kind, Row};
use crate::adjust::Adjustment;
use crate::experiment::is_unchanged;
use crate::norm::NormKind;
use crate::session::{self, Params};
use crate::stats::Difference;

/// A live batch owned by wasm memory: the page's handle to the core.
#[wasm_bindgen]
pub struct Session {
    pub(super) inner: session::Session,
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

    /// The photo image `index` was added from, as kept (shorter side at
    /// most 1024 px): `{ width, height, rgb: Uint8Array }` (a copy).
    #[wasm_bindgen(js_name = sourceRgb)]
    pub fn source_rgb(&self, index: usize) -> Result<Object, JsError> {
        let (width, height, rgb) = self.inner.source_rgb(index).map_err(js_err)?;
        let o = Object::new();
        for (k, v) in [
            ("width", JsValue::from(width)),
            ("height", JsValue::from(height)),
            ("rgb", js_sys::Uint8Array::from(rgb.as_slice()).into()),
        ] {
            Reflect::set(&o, &JsValue::from_str(k), &v)
                .map_err(|_| bad("internal error: cannot build result"))?;
        }
        Ok(o)
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
    pub fn set_bn_mode(&mut self, mode: BnMode) -> Result<(), JsError> {
        self.inner.set_bn_mode(mode.core()?);
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

    /// Compute what is stale ahead of the readers (cheap after a probe
    /// slider move). Optional: every reader fills what it needs.
    pub fn compute(&mut self) -> Result<(), JsError> {
        self.inner.compute().map_err(js_err)
    }

    /// As `compute`, for the named kinds only, comma-separated (e.g.
    /// `'batch,instance'`, the ones on screen); `readout` then lists those.
    #[wasm_bindgen(js_name = computeKinds)]
    pub fn compute_kinds(&mut self, kinds: &str) -> Result<(), JsError> {
        self.inner
            .compute_kinds(&parse_kinds(kinds)?)
            .map_err(js_err)
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
        kind: Kind,
        image: usize,
        channel: usize,
    ) -> Result<JsValue, JsError> {
        to_js(
            &self
                .inner
                .scope_stats(kind.core()?, image, channel)
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
        kind: Kind,
        image: usize,
        channel: usize,
        y: usize,
        x: usize,
    ) -> Result<f32, JsError> {
        self.inner
            .output_value(kind.core()?, image, channel, y, x)
            .map_err(js_err)
    }

    /// Per image, the mean of each channel of its normalized output under
    /// `kind` (original row): `[[r, g, b], ...]`.
    #[wasm_bindgen(js_name = outputMeans)]
    pub fn output_means(&self, kind: Kind) -> Result<JsValue, JsError> {
        to_js(&self.inner.output_means(kind.core()?).map_err(js_err)?)
    }

    /// Remember the probe's current outputs, for `changeSincePin`.
    #[wasm_bindgen(js_name = pinProbe)]
    pub fn pin_probe(&mut self) -> Result<(), JsError> {
        self.inner.pin_probe().map_err(js_err)
    }

    /// Per kind, how much the probe's output moved since `pinProbe`:
    /// `{ batch: { max_abs, rms }, instance: ... }`.
    #[wasm_bindgen(js_name = changeSincePin)]
    pub fn change_since_pin(&self) -> Result<JsValue, JsError> {
        let figures = self.inner.change_since_pin().map_err(js_err)?;
        kind_figures(figures)
    }

    /// RGBA8 pixels of one panel as a view of wasm memory. Use it at once
    /// (e.g. `new ImageData(view, size, size)`); any later call into wasm may
    /// invalidate it. `row`: 'original' | 'adjusted'; `column`: 'input', a
    /// kind name, or 'diff-<kind>'.
    #[wasm_bindgen(js_name = panelPixels)]
    pub fn panel_pixels(&mut self, row: Row, column: Column) -> Result<Uint8ClampedArray, JsError> {
        let px = self
            .inner
            .panel_rgba(row.core()?, column.core()?)
            .map_err(js_err)?;
        view_u8(px)
    }

    /// RGBA8 pixels of image `index`'s input (for the tray), as a short-lived view.
    #[wasm_bindgen(js_name = inputPixels)]
    pub fn input_pixels(&mut self, index: usize) -> Result<Uint8ClampedArray, JsError> {
        let px = self.inner.input_rgba(index).map_err(js_err)?;
        view_u8(px)
    }

    /// Per-channel histograms of one panel as plain objects.
    pub fn histograms(&self, row: Row, column: Column, bins: usize) -> Result<JsValue, JsError> {
        to_js(
            &self
                .inner
                .panel_histograms(row.core()?, column.core()?, bins)
                .map_err(js_err)?,
        )
    }
}

/// `{ batch: { max_abs, rms, unchanged }, instance: ... }` from per-kind figures.
fn kind_figures(figures: Vec<(NormKind, Difference)>) -> Result<JsValue, JsError> {
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
            unchanged: is_unchanged(&d),
        };
        Reflect::set(&obj, &JsValue::from_str(kind.name()), &to_js(&judged)?)
            .map_err(|_| bad("internal error: cannot build result"))?;
    }
    Ok(obj.into())
}
