//! normscope: see on real photographs why instance normalization ignores
//! contrast and batch normalization does not.
//!
//! A pure-Rust core (this crate, built and tested natively) with two thin
//! skins: the browser API in `wasm` (wasm32 only) and the `normscope`
//! command-line tool in `src/bin/`.
//!
//! ```text
//!  image file ─> file (limits, sniff, check: one judge for both doors)
//!                 ├─ CLI: file::decode_image ─┐
//!                 └─ page: the browser decodes ┼─> tensor ─> Batch N×C×H×W f32
//!  .npy (native) ─> npy ──────────────────────┘        │
//!                                                      ├─> adjust (contrast, gamma, clip)
//!                                                      ├─> norm (kind, eps, γ/β; running stats)
//!                                                      │     └─ stats (moments, histograms,
//!                                                      │              differences)
//!                                                      ├─> experiment (change the batch, measure
//!                                                      │     the probe's output: invariance,
//!                                                      │     neighbours, is_unchanged)
//!                                                      ├─> display ─> RGBA8 panels
//!                                                      └─> chart / explain ─> canvas, SVG, PNG
//!  session: the page's live batch over all of the above, one cache filled by its readers
//!  wasm: the browser's handle to session, normalize() and checkImage()
//! ```
//!
//! Modules, one concern each, lower ones never importing higher ones:
//! [`error`] (whose fault), [`file`](mod@file) (limits, what a file is, the structure
//! check, native decoding), [`tensor`] (a decoded image to f32 planes),
//! [`adjust`] (contrast transforms), [`stats`] (stable moments, histograms,
//! differences; depends on nothing above it), [`norm`] (the one
//! normalization core: the kinds, scopes, moments, maps, forward and
//! backward, batch-norm running state; the page and the network's norm
//! layer both use it), [`experiment`] (invariance and
//! neighbour figures, the seeded re-contrast), [`display`] (fixed value →
//! pixel mapping), [`features`] (the fixed filter bank of feature-map
//! mode), [`chart`] (plotters drawing, generic over the backend),
//! [`explain`] (the CLI's report and figure), [`session`] (the page's live
//! batch, plain Rust), [`classify`] (one-threshold separability),
//! [`lanes`] (four-lane SIMD for the hot loops).

pub mod adjust;
pub mod chart;
pub mod classify;
pub mod display;
pub mod error;
pub mod experiment;
pub mod explain;
pub mod features;
pub mod file;
pub mod lab;
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
