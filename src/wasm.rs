//! The browser skin: the only module that knows wasm-bindgen, js-sys and
//! web-sys. Everything here converts JS values, calls the core, and turns
//! [`crate::Error`] into a JS `Error` with the core's message.
//!
//! Big data stays in wasm memory: the [`Session`] owns the batch, and pixel
//! reads return short-lived views of wasm memory (valid until the next call
//! into wasm, which may grow memory and detach them).
//!
//! One file per concern in `src/wasm/`: `normalize.rs` (streaming
//! `normalize()`), `filecheck.rs` (`checkImage()`), `session.rs` (the
//! `Session` handle), `canvas.rs` (drawing on a canvas), `names.rs` (the
//! string enums for rows, columns, kinds and modes), `classify.rs`,
//! `info.rs` (kinds, limits, memory), `convert.rs` (errors and values),
//! `trainer.rs` (the training engine's `Trainer` handle) and
//! `conclusions.rs` (the lab's sentences, beside the engine they describe).

mod canvas;
mod classify;
mod convert;
mod filecheck;
mod info;
mod names;
mod normalize;
mod session;

pub use classify::separability;
pub use filecheck::check_image;
pub use info::{limits, norm_kinds, wasm_memory_bytes};
pub use names::{BnMode, Column, Kind, Row};
pub use normalize::normalize;
pub use session::Session;

mod conclusions;
mod matmul;
mod trainer;

pub use conclusions::lab_conclusions;
pub use matmul::matmul;
pub use trainer::{task_photo_files, Trainer};

#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}
