//! The names that cross the JS boundary as strings, as `#[wasm_bindgen]`
//! string enums: the generated TypeScript names every legal value
//! (`type Row = "original" | "adjusted"`), and each is turned into the
//! core's type in one place. A string that is none of them arrives as
//! wasm-bindgen's hidden invalid variant and is refused with a message that
//! lists the legal values.

use wasm_bindgen::prelude::*;

use super::convert::bad;
use crate::norm::NormKind;
use crate::session;

/// A normalization kind.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Batch = "batch",
    Instance = "instance",
    Layer = "layer",
    Group = "group",
    BatchInstance = "batch-instance",
}

impl Kind {
    /// The core's kind.
    ///
    /// # Errors
    /// A JS `Error` naming the legal kinds.
    pub fn core(self) -> Result<NormKind, JsError> {
        match self {
            Kind::Batch => Ok(NormKind::Batch),
            Kind::Instance => Ok(NormKind::Instance),
            Kind::Layer => Ok(NormKind::Layer),
            Kind::Group => Ok(NormKind::Group),
            Kind::BatchInstance => Ok(NormKind::BatchInstance),
            _ => Err(bad(
                "the kind must be 'batch', 'instance', 'layer', 'group' or 'batch-instance'",
            )),
        }
    }
}

/// A row of the grid.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Original = "original",
    Adjusted = "adjusted",
}

impl Row {
    /// The core's row.
    ///
    /// # Errors
    /// A JS `Error` naming the legal rows.
    pub fn core(self) -> Result<session::Row, JsError> {
        match self {
            Row::Original => Ok(session::Row::Original),
            Row::Adjusted => Ok(session::Row::Adjusted),
            _ => Err(bad("row must be 'original' or 'adjusted'")),
        }
    }
}

/// A column of the grid: the input, a kind's output, or the heat map of
/// how much a kind's output changed.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Input = "input",
    Batch = "batch",
    Instance = "instance",
    Layer = "layer",
    Group = "group",
    BatchInstance = "batch-instance",
    DiffBatch = "diff-batch",
    DiffInstance = "diff-instance",
    DiffLayer = "diff-layer",
    DiffGroup = "diff-group",
    DiffBatchInstance = "diff-batch-instance",
}

impl Column {
    /// The core's column.
    ///
    /// # Errors
    /// A JS `Error` naming the legal columns.
    pub fn core(self) -> Result<session::Column, JsError> {
        use session::Column::{Difference, Input, Output};
        use NormKind::*;
        match self {
            Column::Input => Ok(Input),
            Column::Batch => Ok(Output(Batch)),
            Column::Instance => Ok(Output(Instance)),
            Column::Layer => Ok(Output(Layer)),
            Column::Group => Ok(Output(Group)),
            Column::BatchInstance => Ok(Output(BatchInstance)),
            Column::DiffBatch => Ok(Difference(Batch)),
            Column::DiffInstance => Ok(Difference(Instance)),
            Column::DiffLayer => Ok(Difference(Layer)),
            Column::DiffGroup => Ok(Difference(Group)),
            Column::DiffBatchInstance => Ok(Difference(BatchInstance)),
            _ => Err(bad(
                "column must be 'input', a kind ('batch', 'instance', 'layer', 'group', 'batch-instance') or 'diff-' and a kind",
            )),
        }
    }
}

/// Batch norm's mode.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BnMode {
    Train = "train",
    Eval = "eval",
}

impl BnMode {
    /// The core's mode.
    ///
    /// # Errors
    /// A JS `Error` naming the legal modes.
    pub fn core(self) -> Result<session::BnMode, JsError> {
        match self {
            BnMode::Train => Ok(session::BnMode::Train),
            BnMode::Eval => Ok(session::BnMode::Eval),
            _ => Err(bad("batch-norm mode must be 'train' or 'eval'")),
        }
    }
}

/// A comma-separated list of kinds (`'batch,instance'`), through the
/// core's one parser of kind names.
///
/// # Errors
/// A JS `Error` naming the first unknown kind.
pub fn parse_kinds(list: &str) -> Result<Vec<NormKind>, JsError> {
    list.split(',')
        .filter(|k| !k.is_empty())
        .map(|name| name.parse::<NormKind>().map_err(super::convert::js_err))
        .collect()
}
