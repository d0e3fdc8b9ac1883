//! A task from folders, as torchvision's `ImageFolder` reads them: one
//! folder per class, named after it, photos inside (native only; the page
//! takes dropped files instead).
//!
//! ```text
//! DIR/cat/1.jpg, DIR/cat/2.png, DIR/dog/a.jpg, ...
//!   folders sorted by name ─> classes (labels 0, 1, ...)
//!   files sorted by name   ─> PNG, JPEG, GIF, BMP, WebP: decoded by the file
//!                             judge (crate::file), upright, scaled (classes.rs)
//!                             HEIC, AVIF, TIFF, SVG, PDF, camera raw: an error
//!                             anything else: skipped, and listed
//! ```
//!
//! One photo at a time is held at full size (within [`LoadLimits`]); the
//! scaled photos together stay under [`MAX_TASK_PIXELS`].

use std::fs;
use std::path::{Path, PathBuf};

use super::classes::{
    check_class_names, check_photo_size, is_photo_name, scale_for_task, too_many_pixels,
    PhotoClass, MAX_PHOTOS_PER_CLASS, MAX_TASK_PIXELS,
};
use super::data::Photo;
use crate::error::{Error, Result};
use crate::file::{decode_image, LoadLimits};

/// The classes read from a task folder, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderTask {
    pub classes: Vec<PhotoClass>,
    /// Files that are not photos, and loose files beside the class folders,
    /// as `class/file` (or `file`), in the order met.
    pub skipped: Vec<String>,
}

/// Read a task folder: every subfolder of `dir` is a class.
///
/// # Errors
/// [`Error::BadInput`] naming the folder or file: `dir` unreadable, fewer
/// than 2 class folders, two with the same name ignoring case, a class
/// with no photo, a damaged photo, a photo too small to split;
/// [`Error::Unsupported`] for a photo format normscope does not read;
/// [`Error::TooLarge`] above `limits`, 6 classes, [`MAX_PHOTOS_PER_CLASS`]
/// or [`MAX_TASK_PIXELS`].
pub fn read_task_dir(dir: &Path, limits: &LoadLimits) -> Result<FolderTask> {
    let mut skipped = Vec::new();
    let mut folders = Vec::new();
    for (name, path) in sorted_entries(dir)? {
        if path.is_dir() {
            folders.push((name, path));
        } else {
            skipped.push(name);
        }
    }
    let names: Vec<&str> = folders.iter().map(|(n, _)| n.as_str()).collect();
    check_class_names(&names).map_err(|e| e.context(&dir.display().to_string()))?;
    let mut classes = Vec::with_capacity(folders.len());
    let mut pixels = 0usize;
    for (name, path) in &folders {
        let mut files = Vec::new();
        let mut not_photos = Vec::new();
        for (file, file_path) in sorted_entries(path)? {
            if is_photo_name(&file) && !file_path.is_dir() {
                files.push((file, file_path));
            } else {
                not_photos.push(file);
            }
        }
        if files.is_empty() {
            let found = if not_photos.is_empty() {
                String::from("it is empty")
            } else {
                format!("not photos: {}", not_photos.join(", "))
            };
            return Err(Error::BadInput(format!(
                "class {name:?} ({}) has no photo ({found}): put PNG, JPEG, GIF, BMP or WebP files in it",
                path.display()
            )));
        }
        skipped.extend(not_photos.iter().map(|file| format!("{name}/{file}")));
        if files.len() > MAX_PHOTOS_PER_CLASS {
            return Err(Error::TooLarge(format!(
                "class {name:?} ({}) has {} photos; a class takes up to {MAX_PHOTOS_PER_CLASS}",
                path.display(),
                files.len()
            )));
        }
        let mut photos = Vec::with_capacity(files.len());
        for (file, file_path) in &files {
            let photo = read_photo(&format!("{name}/{file}"), file_path, limits)
                .map_err(|e| e.context(&file_path.display().to_string()))?;
            pixels += photo.width * photo.height;
            if pixels > MAX_TASK_PIXELS {
                return Err(too_many_pixels(pixels).context(&file_path.display().to_string()));
            }
            photos.push(photo);
        }
        classes.push(PhotoClass {
            name: name.clone(),
            photos,
        });
    }
    Ok(FolderTask { classes, skipped })
}

/// Decode one photo, check it can be split, and scale it.
fn read_photo(name: &str, path: &Path, limits: &LoadLimits) -> Result<Photo> {
    let unreadable = |e: std::io::Error| Error::BadInput(format!("cannot read the file ({e})"));
    let size = fs::metadata(path).map_err(unreadable)?.len();
    if size > limits.max_file_bytes {
        return Err(Error::TooLarge(format!(
            "the file is {:.0} MB; normscope reads files up to {:.0} MB",
            size as f64 / 1e6,
            limits.max_file_bytes as f64 / 1e6
        )));
    }
    let bytes = fs::read(path).map_err(unreadable)?;
    photo_from_file(name, &bytes, limits)
}

/// A photo for a task from an image file's bytes, as `--task-dir` reads
/// every file (the notebook's `Lab(task_images=…)` reads paths through it
/// too): decoded by the file judge, upright, checked to hold a training and
/// a test patch, RGB, scaled ([`scale_for_task`]).
///
/// # Errors
/// As [`decode_image`]; [`Error::BadInput`] for a photo too small to split
/// (the message says "the photo": the caller names the file).
pub fn photo_from_file(name: &str, bytes: &[u8], limits: &LoadLimits) -> Result<Photo> {
    let rgb = decode_image(bytes, limits)?.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    check_photo_size("the photo", width, height)?;
    let photo = Photo::from_rgb(name, width, height, rgb.into_raw())?;
    Ok(scale_for_task(&photo))
}

/// The entries of a folder with their names, sorted by name (code point
/// order, as Python's `sorted`).
fn sorted_entries(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let unreadable = |e: std::io::Error| {
        Error::BadInput(format!("{}: cannot read the folder ({e})", dir.display()))
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().into_string().map_err(|raw| {
            Error::BadInput(format!(
                "{}: the name {:?} is not valid Unicode — rename it",
                dir.display(),
                raw.to_string_lossy()
            ))
        })?;
        entries.push((name, entry.path()));
    }
    entries.sort();
    Ok(entries)
}
