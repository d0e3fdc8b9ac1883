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
//! `trainer.rs` (the training engine's `Trainer` handle), `photos.rs`
//! (the reader's own photo task for it), `matmul.rs` (the
//! engine's matrix multiply, for the benchmark) and `conclusions.rs` (the
//! lab's sentences, beside the engine they describe).
//!
//! Two cargo features pick the exports, so the browser gets two modules
//! (`cargo xtask build`): `page` (everything above but the engine's; the
//! page's first load) and `engine` (the trainer and what the lab computes
//! beside it; fetched when the lab is near). `info.rs` and `convert.rs` serve
//! both.

mod convert;
mod info;

#[cfg(feature = "page")]
mod canvas;
#[cfg(feature = "page")]
mod classify;
#[cfg(feature = "page")]
mod filecheck;
#[cfg(feature = "page")]
mod names;
#[cfg(feature = "page")]
mod normalize;
#[cfg(feature = "page")]
mod session;

#[cfg(feature = "page")]
pub use classify::separability;
#[cfg(feature = "page")]
pub use filecheck::check_image;
pub use info::{limits, norm_kinds, wasm_memory_bytes};
#[cfg(feature = "page")]
pub use names::{BnMode, Column, Kind, Row};
#[cfg(feature = "page")]
pub use normalize::normalize;
#[cfg(feature = "page")]
pub use session::Session;

#[cfg(feature = "engine")]
mod conclusions;
#[cfg(feature = "engine")]
mod matmul;
#[cfg(feature = "engine")]
mod photos;
#[cfg(feature = "engine")]
mod trainer;

#[cfg(feature = "engine")]
pub use conclusions::lab_conclusions;
#[cfg(feature = "engine")]
pub use matmul::matmul;
#[cfg(feature = "engine")]
pub use photos::{check_photo_task, is_photo_name_js, photo_task_limits, prepare_photo};
#[cfg(feature = "engine")]
pub use trainer::{task_photo_files, Trainer};

#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}
