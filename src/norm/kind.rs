//! The one list of normalization kinds, for the page and the network alike.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which values share one mean and variance (see [`super::Scope`]).
///
/// `None` leaves values as they are; `Ibn` is instance norm on the first
/// half of the channels and batch norm on the rest (IBN-Net's IBN-a, Pan
/// et al. 2018; the network uses it in its first block only, batch norm
/// after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NormKind {
    None,
    Batch,
    Instance,
    Layer,
    Group,
    BatchInstance,
    Ibn,
}

impl NormKind {
    /// All kinds, in the order reports and the lab list them.
    pub const ALL: [NormKind; 7] = [
        NormKind::None,
        NormKind::Batch,
        NormKind::Instance,
        NormKind::Layer,
        NormKind::Group,
        NormKind::BatchInstance,
        NormKind::Ibn,
    ];

    /// The kinds the page compares side by side, in its order.
    pub const PAGE: [NormKind; 5] = [
        NormKind::Batch,
        NormKind::Instance,
        NormKind::Layer,
        NormKind::Group,
        NormKind::BatchInstance,
    ];

    /// The name on the command line, in JSON and in the JS API.
    pub fn name(self) -> &'static str {
        match self {
            NormKind::None => "none",
            NormKind::Batch => "batch",
            NormKind::Instance => "instance",
            NormKind::Layer => "layer",
            NormKind::Group => "group",
            NormKind::BatchInstance => "batch-instance",
            NormKind::Ibn => "ibn",
        }
    }
}

impl fmt::Display for NormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NormKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        NormKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "unknown normalization kind {s:?}; expected one of: none, batch, instance, layer, group, batch-instance, ibn"
                ))
            })
    }
}
