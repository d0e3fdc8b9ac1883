//! The training contract: [`TrainConfig`], what every door (the CLI, the
//! wasm `Trainer`, Python's `train`) fills in, and its one
//! [`TrainConfig::validate`]. Configs from outside come through
//! [`TrainConfig::from_deserializer`], so a bad field gets the same message
//! through every door.

use serde::{Deserialize, Deserializer, Serialize};

use read::Loose;
pub use read::Loose as ConfigValue;

use super::data::Task;
use crate::error::{Error, Result};
use crate::norm::NormKind;

/// Largest accepted step count, batch and width (bounds memory and time).
pub const MAX_STEPS: u32 = 100_000;
pub const MAX_BATCH: usize = 512;
pub const MAX_WIDTH: usize = 256;

/// Everything that determines a run. `Default` is the lab's default run;
/// a missing field takes its default, an unknown one is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    #[serde(deserialize_with = "read::task")]
    pub task: Task,
    #[serde(deserialize_with = "read::named")]
    pub norm: NormKind,
    /// Groups for group norm (must divide every width); ignored otherwise.
    #[serde(deserialize_with = "read::whole")]
    pub groups: usize,
    #[serde(deserialize_with = "read::whole")]
    pub steps: u32,
    #[serde(deserialize_with = "read::whole")]
    pub batch: usize,
    /// Peak learning rate of the cosine schedule.
    #[serde(deserialize_with = "read::number")]
    pub lr: f32,
    #[serde(deserialize_with = "read::number")]
    pub momentum: f32,
    #[serde(deserialize_with = "read::number")]
    pub weight_decay: f32,
    #[serde(deserialize_with = "read::whole")]
    pub seed: u64,
    /// Channels of the three conv blocks.
    #[serde(deserialize_with = "read::widths")]
    pub widths: [usize; 3],
    /// Test accuracy is measured every this many steps (and at the end).
    #[serde(deserialize_with = "read::whole")]
    pub eval_every: u32,
    /// Batch norm's running-statistics momentum (PyTorch: 0.1).
    #[serde(deserialize_with = "read::number")]
    pub bn_momentum: f32,
    /// Added to the variance in every normalization (PyTorch: 1e-5).
    #[serde(deserialize_with = "read::number")]
    pub eps: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            task: Task::WhatIsIt,
            norm: NormKind::Batch,
            groups: 4,
            steps: 200,
            batch: 32,
            lr: 0.02,
            momentum: 0.9,
            weight_decay: 5e-4,
            seed: 1,
            widths: [8, 16, 32],
            eval_every: 25,
            bn_momentum: 0.1,
            eps: 1e-5,
        }
    }
}

impl TrainConfig {
    /// The one door for a config from outside (a JS object through
    /// serde-wasm-bindgen, a Python dict through JSON, a JSON file): read
    /// it, then [`TrainConfig::validate`] it. A message names the field as
    /// `config.NAME`, the same whatever the door.
    ///
    /// ```
    /// use normscope::nn::TrainConfig;
    /// let v: serde_json::Value = serde_json::from_str(r#"{"norm": "group", "lrr": 1}"#).unwrap();
    /// let e = TrainConfig::from_deserializer(v).unwrap_err().to_string();
    /// assert!(e.starts_with("config.lrr: unknown field `lrr`"), "{e}");
    /// ```
    ///
    /// # Errors
    /// [`Error::BadInput`] naming the first bad field: an unknown name, a
    /// value of the wrong type, or a range [`TrainConfig::validate`] refuses.
    pub fn from_deserializer<'de, D: Deserializer<'de>>(source: D) -> Result<TrainConfig> {
        let fields = read::fields(source)
            .map_err(|e| Error::BadInput(format!("the training config {e}")))?;
        TrainConfig::from_fields(fields)
    }

    /// [`TrainConfig::from_deserializer`] for a skin that has already read
    /// the object's fields (the wasm skin reads JS values directly: smaller
    /// than a generic JS deserializer).
    ///
    /// # Errors
    /// As [`TrainConfig::from_deserializer`].
    pub fn from_fields(fields: Vec<(String, ConfigValue)>) -> Result<TrainConfig> {
        let cfg = match TrainConfig::deserialize(Loose::Object(fields.clone())) {
            Ok(cfg) => cfg,
            // Name the field: the first one that fails on its own.
            Err(whole) => {
                let (path, inner) = fields
                    .into_iter()
                    .find_map(|(key, value)| {
                        TrainConfig::deserialize(Loose::Object(vec![(key.clone(), value)]))
                            .err()
                            .map(|e| (Some(key), e.to_string()))
                    })
                    .unwrap_or((None, whole.to_string()));
                return Err(field_error(path.as_deref(), &inner));
            }
        };
        cfg.validate().map_err(|e| e.context("config"))?;
        Ok(cfg)
    }

    /// Check every field.
    ///
    /// # Errors
    /// [`Error::BadInput`] naming the first bad field: zero or too many
    /// steps, zero or too large batch, a learning rate that is not a finite
    /// number > 0, momentum outside [0, 1), negative weight decay, zero or
    /// too large widths, groups that do not divide the widths (group norm),
    /// eval_every 0, bn_momentum outside [0, 1], eps not finite and > 0.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::BadInput(m));
        if self.steps == 0 || self.steps > MAX_STEPS {
            return bad(format!(
                "steps must be between 1 and {MAX_STEPS} (got {})",
                self.steps
            ));
        }
        if self.batch == 0 || self.batch > MAX_BATCH {
            return bad(format!(
                "batch must be between 1 and {MAX_BATCH} (got {})",
                self.batch
            ));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!(
                "the learning rate must be a number greater than 0 (got {})",
                self.lr
            ));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return bad(format!(
                "momentum must be in [0, 1) (got {})",
                self.momentum
            ));
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad(format!(
                "weight decay must be a number ≥ 0 (got {})",
                self.weight_decay
            ));
        }
        if self.widths.iter().any(|&w| w == 0 || w > MAX_WIDTH) {
            return bad(format!(
                "every width must be between 1 and {MAX_WIDTH} (got {:?})",
                self.widths
            ));
        }
        if self.norm == NormKind::Group {
            if let Some(&w) = self
                .widths
                .iter()
                .find(|&&w| self.groups == 0 || !w.is_multiple_of(self.groups))
            {
                return bad(format!(
                    "the number of groups must divide the number of channels: {w} channels cannot be split into {} groups",
                    self.groups
                ));
            }
        }
        if self.norm == NormKind::Ibn && self.widths[0] < 2 {
            return bad("ibn splits the first block's channels in half: it needs a first width of at least 2".into());
        }
        if self.eval_every == 0 {
            return bad("eval_every must be at least 1".into());
        }
        if !(self.bn_momentum.is_finite() && (0.0..=1.0).contains(&self.bn_momentum)) {
            return bad(format!(
                "the batch-norm momentum must be in [0, 1] (got {})",
                self.bn_momentum
            ));
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return bad(format!(
                "eps must be a finite number greater than 0 (got {})",
                self.eps
            ));
        }
        Ok(())
    }
}

/// The message for a field that cannot be read: "config.steps must be …"
/// (the field readers' wording), "config.task: unknown task …".
fn field_error(field: Option<&str>, inner: &str) -> Error {
    let sep = if inner.starts_with("must ") || inner.starts_with("is ") {
        " "
    } else {
        ": "
    };
    let (at, hint) = match field {
        Some(name) => (format!(".{name}"), spelling_hint(name, inner)),
        None => (String::new(), String::new()),
    };
    Error::BadInput(format!("config{at}{sep}{inner}{hint}"))
}

/// For an unknown field written in camelCase (`weightDecay`) whose
/// snake_case spelling is a field (serde lists them in backticks): the hint.
fn spelling_hint(path: &str, message: &str) -> String {
    let mut snake = String::new();
    for ch in path.chars() {
        if ch.is_ascii_uppercase() {
            snake.push('_');
            snake.push(ch.to_ascii_lowercase());
        } else {
            snake.push(ch);
        }
    }
    if message.starts_with("unknown field")
        && snake != path
        && message.contains(&format!("`{snake}`"))
    {
        format!("; did you mean {snake}?")
    } else {
        String::new()
    }
}

mod read;
