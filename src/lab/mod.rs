//! The lab's experiments seen from their results: the spread of a figure
//! over seeds ([`spread`]) and the conclusion sentences computed from a
//! recorded or live lab file ([`findings`]), and the vocabulary the lab's
//! surfaces share ([`vocabulary`]). Plain Rust, shared by the CLI
//! (`normscope lab`) and the page (a wasm export).

pub mod findings;
pub mod spread;
pub mod vocabulary;

pub use spread::Spread;
