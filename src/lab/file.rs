//! The recorded lab file (`www/lab/recorded/EXPERIMENT[-TASK].json`): the
//! runs of one experiment over seeds 1..=N, each with the exact record
//! `normscope train` writes for it, and a summary of test accuracy per arm.
//!
//! ```text
//! { made_by, experiment, task, steps, seeds: [1..=N],
//!   runs: [{ kind, seed, command, seconds, record, lighting, probes?, train_accuracy? }],
//!   summary: [{ kind, <what else the arm varies>, n, mean, sd, min, max }] }
//! ```
//!
//! Only `seconds` (the native wall time) is not reproducible; everything
//! else is the same bytes for the same arguments.

use serde::{Deserialize, Serialize};

use crate::nn::neighbours::Neighbours;
use crate::nn::probe::{BatchStats, Pooled};
use crate::nn::{NormKind, RunRecord, Task};

/// Test accuracy at one test-time lighting value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LightingPoint {
    pub value: f32,
    pub accuracy: f32,
}

/// Test accuracy along each lighting axis of the vocabulary (empty for
/// runs that skip the sweep, and for a run that diverged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LightingSweep {
    pub contrast: Vec<LightingPoint>,
    pub brightness: Vec<LightingPoint>,
    pub gamma: Vec<LightingPoint>,
}

/// What the page's probes (`www/js/lab/probes.js`) measure, by the same
/// names: after the last step, and at checkpoints during training.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    pub after: After,
    pub during: Vec<Checkpoint>,
}

/// Probes measured after the last step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct After {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled: Option<Pooled>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batchstats: Option<BatchStats>,
}

/// Probes measured at one step (step 0 and every few steps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub step: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbours: Option<Neighbours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rho: Option<Vec<Vec<f32>>>,
}

/// One trained network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabRun {
    /// `record.config.norm`.
    pub kind: NormKind,
    /// `record.config.seed`.
    pub seed: u64,
    /// The `normscope train` command that writes `record`.
    pub command: String,
    /// Wall time of the native run (the one number that is not reproducible).
    pub seconds: f64,
    pub record: RunRecord,
    pub lighting: LightingSweep,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// Accuracy on the training patches in evaluation mode after the last
    /// step (the noise experiment only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_accuracy: Option<f32>,
}

/// What an arm varies besides the kind, named as in the config; only the
/// fields the experiment varies are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArmFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bn_momentum: Option<f32>,
}

/// Test accuracy of one arm over its seeds (`sd`: sample sd, n − 1; 0 when n = 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub kind: NormKind,
    #[serde(flatten)]
    pub arm: ArmFields,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// A whole recorded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabFile {
    /// The command line that wrote the file.
    pub made_by: String,
    pub experiment: String,
    pub task: Task,
    /// Steps of each run, where the experiment fixes them (not `batch` or
    /// `noise`, which fix the images seen instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    pub seeds: Vec<u64>,
    pub runs: Vec<LabRun>,
    pub summary: Vec<SummaryRow>,
}
