//! The lab's vocabulary: one table of the names and numbers every surface
//! of the lab uses (the experiments, the kinds, the tasks and their
//! classes, the test-time lighting sweep, the choices each experiment
//! offers). `www/lab/vocabulary.json` is written from it by
//! `normscope lab --vocabulary`; the page (`www/js/lab/config.js`), the
//! Python package and the recorder read that file or this table instead of
//! keeping copies. Labels, colours and prose stay with the page.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::nn::data::TASK_PHOTOS;
use crate::nn::NormKind;

/// The lab's experiments, in the page's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Experiment {
    Race,
    Lighting,
    Pooled,
    Batch,
    Neighbours,
    Evalmode,
    Both,
    Lr,
    Noise,
}

impl Experiment {
    pub const ALL: [Experiment; 9] = [
        Experiment::Race,
        Experiment::Lighting,
        Experiment::Pooled,
        Experiment::Batch,
        Experiment::Neighbours,
        Experiment::Evalmode,
        Experiment::Both,
        Experiment::Lr,
        Experiment::Noise,
    ];

    /// The name on the command line, in file names and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Experiment::Race => "race",
            Experiment::Lighting => "lighting",
            Experiment::Pooled => "pooled",
            Experiment::Batch => "batch",
            Experiment::Neighbours => "neighbours",
            Experiment::Evalmode => "evalmode",
            Experiment::Both => "both",
            Experiment::Lr => "lr",
            Experiment::Noise => "noise",
        }
    }
}

impl fmt::Display for Experiment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Experiment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Experiment::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Experiment::ALL.iter().map(|e| e.name()).collect();
                Error::BadInput(format!(
                    "unknown experiment {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// A task's class names, in label order.
#[derive(Debug, Clone, Serialize)]
pub struct TaskClasses {
    pub classes: &'static [&'static str],
}

/// The tasks, by their names.
#[derive(Debug, Clone, Serialize)]
pub struct Tasks {
    pub what: TaskClasses,
    #[serde(rename = "day-night")]
    pub day_night: TaskClasses,
    /// The reader's own photos (`--task-dir`, the page's "Your photos"):
    /// no fixed classes; they are named when the task is built.
    pub photos: TaskClasses,
}

/// One test-time lighting axis: the values measured after training and
/// the one the network was trained at.
#[derive(Debug, Clone, Serialize)]
pub struct Axis {
    pub values: &'static [f32],
    pub trained: f32,
}

/// The three lighting axes (a contrast factor, a brightness offset, a gamma).
#[derive(Debug, Clone, Serialize)]
pub struct Lighting {
    pub contrast: Axis,
    pub brightness: Axis,
    pub gamma: Axis,
}

/// Training steps a run may take, and the race's choices.
#[derive(Debug, Clone, Serialize)]
pub struct Steps {
    pub min: u32,
    pub max: u32,
    pub default: u32,
    pub choices: &'static [u32],
}

/// Seeds (1..=N) a panel may train; `recorded` is N of the recorded files.
#[derive(Debug, Clone, Serialize)]
pub struct Seeds {
    pub min: u64,
    pub max: u64,
    pub default: u64,
    pub recorded: u64,
}

/// The learning-rate experiment: kinds and peak rates.
#[derive(Debug, Clone, Serialize)]
pub struct LrExperiment {
    pub kinds: &'static [NormKind],
    pub choices: &'static [f32],
    pub default: f32,
}

/// The batch-size experiment: every run sees `images` training images,
/// with the peak rate scaled linearly with the batch (`lr_at_32` at 32).
#[derive(Debug, Clone, Serialize)]
pub struct BatchExperiment {
    pub kinds: &'static [NormKind],
    pub sizes: &'static [usize],
    pub images: usize,
    pub lr_at_32: f32,
}

/// The noise experiment: the batch experiment's rule at fewer sizes.
#[derive(Debug, Clone, Serialize)]
pub struct NoiseExperiment {
    pub kinds: &'static [NormKind],
    pub sizes: &'static [usize],
}

/// The pooled experiment: kinds and where the last block is pooled.
#[derive(Debug, Clone, Serialize)]
pub struct PooledExperiment {
    pub kinds: &'static [NormKind],
    pub stages: &'static [&'static str],
}

/// The evaluation-mode experiment: running-statistics momenta and test batches.
#[derive(Debug, Clone, Serialize)]
pub struct EvalmodeExperiment {
    pub momenta: &'static [f32],
    pub default_momentum: f32,
    pub test_batch_sizes: &'static [usize],
}

/// The whole vocabulary, in the field order of `vocabulary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Vocabulary {
    pub experiments: &'static [Experiment],
    pub kinds: &'static [NormKind],
    pub tasks: Tasks,
    pub lighting: Lighting,
    pub steps: Steps,
    pub seeds: Seeds,
    pub lr: LrExperiment,
    pub batch: BatchExperiment,
    pub noise: NoiseExperiment,
    pub pooled: PooledExperiment,
    pub evalmode: EvalmodeExperiment,
}

/// The table.
pub const VOCABULARY: Vocabulary = Vocabulary {
    experiments: &Experiment::ALL,
    kinds: &NormKind::ALL,
    tasks: Tasks {
        what: TaskClasses {
            classes: &TASK_PHOTOS,
        },
        day_night: TaskClasses {
            classes: &["day", "night"],
        },
        photos: TaskClasses { classes: &[] },
    },
    lighting: Lighting {
        contrast: Axis {
            values: &[0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0],
            trained: 1.0,
        },
        brightness: Axis {
            values: &[-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3],
            trained: 0.0,
        },
        gamma: Axis {
            values: &[0.4, 0.55, 0.75, 1.0, 1.35, 1.8, 2.5],
            trained: 1.0,
        },
    },
    steps: Steps {
        min: 1,
        max: 2000,
        default: 200,
        choices: &[50, 100, 200, 400],
    },
    seeds: Seeds {
        min: 1,
        max: 10,
        default: 3,
        recorded: 5,
    },
    lr: LrExperiment {
        kinds: &[NormKind::None, NormKind::Batch],
        choices: &[0.05, 0.2, 0.5, 1.0, 2.0],
        default: 1.0,
    },
    batch: BatchExperiment {
        kinds: &[NormKind::Batch, NormKind::Group, NormKind::Layer],
        sizes: &[2, 4, 8, 16, 32],
        images: 3200,
        lr_at_32: 0.05,
    },
    noise: NoiseExperiment {
        kinds: &[NormKind::Batch, NormKind::Group, NormKind::None],
        sizes: &[4, 8, 32],
    },
    pooled: PooledExperiment {
        kinds: &[NormKind::Batch, NormKind::Instance],
        stages: &["norm", "relu", "features"],
    },
    evalmode: EvalmodeExperiment {
        momenta: &[0.01, 0.1, 0.5, 1.0],
        default_momentum: 0.1,
        test_batch_sizes: &[1, 2, 4, 8, 16, 32],
    },
};

/// Where the checked-in copy lives, relative to the repository root.
pub const VOCABULARY_FILE: &str = "www/lab/vocabulary.json";

/// `vocabulary.json`'s text: the table, pretty-printed, ending in a newline.
///
/// # Errors
/// [`Error::Internal`] if serialization fails (it cannot for this table).
#[cfg(not(target_arch = "wasm32"))]
pub fn vocabulary_json() -> Result<String> {
    serde_json::to_string_pretty(&VOCABULARY)
        .map(|s| s + "\n")
        .map_err(|e| Error::Internal(format!("vocabulary: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experiment_names_parse_back() {
        for e in Experiment::ALL {
            assert_eq!(e.name().parse::<Experiment>(), Ok(e));
        }
        let err = "racing"
            .parse::<Experiment>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("racing") && err.contains("noise"), "{err}");
    }
}
