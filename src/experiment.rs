//! Experiments on a batch: change something, normalize again, and measure
//! how much the probe image's output moved.
//!
//! ```text
//! batch ─┬─ normalize ──────────────────────────────┐
//!        └─ change (adjust the probe, or re-contrast │
//!           its neighbours) ─ normalize ─────────────┴─> probe_change ─> Difference ─> is_unchanged
//! ```
//!
//! One figure, measured one way everywhere: [`probe_change`] is the
//! [`Difference`] between the probe's output before and after. The CLI's
//! report and figure ([`crate::explain`]), the page's session and the tests
//! all take it from here; the session measures the same figure with the same
//! accumulator ([`stats::DifferenceAcc`]) while it writes its outputs.
//!
//! The random changes (training batches, re-contrasted neighbours) come from
//! one seeded generator, [`SplitMix64`], through [`random_recontrast`]: the
//! same seed gives the same numbers natively and in wasm.

use ndarray::{s, Array4, ArrayView4, Axis};

use crate::adjust::Adjustment;
use crate::error::{Error, Result};
use crate::norm::{normalize, NormConfig};
use crate::stats::{self, Difference};

/// Largest `max |Δ|` still called "unchanged": under half a grey level of
/// the output display (6/255 ≈ 0.024 per level). Invariant kinds differ only
/// through eps, by about `max|x̂| · eps/2 · |1/σ'² − 1/σ²|`: ~5e-3 for a
/// photo with σ = 0.12 at contrast 0.5, far less for higher-contrast images.
pub const UNCHANGED_TOLERANCE: f64 = 1e-2;

/// Whether a kind's output counts as "unchanged" under a change: the one
/// judgement shared by the figure, the stats report and the page.
pub fn is_unchanged(d: &Difference) -> bool {
    d.max_abs <= UNCHANGED_TOLERANCE
}

/// Check that image `probe` exists in a batch of `n`.
///
/// # Errors
/// [`Error::BadInput`] naming the probe and the batch size.
pub fn check_probe(n: usize, probe: usize) -> Result<()> {
    if probe >= n {
        return Err(Error::BadInput(format!(
            "probe image {probe} does not exist: the batch has {n} image(s), numbered from 0"
        )));
    }
    Ok(())
}

/// How much the probe's output moved between two normalized batches of the
/// same shape: the [`Difference`] of image `probe` in `before` and `after`.
///
/// ```text
/// result = difference(before[probe], after[probe])
/// ```
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range or the shapes differ.
pub fn probe_change(
    before: ArrayView4<f32>,
    after: ArrayView4<f32>,
    probe: usize,
) -> Result<Difference> {
    check_probe(before.dim().0.min(after.dim().0), probe)?;
    stats::difference(
        &before.index_axis(Axis(0), probe),
        &after.index_axis(Axis(0), probe),
    )
}

/// A batch, its probe adjusted, and one kind's outputs of both.
#[derive(Debug, Clone)]
pub struct AdjustedRun {
    /// `norm(batch)`.
    pub before: Array4<f32>,
    /// `norm(batch with batch[probe] ← adj(batch[probe]))`.
    pub after: Array4<f32>,
    /// [`probe_change`] of the two.
    pub change: Difference,
}

/// The batch with only the probe image adjusted.
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range or the adjustment is invalid.
pub fn adjust_probe(batch: ArrayView4<f32>, probe: usize, adj: &Adjustment) -> Result<Array4<f32>> {
    check_probe(batch.dim().0, probe)?;
    adj.validate()?;
    let mut adjusted = batch.to_owned();
    adj.apply_to(adjusted.view_mut(), probe)?;
    Ok(adjusted)
}

/// Normalize `batch` and `adjusted` (the same batch with its probe adjusted,
/// see [`adjust_probe`]) under `cfg`, and measure the probe's change.
///
/// # Errors
/// As [`normalize`] and [`probe_change`].
pub fn run_adjusted(
    batch: ArrayView4<f32>,
    adjusted: ArrayView4<f32>,
    probe: usize,
    cfg: &NormConfig,
) -> Result<AdjustedRun> {
    let before = normalize(batch, cfg)?;
    let after = normalize(adjusted, cfg)?;
    let change = probe_change(before.view(), after.view(), probe)?;
    Ok(AdjustedRun {
        before,
        after,
        change,
    })
}

/// How much the probe image's output changes when only the probe's input
/// is adjusted: the invariance figure of a normalization kind.
///
/// ```text
/// y  = norm(batch)[probe]
/// y' = norm(batch with batch[probe] ← adj(batch[probe]))[probe]
/// result = difference(y, y')
/// ```
///
/// Instance, layer and group norm give ≈ 0 for an affine adjustment
/// (contrast, brightness), up to the effect of eps; batch norm does not.
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range, or the adjustment or
/// configuration is invalid, or the data is not finite.
pub fn invariance(
    batch: ArrayView4<f32>,
    probe: usize,
    adj: &Adjustment,
    cfg: &NormConfig,
) -> Result<Difference> {
    let adjusted = adjust_probe(batch, probe, adj)?;
    Ok(run_adjusted(batch, adjusted.view(), probe, cfg)?.change)
}

/// How much the probe image's output changes when every OTHER image of the
/// batch is replaced by the one at the same index in `replacement`.
///
/// ```text
/// y  = norm(batch)[probe]
/// y' = norm(replacement with [probe] ← batch[probe])[probe]
/// ```
///
/// Kinds whose statistics stay within one image (instance, layer, group)
/// give exactly 0; batch norm does not.
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range, the shapes differ, the
/// configuration is invalid, or the data is not finite.
pub fn neighbour_sensitivity(
    batch: ArrayView4<f32>,
    probe: usize,
    replacement: ArrayView4<f32>,
    cfg: &NormConfig,
) -> Result<Difference> {
    check_probe(batch.dim().0, probe)?;
    if batch.dim() != replacement.dim() {
        return Err(Error::BadInput(format!(
            "the replacement batch must have the same shape as the batch: {:?} vs {:?}",
            replacement.dim(),
            batch.dim()
        )));
    }
    let mut swapped = replacement.to_owned();
    swapped
        .slice_mut(s![probe, .., .., ..])
        .assign(&batch.slice(s![probe, .., .., ..]));
    let before = normalize(batch, cfg)?;
    let after = normalize(swapped.view(), cfg)?;
    probe_change(before.view(), after.view(), probe)
}

/// The batch with every image but `probe` re-contrasted at random (see
/// [`random_recontrast`]), in index order: the replacement of
/// [`neighbour_sensitivity`].
///
/// # Errors
/// [`Error::BadInput`] if `probe` is out of range.
pub fn recontrast_others(
    batch: ArrayView4<f32>,
    probe: usize,
    rng: &mut SplitMix64,
) -> Result<Array4<f32>> {
    check_probe(batch.dim().0, probe)?;
    let mut replacement = batch.to_owned();
    for i in (0..batch.dim().0).filter(|&i| i != probe) {
        random_recontrast(rng).apply_to(replacement.view_mut(), i)?;
    }
    Ok(replacement)
}

/// A random contrast in [0.5, 2] (uniform in log scale) and brightness in
/// [−0.2, 0.2]: the change training batches and re-contrasted neighbours get.
///
/// ```text
/// contrast = 0.5 · 4^u₁     brightness = 0.4 · u₂ − 0.2     u uniform in [0, 1)
/// ```
pub fn random_recontrast(rng: &mut SplitMix64) -> Adjustment {
    Adjustment {
        contrast: 0.5 * 4f32.powf(rng.unit()),
        brightness: 0.4 * rng.unit() - 0.2,
        ..Adjustment::default()
    }
}

/// A tiny seeded generator (SplitMix64, Steele et al. 2014), so training
/// and neighbour replacement are reproducible without a dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `0..n` (`n > 0`; 0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}
