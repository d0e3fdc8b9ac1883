#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! `normscope train --task-dir`: a task from one folder per class, as a
//! user runs it, with every bad input the task builder names.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use normscope::nn::classes::{scale_factor, scale_for_task};
use normscope::nn::data::bundled_photos;
use normscope::nn::{Dataset, Photo, PhotoClass, RunRecord, Task};

mod common;
use common::{run, stderr};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/photos")
}

/// Copy the example's class folders into `to`, under new names.
fn copy_example(to: &Path, names: [&str; 3]) {
    for (class, name) in ["cat", "coffee", "rocket"].into_iter().zip(names) {
        let dest = to.join(name);
        fs::create_dir_all(&dest).unwrap();
        for entry in fs::read_dir(example().join(class)).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
        }
    }
}

fn write_png(path: &Path, width: u32, height: u32) {
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .save(path)
    .unwrap();
}

/// A train run on `task` with a small network; the record goes to out.json
/// in `work`.
fn train(work: &Path, task: &Path, extra: &[&str]) -> Output {
    let task = task.to_str().unwrap();
    let mut args = vec![
        "train",
        "--task-dir",
        task,
        "--norm",
        "batch",
        "--out",
        "out.json",
    ];
    args.extend(extra);
    run(work, &args)
}

/// Non-zero exit, one line on stderr containing every needle, no record.
fn assert_refused(work: &Path, out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert!(!out.status.success(), "should fail: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} missing from {err:?}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        fs::read_dir(work).unwrap().count(),
        0,
        "a record or temporary file was left behind"
    );
}

#[test]
fn the_example_set_trains_above_chance_and_reruns_byte_identical() {
    let work = tempfile::tempdir().unwrap();
    let args = ["--steps", "120", "--batch", "16", "--seed", "2"];
    let out = train(work.path(), &example(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    // SOURCES.md sits beside the class folders: skipped, and said so.
    assert!(stderr(&out).contains("SOURCES.md"), "{}", stderr(&out));
    let first = fs::read(work.path().join("out.json")).unwrap();
    let out = train(work.path(), &example(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(first, fs::read(work.path().join("out.json")).unwrap());

    let record: RunRecord = serde_json::from_slice(&first).unwrap();
    assert_eq!(record.config.task, Task::Photos);
    assert_eq!(record.classes, ["cat", "coffee", "rocket"]);
    // Three classes: chance is 1/3.
    assert!(
        record.test_accuracy > 0.6,
        "test accuracy {} on the example set",
        record.test_accuracy
    );
    // The lighting shift runs on the photos' test patches as on a bundled task.
    assert_eq!(record.shift.len(), 7);
}

#[test]
fn classes_are_the_folder_names_in_sorted_order() {
    let task = tempfile::tempdir().unwrap();
    copy_example(task.path(), ["mango", "Zebra", "apple"]);
    let work = tempfile::tempdir().unwrap();
    let out = train(work.path(), task.path(), &["--steps", "2", "--batch", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let record: RunRecord =
        serde_json::from_slice(&fs::read(work.path().join("out.json")).unwrap()).unwrap();
    // Code point order, as Python's sorted() and torchvision's ImageFolder.
    assert_eq!(record.classes, ["Zebra", "apple", "mango"]);
}

#[test]
fn a_class_of_one_bundled_photo_is_cut_as_the_bundled_task() {
    let photos = bundled_photos();
    let classes: Vec<PhotoClass> = photos
        .iter()
        .map(|p| PhotoClass {
            name: p.name.clone(),
            photos: vec![p.clone()],
        })
        .collect();
    // At most 6 classes, as the bundled task has.
    let own = Dataset::from_classes(5, &classes).unwrap();
    let bundled = Dataset::build(Task::WhatIsIt, 5, &photos).unwrap();
    assert_eq!(own.train_x, bundled.train_x);
    assert_eq!(own.test_x, bundled.test_x);
    assert_eq!(own.train_y, bundled.train_y);
    assert_eq!(own.classes, bundled.classes);
}

#[test]
fn too_few_classes_and_same_names_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let task = tempfile::tempdir().unwrap();
    copy_example(task.path(), ["cat", "Cat", "dog"]);
    let out = train(work.path(), task.path(), &[]);
    assert_refused(work.path(), &out, &["\"Cat\"", "\"cat\"", "same name"]);

    let one = tempfile::tempdir().unwrap();
    fs::create_dir(one.path().join("cat")).unwrap();
    write_png(&one.path().join("cat/a.png"), 80, 80);
    let out = train(work.path(), one.path(), &[]);
    assert_refused(work.path(), &out, &["at least 2 classes", "\"cat\""]);

    let seven = tempfile::tempdir().unwrap();
    for c in 'a'..='g' {
        fs::create_dir(seven.path().join(c.to_string())).unwrap();
    }
    let out = train(work.path(), seven.path(), &[]);
    assert_refused(work.path(), &out, &["up to 6 classes", "got 7"]);
}

#[test]
fn a_class_without_a_usable_photo_is_named() {
    let work = tempfile::tempdir().unwrap();
    let task = tempfile::tempdir().unwrap();
    copy_example(task.path(), ["cat", "coffee", "rocket"]);
    fs::create_dir(task.path().join("dog")).unwrap();
    fs::write(task.path().join("dog/notes.txt"), "no photos yet").unwrap();
    let out = train(work.path(), task.path(), &[]);
    assert_refused(
        work.path(),
        &out,
        &["class \"dog\"", "has no photo (not photos: notes.txt)"],
    );
}

#[test]
fn corrupt_unsupported_and_too_small_photos_are_named() {
    let work = tempfile::tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    // (file name, how to make it, what the message must say)
    type Case<'a> = (&'a str, Box<dyn Fn(&Path) + 'a>, &'a [&'a str]);
    let cases: [Case; 3] = [
        (
            "broken.png",
            Box::new(|p| {
                let whole = fs::read(example().join("cat/cat-1.png")).unwrap();
                fs::write(p, &whole[..whole.len() / 2]).unwrap();
            }),
            &["broken.png", "cut short"],
        ),
        (
            "drawing.svg",
            Box::new(|p| {
                fs::copy(corpus.join("drawing.svg"), p).unwrap();
            }),
            &["drawing.svg", "SVG drawings are not supported"],
        ),
        (
            "tiny.png",
            Box::new(|p| write_png(p, 70, 40)),
            &["tiny.png", "70×40 pixels", "too small", "72×32"],
        ),
    ];
    for (name, make, needles) in cases {
        let task = tempfile::tempdir().unwrap();
        copy_example(task.path(), ["cat", "coffee", "rocket"]);
        make(&task.path().join("coffee").join(name));
        let out = train(work.path(), task.path(), &[]);
        assert_refused(work.path(), &out, needles);
    }
}

#[test]
fn a_photo_of_72_by_32_is_just_large_enough() {
    let work = tempfile::tempdir().unwrap();
    let task = tempfile::tempdir().unwrap();
    for class in ["wide", "tall"] {
        fs::create_dir(task.path().join(class)).unwrap();
    }
    write_png(&task.path().join("wide/a.png"), 72, 32);
    write_png(&task.path().join("tall/a.png"), 32, 72);
    let out = train(work.path(), task.path(), &["--steps", "1", "--batch", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn more_than_the_limits_is_refused_with_the_limit() {
    let work = tempfile::tempdir().unwrap();
    let task = tempfile::tempdir().unwrap();
    copy_example(task.path(), ["cat", "coffee", "rocket"]);
    // 51 files are counted before any is decoded.
    for i in 0..48 {
        fs::copy(
            example().join("cat/cat-1.png"),
            task.path().join(format!("cat/more-{i:02}.png")),
        )
        .unwrap();
    }
    let out = train(work.path(), task.path(), &[]);
    assert_refused(
        work.path(),
        &out,
        &["class \"cat\"", "51 photos", "up to 50"],
    );

    // Five 16000×210 panoramas (not shrunk: the shorter side is below 384)
    // pass 16 megapixels on the fifth.
    let wide = tempfile::tempdir().unwrap();
    copy_example(wide.path(), ["cat", "coffee", "rocket"]);
    write_png(&wide.path().join("rocket/pano-1.png"), 16_000, 210);
    for i in 2..=5 {
        fs::copy(
            wide.path().join("rocket/pano-1.png"),
            wide.path().join(format!("rocket/pano-{i}.png")),
        )
        .unwrap();
    }
    let out = train(work.path(), wide.path(), &[]);
    assert_refused(work.path(), &out, &["pano-5.png", "up to 16 megapixels"]);
}

#[test]
fn large_photos_shrink_by_whole_block_means_to_the_task_scale() {
    // A phone photo: 4000×3000 becomes 266×200 (15×15 blocks).
    assert_eq!(scale_factor(4000, 3000), 15);
    assert_eq!(scale_factor(383, 1000), 1);
    // 2×2 blocks: a 1001×385 photo becomes 500×192, its odd last column
    // and row dropped; each pixel is its block's rounded mean.
    let (w, h) = (1001, 385);
    let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
    let photo = Photo::from_rgb("wide", w, h, rgb.clone()).unwrap();
    let small = scale_for_task(&photo);
    assert_eq!((small.width, small.height), (500, 192));
    for (x, y, c) in [(0, 0, 0), (17, 5, 1), (499, 191, 2)] {
        let at = |dx: usize, dy: usize| u32::from(rgb[((2 * y + dy) * w + 2 * x + dx) * 3 + c]);
        let mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4;
        assert_eq!(u32::from(small.rgb[(y * 500 + x) * 3 + c]), mean);
    }
    // The bundled photos' size is left alone.
    let bundled = &bundled_photos()[0];
    assert_eq!(&scale_for_task(bundled), bundled);
}
