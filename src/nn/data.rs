//! The two tasks, cut from real photographs shipped in `assets/tasks/`.
//!
//! Each photo is a raw RGB8 file of [`PHOTO_SIDE`]² pixels (made by
//! `assets/tasks/make_tasks.rs` from public-domain/CC0 photos; credits in
//! `assets/tasks/SOURCES.md`), so neither the CLI nor the page needs an image
//! decoder. Patches are 32×32, values in [0, 1]. Training patches have
//! their top-left corner in rows `[0, TRAIN_ROWS − 32]` of a photo, test
//! patches in rows `[TEST_TOP, SIDE − 32]`: no test pixel is ever seen in
//! training.
//!
//! ```text
//! what       label = which photo (6 classes); no lighting change in training
//! day-night  label = day (the patch as photographed) or night
//!            (0.02·u + k·x^g with k ∈ [0.2, 0.45), g ∈ [1, 1.5), u ∈ [0, 1))
//! ```
//!
//! Everything is drawn from the run's seed, so the same seed gives the
//! same patches on every target.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array4, ArrayView4};
use serde::{Deserialize, Serialize};

use super::rng::Rng;
use crate::error::{Error, Result};

/// Side of every task photo, in pixels.
pub const PHOTO_SIDE: usize = 192;
/// Side of a patch.
pub const PATCH: usize = 32;
/// Training patches lie within the first `TRAIN_ROWS` rows.
pub const TRAIN_ROWS: usize = 128;
/// Test patches start at or below this row (a gap of 8 rows).
pub const TEST_TOP: usize = 136;
/// The photos, in class order; files are `assets/tasks/NAME.rgb`.
pub const TASK_PHOTOS: [&str; 6] = ["brick", "grass", "gravel", "cat", "coffee", "cells"];
/// Training and test patches per class (`what`) or per photo (`day-night`).
pub const TRAIN_PER_PHOTO: usize = 192;
pub const TEST_PER_PHOTO: usize = 48;

/// Which task to learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Task {
    /// Which photo a patch comes from; the label ignores lighting.
    #[serde(rename = "what")]
    WhatIsIt,
    /// Whether a patch is lit as photographed or darkened; the label is the lighting.
    #[serde(rename = "day-night")]
    DayOrNight,
    /// Which of the reader's own classes a patch comes from (built by
    /// [`Dataset::from_classes`], e.g. from `--task-dir`; not a `--task`).
    #[serde(rename = "photos")]
    Photos,
}

impl Task {
    /// The tasks cut from the bundled photos (what `--task` takes).
    pub const ALL: [Task; 2] = [Task::WhatIsIt, Task::DayOrNight];

    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Task::WhatIsIt => "what",
            Task::DayOrNight => "day-night",
            Task::Photos => "photos",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Task {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Task::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let hint = if s == Task::Photos.name() {
                    " (a task from your own photos is built from their folders: --task-dir DIR)"
                } else {
                    ""
                };
                Error::BadInput(format!(
                    "unknown task {s:?}; expected what or day-night{hint}"
                ))
            })
    }
}

/// One decoded task photo: `width`×`height` RGB8, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub name: String,
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Photo {
    /// A photo from raw RGB8 bytes.
    ///
    /// # Errors
    /// [`Error::BadInput`] if the byte count is not `width·height·3`.
    pub fn from_rgb(name: &str, width: usize, height: usize, rgb: Vec<u8>) -> Result<Self> {
        if width.checked_mul(height).and_then(|p| p.checked_mul(3)) != Some(rgb.len()) {
            return Err(Error::BadInput(format!(
                "task photo {name}: {} bytes is not {width}×{height} RGB",
                rgb.len()
            )));
        }
        Ok(Photo {
            name: name.to_string(),
            width,
            height,
            rgb,
        })
    }
}

/// The photos shipped with the crate (native only; the page fetches the
/// same files and passes them to [`Dataset::build`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn bundled_photos() -> Vec<Photo> {
    const BYTES: [&[u8]; 6] = [
        include_bytes!("../../assets/tasks/brick.rgb"),
        include_bytes!("../../assets/tasks/grass.rgb"),
        include_bytes!("../../assets/tasks/gravel.rgb"),
        include_bytes!("../../assets/tasks/cat.rgb"),
        include_bytes!("../../assets/tasks/coffee.rgb"),
        include_bytes!("../../assets/tasks/cells.rgb"),
    ];
    TASK_PHOTOS
        .iter()
        .zip(BYTES)
        .map(|(name, bytes)| Photo {
            name: (*name).to_string(),
            width: PHOTO_SIDE,
            height: PHOTO_SIDE,
            rgb: bytes.to_vec(),
        })
        .collect()
}

/// A task's training and test patches.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub task: Task,
    /// N×3×32×32, values in [0, 1].
    pub train_x: Array4<f32>,
    pub train_y: Vec<u8>,
    pub test_x: Array4<f32>,
    pub test_y: Vec<u8>,
    /// Class names, indexed by label.
    pub classes: Vec<String>,
}

/// Copy the 32×32 patch at (`top`, `left`) of `photo` into `out` (3×32×32).
pub(super) fn cut(photo: &Photo, top: usize, left: usize, out: &mut [f32]) {
    let w = photo.width;
    for y in 0..PATCH {
        for x in 0..PATCH {
            let p = ((top + y) * w + left + x) * 3;
            for c in 0..3 {
                out[c * PATCH * PATCH + y * PATCH + x] = photo.rgb[p + c] as f32 * (1.0 / 255.0);
            }
        }
    }
}

/// Darken a patch in place: `x ← 0.02·u + k·x^g` (the same u, k, g for all
/// three channels).
fn night(patch: &mut [f32], rng: &mut Rng) {
    let k = rng.range(0.2, 0.45);
    let g = rng.range(1.0, 1.5);
    let u = 0.02 * rng.uniform();
    for v in patch {
        *v = u + k * libm::powf(*v, g);
    }
}

impl Dataset {
    /// Cut the patches of `task` from `photos` (the six task photos, in
    /// [`TASK_PHOTOS`] order), drawing positions and lighting from `seed`.
    ///
    /// # Errors
    /// [`Error::BadInput`] if there are not exactly six photos or one is
    /// not [`PHOTO_SIDE`]² RGB8.
    pub fn build(task: Task, seed: u64, photos: &[Photo]) -> Result<Dataset> {
        if task == Task::Photos {
            return Err(Error::BadInput(
                "the photos task is built from classes of photos (Dataset::from_classes), not from the bundled task photos".into(),
            ));
        }
        if photos.len() != TASK_PHOTOS.len() {
            return Err(Error::BadInput(format!(
                "the tasks need the {} task photos ({}); got {}",
                TASK_PHOTOS.len(),
                TASK_PHOTOS.join(", "),
                photos.len()
            )));
        }
        for p in photos {
            if p.width != PHOTO_SIDE
                || p.height != PHOTO_SIDE
                || p.rgb.len() != PHOTO_SIDE * PHOTO_SIDE * 3
            {
                return Err(Error::BadInput(format!(
                    "task photo {}: expected {PHOTO_SIDE}×{PHOTO_SIDE} RGB8 ({} bytes), got {}×{} with {} bytes",
                    p.name,
                    PHOTO_SIDE * PHOTO_SIDE * 3,
                    p.width,
                    p.height,
                    p.rgb.len()
                )));
            }
        }
        let root = Rng::new(seed).fork(0xDA7A);
        let (train_x, train_y) = Self::split(
            task,
            photos,
            TRAIN_PER_PHOTO,
            0,
            TRAIN_ROWS,
            &mut root.fork(1),
        );
        let (test_x, test_y) = Self::split(
            task,
            photos,
            TEST_PER_PHOTO,
            TEST_TOP,
            PHOTO_SIDE,
            &mut root.fork(2),
        );
        let classes = match task {
            Task::WhatIsIt | Task::Photos => photos.iter().map(|p| p.name.clone()).collect(),
            Task::DayOrNight => vec!["day".to_string(), "night".to_string()],
        };
        Ok(Dataset {
            task,
            train_x,
            train_y,
            test_x,
            test_y,
            classes,
        })
    }

    /// `per_photo` patches from each photo with their top rows in
    /// `[top, bottom − 32]`, shuffled.
    fn split(
        task: Task,
        photos: &[Photo],
        per_photo: usize,
        top: usize,
        bottom: usize,
        rng: &mut Rng,
    ) -> (Array4<f32>, Vec<u8>) {
        shuffled_patches(per_photo * photos.len(), rng, |i, out, rng| {
            let (p, photo) = (i / per_photo, &photos[i / per_photo]);
            let t = top + rng.below(bottom - top - PATCH + 1);
            let l = rng.below(photo.width - PATCH + 1);
            cut(photo, t, l, out);
            match task {
                Task::WhatIsIt | Task::Photos => p as u8,
                Task::DayOrNight => {
                    let is_night = rng.below(2) == 1;
                    if is_night {
                        night(out, rng);
                    }
                    is_night as u8
                }
            }
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.classes.len()
    }
}

/// `n` patches in a shuffled order: draw the order, then for the i-th patch
/// (in drawing order) `fill(i, patch, rng)` cuts it into its shuffled slot
/// and returns its label. Every task cutter draws through this, so their
/// draws come in the same order.
pub(super) fn shuffled_patches(
    n: usize,
    rng: &mut Rng,
    mut fill: impl FnMut(usize, &mut [f32], &mut Rng) -> u8,
) -> (Array4<f32>, Vec<u8>) {
    let plen = 3 * PATCH * PATCH;
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut x = vec![0.0f32; n * plen];
    let mut y = vec![0u8; n];
    for (i, &slot) in order.iter().enumerate() {
        y[slot] = fill(i, &mut x[slot * plen..(slot + 1) * plen], rng);
    }
    let x = Array4::from_shape_vec((n, 3, PATCH, PATCH), x)
        .unwrap_or_else(|_| Array4::zeros((n, 3, PATCH, PATCH)));
    (x, y)
}

/// A test-time lighting change, as the page's sliders make it.
///
/// ```text
/// x ← x^γ                       (libm powf; x ≥ 0)
/// x ← a·(x − 0.5) + 0.5 + b     (contrast a around mid-grey, brightness b)
/// ```
///
/// The result is not clipped to [0, 1]: clipping would destroy what the
/// shift leaves recoverable.
pub fn shift(x: ArrayView4<f32>, contrast: f32, brightness: f32, gamma: f32) -> Array4<f32> {
    x.mapv(|v| {
        let g = if gamma == 1.0 {
            v
        } else {
            libm::powf(v.max(0.0), gamma)
        };
        contrast * (g - 0.5) + 0.5 + brightness
    })
}
