//! What each experiment trains: its arms (a config without its seed, the
//! fields the arm varies, what is measured besides the record), all read
//! from the vocabulary table, so the recorder and the page agree.
//!
//! ```text
//! race, lighting  every kind, the default config (lighting: the race's runs, its sweeps drawn)
//! pooled          batch and instance norm, pooled per test image after the last step
//! batch           batch, group, layer × batch 2…32: 3200 images each, lr 0.05·B/32
//! batch-steps     the same kinds and batches, the race's steps (200) and lr (0.02) for every batch
//! neighbours      every kind, the neighbour probe every 25 steps
//! evalmode        batch norm × running-statistics momentum, test-batch accuracies after
//! both            batch-instance norm on both tasks, ρ every 25 steps
//! lr              none and batch norm at peak lr 1
//! noise           batch, group, none × batch 4, 8, 32 (batch's rule), train accuracy after (no lighting sweep)
//! sweep           none, batch, layer, group × peak lr 0.01…0.1, and group norm's group count
//! ```

use std::fmt;
use std::str::FromStr;

use super::file::ArmFields;
use super::vocabulary::{Experiment, VOCABULARY};
use crate::error::{Error, Result};
use crate::nn::{NormKind, Task, TrainConfig};

/// What `normscope lab` records: one of the page's experiments, the batch
/// panel's same-steps variant, or the learning-rate and group-count sweep
/// (an authors' control, not a panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    Panel(Experiment),
    /// The batch experiment with the steps held fixed instead of the images.
    SameSteps,
    Sweep,
}

impl Recording {
    /// Every recording but the panels themselves, by name.
    const OTHERS: [Recording; 2] = [Recording::SameSteps, Recording::Sweep];

    pub fn name(self) -> &'static str {
        match self {
            Recording::Panel(e) => e.name(),
            Recording::SameSteps => "batch-steps",
            Recording::Sweep => "sweep",
        }
    }
}

impl fmt::Display for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Recording {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if let Some(r) = Recording::OTHERS.into_iter().find(|r| r.name() == s) {
            return Ok(r);
        }
        s.parse::<Experiment>().map(Recording::Panel).map_err(|_| {
            let names: Vec<&str> = Experiment::ALL
                .iter()
                .map(|e| e.name())
                .chain(Recording::OTHERS.iter().map(|r| r.name()))
                .collect();
            Error::BadInput(format!(
                "unknown experiment {s:?}; expected one of {}",
                names.join(", ")
            ))
        })
    }
}

/// What a run measures besides its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measures {
    /// Test accuracy along the vocabulary's lighting axes.
    pub lighting: bool,
    pub after: After,
    /// Probes at step 0 and every this many steps.
    pub during: Option<(During, u32)>,
    /// Accuracy on the training patches after the last step.
    pub train_accuracy: bool,
}

/// A probe measured after the last step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Nothing,
    Pooled,
    BatchStats,
}

/// A probe measured during training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum During {
    Neighbours,
    Rho,
}

/// One arm: trained once per seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// The config, seed aside.
    pub config: TrainConfig,
    /// What this arm varies besides the kind (the summary's fields).
    pub fields: ArmFields,
    pub measures: Measures,
}

impl Arm {
    /// The config of this arm's run with `seed`.
    pub fn config_for(&self, seed: u64) -> TrainConfig {
        TrainConfig {
            seed,
            ..self.config.clone()
        }
    }
}

/// Checkpoints of the probes during training (probes.js `every`).
pub const PROBE_EVERY: u32 = 25;

/// The sweep's peak learning rates and group counts (issue 19: does one
/// learning rate for all kinds, or the group count, hold group norm back?).
pub const SWEEP_KINDS: [NormKind; 4] = [
    NormKind::None,
    NormKind::Batch,
    NormKind::Layer,
    NormKind::Group,
];
pub const SWEEP_LRS: [f32; 4] = [0.01, 0.02, 0.05, 0.1];
pub const SWEEP_GROUPS: [usize; 2] = [2, 8];

/// Everything one recording trains.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub recording: Recording,
    pub task: Task,
    /// Steps of every run, unless the experiment fixes the images instead.
    pub steps: Option<u32>,
    pub arms: Vec<Arm>,
}

impl Plan {
    /// The arms of `recording` on `task`, `steps` per run (default: the
    /// vocabulary's). `batch` and `noise` fix the images seen, not the steps;
    /// `batch-steps` fixes the steps and the race's learning rate instead.
    ///
    /// # Errors
    /// [`Error::BadInput`] for steps outside the vocabulary's range, steps
    /// given to `batch` or `noise`, or a task other than `what` for `both`
    /// (which trains on both tasks).
    pub fn new(recording: Recording, task: Option<Task>, steps: Option<u32>) -> Result<Plan> {
        let v = &VOCABULARY;
        let fixed_images = matches!(
            recording,
            Recording::Panel(Experiment::Batch | Experiment::Noise)
        );
        if let Some(s) = steps {
            if fixed_images {
                return Err(Error::BadInput(format!(
                    "--steps: the {recording} experiment fixes the images each run sees ({}), not the steps",
                    v.batch.images
                )));
            }
            if !(v.steps.min..=v.steps.max).contains(&s) {
                return Err(Error::BadInput(format!(
                    "--steps must be between {} and {} (got {s})",
                    v.steps.min, v.steps.max
                )));
            }
        }
        if recording == Recording::Panel(Experiment::Both) && task.is_some() {
            // (--task-dir too: ρ is read on the two bundled tasks.)
            return Err(Error::BadInput(
                "--task: the both experiment trains on both tasks".into(),
            ));
        }
        let task = task.unwrap_or(Task::WhatIsIt);
        let run_steps = if fixed_images {
            None
        } else {
            Some(steps.unwrap_or(v.steps.default))
        };
        let base = TrainConfig {
            task,
            steps: run_steps.unwrap_or(v.steps.default),
            ..TrainConfig::default()
        };
        let with_lighting = Measures {
            lighting: true,
            after: After::Nothing,
            during: None,
            train_accuracy: false,
        };
        let arm = |norm: NormKind, measures: Measures| Arm {
            config: TrainConfig {
                norm,
                ..base.clone()
            },
            fields: ArmFields::default(),
            measures,
        };
        let every = PROBE_EVERY.min(base.steps);
        let probing = |during| Measures {
            lighting: false,
            during: Some((during, every)),
            ..with_lighting
        };
        let arms: Vec<Arm> = match recording {
            Recording::Panel(Experiment::Race | Experiment::Lighting) => {
                v.kinds.iter().map(|&k| arm(k, with_lighting)).collect()
            }
            Recording::Panel(Experiment::Pooled) => {
                let m = Measures {
                    after: After::Pooled,
                    ..with_lighting
                };
                v.pooled.kinds.iter().map(|&k| arm(k, m)).collect()
            }
            Recording::Panel(Experiment::Batch) => {
                batch_arms(task, v.batch.kinds, v.batch.sizes, with_lighting)
            }
            Recording::SameSteps => v
                .batch
                .kinds
                .iter()
                .flat_map(|&k| v.batch.sizes.iter().map(move |&b| (k, b)))
                .map(|(norm, batch)| Arm {
                    config: TrainConfig {
                        batch,
                        ..arm(norm, with_lighting).config
                    },
                    fields: ArmFields {
                        batch: Some(batch),
                        ..ArmFields::default()
                    },
                    measures: with_lighting,
                })
                .collect(),
            Recording::Panel(Experiment::Noise) => {
                // No lighting sweep: the noise panel measures train accuracy instead.
                let m = Measures {
                    lighting: false,
                    train_accuracy: true,
                    ..with_lighting
                };
                batch_arms(task, v.noise.kinds, v.noise.sizes, m)
            }
            Recording::Panel(Experiment::Neighbours) => v
                .kinds
                .iter()
                .map(|&k| arm(k, probing(During::Neighbours)))
                .collect(),
            Recording::Panel(Experiment::Evalmode) => {
                let m = Measures {
                    after: After::BatchStats,
                    ..with_lighting
                };
                v.evalmode
                    .momenta
                    .iter()
                    .map(|&bn_momentum| Arm {
                        config: TrainConfig {
                            bn_momentum,
                            ..arm(NormKind::Batch, m).config
                        },
                        fields: ArmFields {
                            bn_momentum: Some(bn_momentum),
                            ..ArmFields::default()
                        },
                        measures: m,
                    })
                    .collect()
            }
            Recording::Panel(Experiment::Both) => Task::ALL
                .iter()
                .map(|&task| Arm {
                    config: TrainConfig {
                        task,
                        ..arm(NormKind::BatchInstance, probing(During::Rho)).config
                    },
                    fields: ArmFields {
                        task: Some(task),
                        ..ArmFields::default()
                    },
                    measures: probing(During::Rho),
                })
                .collect(),
            Recording::Panel(Experiment::Lr) => {
                v.lr.kinds
                    .iter()
                    .map(|&k| with_lr(arm(k, with_lighting), v.lr.default))
                    .collect()
            }
            Recording::Sweep => {
                let plain = Measures {
                    lighting: false,
                    ..with_lighting
                };
                let mut arms: Vec<Arm> = SWEEP_KINDS
                    .iter()
                    .flat_map(|&k| SWEEP_LRS.iter().map(move |&lr| (k, lr)))
                    .map(|(k, lr)| with_lr(arm(k, plain), lr))
                    .collect();
                for &groups in &SWEEP_GROUPS {
                    for lr in [TrainConfig::default().lr, 0.05] {
                        let mut a = with_lr(arm(NormKind::Group, plain), lr);
                        a.config.groups = groups;
                        a.fields.groups = Some(groups);
                        arms.push(a);
                    }
                }
                arms
            }
        };
        Ok(Plan {
            recording,
            task,
            steps: run_steps,
            arms,
        })
    }

    /// The file the page loads: `EXPERIMENT.json` for the task `what`,
    /// `EXPERIMENT-TASK.json` otherwise. The race always names its task
    /// (`race-what.json`, `race-day-night.json`: the page switches between
    /// them), and `lighting` writes the race's file (the lighting panel
    /// reads the race's sweeps).
    pub fn file_stem(&self) -> String {
        match self.recording {
            Recording::Panel(Experiment::Race | Experiment::Lighting) => {
                format!("race-{}", self.task)
            }
            r => self.with_task(r.name()),
        }
    }

    /// The chart's file name without extension: as [`Plan::file_stem`],
    /// but `lighting` draws its own chart (`lighting[-TASK].svg`).
    pub fn chart_stem(&self) -> String {
        match self.recording {
            Recording::Panel(Experiment::Lighting) => self.with_task("lighting"),
            _ => self.file_stem(),
        }
    }

    fn with_task(&self, name: &str) -> String {
        match self.task {
            Task::WhatIsIt => name.to_string(),
            t => format!("{name}-{t}"),
        }
    }
}

/// `arm` at peak learning rate `lr`, named by it in the summary.
fn with_lr(mut arm: Arm, lr: f32) -> Arm {
    arm.config.lr = lr;
    arm.fields.lr = Some(lr);
    arm
}

/// The batch-size rule: `images` training images whatever the batch, the
/// peak rate scaled linearly with it (`lr_at_32` at 32, as in the Group
/// Norm paper).
pub fn batch_config(task: Task, norm: NormKind, batch: usize) -> TrainConfig {
    let b = &VOCABULARY.batch;
    TrainConfig {
        task,
        norm,
        batch,
        steps: (b.images / batch) as u32,
        lr: b.lr_at_32 * batch as f32 / 32.0,
        ..TrainConfig::default()
    }
}

fn batch_arms(task: Task, kinds: &[NormKind], sizes: &[usize], measures: Measures) -> Vec<Arm> {
    kinds
        .iter()
        .flat_map(|&k| sizes.iter().map(move |&b| (k, b)))
        .map(|(norm, batch)| Arm {
            config: batch_config(task, norm, batch),
            fields: ArmFields {
                batch: Some(batch),
                ..ArmFields::default()
            },
            measures,
        })
        .collect()
}

/// The `normscope train` command line that writes `cfg`'s record.
pub fn train_command(cfg: &TrainConfig) -> String {
    let d = TrainConfig::default();
    // The reader's own photos: the folder is named in the lab file's `made_by`.
    let mut s = if cfg.task == Task::Photos {
        format!("normscope train --task-dir DIR --norm {}", cfg.norm)
    } else {
        format!("normscope train --task {} --norm {}", cfg.task, cfg.norm)
    };
    if cfg.groups != d.groups && cfg.norm == NormKind::Group {
        s += &format!(" --groups {}", cfg.groups);
    }
    if cfg.steps != d.steps {
        s += &format!(" --steps {}", cfg.steps);
    }
    if cfg.batch != d.batch {
        s += &format!(" --batch {}", cfg.batch);
    }
    if cfg.lr != d.lr {
        s += &format!(" --lr {}", cfg.lr);
    }
    if cfg.seed != d.seed {
        s += &format!(" --seed {}", cfg.seed);
    }
    if cfg.bn_momentum != d.bn_momentum {
        s += &format!(" --bn-momentum {}", cfg.bn_momentum);
    }
    s + " --out RUN.json"
}
