//! Make the worked example of a task from folders, `assets/examples/photos/`:
//! three classes (cat, coffee, rocket) of three photos each, cut side by
//! side from one public-domain/CC0 photograph per class, so no two photos
//! of a class share a pixel.
//!
//! ```text
//! cargo run --release --example make_photo_examples -- DIR_WITH_ORIGINALS [OUT_DIR]
//! ```
//!
//! `DIR_WITH_ORIGINALS` holds the scikit-image originals named in `CLASSES`;
//! `OUT_DIR` defaults to `assets/examples/photos`. Each third of an original
//! is resized (Lanczos-3) to `WIDTH` px wide and written as an 8-bit RGB
//! PNG: lossless, so the CLI and a browser decode the very same pixels. The
//! outputs are committed; this only needs running to change them.

use std::path::PathBuf;
use std::process::ExitCode;

use image::imageops::FilterType;

/// Class (folder) name and the original it is cut from.
const CLASSES: [(&str, &str); 3] = [
    ("cat", "chelsea.png"),
    ("coffee", "coffee.png"),
    ("rocket", "rocket.jpg"),
];
/// Photos per class: the original is cut into this many vertical strips.
const PER_CLASS: u32 = 3;
/// Width of every example photo, in pixels.
const WIDTH: u32 = 96;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(src) = args.next().map(PathBuf::from) else {
        eprintln!("usage: make_photo_examples DIR_WITH_ORIGINALS [OUT_DIR]");
        return ExitCode::from(2);
    };
    let out = args
        .next()
        .map_or_else(|| PathBuf::from("assets/examples/photos"), PathBuf::from);
    for (class, file) in CLASSES {
        let original = match image::open(src.join(file)) {
            Ok(img) => img.to_rgb8(),
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let strip = original.width() / PER_CLASS;
        let height = original.height() * WIDTH / strip;
        let dir = out.join(class);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
        for i in 0..PER_CLASS {
            let piece =
                image::imageops::crop_imm(&original, i * strip, 0, strip, original.height())
                    .to_image();
            let small = image::imageops::resize(&piece, WIDTH, height, FilterType::Lanczos3);
            let path = dir.join(format!("{class}-{}.png", i + 1));
            if let Err(e) = small.save(&path) {
                eprintln!("{}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            println!("{} {}×{}", path.display(), WIDTH, height);
        }
    }
    ExitCode::SUCCESS
}
