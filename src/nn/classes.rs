//! A task from the reader's own photos: 2–6 named classes of photos, cut
//! into patches by the rule of the bundled tasks ([`super::data`]).
//!
//! ```text
//! photo (any size, RGB8) ─ scale_for_task ─> shorter side 192–383 px (f×f block means)
//!                        ─ split along the longer side:
//!                            training band │ 8-px gap │ test band (≥ 32 px)
//! class c: 192 training and 48 test patches, patch j from photo j mod k
//! ```
//!
//! A 192×192 photo splits exactly as a bundled one (training rows
//! [0, 128), test rows [136, 192)), so six such classes of one photo each
//! give the very patches of the `what` task. Both doors (the CLI's folders,
//! the page's dropped files) call this code with decoded RGB8, so the same
//! photos and seed give the same patches.

use ndarray::Array4;

use super::data::{
    cut, shuffled_patches, Dataset, Photo, Task, PATCH, PHOTO_SIDE, TEST_PER_PHOTO, TRAIN_PER_PHOTO,
};
use super::rng::Rng;
use crate::error::{Error, Result};

/// Fewest and most classes a task may have.
pub const MIN_CLASSES: usize = 2;
pub const MAX_CLASSES: usize = 6;
/// Most photos in one class.
pub const MAX_PHOTOS_PER_CLASS: usize = 50;
/// Most pixels of all photos together after [`scale_for_task`] (3 bytes
/// each: 48 MB held while the patches are cut).
pub const MAX_TASK_PIXELS: usize = 16_000_000;
/// Rows (or columns) between the training band and the test band.
pub const GAP: usize = 8;
/// The longer side a photo needs: one training patch, the gap, one test patch.
pub const MIN_LONG_SIDE: usize = 2 * PATCH + GAP;

/// File endings read as photos; a file with one of these must decode.
const PHOTO_ENDINGS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "bmp", "webp"];
/// Photo formats normscope does not read: these are errors, not skipped,
/// since the reader meant them as photos of the class.
const UNREAD_PHOTO_ENDINGS: [&str; 13] = [
    "heic", "heif", "avif", "tif", "tiff", "svg", "pdf", "jxl", "dng", "cr2", "nef", "arw", "raw",
];

/// Whether a file name ends like a photo (read or refused), ignoring case.
/// Both doors use it: a task folder's other files, and other files dropped
/// on a class in the page, are skipped and listed.
pub fn is_photo_name(name: &str) -> bool {
    let ending = match name.rsplit_once('.') {
        Some((stem, ending)) if !stem.is_empty() => ending.to_ascii_lowercase(),
        _ => return false,
    };
    PHOTO_ENDINGS
        .iter()
        .chain(&UNREAD_PHOTO_ENDINGS)
        .any(|e| *e == ending)
}

/// One class: its name and its photos, in the order given (the CLI sorts
/// files by name).
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoClass {
    pub name: String,
    pub photos: Vec<Photo>,
}

/// Check a list of class names: 2–6 of them, none blank, no two the same
/// when compared ignoring case (folders `Cat` and `cat` cannot both exist
/// on macOS or Windows, and a reader means one class by them).
///
/// # Errors
/// [`Error::BadInput`] naming the class (or the count); [`Error::TooLarge`]
/// above [`MAX_CLASSES`].
pub fn check_class_names(names: &[&str]) -> Result<()> {
    if names.len() < MIN_CLASSES {
        return Err(Error::BadInput(format!(
            "a task needs at least {MIN_CLASSES} classes to tell apart; got {}{}",
            names.len(),
            if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", quoted(names))
            }
        )));
    }
    if names.len() > MAX_CLASSES {
        return Err(Error::TooLarge(format!(
            "a task takes up to {MAX_CLASSES} classes; got {} ({})",
            names.len(),
            quoted(names)
        )));
    }
    for (i, a) in names.iter().enumerate() {
        if a.trim().is_empty() {
            return Err(Error::BadInput(format!(
                "class {} has no name: give every class a name",
                i + 1
            )));
        }
        if let Some(b) = names[..i]
            .iter()
            .find(|b| b.to_lowercase() == a.to_lowercase())
        {
            return Err(Error::BadInput(format!(
                "classes {b:?} and {a:?} have the same name (names are compared ignoring case): rename one"
            )));
        }
    }
    Ok(())
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Check that a photo of `width`×`height` pixels holds one training patch
/// and one test patch that never overlap.
///
/// # Errors
/// [`Error::BadInput`] naming `what` (the file) and the size it needs.
pub fn check_photo_size(what: &str, width: usize, height: usize) -> Result<()> {
    if width.min(height) < PATCH || width.max(height) < MIN_LONG_SIDE {
        return Err(Error::BadInput(format!(
            "{what} is {width}×{height} pixels, too small to give a training patch and a test patch that never overlap; a photo needs at least {MIN_LONG_SIDE}×{PATCH} (or {PATCH}×{MIN_LONG_SIDE}) pixels"
        )));
    }
    Ok(())
}

/// The factor [`scale_for_task`] shrinks a `width`×`height` photo by:
/// `⌊shorter side / 192⌋`, at least 1.
pub fn scale_factor(width: usize, height: usize) -> usize {
    (width.min(height) / PHOTO_SIDE).max(1)
}

/// Bring a photo to the scale of the bundled task photos: the mean of each
/// f×f block (f = [`scale_factor`]), rounded, so the shorter side ends
/// between 192 and 383 px (smaller photos stay as they are). Columns or
/// rows left over at the right and bottom edges are dropped.
///
/// Integer arithmetic only: the same bytes on every target.
pub fn scale_for_task(photo: &Photo) -> Photo {
    let f = scale_factor(photo.width, photo.height);
    if f == 1 {
        return photo.clone();
    }
    let (w, h) = (photo.width / f, photo.height / f);
    let area = (f * f) as u32;
    let mut rgb = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for dy in 0..f {
                let row = (y * f + dy) * photo.width;
                for dx in 0..f {
                    let p = (row + x * f + dx) * 3;
                    for (c, s) in sum.iter_mut().enumerate() {
                        *s += u32::from(photo.rgb[p + c]);
                    }
                }
            }
            for (c, s) in sum.iter().enumerate() {
                rgb[(y * w + x) * 3 + c] = ((s + area / 2) / area) as u8;
            }
        }
    }
    Photo {
        name: photo.name.clone(),
        width: w,
        height: h,
        rgb,
    }
}

/// Where a photo's patches may lie: the band along its longer side
/// (rows when it is square or tall, columns when it is wide).
#[derive(Debug, Clone, Copy)]
struct Bands {
    /// Split the columns instead of the rows.
    across: bool,
    /// Length of the longer side and of the training band.
    long: usize,
    train: usize,
}

impl Bands {
    fn of(photo: &Photo) -> Bands {
        let across = photo.width > photo.height;
        let long = photo.width.max(photo.height);
        // Two thirds for training, as the bundled 192-px photos (128 rows),
        // but never so much that the test band falls below one patch.
        let train = (long * 2 / 3).min(long.saturating_sub(GAP + PATCH));
        Bands {
            across,
            long,
            train,
        }
    }
}

impl Dataset {
    /// Cut the patches of a task from the reader's classes of photos (each
    /// photo already passed through [`scale_for_task`] or not, as the
    /// caller chose; the CLI and the page both scale), drawing positions
    /// from `seed`. Labels follow the order of `classes`.
    ///
    /// # Errors
    /// As [`check_class_names`]; [`Error::BadInput`] naming the class that
    /// has no photo, or the photo that is too small ([`check_photo_size`])
    /// or not `width·height·3` bytes; [`Error::TooLarge`] above
    /// [`MAX_PHOTOS_PER_CLASS`] or [`MAX_TASK_PIXELS`].
    pub fn from_classes(seed: u64, classes: &[PhotoClass]) -> Result<Dataset> {
        let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
        check_class_names(&names)?;
        for class in classes {
            if class.photos.is_empty() {
                return Err(Error::BadInput(format!(
                    "class {:?} has no photo: add at least one",
                    class.name
                )));
            }
            if class.photos.len() > MAX_PHOTOS_PER_CLASS {
                return Err(Error::TooLarge(format!(
                    "class {:?} has {} photos; a class takes up to {MAX_PHOTOS_PER_CLASS}",
                    class.name,
                    class.photos.len()
                )));
            }
            for p in &class.photos {
                if p.width.checked_mul(p.height).and_then(|n| n.checked_mul(3)) != Some(p.rgb.len())
                {
                    return Err(Error::BadInput(format!(
                        "{}: {} bytes is not {}×{} RGB",
                        p.name,
                        p.rgb.len(),
                        p.width,
                        p.height
                    )));
                }
                check_photo_size(&p.name, p.width, p.height)?;
            }
        }
        let pixels: usize = classes
            .iter()
            .flat_map(|c| &c.photos)
            .map(|p| p.width * p.height)
            .sum();
        if pixels > MAX_TASK_PIXELS {
            return Err(too_many_pixels(pixels));
        }
        let root = Rng::new(seed).fork(0xDA7A);
        let (train_x, train_y) = cut_classes(classes, TRAIN_PER_PHOTO, true, &mut root.fork(1));
        let (test_x, test_y) = cut_classes(classes, TEST_PER_PHOTO, false, &mut root.fork(2));
        Ok(Dataset {
            task: Task::Photos,
            train_x,
            train_y,
            test_x,
            test_y,
            classes: names.iter().map(|n| (*n).to_string()).collect(),
        })
    }
}

/// The message for photos above [`MAX_TASK_PIXELS`] together.
pub fn too_many_pixels(pixels: usize) -> Error {
    Error::TooLarge(format!(
        "the photos come to {:.1} megapixels after scaling; a task holds up to {:.0} megapixels — use fewer or smaller photos",
        pixels as f64 / 1e6,
        MAX_TASK_PIXELS as f64 / 1e6
    ))
}

/// `per_class` patches of each class from the training (or test) bands of
/// its photos, patch j from photo j mod k, shuffled. The draws follow
/// `Dataset::build`'s, so a class of one 192×192 photo gives its patches.
fn cut_classes(
    classes: &[PhotoClass],
    per_class: usize,
    training: bool,
    rng: &mut Rng,
) -> (Array4<f32>, Vec<u8>) {
    shuffled_patches(per_class * classes.len(), rng, |i, out, rng| {
        let (label, j) = (i / per_class, i % per_class);
        let photos = &classes[label].photos;
        let photo = &photos[j % photos.len()];
        let bands = Bands::of(photo);
        let (start, end) = if training {
            (0, bands.train)
        } else {
            (bands.train + GAP, bands.long)
        };
        let along = start + rng.below(end - start - PATCH + 1);
        let short = photo.width.min(photo.height);
        let cross = rng.below(short - PATCH + 1);
        let (top, left) = if bands.across {
            (cross, along)
        } else {
            (along, cross)
        };
        cut(photo, top, left, out);
        label as u8
    })
}
