//! Records the runs the lab (`www/norm-lab.js`) shows before anyone presses
//! "Run it here": the same configurations the page trains, run natively.
//!
//! ```text
//! cargo run --release --example lab_record            # writes every www/lab/recorded/*.json
//! cargo run --release --example lab_record -- OUT_DIR
//! cargo run --release --example lab_record -- OUT_DIR lr              # only lr.json (also: batch, race-what, race-day-night)
//! cargo run --release --example lab_record -- OUT_DIR batch           # only batch.json
//! cargo run --release --example lab_record -- OUT_DIR 10 batch,none   # a short race (page tests)
//! cargo run --release --example lab_record -- OUT_DIR neighbours      # only neighbours.json (experiment 5)
//! cargo run --release --example lab_record -- OUT_DIR both            # only both.json (experiment 7: ρ)
//! cargo run --release --example lab_record -- OUT_DIR neighbours 25 batch,instance   # short (page tests)
//! cargo run --release --example lab_record -- OUT_DIR pooled [STEPS]   # pooled.json (experiment 3)
//! cargo run --release --example lab_record -- OUT_DIR evalmode [STEPS] # evalmode.json (experiment 6)
//! ```
//!
//! Each run's `record` is exactly the RUN.json that `normscope train` writes
//! for its `command` (the same `Trainer`, the same config). Besides it, a run
//! keeps what the lab needs and RUN.json does not hold: test accuracy under a
//! sweep of test-time lighting (`lighting`, the same points the page's worker
//! measures, `www/js/lab/config.js`) and the wall time of the native run
//! (`seconds`, the only number that is not reproducible). A run that diverges
//! is kept with its `diverged` step (`normscope train` writes nothing then).
//! Runs of the probe experiments also keep `probes` (`src/nn/probe.rs`,
//! measured after the last step under the names `www/js/lab/probes.js`
//! uses, so a re-run in the page compares equal).

use std::path::PathBuf;
use std::time::Instant;

use normscope::nn::data::bundled_photos;
use normscope::nn::neighbours::{neighbours, rho};
use normscope::nn::probe::{BatchStats, Pooled};
use normscope::nn::{Dataset, NetNorm, Photo, RunRecord, Task, TrainConfig, Trainer};
use serde::Serialize;

/// Test-time lighting the lab measures after training (keep equal to
/// `LIGHTING` in `www/js/lab/config.js`).
const CONTRAST: [f32; 7] = [0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0];
const BRIGHTNESS: [f32; 7] = [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3];
const GAMMA: [f32; 7] = [0.4, 0.55, 0.75, 1.0, 1.35, 1.8, 2.5];

/// The race's kinds, in the lab's order: every kind, as reports list them.
const RACE: [NetNorm; 7] = NetNorm::ALL;

/// The batch-size experiment: kinds and batch sizes; every run sees the
/// same number of images (`BATCH_IMAGES`), with the learning rate scaled
/// linearly with the batch (0.05 at 32), as in the Group Norm paper.
const BATCH_KINDS: [NetNorm; 3] = [NetNorm::Batch, NetNorm::Group, NetNorm::Layer];
const BATCH_SIZES: [usize; 5] = [2, 4, 8, 16, 32];
const BATCH_IMAGES: usize = 3200;

/// The batch-size experiment's config for one kind and batch (keep equal to
/// `batchConfig` in `www/js/lab/config.js`).
fn batch_config(norm: NetNorm, batch: usize) -> TrainConfig {
    TrainConfig {
        norm,
        batch,
        steps: (BATCH_IMAGES / batch) as u32,
        lr: 0.05 * batch as f32 / 32.0,
        ..TrainConfig::default()
    }
}

/// Experiment 3: the race's batch- and instance-norm networks, pooled.
const POOLED_KINDS: [NetNorm; 2] = [NetNorm::Batch, NetNorm::Instance];

/// Experiment 6: batch norm with these running-statistics momenta, each
/// tested with these test batch sizes (keep equal to `EVAL_MOMENTA` and
/// `TEST_BATCH_SIZES` in `www/js/lab/config.js`).
const EVAL_MOMENTA: [f32; 4] = [0.01, 0.1, 0.5, 1.0];
const TEST_BATCH_SIZES: [usize; 6] = [1, 2, 4, 8, 16, 32];

/// The learning-rate experiment's recorded peak rate and kinds.
const HIGH_LR: f32 = 1.0;
const LR_KINDS: [NetNorm; 2] = [NetNorm::None, NetNorm::Batch];

#[derive(Serialize)]
struct Point {
    value: f32,
    accuracy: f32,
}

#[derive(Serialize, Default)]
struct Lighting {
    contrast: Vec<Point>,
    brightness: Vec<Point>,
    gamma: Vec<Point>,
}

/// Probes measured after the last step, by their names in `probes.js`.
#[derive(Serialize, Default)]
struct After {
    #[serde(skip_serializing_if = "Option::is_none")]
    pooled: Option<Pooled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    batchstats: Option<BatchStats>,
}

#[derive(Serialize)]
struct Probes {
    after: After,
    during: Vec<()>,
}

/// Which probes a run measures after its last step.
#[derive(Clone, Copy, PartialEq)]
enum Probe {
    None,
    Pooled,
    BatchStats,
}

#[derive(Serialize)]
struct Run {
    command: String,
    seconds: f64,
    record: RunRecord,
    lighting: Lighting,
    /// What the page's probes (`www/js/lab/probes.js`) measure, same names
    /// and shape: `{ after: { NAME: value }, during: [{ step, NAME: value }] }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    probes: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct File {
    made_by: &'static str,
    runs: Vec<Run>,
}

/// The `normscope train` command line that writes `cfg`'s record.
fn command(cfg: &TrainConfig) -> String {
    let d = TrainConfig::default();
    let mut s = format!("normscope train --task {} --norm {}", cfg.task, cfg.norm);
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
    s + " --out run.json"
}

fn run(cfg: TrainConfig, photos: &[Photo]) -> normscope::Result<Run> {
    run_after(cfg, photos, Probe::None)
}

/// Train `cfg` with the lighting sweep, then measure `probe` after the last step.
fn run_after(cfg: TrainConfig, photos: &[Photo], probe: Probe) -> normscope::Result<Run> {
    let data = Dataset::build(cfg.task, cfg.seed, photos)?;
    let cmd = command(&cfg);
    let t0 = Instant::now();
    let mut trainer = Trainer::new(cfg, data)?;
    while !trainer.is_done() {
        if trainer.step().is_err() {
            break; // diverged: the record says where
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    let mut lighting = Lighting::default();
    if trainer.diverged().is_none() {
        let sweep = |t: &mut Trainer, values: &[f32], f: &dyn Fn(f32) -> (f32, f32, f32)| {
            values
                .iter()
                .map(|&value| {
                    let (c, b, g) = f(value);
                    Point {
                        value,
                        accuracy: t.shift_accuracy(c, b, g),
                    }
                })
                .collect()
        };
        lighting.contrast = sweep(&mut trainer, &CONTRAST, &|v| (v, 0.0, 1.0));
        lighting.brightness = sweep(&mut trainer, &BRIGHTNESS, &|v| (1.0, v, 1.0));
        lighting.gamma = sweep(&mut trainer, &GAMMA, &|v| (1.0, 0.0, v));
    }
    eprintln!(
        "{cmd}: test accuracy {:.3}, {seconds:.1} s",
        trainer.record().test_accuracy
    );
    let probes = match (probe, trainer.diverged()) {
        (Probe::None, _) => None,
        (_, Some(_)) => Some(Probes {
            after: After::default(),
            during: vec![],
        }),
        (Probe::Pooled, None) => Some(Probes {
            after: After {
                pooled: Some(trainer.pooled()?),
                ..After::default()
            },
            during: vec![],
        }),
        (Probe::BatchStats, None) => Some(Probes {
            after: After {
                batchstats: Some(trainer.batch_stats(&TEST_BATCH_SIZES)?),
                ..After::default()
            },
            during: vec![],
        }),
    };
    let probes = probes
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| normscope::Error::Internal(e.to_string()))?;
    Ok(Run {
        command: cmd,
        seconds,
        record: trainer.record(),
        lighting,
        probes,
    })
}

/// Experiment 3's configs: the race's (default) config for each kind.
fn pooled_runs(steps: u32) -> Vec<TrainConfig> {
    POOLED_KINDS
        .iter()
        .map(|&norm| TrainConfig {
            norm,
            steps,
            ..TrainConfig::default()
        })
        .collect()
}

/// Experiment 6's configs: batch norm with each running-statistics momentum.
fn evalmode_runs(steps: u32) -> Vec<TrainConfig> {
    EVAL_MOMENTA
        .iter()
        .map(|&bn_momentum| TrainConfig {
            norm: NetNorm::Batch,
            bn_momentum,
            steps,
            ..TrainConfig::default()
        })
        .collect()
}

fn write(dir: &std::path::Path, name: &str, runs: Vec<Run>) -> Result<(), String> {
    let file = File {
        made_by: "cargo run --release --example lab_record",
        runs,
    };
    let json = serde_json::to_string(&file).map_err(|e| e.to_string())?;
    let path = dir.join(name);
    std::fs::write(&path, json).map_err(|e| format!("cannot write {} ({e})", path.display()))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().map_or("www/lab/recorded", String::as_str));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
    let photos = bundled_photos();
    let train = |cfgs: Vec<TrainConfig>| {
        cfgs.into_iter()
            .map(|cfg| run(cfg, &photos))
            .collect::<normscope::Result<Vec<_>>>()
            .map_err(|e| e.to_string())
    };
    let lr_runs = || -> Vec<TrainConfig> {
        LR_KINDS
            .iter()
            .map(|&norm| TrainConfig {
                norm,
                lr: HIGH_LR,
                ..TrainConfig::default()
            })
            .collect()
    };
    let batch_runs = || -> Vec<TrainConfig> {
        BATCH_KINDS
            .iter()
            .flat_map(|&norm| BATCH_SIZES.iter().map(move |&b| batch_config(norm, b)))
            .collect()
    };
    let probed = |cfgs: Vec<TrainConfig>, probe: Probe| {
        cfgs.into_iter()
            .map(|cfg| run_after(cfg, &photos, probe))
            .collect::<normscope::Result<Vec<_>>>()
            .map_err(|e| e.to_string())
    };
    // Experiments 3 and 6: optional STEPS for a short recording (page tests).
    let steps = |default: u32| -> Result<u32, String> {
        args.get(2).map_or(Ok(default), |s| {
            s.parse()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("STEPS: {s:?} is not a whole number ≥ 1"))
        })
    };
    if let Some(which) = args.get(1).filter(|a| *a == "neighbours" || *a == "both") {
        return record_probed(&dir, which, args.get(2), args.get(3), &photos);
    }
    if args.get(1).is_some_and(|a| a == "pooled") {
        let cfgs = pooled_runs(steps(TrainConfig::default().steps)?);
        return write(&dir, "pooled.json", probed(cfgs, Probe::Pooled)?);
    }
    if args.get(1).is_some_and(|a| a == "evalmode") {
        let cfgs = evalmode_runs(steps(TrainConfig::default().steps)?);
        return write(&dir, "evalmode.json", probed(cfgs, Probe::BatchStats)?);
    }
    if args.get(1).is_some_and(|a| a == "lr") {
        return write(&dir, "lr.json", train(lr_runs())?);
    }
    if args.get(1).is_some_and(|a| a == "batch") {
        // Optionally one kind only (batch-KIND.json), to record in parallel.
        return match args.get(2) {
            Some(kind) => write(
                &dir,
                &format!("batch-{kind}.json"),
                train(
                    batch_runs()
                        .into_iter()
                        .filter(|c| c.norm.to_string() == *kind)
                        .collect(),
                )?,
            ),
            None => write(&dir, "batch.json", train(batch_runs())?),
        };
    }
    if let Some(steps) = args.get(1).filter(|a| a.parse::<u32>().is_ok()) {
        // A short race for the page tests: STEPS and a comma list of kinds.
        let steps: u32 = steps
            .parse()
            .map_err(|_| format!("STEPS: {steps:?} is not a whole number"))?;
        let kinds = args.get(2).map_or("batch", String::as_str);
        let cfgs = kinds
            .split(',')
            .map(|k| {
                Ok(TrainConfig {
                    norm: k.parse().map_err(|e: normscope::Error| e.to_string())?,
                    steps,
                    ..TrainConfig::default()
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        return write(&dir, "race-what.json", train(cfgs)?);
    }
    for task in Task::ALL {
        let name = format!("race-{task}");
        if args.get(1).is_some_and(|a| *a != name) {
            continue;
        }
        let cfgs = RACE
            .iter()
            .map(|&norm| TrainConfig {
                task,
                norm,
                ..TrainConfig::default()
            })
            .collect();
        write(&dir, &format!("race-{task}.json"), train(cfgs)?)?;
    }
    if args.get(1).is_none() {
        write(&dir, "lr.json", train(lr_runs())?)?;
        write(&dir, "batch.json", train(batch_runs())?)?;
        write(
            &dir,
            "pooled.json",
            probed(pooled_runs(200), Probe::Pooled)?,
        )?;
        write(
            &dir,
            "evalmode.json",
            probed(evalmode_runs(200), Probe::BatchStats)?,
        )?;
        record_probed(&dir, "neighbours", None, None, &photos)?;
        record_probed(&dir, "both", None, None, &photos)?;
    }
    Ok(())
}

// ── Experiments 5 and 7 (neighbours, both together): runs measured every
// PROBE_EVERY steps by the same probes the page registers in probes.js. ──

/// Checkpoints: step 0 and every this many steps (probes.js `every`).
const PROBE_EVERY: u32 = 25;

/// Experiment 5's kinds (the race's config on "what is it?") and
/// experiment 7's runs (batch-instance on both tasks).
const NEIGHBOUR_KINDS: [NetNorm; 7] = NetNorm::ALL;

/// A probe's value at the trainer's current step, by its probes.js name.
fn probe(name: &str, t: &Trainer) -> Result<serde_json::Value, String> {
    let value = match name {
        "neighbours" => serde_json::to_value(neighbours(t).map_err(|e| e.to_string())?),
        "rho" => serde_json::to_value(rho(t)),
        _ => return Err(format!("unknown probe {name:?}")),
    };
    value.map_err(|e| e.to_string())
}

/// Train `cfg`, measuring `names` at step 0 and every `every` steps (as
/// trainloop.js does); no lighting sweep (the page skips it for these too).
fn run_probed(
    cfg: TrainConfig,
    photos: &[Photo],
    names: &[&str],
    every: u32,
) -> Result<Run, String> {
    let data = Dataset::build(cfg.task, cfg.seed, photos).map_err(|e| e.to_string())?;
    let cmd = command(&cfg);
    let t0 = Instant::now();
    let mut trainer = Trainer::new(cfg, data).map_err(|e| e.to_string())?;
    let mut during = Vec::new();
    let checkpoint = |t: &Trainer, during: &mut Vec<serde_json::Value>| -> Result<(), String> {
        if t.steps_done().is_multiple_of(every) {
            let mut point = serde_json::Map::new();
            point.insert("step".into(), t.steps_done().into());
            for name in names {
                point.insert((*name).into(), probe(name, t)?);
            }
            during.push(point.into());
        }
        Ok(())
    };
    checkpoint(&trainer, &mut during)?;
    while !trainer.is_done() {
        if trainer.step().is_err() {
            break; // diverged: the record says where
        }
        checkpoint(&trainer, &mut during)?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    eprintln!(
        "{cmd} (+ probes {names:?} every {every}): test accuracy {:.3}, {seconds:.1} s",
        trainer.record().test_accuracy
    );
    Ok(Run {
        command: cmd,
        seconds,
        record: trainer.record(),
        lighting: Lighting::default(),
        probes: Some(serde_json::json!({ "after": {}, "during": during })),
    })
}

/// `neighbours.json` (experiment 5) or `both.json` (experiment 7's ρ); with
/// STEPS and KINDS, a short neighbours file for the page tests.
fn record_probed(
    dir: &std::path::Path,
    which: &str,
    steps: Option<&String>,
    kinds: Option<&String>,
    photos: &[Photo],
) -> Result<(), String> {
    let steps = match steps {
        Some(s) => s
            .parse::<u32>()
            .map_err(|_| format!("STEPS: {s:?} is not a whole number"))?,
        None => TrainConfig::default().steps,
    };
    let kinds: Vec<NetNorm> = match kinds {
        Some(list) => list
            .split(',')
            .map(|k| k.parse().map_err(|e: normscope::Error| e.to_string()))
            .collect::<Result<_, _>>()?,
        None if which == "both" => vec![NetNorm::BatchInstance],
        None => NEIGHBOUR_KINDS.to_vec(),
    };
    let (tasks, name): (&[Task], &str) = if which == "both" {
        (&Task::ALL, "rho")
    } else {
        (&[Task::WhatIsIt], "neighbours")
    };
    let mut runs = Vec::new();
    for &task in tasks {
        for &norm in &kinds {
            let cfg = TrainConfig {
                task,
                norm,
                steps,
                ..TrainConfig::default()
            };
            runs.push(run_probed(cfg, photos, &[name], PROBE_EVERY.min(steps))?);
        }
    }
    write(dir, &format!("{which}.json"), runs)
}
