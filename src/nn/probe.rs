//! Probes: what a trained network does inside, measured on the test patches
//! without changing the trainer (the lab's experiments 3 and 6).
//!
//! ```text
//! Trainer::pooled()            per test image and channel of the last block: the
//!                              spatial mean of the norm layer's output, of the ReLU's
//!                              output, and the classifier's input (global average
//!                              pool after the 2×2 max-pool); evaluation mode
//! Trainer::batch_stats(sizes)  test accuracy with the running statistics (evaluation
//!                              mode) and with each test batch's own statistics
//!                              (training-mode normalization) at these batch sizes,
//!                              batches of mixed classes or of one class only
//! Trainer::test_logits(…)      the logits behind both, for any cut of the test set
//! Trainer::train_accuracy()    accuracy on the training patches, evaluation mode (the
//!                              lab's noise experiment: the train–test gap)
//! ```
//!
//! Every probe runs on a copy of the network (built with room for the
//! largest test batch), so the trainer's weights, running statistics and
//! record are untouched: measuring and then training on gives the same
//! bytes as training alone.

use serde::{Deserialize, Serialize};

use super::layer::Mode;
use super::loss::argmax;
use super::network::{NetConfig, Network, INPUT_CHANNELS, INPUT_SIDE};
use super::rng::Rng;
use super::train::Trainer;
use crate::error::{Error, Result};

/// Largest test batch [`Trainer::batch_stats`] and [`Trainer::test_logits`]
/// accept (the copy's buffers grow with it: about 0.27 MB per image).
pub const MAX_TEST_BATCH: usize = 64;

/// The last block's channels, pooled per test image ([`Trainer::pooled`]).
/// Per-channel lists are indexed `[channel][image]`, images in test-set order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pooled {
    /// The test labels, in test-set order.
    pub labels: Vec<u8>,
    /// The last norm layer's learned shift β per channel.
    pub beta: Vec<f32>,
    /// Per channel, the length (Euclidean norm) of the classifier's weights
    /// on it: how strongly the linear layer can use that channel.
    pub weight: Vec<f32>,
    /// Spatial mean of the norm layer's output, `mean_hw(γ·x̂ + β)`.
    pub norm: Vec<Vec<f32>>,
    /// Spatial mean of the ReLU's output, `mean_hw(max(0, γ·x̂ + β))`.
    pub relu: Vec<Vec<f32>>,
    /// The classifier's input: global average pool of the max-pooled ReLU output.
    pub features: Vec<Vec<f32>>,
}

/// How the test set is cut into batches for batch statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grouping {
    /// In test-set order: the test set is shuffled when it is built, so a
    /// batch holds whatever classes fall together.
    Mixed,
    /// Each class's images together, class by class (a class's last batch
    /// holds what is left of it).
    OneClass,
}

/// Test accuracy with running statistics and with the test batch's own
/// ([`Trainer::batch_stats`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStats {
    /// The test batch sizes, in the order of `mixed` and `one_class`.
    pub sizes: Vec<usize>,
    /// Evaluation mode: every normalization with its running statistics.
    pub eval: f32,
    /// Batch statistics, batches of mixed classes, per size.
    pub mixed: Vec<f32>,
    /// Batch statistics, batches of one class, per size.
    pub one_class: Vec<f32>,
}

/// The indices of `labels` cut into batches of at most `size` images.
///
/// ```text
/// Mixed:    [0 … size), [size … 2·size), …                     (test-set order)
/// OneClass: class 0's images in order, cut the same way; then class 1's; …
/// ```
pub fn test_batches(labels: &[u8], size: usize, grouping: Grouping) -> Vec<Vec<usize>> {
    let size = size.max(1);
    match grouping {
        Grouping::Mixed => (0..labels.len())
            .collect::<Vec<_>>()
            .chunks(size)
            .map(<[usize]>::to_vec)
            .collect(),
        Grouping::OneClass => {
            let classes = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
            (0..classes)
                .flat_map(|k| {
                    let members: Vec<usize> = (0..labels.len())
                        .filter(|&i| labels[i] as usize == k)
                        .collect();
                    members
                        .chunks(size)
                        .map(<[usize]>::to_vec)
                        .collect::<Vec<_>>()
                })
                .collect()
        }
    }
}

/// Σ v / len in f64, rounded to f32 (0 for an empty slice).
fn mean(v: &[f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    (v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64) as f32
}

impl Trainer {
    /// A copy of the network whose buffers hold `room` images: the same
    /// parameters (γ, β, ρ, weights) and running statistics.
    fn network_with_room(&self, room: usize) -> Result<Network> {
        let cfg = self.config();
        let src = self.network();
        let mut net = Network::new(
            &NetConfig {
                widths: cfg.widths,
                classes: src.classes(),
                norm: cfg.norm,
                groups: cfg.groups,
                eps: cfg.eps as f64,
                bn_momentum: cfg.bn_momentum as f64,
                max_batch: room,
            },
            // The initial values are all overwritten below.
            &mut Rng::new(0),
        )?;
        for (dst, from) in net.params_mut().into_iter().zip(src.params()) {
            dst.value.copy_from_slice(&from.value);
        }
        for (dst, from) in net.blocks.iter_mut().zip(&src.blocks) {
            dst.norm
                .running_mean
                .copy_from_slice(&from.norm.running_mean);
            dst.norm.running_var.copy_from_slice(&from.norm.running_var);
        }
        Ok(net)
    }

    /// The logits (N×K, test-set order) of the test images, each batch of
    /// `batches` (indices into the test set, each image once) forwarded as
    /// one call, in `mode`: [`Mode::Eval`] uses the running statistics,
    /// [`Mode::Train`] normalizes with each batch's own statistics (on the
    /// copy; the trainer's running statistics do not move).
    ///
    /// # Errors
    /// [`Error::BadInput`] if a batch is empty or holds more than
    /// [`MAX_TEST_BATCH`] images, or an index is not a test image.
    pub fn test_logits(&self, batches: &[Vec<usize>], mode: Mode) -> Result<Vec<f32>> {
        let data = self.dataset();
        let n = data.test_y.len();
        let room = batches.iter().map(Vec::len).max().unwrap_or(1);
        if let Some(b) = batches
            .iter()
            .find(|b| b.is_empty() || b.len() > MAX_TEST_BATCH)
        {
            return Err(Error::BadInput(format!(
                "a test batch must hold 1 to {MAX_TEST_BATCH} images (got {})",
                b.len()
            )));
        }
        if let Some(&i) = batches.iter().flatten().find(|&&i| i >= n) {
            return Err(Error::BadInput(format!(
                "test image {i} does not exist: there are {n}"
            )));
        }
        let mut net = self.network_with_room(room)?;
        let k = net.classes();
        let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        let xs = data.test_x.as_slice().unwrap_or(&[]);
        let mut input = vec![0.0f32; room * plen];
        let mut logits = vec![0.0f32; n * k];
        for batch in batches {
            for (slot, &i) in batch.iter().enumerate() {
                input[slot * plen..(slot + 1) * plen]
                    .copy_from_slice(&xs[i * plen..(i + 1) * plen]);
            }
            let out = net.forward(&input, batch.len(), mode);
            for (slot, &i) in batch.iter().enumerate() {
                logits[i * k..(i + 1) * k].copy_from_slice(&out[slot * k..(slot + 1) * k]);
            }
        }
        Ok(logits)
    }

    /// Fraction of the test images whose largest logit in `logits` is their label.
    fn accuracy_of(&self, logits: &[f32]) -> f32 {
        let y = &self.dataset().test_y;
        let k = self.network().classes();
        let correct = y
            .iter()
            .enumerate()
            .filter(|&(i, &label)| argmax(&logits[i * k..(i + 1) * k]).0 == label as usize)
            .count();
        correct as f32 / y.len().max(1) as f32
    }

    /// Test accuracy in evaluation mode (running statistics) and with each
    /// test batch's own statistics, for batches of each of `sizes` images,
    /// mixed or of one class ([`test_batches`]).
    ///
    /// ```text
    /// evaluation:       x̂ = (x − running mean) / √(running var + ε)
    /// batch statistics: x̂ = (x − μ_batch) / √(σ²_batch + ε)      (as in training)
    /// ```
    ///
    /// # Errors
    /// [`Error::BadInput`] if `sizes` is empty or a size is not in
    /// 1..=[`MAX_TEST_BATCH`].
    pub fn batch_stats(&self, sizes: &[usize]) -> Result<BatchStats> {
        if sizes.is_empty() {
            return Err(Error::BadInput("give at least one test batch size".into()));
        }
        if let Some(&s) = sizes.iter().find(|&&s| s == 0 || s > MAX_TEST_BATCH) {
            return Err(Error::BadInput(format!(
                "a test batch must hold 1 to {MAX_TEST_BATCH} images (got {s})"
            )));
        }
        let labels = &self.dataset().test_y;
        let eval_batches = test_batches(
            labels,
            self.config().batch.min(MAX_TEST_BATCH),
            Grouping::Mixed,
        );
        let eval = self.accuracy_of(&self.test_logits(&eval_batches, Mode::Eval)?);
        let with = |grouping| -> Result<Vec<f32>> {
            sizes
                .iter()
                .map(|&s| {
                    let logits =
                        self.test_logits(&test_batches(labels, s, grouping), Mode::Train)?;
                    Ok(self.accuracy_of(&logits))
                })
                .collect()
        };
        Ok(BatchStats {
            sizes: sizes.to_vec(),
            eval,
            mixed: with(Grouping::Mixed)?,
            one_class: with(Grouping::OneClass)?,
        })
    }

    /// Accuracy on the training patches in evaluation mode (running
    /// statistics), as [`Trainer::test_accuracy`] measures the test patches.
    /// Evaluation changes no weight, statistic or record.
    pub fn train_accuracy(&mut self) -> f32 {
        let x = self.dataset().train_x.clone();
        let y = self.dataset().train_y.clone();
        self.evaluate(x.view(), &y)
    }

    /// The last block's channels pooled over each test image, in
    /// evaluation mode ([`Pooled`]).
    ///
    /// ```text
    /// norm[c][i]     = mean_hw(γ_c·x̂ + β_c)        instance norm: mean_hw x̂ = 0, so β_c
    /// relu[c][i]     = mean_hw(max(0, γ_c·x̂ + β_c))
    /// features[c][i] = mean_hw(maxpool2×2(relu))   what the linear layer sees
    /// ```
    pub fn pooled(&self) -> Result<Pooled> {
        let data = self.dataset();
        let n = data.test_y.len();
        let chunk = self.config().batch.clamp(1, MAX_TEST_BATCH);
        let mut net = self.network_with_room(chunk)?;
        let last = net.blocks.len() - 1;
        let c = self.config().widths[last];
        let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        let xs = data.test_x.as_slice().unwrap_or(&[]);
        let (mut norm, mut relu, mut features) = (
            vec![vec![0.0f32; n]; c],
            vec![vec![0.0f32; n]; c],
            vec![vec![0.0f32; n]; c],
        );
        for start in (0..n).step_by(chunk) {
            let m = chunk.min(n - start);
            net.forward(&xs[start * plen..(start + m) * plen], m, Mode::Eval);
            let Some((norm_out, relu_out)) = net.block_activations(last) else {
                return Err(Error::Internal("the network has no blocks".into()));
            };
            let hw = norm_out.len() / (chunk * c);
            for s in 0..m {
                for ch in 0..c {
                    let o = (s * c + ch) * hw;
                    norm[ch][start + s] = mean(&norm_out[o..o + hw]);
                    relu[ch][start + s] = mean(&relu_out[o..o + hw]);
                    features[ch][start + s] = net.features()[s * c + ch];
                }
            }
        }
        let src = self.network();
        let k = src.classes();
        let w = &src.fc.weight.value;
        let weight = (0..c)
            .map(|ch| ((0..k).map(|o| (w[o * c + ch] as f64).powi(2)).sum::<f64>()).sqrt() as f32)
            .collect();
        Ok(Pooled {
            labels: data.test_y.clone(),
            beta: src.blocks[last].norm.beta.value.clone(),
            weight,
            norm,
            relu,
            features,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_image_once() {
        let labels = [0u8, 1, 0, 2, 1, 0, 2];
        for grouping in [Grouping::Mixed, Grouping::OneClass] {
            for size in 1..9 {
                let b = test_batches(&labels, size, grouping);
                let mut all: Vec<usize> = b.iter().flatten().copied().collect();
                all.sort_unstable();
                assert_eq!(all, (0..labels.len()).collect::<Vec<_>>());
                assert!(b.iter().all(|x| !x.is_empty() && x.len() <= size));
                if grouping == Grouping::OneClass {
                    assert!(b
                        .iter()
                        .all(|x| x.iter().all(|&i| labels[i] == labels[x[0]])));
                }
            }
        }
        assert_eq!(
            test_batches(&labels, 2, Grouping::OneClass),
            vec![vec![0, 2], vec![5], vec![1, 4], vec![3, 6]]
        );
    }
}
