//! The training engine: small convolutional networks with every kind of
//! normalization, forward and backward, the same bytes natively and in wasm.
//!
//! ```text
//! data (photos → patches) ─> Trainer ─┬─ Network: 3 × [conv3×3 → NormLayer → ReLU → maxpool] → GAP → linear
//!                                     ├─ softmax cross-entropy (loss)
//!                                     ├─ Sgd (momentum, weight decay) + cosine schedule
//!                                     └─> RunRecord (loss curve, test accuracy, shifts, ρ, running stats)
//! ```
//!
//! Written in llm.c's style: every layer is a small struct with a paired
//! `forward` (which keeps what the backward needs) and `backward` (which
//! accumulates the parameter gradients and returns the input gradient),
//! buffers allocated once ([`layer::Layer`]). No autograd, no hidden graph.
//!
//! Determinism: one seeded generator per run ([`rng::Rng`]), passed down;
//! every sum in a fixed order; multiply and add never fused; `exp`, `log`,
//! `cos`, `pow` from `libm` (the same code on every target); the SIMD
//! lanes ([`crate::lanes`]) compute lane by lane what scalar code would.
//!
//! For the page and other skins (the interface agreed in ENGINE_API.md,
//! with these details): the page fetches `tasks/NAME.rgb` (served from `assets/tasks/`) for each
//! name in [`data::TASK_PHOTOS`] (192×192 raw RGB8) and passes
//! `Photo::from_rgb(name, 192, 192, bytes)` in that order to
//! [`Dataset::build`]; [`Trainer::step`] reports divergence as
//! [`crate::Error::BadInput`] with the message "diverged at step k: lower
//! the learning rate" (also in [`Trainer::diverged`] and the record's
//! `diverged`); [`RunRecord`] also carries `classes`, and each
//! [`RunningRecord`] the `channels` it covers (ibn's block 1 has running
//! statistics for its second half only); `shift` is filled after the last
//! step; [`Trainer::evaluate`] returns 0 for images that are not N×3×32×32.
//!
//! The reader's own photos: [`classes`] cuts a task from 2–6 named classes
//! of photos of any size ([`Dataset::from_classes`], task `photos`) by the
//! bundled tasks' rule; [`folders`] reads them from one folder per class
//! (`normscope train --task-dir`, natively).

pub mod classes;
pub mod config;
pub mod conv;
pub mod curves;
pub mod data;
#[cfg(not(target_arch = "wasm32"))]
pub mod folders;
pub mod gap;
pub mod layer;
pub mod linear;
pub mod loss;
pub mod matmul;
pub mod neighbours;
pub mod network;
pub mod norm_layer;
pub mod optim;
pub mod pool;
pub mod probe;
pub mod relu;
pub mod rng;
pub mod schedule;
pub mod train;

pub use crate::norm::NormKind;
pub use classes::PhotoClass;
pub use data::{shift, Dataset, Photo, Task};
pub use train::{
    CurvePoint, Diverged, RunRecord, RunningRecord, ShiftPoint, StepInfo, TrainConfig, Trainer,
};
