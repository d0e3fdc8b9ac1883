//! The page's judge of image files (`file::check_file`): a browser draws
//! a cut-short or damaged file without a word, so these checks must refuse
//! every such file of each format, and pass every whole one.

use std::path::Path;

use normscope::file::check_file;
use normscope::file::LoadLimits;
use normscope::Error;

/// Whole files of every format and variant the checks walk differently.
const GOOD: &[&str] = &[
    "ok-rgb.png",
    "png-interlaced.png",
    "png-stored.png",
    "png-palette-trns.png",
    "png16-rgb.png",
    "ok-baseline.jpg",
    "jpeg-progressive.jpg",
    "jpeg-exif-rotated.jpg",
    "gif-animated.gif",
    "gif-lzw.gif",
    "bmp-24bit.bmp",
    "bmp-rle8.bmp",
    "webp-lossy.webp",
    "webp-lossless-alpha.webp",
];

fn corpus(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn whole_files_pass_with_their_header_size() {
    for name in GOOD {
        let info = check_file(&corpus(name), &LoadLimits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let size = (info.width, info.height);
        assert!(size == (64, 48) || size == (48, 64), "{name}: {size:?}");
    }
}

#[test]
fn every_cut_short_copy_is_refused_as_bad_input() {
    for name in GOOD {
        let bytes = corpus(name);
        for len in 0..bytes.len() {
            // The first few bytes alone may also read as text: refused all the same.
            match check_file(&bytes[..len], &LoadLimits::default()) {
                Err(Error::BadInput(_)) => {}
                Err(Error::Unsupported(_)) if len < 16 => {}
                other => panic!("{name} cut to {len} of {} bytes: {other:?}", bytes.len()),
            }
        }
    }
}

#[test]
fn cut_short_files_say_so_and_name_the_format() {
    for (name, format) in [
        ("ok-rgb.png", "png"),
        ("ok-baseline.jpg", "jpeg"),
        ("gif-lzw.gif", "gif"),
        ("bmp-24bit.bmp", "bmp"),
        ("webp-lossy.webp", "webp"),
    ] {
        let bytes = corpus(name);
        let err = check_file(&bytes[..bytes.len() * 3 / 4], &LoadLimits::default())
            .expect_err(name)
            .to_string()
            .to_lowercase();
        assert!(
            err.contains(format) && err.contains("cut short"),
            "{name}: {err}"
        );
        assert!(!err.contains('\n'), "{name}: {err}");
    }
}

#[test]
fn any_changed_byte_in_a_png_is_refused() {
    // Every chunk carries a CRC-32, which catches any single changed byte.
    let bytes = corpus("ok-rgb.png");
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x20;
        assert!(
            check_file(&bad, &LoadLimits::default()).is_err(),
            "byte {i} changed, still accepted"
        );
    }
}

#[test]
fn png_data_short_of_its_rows_is_refused_even_with_valid_crcs() {
    // Interlaced: the count must follow the seven Adam7 passes.
    let err = check_file(&corpus("png-interlaced-short.png"), &LoadLimits::default())
        .expect_err("short interlaced PNG accepted")
        .to_string();
    assert!(err.contains("of the") && err.contains("64×48"), "{err}");
}

#[test]
fn random_damage_never_panics() {
    // Hostile bytes reach these parsers first on the page: whatever the
    // damage, the answer is a result, never a panic or a hang.
    let mut rng = fastrand::Rng::with_seed(20_261_126);
    for name in GOOD {
        let bytes = corpus(name);
        for _ in 0..400 {
            let mut bad = bytes.clone();
            for _ in 0..rng.usize(1..8) {
                let i = rng.usize(..bad.len());
                bad[i] = rng.u8(..);
            }
            let _ = check_file(&bad, &LoadLimits::default());
        }
    }
}

#[test]
fn real_photographs_pass_with_the_size_a_decoder_reads() {
    // Files from other encoders than the corpus script (scikit-image's test
    // photos, the page's sample JPEGs): real-world Huffman tables and chunk
    // layouts, which the checks must accept as they are.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["tests/fixtures", "www/samples"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("folder lists") {
            let path = entry.expect("folder entry").path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "png" | "jpg" | "jpeg") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("photo reads");
            let info = check_file(&bytes, &LoadLimits::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let decoded = image::load_from_memory(&bytes).expect("photo decodes");
            assert_eq!(
                (info.width, info.height),
                (decoded.width(), decoded.height()),
                "{}",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "only {seen} photographs found");
}
