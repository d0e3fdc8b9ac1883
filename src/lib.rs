//! normscope: see on real photographs why instance normalization ignores
//! contrast and batch normalization does not.
//!
//! A pure-Rust core (this crate, built and tested natively) with two thin
//! skins: the browser API in [`wasm`] (wasm32 only) and the `normscope`
//! command-line tool in `src/bin/`.
//!
//! ```text
//!  PNG/JPEG/... bytes ─┐                        ┌─> display  ─> RGBA8 panels
//!  browser RGBA ───────┼─> tensor ─> adjust ─> norm ─┼─> stats    ─> moments, histograms,
//!  .npy (native) ──────┘  (Batch:   (contrast, (kind, │              invariance figures
//!                          N×C×H×W   gamma,     eps,  └─> chart    ─> plotters: canvas,
//!                          f32)      clip)      γ/β)                  SVG, PNG
//! ```
//!
//! Modules, one concern each: [`error`] (whose fault), [`tensor`] (loading
//! and limits), [`filecheck`] (judging an image file from its header and
//! structure, for the page, where the browser decodes), [`adjust`]
//! (contrast transforms), [`norm`] (the kinds and
//! batch-norm running state), [`stats`] (stable moments, histograms,
//! figures), [`display`] (fixed value → pixel mapping), [`features`] (the
//! fixed filter bank of feature-map mode), [`chart`] (plotters drawing,
//! generic over the backend), [`explain`] (the CLI's figure and report),
//! [`session`] (the page's live batch, plain Rust), [`lanes`] (four-lane
//! SIMD for the hot loops).

pub mod adjust;
pub mod chart;
pub mod classify;
pub mod display;
pub mod error;
pub mod explain;
pub mod features;
pub mod filecheck;
pub mod lanes;
pub mod nn;
pub mod norm;
pub mod session;
pub mod stats;
pub mod tensor;

#[cfg(not(target_arch = "wasm32"))]
pub mod npy;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use adjust::Adjustment;
pub use error::{Error, Result};
pub use norm::{normalize, normalize_into, NormConfig, NormKind, RunningStats};
