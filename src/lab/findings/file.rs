//! The parts of a lab file (`normscope lab`'s EXPERIMENT.json, or the runs a
//! panel has on screen) that the sentences read. Every struct ignores
//! fields it does not name, so files with more in them still load.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A lab file: its runs, and the task when the file says it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LabFile {
    #[serde(default)]
    pub task: Option<String>,
    #[serde(default)]
    pub runs: Vec<LabRun>,
}

/// One trained network: its record, and what was measured after training.
#[derive(Clone, Debug, Deserialize)]
pub struct LabRun {
    pub record: Record,
    #[serde(default)]
    pub lighting: Option<BTreeMap<String, Vec<LightingPoint>>>,
    #[serde(default)]
    pub probes: Option<Probes>,
    /// Accuracy on the training patches after the last step (the noise experiment).
    #[serde(default)]
    pub train_accuracy: Option<f64>,
}

impl LabRun {
    pub fn kind(&self) -> &str {
        &self.record.config.norm
    }
    pub fn seed(&self) -> u64 {
        self.record.config.seed
    }
    pub fn accuracy(&self) -> f64 {
        self.record.test_accuracy
    }
    pub fn diverged(&self) -> bool {
        self.record.diverged.is_some()
    }
    pub fn batch(&self) -> u32 {
        self.record.config.batch.unwrap_or(32)
    }
    /// The peak learning rate (absent: the engine's default).
    pub fn lr(&self) -> f64 {
        let default = || f64::from(crate::nn::TrainConfig::default().lr);
        self.record.config.lr.unwrap_or_else(default)
    }
    /// Group norm's group count (absent: the engine's default).
    pub fn groups(&self) -> u32 {
        let default = || crate::nn::TrainConfig::default().groups as u32;
        self.record.config.groups.unwrap_or_else(default)
    }
    /// Steps trained: the config's, else the length of the loss curve
    /// (a curve on screen may be thinned, a config never is).
    pub fn steps(&self) -> usize {
        match self.record.config.steps {
            Some(s) => s as usize,
            None => self.record.loss.len(),
        }
    }
    /// The accuracies over one axis of the lighting sweep (empty when not measured).
    pub fn sweep(&self, axis: &str) -> &[LightingPoint] {
        self.lighting
            .as_ref()
            .and_then(|l| l.get(axis))
            .map_or(&[], Vec::as_slice)
    }
    pub fn after(&self) -> Option<&After> {
        self.probes.as_ref().map(|p| &p.after)
    }
    pub fn during(&self) -> &[Checkpoint] {
        self.probes.as_ref().map_or(&[], |p| p.during.as_slice())
    }
}

/// The fields of a RUN.json (`normscope train`) the sentences read.
#[derive(Clone, Debug, Deserialize)]
pub struct Record {
    pub config: Config,
    #[serde(default)]
    pub loss: Vec<f64>,
    pub test_accuracy: f64,
    #[serde(default)]
    pub diverged: Option<Diverged>,
    #[serde(default)]
    pub classes: Vec<String>,
}

/// The training settings that tell runs apart (absent: the engine's default).
#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub task: Option<String>,
    pub norm: String,
    #[serde(default = "first_seed")]
    pub seed: u64,
    #[serde(default)]
    pub batch: Option<u32>,
    #[serde(default)]
    pub steps: Option<u32>,
    #[serde(default)]
    pub groups: Option<u32>,
    #[serde(default)]
    pub lr: Option<f64>,
    #[serde(default)]
    pub bn_momentum: Option<f64>,
}

fn first_seed() -> u64 {
    1
}

#[derive(Clone, Debug, Deserialize)]
pub struct Diverged {
    #[serde(default)]
    pub step: Option<u32>,
}

#[derive(Clone, Copy, Debug, Deserialize)]
pub struct LightingPoint {
    pub value: f64,
    pub accuracy: f64,
}

/// What the probes measured: after training, and at checkpoints during it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Probes {
    #[serde(default)]
    pub after: After,
    #[serde(default)]
    pub during: Vec<Checkpoint>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct After {
    #[serde(default)]
    pub batchstats: Option<BatchStats>,
    #[serde(default)]
    pub pooled: Option<Pooled>,
}

/// Batch norm's test accuracy with running statistics (`eval`) and with
/// each test batch's own, in mixed and one-class batches of `sizes`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchStats {
    pub eval: f64,
    pub sizes: Vec<u32>,
    pub mixed: Vec<f64>,
    pub one_class: Vec<f64>,
}

/// The last block's channels pooled over each test image, at three stages.
#[derive(Clone, Debug, Deserialize)]
pub struct Pooled {
    pub labels: Vec<u32>,
    pub norm: Vec<Vec<f64>>,
    pub relu: Vec<Vec<f64>>,
    pub features: Vec<Vec<f64>>,
    pub weight: Vec<f64>,
    pub beta: Vec<f64>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Checkpoint {
    pub step: u32,
    #[serde(default)]
    pub neighbours: Option<Neighbours>,
    #[serde(default)]
    pub rho: Option<Vec<Vec<f64>>>,
}

/// How darkening image j moved image i's probabilities (`influence[i][j]`),
/// and one image seen in two batches.
#[derive(Clone, Debug, Deserialize)]
pub struct Neighbours {
    pub influence: Vec<Vec<f64>>,
    pub same_image: SameImage,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SameImage {
    pub label: usize,
    pub batch_a: Vec<f64>,
    pub batch_b: Vec<f64>,
    pub eval: Vec<f64>,
    pub companions_b: usize,
}
