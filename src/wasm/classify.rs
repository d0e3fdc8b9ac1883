//! `separability()`: the classroom's one-threshold classifier (see
//! [`crate::classify`]).

use wasm_bindgen::prelude::*;

use super::convert::{js_err, to_js};

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
