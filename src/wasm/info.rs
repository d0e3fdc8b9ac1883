//! What the module says about itself: the kinds' names and its memory size.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::norm::NormKind;

/// The names of the normalization kinds, in display order.
#[wasm_bindgen(js_name = normKinds)]
pub fn norm_kinds() -> Array {
    NormKind::ALL
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
