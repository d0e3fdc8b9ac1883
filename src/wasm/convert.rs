//! Turning core values and errors into JS ones, and reading JS options.

#[cfg(feature = "page")]
use js_sys::{Reflect, Uint8ClampedArray};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;

/// The core's error as a JS `Error` with the core's message.
pub(super) fn js_err(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// A JS `Error` with this message.
pub(super) fn bad(msg: impl Into<String>) -> JsError {
    JsError::new(&msg.into())
}

/// Serialize a core value into a plain JS object (maps as objects).
pub(super) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&ser)
        .map_err(|e| bad(format!("internal error: {e}")))
}

/// Field `key` of an options object.
#[cfg(feature = "page")]
pub(super) fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsError> {
    Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| bad(format!("cannot read options.{key}")))
}

/// An optional finite number field of an options object.
#[cfg(feature = "page")]
pub(super) fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, JsError> {
    let v = get(obj, key)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(bad(format!("options.{key} must be a finite number"))),
    }
}

/// A view of wasm memory as a `Uint8ClampedArray`, without a copy.
///
/// Built from the memory's buffer, offset and length (js-sys's
/// `Uint8ClampedArray::view` hands back a plain `Uint8Array`, which
/// `ImageData` refuses). The view stays valid until memory grows, which only
/// a later call into wasm can do; after that it is detached, never dangling.
#[cfg(feature = "page")]
pub(super) fn view_u8(bytes: &[u8]) -> Result<Uint8ClampedArray, JsError> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory()
        .dyn_into()
        .map_err(|_| bad("internal error: wasm memory is not a WebAssembly.Memory"))?;
    Ok(Uint8ClampedArray::new_with_byte_offset_and_length(
        &memory.buffer(),
        bytes.as_ptr() as u32,
        bytes.len() as u32,
    ))
}
