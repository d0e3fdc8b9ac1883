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
use NormKind::{Batch, BatchInstance, Group, Instance, Layer};

/// A string enum for JS and its `core()` conversion: its doc (a plain
/// string, which wasm-bindgen copies into the TypeScript), each legal
/// string, the core's value it stands for, and the message for any other.
macro_rules! js_names {
    (
        $name:ident $doc:literal -> $core:ty, else $message:literal {
            $($variant:ident = $text:literal => $value:expr,)*
        }
    ) => {
        #[doc = $doc]
        #[wasm_bindgen]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($variant = $text,)*
        }

        impl $name {
            /// The core's value.
            ///
            /// # Errors
            /// A JS `Error` naming the legal values.
            pub fn core(self) -> Result<$core, JsError> {
                match self {
                    $($name::$variant => Ok($value),)*
                    _ => Err(bad($message)),
                }
            }
        }
    };
}

js_names! {
    Kind "A normalization kind." -> NormKind, else "the kind must be 'batch', 'instance', 'layer', 'group' or 'batch-instance'" {
        Batch = "batch" => Batch,
        Instance = "instance" => Instance,
        Layer = "layer" => Layer,
        Group = "group" => Group,
        BatchInstance = "batch-instance" => BatchInstance,
    }
}

js_names! {
    Row "A row of the grid." -> session::Row, else "row must be 'original' or 'adjusted'" {
        Original = "original" => session::Row::Original,
        Adjusted = "adjusted" => session::Row::Adjusted,
    }
}

js_names! {
    Column "A column of the grid: the input, a kind's output, or the heat map of how much a kind's output changed."
        -> session::Column, else "column must be 'input', a kind ('batch', 'instance', 'layer', 'group', 'batch-instance') or 'diff-' and a kind" {
        Input = "input" => session::Column::Input,
        Batch = "batch" => session::Column::Output(Batch),
        Instance = "instance" => session::Column::Output(Instance),
        Layer = "layer" => session::Column::Output(Layer),
        Group = "group" => session::Column::Output(Group),
        BatchInstance = "batch-instance" => session::Column::Output(BatchInstance),
        DiffBatch = "diff-batch" => session::Column::Difference(Batch),
        DiffInstance = "diff-instance" => session::Column::Difference(Instance),
        DiffLayer = "diff-layer" => session::Column::Difference(Layer),
        DiffGroup = "diff-group" => session::Column::Difference(Group),
        DiffBatchInstance = "diff-batch-instance" => session::Column::Difference(BatchInstance),
    }
}

js_names! {
    BnMode "Batch norm's mode." -> session::BnMode, else "batch-norm mode must be 'train' or 'eval'" {
        Train = "train" => session::BnMode::Train,
        Eval = "eval" => session::BnMode::Eval,
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
