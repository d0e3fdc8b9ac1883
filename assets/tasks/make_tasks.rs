//! Make the task photos of the training engine (`src/nn/data.rs`): raw
//! RGB8 files of 192×192 pixels, one per class, from the public-domain/CC0
//! sample photographs (see SOURCES.md here).
//!
//! ```text
//! cargo run --release --example make_tasks -- DIR_WITH_ORIGINALS [OUT_DIR]
//! ```
//!
//! `DIR_WITH_ORIGINALS` holds the scikit-image originals named in
//! `PHOTOS` below; `OUT_DIR` defaults to `assets/tasks`. Each photo is
//! centre-cropped to a square, resized with a Lanczos-3 filter and written
//! as `NAME.rgb` (row-major R, G, B bytes, no header); greyscale photos
//! become three equal channels. The outputs are committed, so this only
//! needs running to change the tasks.

use std::path::PathBuf;
use std::process::ExitCode;

use image::imageops::FilterType;

/// Output name and source file, in class order (`TASK_PHOTOS`).
const PHOTOS: [(&str, &str); 6] = [
    ("brick", "brick.png"),
    ("grass", "grass.png"),
    ("gravel", "gravel.png"),
    ("cat", "chelsea.png"),
    ("coffee", "coffee.png"),
    ("cells", "ihc.png"),
];
const SIDE: u32 = 192;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(src) = args.next().map(PathBuf::from) else {
        eprintln!("usage: make_tasks DIR_WITH_ORIGINALS [OUT_DIR]");
        return ExitCode::from(2);
    };
    let out = args
        .next()
        .map_or_else(|| PathBuf::from("assets/tasks"), PathBuf::from);
    for (name, file) in PHOTOS {
        let path = src.join(file);
        let img = match image::open(&path) {
            Ok(i) => i.to_rgb8(),
            Err(e) => {
                eprintln!("make_tasks: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        };
        let side = img.width().min(img.height());
        let (x, y) = ((img.width() - side) / 2, (img.height() - side) / 2);
        let square = image::imageops::crop_imm(&img, x, y, side, side).to_image();
        let small = image::imageops::resize(&square, SIDE, SIDE, FilterType::Lanczos3);
        let dest = out.join(format!("{name}.rgb"));
        if let Err(e) = std::fs::write(&dest, small.as_raw()) {
            eprintln!("make_tasks: {}: {e}", dest.display());
            return ExitCode::FAILURE;
        }
        // A PNG preview next to it, for people (not used by the code).
        let preview = out.join(format!("{name}.png"));
        if let Err(e) = small.save(&preview) {
            eprintln!("make_tasks: {}: {e}", preview.display());
            return ExitCode::FAILURE;
        }
        println!(
            "{} ← {} ({}×{} → {SIDE}×{SIDE})",
            dest.display(),
            path.display(),
            img.width(),
            img.height()
        );
    }
    ExitCode::SUCCESS
}
