//! `normscope lab`: record one of the lab's experiments over seeds 1..=N,
//! as the page loads it, with its chart; `--vocabulary` prints the lab's
//! shared vocabulary.
//!
//! ```text
//! normscope lab race --seeds 5 --out www/lab/recorded          # race-what.json, race-what.svg
//! normscope lab noise --task day-night --out d                 # noise-day-night.json, noise-day-night.svg
//! normscope lab race --task-dir assets/examples/photos --out d # race-photos.json: your own classes
//! normscope lab --vocabulary > www/lab/vocabulary.json
//! ```
//!
//! Nothing is written until every run is done; a bad argument or an
//! unwritable folder is reported before any training.

#![cfg(not(target_arch = "wasm32"))]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use crate::io::{write_atomically, Progress};
use normscope::chart::render_svg;
use normscope::file::LoadLimits;
use normscope::lab::chart::{arm_label, draw_lab, ChartKind};
use normscope::lab::experiment::{Plan, Recording};
use normscope::lab::file::LabFile;
use normscope::lab::runner::{record, total_steps, Event, Options, TaskPhotos};
use normscope::lab::vocabulary::{vocabulary_json, Experiment, VOCABULARY};
use normscope::nn::data::bundled_photos;
use normscope::nn::folders::read_task_dir;
use normscope::nn::Task;
use normscope::{Error, Result};

#[derive(Args)]
#[command(
    after_help = "Files: DIR/EXPERIMENT.json and DIR/EXPERIMENT.svg for the task `what`; \
DIR/EXPERIMENT-TASK.json and .svg for another task (e.g. noise-day-night.json). The race always names its task \
(race-what.json, race-day-night.json). `lighting` records the race (its panel reads the race's lighting sweeps) \
and draws accuracy against contrast (race-what.json, lighting.svg). `batch` and `noise` fix the images each run sees (3200), not the steps; \
`batch-steps` is batch's same-steps variant (the race's 200 steps and learning rate at every batch size). \
`sweep` (not a panel) trains none, batch, layer and group norm at peak learning rates 0.01 to 0.1, \
and group norm with 2 and 8 groups."
)]
pub struct LabArgs {
    /// race, lighting, pooled, batch, neighbours, evalmode, both, lr, noise, batch-steps or sweep.
    #[arg(value_name = "EXPERIMENT", required_unless_present = "vocabulary")]
    experiment: Option<String>,
    /// The task: what (which photo a patch is from) or day-night (how it is lit).
    #[arg(long, value_name = "TASK", value_parser = parse_task)]
    task: Option<Task>,
    /// Your own photos instead of a bundled task: one folder per class, as `normscope train --task-dir` (task `photos`).
    #[arg(long, value_name = "DIR", conflicts_with = "task")]
    task_dir: Option<PathBuf>,
    /// Train seeds 1..=N of every arm [default: 5].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seeds: Option<i64>,
    /// Training steps of every run [default: 200].
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    steps: Option<i64>,
    /// Measure the after-training probes (pooled's per-image values are large) for seeds 1..=K only [default: every seed].
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    probe_seeds: Option<i64>,
    /// The folder to write into (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "vocabulary")]
    out: Option<PathBuf>,
    /// Print the lab's vocabulary (www/lab/vocabulary.json) on stdout and exit.
    #[arg(long, conflicts_with_all = ["experiment", "out"])]
    vocabulary: bool,
}

fn parse_task(s: &str) -> std::result::Result<Task, String> {
    s.parse::<Task>().map_err(|e| e.to_string())
}

/// A whole-number option in `range`.
fn whole(name: &str, v: Option<i64>, min: i64, max: i64) -> Result<Option<i64>> {
    match v {
        Some(v) if !(min..=max).contains(&v) => Err(Error::BadInput(format!(
            "--{name} must be between {min} and {max} (got {v})"
        ))),
        v => Ok(v),
    }
}

pub fn run(args: &LabArgs) -> Result<()> {
    if args.vocabulary {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(vocabulary_json()?.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::BadInput(format!("cannot write the vocabulary ({e})")));
    }
    let (Some(name), Some(dir)) = (&args.experiment, &args.out) else {
        return Err(Error::BadInput("give an EXPERIMENT and --out DIR".into()));
    };
    let recording: Recording = name.parse()?;
    let v = &VOCABULARY;
    let seeds = whole("seeds", args.seeds, v.seeds.min as i64, v.seeds.max as i64)?
        .map_or(v.seeds.recorded, |s| s as u64);
    let steps = whole(
        "steps",
        args.steps,
        i64::from(v.steps.min),
        i64::from(v.steps.max),
    )?
    .map(|s| s as u32);
    let probe_seeds =
        whole("probe-seeds", args.probe_seeds, 0, seeds as i64)?.map_or(seeds, |k| k as u64);
    let task = if args.task_dir.is_some() {
        Some(Task::Photos)
    } else {
        args.task
    };
    let plan = Plan::new(recording, task, steps)?;
    // The photos are read (and checked) before any training, as the folder is.
    let folder = match &args.task_dir {
        Some(d) => {
            let t = read_task_dir(d, &LoadLimits::default())?;
            if !t.skipped.is_empty() {
                eprintln!(
                    "skipped {} file(s) that are not photos or not in a class folder: {}",
                    t.skipped.len(),
                    t.skipped.join(", ")
                );
            }
            Some(t.classes)
        }
        None => None,
    };
    check_folder(dir)?;

    let mut made_by = format!("normscope lab {recording}");
    if let Some(d) = &args.task_dir {
        made_by += &format!(" --task-dir {}", d.display());
    } else if let Some(t) = args.task {
        made_by += &format!(" --task {t}");
    }
    made_by += &format!(" --seeds {seeds}");
    if let Some(s) = steps {
        made_by += &format!(" --steps {s}");
    }
    if probe_seeds < seeds {
        made_by += &format!(" --probe-seeds {probe_seeds}");
    }
    let opts = Options {
        seeds,
        probe_seeds,
        made_by,
    };

    let progress = Progress::new(total_steps(&plan, seeds));
    // The bar shows on a terminal; a log (a recording left running) gets a line per run.
    let log = !std::io::stderr().is_terminal();
    let bundled = if folder.is_none() {
        bundled_photos()
    } else {
        Vec::new()
    };
    let photos = match &folder {
        Some(classes) => TaskPhotos::Classes(classes),
        None => TaskPhotos::Bundled(&bundled),
    };
    let file = record(&plan, &opts, photos, |event| match event {
        Event::Step => progress.inc(),
        Event::Run { index, total, run } => {
            let line = format!(
                "run {}/{total}: {} seed {}: test accuracy {:.3} ({:.1} s)",
                index + 1,
                run.kind,
                run.seed,
                run.record.test_accuracy,
                run.seconds
            );
            if log {
                eprintln!("{line}");
            }
            progress.set_message(line);
        }
    })?;
    progress.finish();

    let mut json =
        serde_json::to_string(&file).map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    json.push('\n');
    let chart = match recording {
        Recording::Panel(Experiment::Lighting) => ChartKind::Lighting,
        _ => ChartKind::Strip,
    };
    let rows = file.summary.len();
    let (w, h) = (140 + 90 * rows.max(4) as u32, 520);
    let svg = render_svg(w.min(2400), h, |a| draw_lab(a, &file, chart))?;
    let json_path = dir.join(format!("{}.json", plan.file_stem()));
    let svg_path = dir.join(format!("{}.svg", plan.chart_stem()));
    write_atomically(&json_path, |f| {
        f.write_all(json.as_bytes())
            .map_err(|e| Error::BadInput(format!("cannot write the runs ({e})")))
    })?;
    let written = write_atomically(&svg_path, |f| {
        f.write_all(svg.as_bytes())
            .map_err(|e| Error::BadInput(format!("cannot write the chart ({e})")))
    });
    if let Err(e) = written {
        // All or nothing: the runs without their chart would be a partial result.
        let _ = std::fs::remove_file(&json_path);
        return Err(e);
    }
    print_summary(&file);
    // The panel's sentences, computed by the same code the page calls
    // (src/lab/findings/), from the file just written.
    {
        let view: normscope::lab::findings::LabFile = serde_json::from_str(&json)
            .map_err(|e| Error::Internal(format!("reading the runs back: {e}")))?;
        let settings = normscope::lab::findings::Settings::default();
        for sentence in normscope::lab::findings::conclusions(recording.name(), &view, &settings)? {
            println!("{sentence}");
        }
    }
    Ok(())
}

/// Create `dir` if needed and make sure a file can be written there,
/// before hours of training rather than after.
fn check_folder(dir: &Path) -> Result<()> {
    let shown = dir.display();
    if dir.exists() && !dir.is_dir() {
        return Err(Error::BadInput(format!("--out {shown}: not a folder")));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::BadInput(format!("--out {shown}: cannot create the folder ({e})")))?;
    tempfile::Builder::new()
        .prefix(".normscope-")
        .suffix(".part")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| Error::BadInput(format!("--out {shown}: cannot write in this folder ({e})")))
}

/// The summary table on stdout: `arm: mean ± sd (min–max), n = N`.
fn print_summary(file: &LabFile) {
    for row in &file.summary {
        println!(
            "{}: test accuracy {:.3} ± {:.3} ({:.3}–{:.3}), n = {}",
            arm_label(row.kind, &row.arm),
            row.mean,
            row.sd,
            row.min,
            row.max,
            row.n
        );
    }
}
