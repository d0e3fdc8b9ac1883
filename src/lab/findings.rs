//! The conclusion sentences of every lab experiment, computed from a lab
//! file (recorded, or the runs a panel has on screen) plus the panel's
//! settings. The CLI (`normscope lab`) and the page (a wasm export) call
//! [`conclusions`], so both print the same sentences.
//!
//! Every sentence states how many seeds it rests on, and calls a
//! difference only by the rule in [`rule`]: the same sign in every seed
//! (all but one when n ≥ 5) and a mean gap larger than the spread.
//! One file per experiment; [`words`] writes figures, [`file`] reads runs.

pub mod file;
pub mod rule;
pub mod words;

mod batch;
mod both;
mod evalmode;
mod lighting;
mod lr;
mod neighbours;
mod noise;
mod pooled;
mod race;
mod sweep;

use crate::{Error, Result};
use serde::Deserialize;

pub use file::LabFile;

/// The experiments, as `normscope lab` and the vocabulary name them, the
/// batch panel's same-steps variant and the sweep (no panel).
pub const EXPERIMENTS: [&str; 11] = [
    "race",
    "lighting",
    "pooled",
    "batch",
    "batch-steps",
    "neighbours",
    "evalmode",
    "both",
    "lr",
    "noise",
    "sweep",
];

/// What the panel shows besides the runs: every field optional, each read
/// only by the experiments it concerns (absent: the panel's default).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// "what" or "day-night" (race, both): defaults to the file's task.
    pub task: Option<String>,
    /// "contrast", "brightness" or "gamma" (lighting, both); default contrast.
    pub axis: Option<String>,
    /// A test-time lighting value on `axis` to report accuracy at (lighting).
    pub value: Option<f64>,
    /// The kinds shown (race, lighting); default every kind in the file.
    pub kinds: Option<Vec<String>>,
    /// Peak learning rate shown (lr); default 1.
    pub lr: Option<f64>,
    /// Batch norm's running-statistics momentum shown (evalmode); default 0.1.
    pub momentum: Option<f64>,
    /// The checkpoint shown (neighbours, both's ρ); default the last.
    pub step: Option<u32>,
    /// The seed whose details are drawn (neighbours, pooled); default the first.
    pub seed: Option<u64>,
    /// The pooled channel shown (pooled); default the one the classifier weighs most.
    pub channel: Option<usize>,
}

impl Settings {
    /// Whether `run`'s kind is among the kinds shown (every kind when none are named).
    pub fn shows(&self, run: &file::LabRun) -> bool {
        self.kinds
            .as_ref()
            .is_none_or(|k| k.iter().any(|k| k == run.kind()))
    }
}

/// The sentences under `experiment`'s panel for the runs in `file`.
///
/// # Errors
/// [`Error::BadInput`] for an unknown experiment or setting value. Missing
/// runs are not an error: the list is empty, as the panel shows nothing.
pub fn conclusions(experiment: &str, file: &LabFile, settings: &Settings) -> Result<Vec<String>> {
    if let Some(axis) = &settings.axis {
        if !lighting::AXES.contains(&axis.as_str()) {
            return Err(Error::BadInput(format!(
                "unknown lighting axis {axis:?}: expected contrast, brightness or gamma"
            )));
        }
    }
    if let Some(task) = &settings.task {
        if task != "what" && task != "day-night" && task != "photos" {
            return Err(Error::BadInput(format!(
                "unknown task {task:?}: expected what, day-night or photos"
            )));
        }
    }
    let sentences = match experiment {
        "race" => race::conclude(file, settings),
        "lighting" => lighting::conclude(file, settings),
        "pooled" => pooled::conclude(file, settings),
        "batch" => batch::conclude(file, batch::Held::Images),
        "batch-steps" => batch::conclude(file, batch::Held::Steps),
        "neighbours" => neighbours::conclude(file, settings),
        "evalmode" => evalmode::conclude(file, settings),
        "both" => both::conclude(file, settings),
        "lr" => lr::conclude(file, settings),
        "noise" => noise::conclude(file),
        "sweep" => sweep::conclude(file),
        other => {
            return Err(Error::BadInput(format!(
                "unknown experiment {other:?}: expected one of {}",
                EXPERIMENTS.join(", ")
            )))
        }
    };
    Ok(sentences)
}

/// The task of a file's runs: the settings', else the file's, else the first run's.
fn task_of(file: &LabFile, settings: &Settings) -> String {
    settings
        .task
        .clone()
        .or_else(|| file.task.clone())
        .or_else(|| file.runs.iter().find_map(|r| r.record.config.task.clone()))
        .unwrap_or_else(|| "what".into())
}

/// Guessing accuracy on a task: one over its classes (the reader's own
/// photos: as many as the runs' records name).
fn chance(file: &LabFile, task: &str) -> f64 {
    match task {
        "day-night" => 0.5,
        "photos" => runs_of(file, task)
            .map(|r| r.record.classes.len())
            .find(|&n| n > 0)
            .map_or(f64::NAN, |n| 1.0 / n as f64),
        _ => 1.0 / 6.0,
    }
}

/// How a task is named in a sentence.
fn task_words(task: &str) -> &'static str {
    match task {
        "day-night" => "day or night",
        "photos" => "your photos",
        _ => "what is it",
    }
}

/// The runs of `task` (runs that do not say their task count as `what`).
fn runs_of<'a>(file: &'a LabFile, task: &'a str) -> impl Iterator<Item = &'a file::LabRun> + 'a {
    file.runs
        .iter()
        .filter(move |r| r.record.config.task.as_deref().unwrap_or("what") == task)
}

/// The kinds present in `runs`, in the order they first appear.
fn kinds_in<'a>(runs: impl IntoIterator<Item = &'a file::LabRun>) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for r in runs {
        if !kinds.iter().any(|k| k == r.kind()) {
            kinds.push(r.kind().to_string());
        }
    }
    kinds
}

/// Are two settings the same number as the engine stores it (f32)?
fn same_f32(a: f64, b: f64) -> bool {
    (a as f32) == (b as f32)
}

#[cfg(test)]
pub(crate) mod made_up;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_refused_with_the_choices() {
        let file = LabFile::default();
        let err = conclusions("races", &file, &Settings::default()).expect_err("unknown");
        assert!(err.to_string().contains("race, lighting"), "{err}");
        let bad_axis = Settings {
            axis: Some("hue".into()),
            ..Settings::default()
        };
        assert!(conclusions("lighting", &file, &bad_axis).is_err());
    }

    #[test]
    fn no_runs_no_sentences() {
        for experiment in EXPERIMENTS {
            let out =
                conclusions(experiment, &LabFile::default(), &Settings::default()).expect("known");
            assert!(out.is_empty(), "{experiment}: {out:?}");
        }
    }
}
