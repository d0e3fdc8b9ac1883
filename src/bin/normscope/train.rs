//! `normscope train`: train the small network on a photo task, write the
//! run's record (JSON) and, optionally, its figure.
//!
//! ```text
//! normscope train --norm batch --out run.json
//! normscope train --task day-night --norm instance --steps 300 --out run.json --svg run.svg
//! normscope train --task-dir photos/ --norm group --out run.json
//! ```
//!
//! The JSON holds no wall time: the same arguments give the same bytes.
//! `--timing` prints the wall time on stderr. A run whose loss becomes NaN
//! or infinite stops with "diverged at step k: lower the learning rate",
//! exits non-zero and writes nothing.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use crate::io::{check_extension, write_atomically, Progress};
use normscope::file::LoadLimits;
use normscope::nn::curves::draw_run;
use normscope::nn::data::bundled_photos;
use normscope::nn::folders::read_task_dir;
use normscope::nn::train::{MAX_BATCH, MAX_STEPS, MAX_WIDTH};
use normscope::nn::{Dataset, NormKind, Task, TrainConfig, Trainer};
use normscope::{Error, Result};

#[derive(Args)]
pub struct TrainArgs {
    /// The task: what (which photo a patch is from) or day-night (how it is lit).
    #[arg(long, value_name = "TASK", value_parser = parse_task, default_value = "what")]
    task: Task,
    /// Train on your own photos instead: one folder per class inside DIR,
    /// named after the class (2-6 classes, up to 50 PNG, JPEG, GIF, BMP or
    /// WebP photos each, 16 megapixels in all after scaling; other files are
    /// skipped and listed). A photo whose shorter side passes 383 px is
    /// shrunk by a whole factor to 192-383 px. Test patches come from the
    /// last third of a photo's longer side, 8 px past where training
    /// patches stop, so a photo needs at least 72×32 px (either way round);
    /// a smaller one is an error naming it. The record's task is "photos"
    /// and its classes the folder names, sorted.
    #[arg(long, value_name = "DIR", conflicts_with = "task")]
    task_dir: Option<PathBuf>,
    /// none, batch, instance, layer, group, batch-instance or ibn.
    #[arg(long, value_name = "KIND", value_parser = parse_norm)]
    norm: NormKind,
    /// Groups for group norm (must divide every width).
    #[arg(long, value_name = "G", allow_negative_numbers = true)]
    groups: Option<i64>,
    /// Training steps (SGD updates).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    steps: Option<i64>,
    /// Images per step.
    #[arg(long, value_name = "B", allow_negative_numbers = true)]
    batch: Option<i64>,
    /// Peak learning rate (cosine schedule down to 0).
    #[arg(long, value_name = "LR", allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Seed of the data, the initialisation and the batch order.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Channels of the three conv blocks, e.g. 8,16,32.
    #[arg(
        long,
        value_name = "A,B,C",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    widths: Option<Vec<i64>>,
    /// Measure test accuracy every this many steps (and after the last).
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    eval_every: Option<i64>,
    /// Batch norm's running-statistics momentum m, in [0, 1]: r ← (1 − m)·r + m·batch (PyTorch: 0.1).
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    bn_momentum: Option<f64>,
    /// Where to write the run record (.json).
    #[arg(long, value_name = "RUN.json")]
    out: PathBuf,
    /// Also draw the loss and test-accuracy curves as SVG.
    #[arg(long, value_name = "FIG.svg", conflicts_with = "png")]
    svg: Option<PathBuf>,
    /// Also draw the loss and test-accuracy curves as PNG.
    #[arg(long, value_name = "FIG.png")]
    png: Option<PathBuf>,
    /// Print wall time and steps per second on stderr.
    #[arg(long)]
    timing: bool,
}

fn parse_task(s: &str) -> std::result::Result<Task, String> {
    s.parse::<Task>().map_err(|e| e.to_string())
}

fn parse_norm(s: &str) -> std::result::Result<NormKind, String> {
    s.parse::<NormKind>().map_err(|e| e.to_string())
}

/// The configuration the arguments ask for (defaults: [`TrainConfig::default`]).
fn config(args: &TrainArgs) -> Result<TrainConfig> {
    let mut cfg = TrainConfig {
        task: args.task,
        norm: args.norm,
        ..TrainConfig::default()
    };
    if let Some(s) = args.steps {
        cfg.steps = u32::try_from(s)
            .ok()
            .filter(|s| (1..=MAX_STEPS).contains(s))
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "--steps must be between 1 and {MAX_STEPS} (got {s})"
                ))
            })?;
    }
    if let Some(b) = args.batch {
        cfg.batch = usize::try_from(b)
            .ok()
            .filter(|b| (1..=MAX_BATCH).contains(b))
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "--batch must be between 1 and {MAX_BATCH} (got {b})"
                ))
            })?;
    }
    if let Some(lr) = args.lr {
        if !(lr.is_finite() && lr > 0.0 && lr as f32 > 0.0 && (lr as f32).is_finite()) {
            return Err(Error::BadInput(format!(
                "--lr must be a number greater than 0 (got {lr})"
            )));
        }
        cfg.lr = lr as f32;
    }
    if let Some(g) = args.groups {
        cfg.groups = usize::try_from(g)
            .ok()
            .filter(|&g| g >= 1)
            .ok_or_else(|| Error::BadInput(format!("--groups must be at least 1 (got {g})")))?;
    }
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if let Some(w) = &args.widths {
        if w.len() != 3 {
            return Err(Error::BadInput(format!(
                "--widths needs three numbers, one per conv block, e.g. 8,16,32 (got {})",
                w.len()
            )));
        }
        for (slot, &v) in cfg.widths.iter_mut().zip(w) {
            *slot = usize::try_from(v)
                .ok()
                .filter(|&v| (1..=MAX_WIDTH).contains(&v))
                .ok_or_else(|| {
                    Error::BadInput(format!(
                        "--widths: every width must be between 1 and {MAX_WIDTH} (got {v})"
                    ))
                })?;
        }
    }
    if let Some(k) = args.eval_every {
        cfg.eval_every = u32::try_from(k)
            .ok()
            .filter(|&k| k >= 1)
            .ok_or_else(|| Error::BadInput(format!("--eval-every must be at least 1 (got {k})")))?;
    }
    if let Some(m) = args.bn_momentum {
        if !(m.is_finite() && (0.0..=1.0).contains(&m)) {
            return Err(Error::BadInput(format!(
                "--bn-momentum must be a number in [0, 1] (got {m})"
            )));
        }
        cfg.bn_momentum = m as f32;
    }
    cfg.validate()?;
    Ok(cfg)
}

/// The patches of a task folder; files that are not photos are named on stderr.
fn task_from_folders(dir: &std::path::Path, seed: u64) -> Result<Dataset> {
    let task = read_task_dir(dir, &LoadLimits::default())?;
    if !task.skipped.is_empty() {
        eprintln!(
            "skipped {} file(s) that are not photos or not in a class folder: {}",
            task.skipped.len(),
            task.skipped.join(", ")
        );
    }
    Dataset::from_classes(seed, &task.classes)
}

pub fn run(args: &TrainArgs) -> Result<()> {
    check_extension(&args.out, &["json"])?;
    if let Some(p) = &args.svg {
        check_extension(p, &["svg"])?;
    }
    if let Some(p) = &args.png {
        check_extension(p, &["png"])?;
    }
    let mut cfg = config(args)?;
    let start = Instant::now();
    let data = match &args.task_dir {
        Some(dir) => {
            cfg.task = Task::Photos;
            task_from_folders(dir, cfg.seed)?
        }
        None => Dataset::build(cfg.task, cfg.seed, &bundled_photos())?,
    };
    let data_time = start.elapsed();
    let steps = cfg.steps;
    let mut trainer = Trainer::new(cfg, data)?;
    let progress = Progress::new(u64::from(steps));
    let train_start = Instant::now();
    trainer.run(|info| {
        progress.set_message(format!("loss {:.3}", info.loss));
        progress.inc();
    })?;
    let train_time = train_start.elapsed();
    progress.finish();
    let record = trainer.record();
    let mut json = serde_json::to_string_pretty(&record)
        .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    json.push('\n');
    let (w, h) = (1000, 420);
    let figure = match (&args.svg, &args.png) {
        (Some(p), _) => Some((
            p,
            normscope::chart::render_svg(w, h, |a| draw_run(a, &record))?.into_bytes(),
        )),
        (_, Some(p)) => Some((
            p,
            normscope::chart::render_png(w, h, |a| draw_run(a, &record))?,
        )),
        _ => None,
    };
    write_atomically(&args.out, |f| {
        f.write_all(json.as_bytes())
            .map_err(|e| Error::BadInput(format!("cannot write the record ({e})")))
    })?;
    if let Some((path, bytes)) = figure {
        write_atomically(path, |f| {
            f.write_all(&bytes)
                .map_err(|e| Error::BadInput(format!("cannot write the figure ({e})")))
        })?;
    }
    if args.timing {
        let secs = train_time.as_secs_f64();
        eprintln!(
            "timing: data {:.3} s; {} steps of batch {} ({} norm, widths {:?}) in {:.3} s = {:.1} steps/s, test evaluations included",
            data_time.as_secs_f64(),
            steps,
            record.config.batch,
            record.config.norm,
            record.config.widths,
            secs,
            f64::from(steps) / secs
        );
    }
    Ok(())
}
