//! What the lab measures on a network while it trains (experiments 5 and 7):
//! how much one image's input moves another image's output in the same
//! batch, the same image's output among two different sets of companions,
//! and batch-instance norm's learned ρ.
//!
//! ```text
//! batch A = NEIGHBOURS test patches, classes in turn (fixed for a task and seed)
//! influence[i][j] = TV(p_i(A), p_i(A with image j darkened: x ← x^DARKEN_GAMMA))
//!                   TV(p, q) = ½ Σ_k |p_k − q_k|   (0: unmoved, 1: all probability moved)
//! same image      = p_0 in batch A, in batch B (image 0 + 7 patches of the last class),
//!                   and in evaluation mode (running statistics: no batch at all)
//! ```
//!
//! Everything runs in training mode (batch statistics) on a *clone* of the
//! network: the trainer, its running statistics and its record are left
//! exactly as they were, so a run that is measured trains to the same bytes
//! as one that is not. Off the diagonal, `influence` is exactly 0 for every
//! kind that normalizes each image on its own (none, instance, layer, group):
//! every other layer works per image too, so image j's pixels never reach
//! image i's arithmetic.
//!
//! The change is a darkening (gamma), not a contrast change: per-image
//! normalization divides a contrast change out of the image's own output,
//! which would empty the diagonal too.

use ndarray::{s, ArrayView4};
use serde::{Deserialize, Serialize};

use super::data::{shift, Dataset};
use super::layer::Mode;
use super::network::{Network, INPUT_CHANNELS, INPUT_SIDE};
use super::train::Trainer;
use crate::error::{Error, Result};

/// Images in the measured batch.
pub const NEIGHBOURS: usize = 8;
/// The darkening applied to one image at a time (`x ← x^γ`).
pub const DARKEN_GAMMA: f32 = 2.0;

/// One checkpoint's measurements of experiment 5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    /// Labels of the batch's images (indices into the record's classes).
    pub labels: Vec<u8>,
    /// `influence[i][j]`: how far image i's class probabilities moved
    /// (total variation) when image j alone was darkened.
    pub influence: Vec<Vec<f32>>,
    /// Image 0's class probabilities in batch A and in batch B.
    pub same_image: SameImage,
}

/// One image's class probabilities among two sets of companions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SameImage {
    /// Its label.
    pub label: u8,
    /// Label shared by every companion in batch B.
    pub companions_b: u8,
    /// Training mode, in batch A (the measured batch).
    pub batch_a: Vec<f32>,
    /// Training mode, in batch B.
    pub batch_b: Vec<f32>,
    /// Evaluation mode (running statistics; the same in any batch).
    pub eval: Vec<f32>,
}

/// The test-set indices of batch A (`n` patches, the classes in turn) and
/// of batch B's companions (`n − 1` patches of the last class, none in A).
///
/// # Errors
/// [`Error::BadInput`] if the test set has too few patches of some class.
pub fn neighbour_batches(
    test_y: &[u8],
    classes: usize,
    n: usize,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let of = |c: usize| (0..test_y.len()).filter(move |&i| test_y[i] as usize == c);
    let mut a = Vec::with_capacity(n);
    for k in 0..n {
        let c = k % classes.max(1);
        let i = of(c).nth(k / classes.max(1)).ok_or_else(|| {
            Error::BadInput(format!(
                "the test set has too few patches of class {c} for a batch of {n}"
            ))
        })?;
        a.push(i);
    }
    let last = classes.saturating_sub(1);
    let b: Vec<usize> = of(last)
        .filter(|i| !a.contains(i))
        .take(n.saturating_sub(1))
        .collect();
    if b.len() + 1 < n {
        return Err(Error::BadInput(format!(
            "the test set has too few patches of class {last} for a second batch of {n}"
        )));
    }
    Ok((a, b))
}

/// Copy test patches `idx` of `data` into one N×3×32×32 buffer.
fn gather(data: &Dataset, idx: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(idx.len() * INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE);
    for &i in idx {
        out.extend(data.test_x.slice(s![i, .., .., ..]).iter());
    }
    out
}

/// Class probabilities (softmax of the logits, `libm` exp, f64 sums) of
/// the `n` images in `x`, one row each.
fn probabilities(net: &mut Network, x: &[f32], n: usize, mode: Mode) -> Vec<Vec<f32>> {
    let k = net.classes();
    let logits = net.forward(x, n, mode);
    (0..n)
        .map(|s| {
            let z = &logits[s * k..(s + 1) * k];
            let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let e: Vec<f64> = z.iter().map(|&v| libm::exp((v - max) as f64)).collect();
            let sum: f64 = e.iter().sum();
            e.iter().map(|v| (v / sum) as f32).collect()
        })
        .collect()
}

/// Total variation distance between two probability vectors.
fn tv(p: &[f32], q: &[f32]) -> f32 {
    (0.5 * p
        .iter()
        .zip(q)
        .map(|(a, b)| (*a as f64 - *b as f64).abs())
        .sum::<f64>()) as f32
}

/// `influence[i][j]` for the images `x` (N×3×32×32) on `net` in training
/// mode, as in the module's diagram. `net` is used as scratch: pass a clone.
///
/// # Errors
/// [`Error::BadInput`] if `x` is not N×3×32×32, N is 0 or larger than the
/// network's batch.
pub fn influence(net: &mut Network, x: ArrayView4<f32>, gamma: f32) -> Result<Vec<Vec<f32>>> {
    let n = x.shape()[0];
    check_batch(net, x)?;
    let x = x.as_standard_layout().into_owned();
    let plen = INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
    let flat = x.as_slice().unwrap_or(&[]).to_vec();
    let base = probabilities(net, &flat, n, Mode::Train);
    let mut out = vec![vec![0.0f32; n]; n];
    for j in 0..n {
        let dark = shift(x.slice(s![j..j + 1, .., .., ..]), 1.0, 0.0, gamma);
        let mut changed = flat.clone();
        changed[j * plen..(j + 1) * plen].copy_from_slice(dark.as_slice().unwrap_or(&[]));
        let moved = probabilities(net, &changed, n, Mode::Train);
        for i in 0..n {
            out[i][j] = tv(&base[i], &moved[i]);
        }
    }
    Ok(out)
}

fn check_batch(net: &Network, x: ArrayView4<f32>) -> Result<()> {
    let n = x.shape()[0];
    if x.shape()[1..] != [INPUT_CHANNELS, INPUT_SIDE, INPUT_SIDE] || n == 0 || n > net.max_batch() {
        return Err(Error::BadInput(format!(
            "the measured batch must be 1 to {} images of 3×32×32 (got {:?}); the network was built for batches of {}",
            net.max_batch(),
            x.shape(),
            net.max_batch()
        )));
    }
    Ok(())
}

/// Experiment 5's measurements on `trainer`'s network as it is now,
/// leaving the trainer untouched (a clone of the network is measured).
///
/// # Errors
/// [`Error::BadInput`] if the run's batch is smaller than [`NEIGHBOURS`]
/// or the test set lacks patches of some class.
pub fn neighbours(trainer: &Trainer) -> Result<Neighbours> {
    let data = trainer.dataset();
    let classes = data.num_classes();
    if trainer.config().batch < NEIGHBOURS {
        return Err(Error::BadInput(format!(
            "measuring neighbours needs a training batch of at least {NEIGHBOURS} (got {})",
            trainer.config().batch
        )));
    }
    let (a, b) = neighbour_batches(&data.test_y, classes, NEIGHBOURS)?;
    let xa = ndarray::Array4::from_shape_vec(
        (a.len(), INPUT_CHANNELS, INPUT_SIDE, INPUT_SIDE),
        gather(data, &a),
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    // Evaluation mode first, on its own clone: training-mode forwards move
    // a clone's running statistics.
    let eval = probabilities(
        &mut trainer.network().clone(),
        &gather(data, &a[..1]),
        1,
        Mode::Eval,
    )
    .swap_remove(0);
    let mut net = trainer.network().clone();
    let influence = influence(&mut net, xa.view(), DARKEN_GAMMA)?;
    let batch_a = probabilities(&mut net, &gather(data, &a), a.len(), Mode::Train).swap_remove(0);
    let mut with_b = vec![a[0]];
    with_b.extend(&b);
    let batch_b =
        probabilities(&mut net, &gather(data, &with_b), with_b.len(), Mode::Train).swap_remove(0);
    Ok(Neighbours {
        labels: a.iter().map(|&i| data.test_y[i]).collect(),
        influence,
        same_image: SameImage {
            label: data.test_y[a[0]],
            companions_b: classes.saturating_sub(1) as u8,
            batch_a,
            batch_b,
            eval,
        },
    })
}

/// Batch-instance norm's ρ per channel, one list per block (empty for
/// every other kind): ρ = 1 is batch norm, ρ = 0 instance norm.
pub fn rho(trainer: &Trainer) -> Vec<Vec<f32>> {
    trainer
        .network()
        .blocks
        .iter()
        .filter_map(|b| b.norm.rho.as_ref().map(|p| p.value.clone()))
        .collect()
}
