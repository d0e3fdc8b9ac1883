//! The trainer: a network, its data, SGD and the record of a run.
//!
//! ```text
//! Trainer::new(cfg, data) ─> step() × cfg.steps ─> record()   (RunRecord, the RUN.json)
//!                               │ every eval_every steps and at the end:
//!                               └─ test accuracy (evaluation mode)
//! ```
//!
//! Batches are drawn without replacement from a per-epoch shuffle of the
//! training set (the run's seed); evaluation runs in chunks of the training
//! batch size, which cannot change its result (in evaluation mode every
//! kind normalizes each sample on its own or with running statistics).

use ndarray::{ArrayView4, Axis};
use serde::{Deserialize, Serialize};

pub use super::config::{TrainConfig, MAX_BATCH, MAX_STEPS, MAX_WIDTH};

use super::data::{shift, Dataset};
use super::layer::Mode;
use super::loss::{argmax, softmax_cross_entropy};
use super::network::{NetConfig, Network, INPUT_CHANNELS, INPUT_SIDE};
use super::optim::Sgd;
use super::rng::Rng;
use super::schedule::cosine_lr;
use crate::error::{Error, Result};

/// What one [`Trainer::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepInfo {
    /// 1-based: the number of steps done so far.
    pub step: u32,
    pub loss: f32,
    pub lr: f32,
}

/// Test accuracy after `step` steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub step: u32,
    pub accuracy: f32,
}

/// Test accuracy under a lighting change of the test images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShiftPoint {
    pub contrast: f32,
    pub brightness: f32,
    pub gamma: f32,
    pub accuracy: f32,
}

/// Running statistics of one normalization layer's batch channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningRecord {
    /// Block name, e.g. `block1`.
    pub layer: String,
    /// The channels these statistics belong to (all, or ibn's second half).
    pub channels: Vec<usize>,
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
}

/// Where and why a run stopped early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diverged {
    pub step: u32,
    pub message: String,
}

/// The record of a run: `normscope train`'s RUN.json. No wall time, so
/// the same configuration gives the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub config: TrainConfig,
    pub classes: Vec<String>,
    /// Training loss of each step done, in order.
    pub loss: Vec<f32>,
    /// Final test accuracy (fraction in [0, 1]).
    pub test_accuracy: f32,
    pub test_curve: Vec<CurvePoint>,
    pub shift: Vec<ShiftPoint>,
    /// Batch-instance ρ per block (empty for other kinds).
    pub rho: Vec<Vec<f32>>,
    pub running: Vec<RunningRecord>,
    pub diverged: Option<Diverged>,
}

/// The test-time shifts every record reports: contrast 0.5, 1 and 2, then
/// brightness and gamma changes.
pub const SHIFTS: [(f32, f32, f32); 7] = [
    (0.5, 0.0, 1.0),
    (1.0, 0.0, 1.0),
    (2.0, 0.0, 1.0),
    (1.0, -0.25, 1.0),
    (1.0, 0.25, 1.0),
    (1.0, 0.0, 0.5),
    (1.0, 0.0, 2.0),
];

/// A training run in progress.
#[derive(Debug, Clone)]
pub struct Trainer {
    cfg: TrainConfig,
    data: Dataset,
    net: Network,
    sgd: Sgd,
    rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    step: u32,
    batch_x: Vec<f32>,
    batch_y: Vec<u8>,
    dlogits: Vec<f32>,
    pred: Vec<u8>,
    loss: Vec<f32>,
    curve: Vec<CurvePoint>,
    shift: Vec<ShiftPoint>,
    diverged: Option<Diverged>,
}

impl Trainer {
    /// A fresh run: network initialised from `cfg.seed`.
    ///
    /// # Errors
    /// [`Error::BadInput`] if `cfg` is invalid or `data` is not N×3×32×32
    /// with one label (below the class count) per image and no NaN/∞.
    pub fn new(cfg: TrainConfig, data: Dataset) -> Result<Trainer> {
        cfg.validate()?;
        check_images(
            "training",
            data.train_x.view(),
            &data.train_y,
            data.classes.len(),
        )?;
        check_images("test", data.test_x.view(), &data.test_y, data.classes.len())?;
        let mut data = data;
        data.train_x = data.train_x.as_standard_layout().into_owned();
        data.test_x = data.test_x.as_standard_layout().into_owned();
        let root = Rng::new(cfg.seed);
        let mut init = root.fork(0x1417);
        let net = Network::new(
            &NetConfig {
                widths: cfg.widths,
                classes: data.classes.len(),
                norm: cfg.norm,
                groups: cfg.groups,
                eps: cfg.eps as f64,
                bn_momentum: cfg.bn_momentum as f64,
                max_batch: cfg.batch,
            },
            &mut init,
        )?;
        let n = data.train_y.len();
        let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        let k = data.classes.len();
        Ok(Trainer {
            sgd: Sgd::new(cfg.momentum, cfg.weight_decay),
            rng: root.fork(0xBA7C),
            order: (0..n).collect(),
            cursor: n, // reshuffle before the first batch
            step: 0,
            batch_x: vec![0.0; cfg.batch * plen],
            batch_y: vec![0; cfg.batch],
            dlogits: vec![0.0; cfg.batch * k],
            pred: vec![0; cfg.batch],
            loss: Vec::with_capacity(cfg.steps as usize),
            curve: Vec::new(),
            shift: Vec::new(),
            diverged: None,
            net,
            data,
            cfg,
        })
    }

    /// The configuration of this run.
    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }

    /// The network (for inspection and gradient checks).
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The run's training and test patches.
    pub fn dataset(&self) -> &Dataset {
        &self.data
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> u32 {
        self.step
    }

    /// True once `cfg.steps` steps are done or the run diverged.
    pub fn is_done(&self) -> bool {
        self.step >= self.cfg.steps || self.diverged.is_some()
    }

    /// The test-accuracy points measured so far.
    pub fn test_curve(&self) -> &[CurvePoint] {
        &self.curve
    }

    /// Why the run stopped early, if it did.
    pub fn diverged(&self) -> Option<&Diverged> {
        self.diverged.as_ref()
    }

    /// One SGD step on the next batch; measures test accuracy every
    /// `eval_every` steps and after the last.
    ///
    /// # Errors
    /// [`Error::BadInput`] "diverged at step k: lower the learning rate" if
    /// the loss is not finite (the step is not applied, and the trainer
    /// refuses further steps with the same message), or "the run is
    /// finished" after the last step.
    pub fn step(&mut self) -> Result<StepInfo> {
        if let Some(d) = &self.diverged {
            return Err(Error::BadInput(d.message.clone()));
        }
        if self.step >= self.cfg.steps {
            return Err(Error::BadInput(format!(
                "the run is finished: all {} steps are done",
                self.cfg.steps
            )));
        }
        let b = self.cfg.batch;
        let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        let n = self.order.len();
        let train = self.data.train_x.as_slice().unwrap_or(&[]);
        for i in 0..b {
            if self.cursor >= n {
                self.rng.shuffle(&mut self.order);
                self.cursor = 0;
            }
            let j = self.order[self.cursor];
            self.cursor += 1;
            self.batch_x[i * plen..(i + 1) * plen]
                .copy_from_slice(&train[j * plen..(j + 1) * plen]);
            self.batch_y[i] = self.data.train_y[j];
        }
        let k = self.net.classes();
        let logits = self.net.forward(&self.batch_x, b, Mode::Train);
        let loss =
            softmax_cross_entropy(logits, &self.batch_y, k, &mut self.dlogits, &mut self.pred);
        let lr = cosine_lr(self.cfg.lr, self.step, self.cfg.steps);
        if !loss.is_finite() {
            let d = Diverged {
                step: self.step + 1,
                message: format!(
                    "diverged at step {}: lower the learning rate",
                    self.step + 1
                ),
            };
            let msg = d.message.clone();
            self.diverged = Some(d);
            return Err(Error::BadInput(msg));
        }
        self.net.zero_grad();
        self.net.backward(b, &self.dlogits);
        self.sgd.step(&mut self.net.params_mut(), lr);
        self.step += 1;
        self.loss.push(loss);
        if self.step.is_multiple_of(self.cfg.eval_every) || self.step == self.cfg.steps {
            let accuracy = self.test_accuracy();
            self.curve.push(CurvePoint {
                step: self.step,
                accuracy,
            });
        }
        if self.step == self.cfg.steps {
            self.shift = SHIFTS
                .iter()
                .map(|&(contrast, brightness, gamma)| ShiftPoint {
                    contrast,
                    brightness,
                    gamma,
                    accuracy: self.shift_accuracy(contrast, brightness, gamma),
                })
                .collect();
        }
        Ok(StepInfo {
            step: self.step,
            loss,
            lr,
        })
    }

    /// Run every remaining step, calling `progress` after each.
    ///
    /// # Errors
    /// As [`Trainer::step`] (divergence).
    pub fn run(&mut self, mut progress: impl FnMut(&StepInfo)) -> Result<()> {
        while !self.is_done() {
            let info = self.step()?;
            progress(&info);
        }
        Ok(())
    }

    /// Fraction of `x` classified as `y`, in evaluation mode (batch norm
    /// uses running statistics). Images not N×3×32×32 or labels of another
    /// length give 0.
    pub fn evaluate(&mut self, x: ArrayView4<f32>, y: &[u8]) -> f32 {
        let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        if x.shape()[1..] != [INPUT_CHANNELS, INPUT_SIDE, INPUT_SIDE]
            || x.shape()[0] != y.len()
            || y.is_empty()
        {
            return 0.0;
        }
        let x = x.as_standard_layout();
        let xs = x.as_slice().unwrap_or(&[]);
        let k = self.net.classes();
        let chunk = self.net.max_batch();
        let mut correct = 0usize;
        for start in (0..y.len()).step_by(chunk) {
            let m = chunk.min(y.len() - start);
            let logits = self
                .net
                .forward(&xs[start * plen..(start + m) * plen], m, Mode::Eval);
            for s in 0..m {
                let (arg, _) = argmax(&logits[s * k..(s + 1) * k]);
                if arg == y[start + s] as usize {
                    correct += 1;
                }
            }
        }
        correct as f32 / y.len() as f32
    }

    /// Accuracy on the task's test patches.
    pub fn test_accuracy(&mut self) -> f32 {
        let x = std::mem::replace(&mut self.data.test_x, ndarray::Array4::zeros((0, 0, 0, 0)));
        let y = std::mem::take(&mut self.data.test_y);
        let a = self.evaluate(x.view(), &y);
        self.data.test_x = x;
        self.data.test_y = y;
        a
    }

    /// Accuracy on the test patches after [`shift`].
    pub fn shift_accuracy(&mut self, contrast: f32, brightness: f32, gamma: f32) -> f32 {
        let x = shift(self.data.test_x.view(), contrast, brightness, gamma);
        let y = std::mem::take(&mut self.data.test_y);
        let a = self.evaluate(x.view(), &y);
        self.data.test_y = y;
        a
    }

    /// The record of the run so far: `test_accuracy` is the last measured
    /// one (0 before any), `shift` is filled once the last step is done.
    pub fn record(&self) -> RunRecord {
        let test_accuracy = self.curve.last().map_or(0.0, |p| p.accuracy);
        let shift = self.shift.clone();
        let rho = self
            .net
            .blocks
            .iter()
            .filter_map(|b| b.norm.rho.as_ref().map(|p| p.value.clone()))
            .collect();
        let running = self
            .net
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.norm.has_running_stats())
            .map(|(i, b)| {
                let channels = b.norm.batch_channels();
                RunningRecord {
                    layer: format!("block{}", i + 1),
                    mean: channels.iter().map(|&c| b.norm.running_mean[c]).collect(),
                    var: channels.iter().map(|&c| b.norm.running_var[c]).collect(),
                    channels,
                }
            })
            .collect();
        RunRecord {
            config: self.cfg.clone(),
            classes: self.data.classes.clone(),
            loss: self.loss.clone(),
            test_accuracy,
            test_curve: self.curve.clone(),
            shift,
            rho,
            running,
            diverged: self.diverged.clone(),
        }
    }
}

/// Check a set of images and labels for the network.
fn check_images(what: &str, x: ArrayView4<f32>, y: &[u8], classes: usize) -> Result<()> {
    let want = [INPUT_CHANNELS, INPUT_SIDE, INPUT_SIDE];
    if x.shape()[1..] != want {
        return Err(Error::BadInput(format!(
            "the {what} images are {:?}; the network takes N×3×32×32",
            x.shape()
        )));
    }
    if x.len_of(Axis(0)) != y.len() || y.is_empty() {
        return Err(Error::BadInput(format!(
            "{} {what} images but {} labels; need one label per image, at least one",
            x.len_of(Axis(0)),
            y.len()
        )));
    }
    if let Some(&l) = y.iter().find(|&&l| l as usize >= classes) {
        return Err(Error::BadInput(format!(
            "{what} label {l} is not below the {classes} classes"
        )));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::BadInput(format!(
            "the {what} images hold NaN or infinite values"
        )));
    }
    Ok(())
}
