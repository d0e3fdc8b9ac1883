//! What the module says about itself: the kinds' names, the limits the
//! core enforces, and its memory size.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::norm::NormKind;

/// The names of the normalization kinds, in display order.
#[wasm_bindgen(js_name = normKinds)]
pub fn norm_kinds() -> Array {
    NormKind::PAGE
        .iter()
        .map(|k| JsValue::from_str(k.name()))
        .collect()
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

/// The limits the core enforces, for the page to check before it reads a
/// file or builds a batch (the page writes none of them itself).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Limits {
    /// Images a batch holds at most.
    max_images: usize,
    /// Largest image file, in bytes.
    max_file_bytes: u64,
    /// Largest width or height of an image, in pixels.
    max_side: u32,
    /// The shorter side a session keeps of a photo (and the largest working size).
    keep_short_side: u32,
    /// Smallest working size.
    min_size: u32,
}

/// `{ maxImages, maxFileBytes, maxSide, keepShortSide, minSize }`: the
/// core's limits.
#[wasm_bindgen]
pub fn limits() -> Result<JsValue, JsError> {
    let load = crate::file::LoadLimits::default();
    super::convert::to_js(&Limits {
        max_images: crate::session::MAX_IMAGES,
        max_file_bytes: load.max_file_bytes,
        max_side: load.max_side,
        keep_short_side: crate::session::MAX_SIZE,
        min_size: crate::session::MIN_SIZE,
    })
}
