//! The lab's experiments over several seeds: the vocabulary they share
//! with the page ([`vocabulary`]), what each experiment trains
//! ([`experiment`]), the recorded file ([`file`]), its chart ([`chart`]),
//! the recorder behind `normscope lab` ([`runner`], native), and the
//! results: the spread of a figure over seeds ([`spread`]) and the
//! conclusion sentences computed from a recorded or live lab file
//! ([`findings`]). Plain Rust, shared by the CLI and the page.
//!
//! ```text
//! vocabulary (the one table) ─> experiment::Plan (arms) ─> runner::record (arms × seeds 1..=N)
//!                                                               └─> file::LabFile ─> chart, findings
//! ```

pub mod chart;
pub mod experiment;
pub mod file;
pub mod findings;
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
pub mod spread;
pub mod vocabulary;

pub use spread::Spread;
