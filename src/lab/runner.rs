//! Trains a [`Plan`]'s arms × seeds 1..=N natively and collects the lab
//! file: each run through the same `Trainer` as `normscope train` (so its
//! record is that command's RUN.json), then the measurements the page's
//! worker makes on the same network.

use std::time::Instant;

use super::experiment::{After, During, Measures, Plan, Recording};
use super::file::{Checkpoint, LabFile, LabRun, LightingPoint, LightingSweep, Probes, SummaryRow};
use super::spread::Spread;
use super::vocabulary::{Experiment, VOCABULARY};
use crate::error::{Error, Result};
use crate::nn::neighbours::{neighbours, rho};
use crate::nn::{Dataset, Photo, PhotoClass, Task, TrainConfig, Trainer};

/// What the runner reports while it works.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// One training step of the current run is done.
    Step,
    /// A run is finished (`index` counts from 0 of `total`).
    Run {
        index: usize,
        total: usize,
        run: &'a LabRun,
    },
}

/// The photos the runs cut their patches from.
#[derive(Debug, Clone, Copy)]
pub enum TaskPhotos<'a> {
    /// The six bundled task photos (`what`, `day-night`).
    Bundled(&'a [Photo]),
    /// The reader's own classes (`--task-dir`: task `photos`).
    Classes(&'a [PhotoClass]),
}

impl TaskPhotos<'_> {
    /// The patches of `cfg`'s task and seed, as `normscope train` cuts them.
    fn dataset(&self, cfg: &TrainConfig) -> Result<Dataset> {
        match (self, cfg.task) {
            (TaskPhotos::Classes(classes), Task::Photos) => {
                Dataset::from_classes(cfg.seed, classes)
            }
            (TaskPhotos::Bundled(photos), _) => Dataset::build(cfg.task, cfg.seed, photos),
            (TaskPhotos::Classes(_), task) => Err(Error::BadInput(format!(
                "the task {task} is cut from the bundled photos, not from a task folder"
            ))),
        }
    }
}

/// Options of a recording.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seeds 1..=seeds.
    pub seeds: u64,
    /// After-training probes (e.g. pooled's per-image values, which are
    /// large) only for seeds 1..=probe_seeds.
    pub probe_seeds: u64,
    /// The command line, written as `made_by`.
    pub made_by: String,
}

/// Total training steps of `plan` over `seeds` seeds (for a progress bar).
pub fn total_steps(plan: &Plan, seeds: u64) -> u64 {
    plan.arms
        .iter()
        .map(|a| u64::from(a.config.steps) * seeds)
        .sum()
}

/// Train every arm of `plan` with seeds 1..=`opts.seeds`, arm by arm.
///
/// # Errors
/// [`Error::BadInput`] for seeds outside the vocabulary's range; whatever
/// building the data, the trainer or a probe reports. A run that diverges
/// is kept with its `diverged` step, as the page shows it.
pub fn record(
    plan: &Plan,
    opts: &Options,
    photos: TaskPhotos<'_>,
    mut on: impl FnMut(Event<'_>),
) -> Result<LabFile> {
    let seeds = &VOCABULARY.seeds;
    if !(seeds.min..=seeds.max).contains(&opts.seeds) {
        return Err(Error::BadInput(format!(
            "--seeds must be between {} and {} (got {})",
            seeds.min, seeds.max, opts.seeds
        )));
    }
    let total = plan.arms.len() * opts.seeds as usize;
    let mut runs = Vec::with_capacity(total);
    for arm in &plan.arms {
        for seed in 1..=opts.seeds {
            let mut measures = arm.measures;
            if seed > opts.probe_seeds {
                measures.after = After::Nothing;
            }
            let run = run_one(arm.config_for(seed), measures, photos, &mut on)?;
            on(Event::Run {
                index: runs.len(),
                total,
                run: &run,
            });
            runs.push(run);
        }
    }
    let summary = plan
        .arms
        .iter()
        .filter_map(|arm| {
            let accuracies: Vec<f64> = runs
                .iter()
                .filter(|r| same_arm(&r.record.config, &arm.config))
                .map(|r| f64::from(r.record.test_accuracy))
                .collect();
            Spread::of(&accuracies).map(|s| SummaryRow {
                kind: arm.config.norm,
                arm: arm.fields.clone(),
                n: s.n,
                mean: s.mean,
                sd: s.sd,
                min: s.min,
                max: s.max,
            })
        })
        .collect();
    Ok(LabFile {
        made_by: opts.made_by.clone(),
        // `lighting` records the race (its panel reads the race's sweeps).
        experiment: match plan.recording {
            Recording::Panel(Experiment::Lighting) => Experiment::Race.name(),
            r => r.name(),
        }
        .to_string(),
        task: plan.task,
        steps: plan.steps,
        seeds: (1..=opts.seeds).collect(),
        runs,
        summary,
    })
}

/// The same arm: every field but the seed equal.
fn same_arm(a: &TrainConfig, b: &TrainConfig) -> bool {
    *a == TrainConfig {
        seed: a.seed,
        ..b.clone()
    }
}

/// Train one config and measure what `measures` asks for.
fn run_one(
    cfg: TrainConfig,
    measures: Measures,
    photos: TaskPhotos<'_>,
    on: &mut impl FnMut(Event<'_>),
) -> Result<LabRun> {
    let data = photos.dataset(&cfg)?;
    let command = super::experiment::train_command(&cfg);
    let start = Instant::now();
    let mut trainer = Trainer::new(cfg, data)?;
    let mut during = Vec::new();
    let checkpoint = |t: &Trainer, during: &mut Vec<Checkpoint>| -> Result<()> {
        if let Some((probe, every)) = measures.during {
            if t.steps_done().is_multiple_of(every) {
                let mut c = Checkpoint {
                    step: t.steps_done(),
                    neighbours: None,
                    rho: None,
                };
                match probe {
                    During::Neighbours => c.neighbours = Some(neighbours(t)?),
                    During::Rho => c.rho = Some(rho(t)),
                }
                during.push(c);
            }
        }
        Ok(())
    };
    checkpoint(&trainer, &mut during)?;
    while !trainer.is_done() {
        if trainer.step().is_err() {
            break; // diverged: the record says where
        }
        on(Event::Step);
        checkpoint(&trainer, &mut during)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let healthy = trainer.diverged().is_none();
    let lighting = if measures.lighting && healthy {
        sweep(&mut trainer)
    } else {
        LightingSweep::default()
    };
    let mut probes =
        (measures.after != After::Nothing || measures.during.is_some()).then(|| Probes {
            after: Default::default(),
            during,
        });
    if let (Some(p), true) = (probes.as_mut(), healthy) {
        match measures.after {
            After::Nothing => {}
            After::Pooled => p.after.pooled = Some(trainer.pooled()?),
            After::BatchStats => {
                p.after.batchstats =
                    Some(trainer.batch_stats(VOCABULARY.evalmode.test_batch_sizes)?);
            }
        }
    }
    let train_accuracy = (measures.train_accuracy && healthy).then(|| trainer.train_accuracy());
    let record = trainer.record();
    Ok(LabRun {
        kind: record.config.norm,
        seed: record.config.seed,
        command,
        seconds,
        record,
        lighting,
        probes,
        train_accuracy,
    })
}

/// Test accuracy at every lighting value of the vocabulary.
fn sweep(trainer: &mut Trainer) -> LightingSweep {
    let l = &VOCABULARY.lighting;
    let mut axis = |values: &[f32], shift: &dyn Fn(f32) -> (f32, f32, f32)| {
        values
            .iter()
            .map(|&value| {
                let (c, b, g) = shift(value);
                LightingPoint {
                    value,
                    accuracy: trainer.shift_accuracy(c, b, g),
                }
            })
            .collect()
    };
    LightingSweep {
        contrast: axis(l.contrast.values, &|v| (v, 0.0, 1.0)),
        brightness: axis(l.brightness.values, &|v| (1.0, v, 1.0)),
        gamma: axis(l.gamma.values, &|v| (1.0, 0.0, v)),
    }
}
