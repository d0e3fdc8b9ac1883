//! The lab's conclusion sentences for JS: [`lab_conclusions`] reads the
//! runs a panel has on screen (a lab file as a plain object) and the
//! panel's settings, and returns the sentences
//! [`crate::lab::findings::conclusions`] computes, the same ones
//! `normscope lab` prints.
//!
//! ```js
//! const sentences = labConclusions('race', { runs: [{ record }, …] }, { task: 'what' });
//! ```

use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err};
use crate::lab::findings::{conclusions, LabFile, Settings};

/// The sentences under `experiment`'s panel. `labFile`: `{ runs: [{ record,
/// lighting?, probes?, train_accuracy? }] }` (extra fields are ignored);
/// `settings`: the panel's settings, or undefined for its defaults.
///
/// # Errors
/// A JS `Error` naming the experiment or field that is wrong.
#[wasm_bindgen(js_name = labConclusions)]
pub fn lab_conclusions(
    experiment: &str,
    lab_file: JsValue,
    settings: JsValue,
) -> Result<Vec<String>, JsError> {
    let file: LabFile = serde_wasm_bindgen::from_value(lab_file).map_err(|e| {
        bad(format!(
            "the runs for the {experiment} sentences are not a lab file: {e}"
        ))
    })?;
    let settings: Settings = if settings.is_undefined() || settings.is_null() {
        Settings::default()
    } else {
        serde_wasm_bindgen::from_value(settings)
            .map_err(|e| bad(format!("the {experiment} panel's settings: {e}")))?
    };
    conclusions(experiment, &file, &settings).map_err(js_err)
}
