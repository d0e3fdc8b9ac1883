#![cfg(not(target_arch = "wasm32"))]
//! The `normscope` binary as a user runs it, in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Output;

use ndarray::{Array4, Axis};
use normscope::npy::{read_npy, write_npy};

mod common;
use common::{listing, run, stderr};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Assert a failure the way a user sees it: non-zero exit, one line on
/// stderr containing `needle` (typically the file name), no output file.
fn assert_clean_failure(dir: &Path, out: &Output, needle: &str, before: &[String]) {
    assert!(!out.status.success(), "should fail: {}", stderr(out));
    let err = stderr(out);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err:?}"
    );
    assert!(err.contains(needle), "{needle:?} missing from {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(listing(dir), before, "output or temporary file left behind");
}

/// CRC-32 as PNG chunks use it (over chunk type and data).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn plane_moments(x: &Array4<f32>, n: usize, c: usize) -> (f64, f64) {
    let plane = x.index_axis(Axis(0), n);
    let plane = plane.index_axis(Axis(0), c);
    let count = plane.len() as f64;
    let mean = plane.iter().map(|&v| f64::from(v)).sum::<f64>() / count;
    let var = plane
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / count;
    (mean, var)
}

#[test]
fn normalize_real_photos_writes_float32_npy_with_unit_planes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(
        dir.path(),
        &[
            "normalize",
            "--norm",
            "instance",
            "--out",
            "out.npy",
            fixture("chelsea.png").to_str().expect("utf-8 path"),
            fixture("rocket.jpg").to_str().expect("utf-8 path"),
            fixture("camera.png").to_str().expect("utf-8 path"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("out.npy")).expect("out.npy written");
    assert!(
        String::from_utf8_lossy(&bytes[..128]).contains("'descr': '<f4'"),
        "float32 on disk"
    );
    let x = read_npy(&bytes).expect("valid npy");
    // All resized to the first image's size (chelsea: 451×300).
    assert_eq!(x.shape(), &[3, 3, 300, 451]);
    for n in 0..3 {
        for c in 0..3 {
            let (mean, var) = plane_moments(&x, n, c);
            assert!(mean.abs() < 1e-4, "image {n} channel {c}: mean {mean}");
            assert!((var - 1.0).abs() < 1e-3, "image {n} channel {c}: var {var}");
        }
    }
    // The first image was not resampled: its instance-normalized plane is a
    // positive affine map of the decoded photo, so the order of pixels holds.
    let photo = image::open(fixture("chelsea.png"))
        .expect("chelsea")
        .to_rgb8();
    let (a, b) = (photo.get_pixel(10, 20)[0], photo.get_pixel(200, 150)[0]);
    let (xa, xb) = (x[[0, 0, 20, 10]], x[[0, 0, 150, 200]]);
    assert_eq!(a.cmp(&b), xa.partial_cmp(&xb).expect("finite"));
}

#[test]
fn normalize_with_size_and_group_norm_on_an_npy_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chelsea = fixture("chelsea.png");
    let out = run(
        dir.path(),
        &[
            "normalize",
            "--norm",
            "batch",
            "--size",
            "64x48",
            "--out",
            "in.npy",
        ]
        .into_iter()
        .chain([
            chelsea.to_str().expect("utf-8"),
            fixture("coffee.png").to_str().expect("utf-8"),
        ])
        .collect::<Vec<_>>(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let x = read_npy(&std::fs::read(dir.path().join("in.npy")).expect("written")).expect("npy");
    assert_eq!(x.shape(), &[2, 3, 48, 64]);
    // Batch norm: each channel over (N, H, W) has mean 0.
    for c in 0..3 {
        let ch = x.index_axis(Axis(1), c);
        let mean = ch.iter().map(|&v| f64::from(v)).sum::<f64>() / ch.len() as f64;
        assert!(mean.abs() < 1e-4, "channel {c}: {mean}");
    }

    // A hand-made .npy with 6 channels goes through group norm with G = 2.
    let y = Array4::from_shape_fn((2, 6, 5, 7), |(n, c, h, w)| {
        ((n * 31 + c * 7 + h * 3 + w) % 11) as f32 * (c as f32 + 1.0)
    });
    let mut f = std::fs::File::create(dir.path().join("six.npy")).expect("create");
    write_npy(&mut f, &y).expect("write");
    drop(f);
    let out = run(
        dir.path(),
        &[
            "normalize",
            "--norm",
            "group",
            "--groups",
            "2",
            "--out",
            "g.npy",
            "six.npy",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let g = read_npy(&std::fs::read(dir.path().join("g.npy")).expect("written")).expect("npy");
    assert_eq!(g.shape(), &[2, 6, 5, 7]);
    let group = g.slice(ndarray::s![1, 3..6, .., ..]);
    let mean = group.iter().map(|&v| f64::from(v)).sum::<f64>() / group.len() as f64;
    assert!(mean.abs() < 1e-4, "group mean {mean}");
}

#[test]
fn broken_inputs_fail_in_one_line_naming_the_file_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let jpeg = std::fs::read(fixture("rocket.jpg")).expect("rocket");
    std::fs::write(p.join("cut.jpg"), &jpeg[..jpeg.len() / 2]).expect("write");
    std::fs::write(p.join("empty.png"), b"").expect("write");
    std::fs::write(p.join("photo.heic"), b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").expect("write");
    std::fs::write(p.join("notes.png"), b"just some text\n").expect("write");
    std::fs::write(p.join("nan.npy"), {
        let mut x = Array4::<f32>::zeros((1, 3, 2, 2));
        x[[0, 0, 1, 1]] = f32::NAN;
        let mut buf = Vec::new();
        write_npy(&mut buf, &x).expect("write");
        buf
    })
    .expect("write");
    // A PNG header claiming 100000×100000 pixels.
    let mut bomb = std::fs::read(fixture("chelsea.png")).expect("chelsea");
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    std::fs::write(p.join("bomb.png"), &bomb).expect("write");
    let before = listing(p);
    let chelsea = fixture("chelsea.png");
    let chelsea = chelsea.to_str().expect("utf-8");

    for (input, needle) in [
        ("cut.jpg", "cut short"),
        ("empty.png", "empty"),
        ("photo.heic", "HEIC"),
        ("notes.png", "text"),
        ("nan.npy", "NaN"),
        ("missing.png", "cannot read"),
    ] {
        let out = run(
            p,
            &["normalize", "--norm", "instance", "--out", "out.npy", input],
        );
        assert_clean_failure(p, &out, input, &before);
        assert_clean_failure(p, &out, needle, &before);
    }
    // A bad file after a good one: still nothing written, the bad one named.
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "instance",
            "--out",
            "out.npy",
            chelsea,
            "cut.jpg",
        ],
    );
    assert_clean_failure(p, &out, "cut.jpg", &before);
    // The hostile header is refused from the header, with advice.
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "instance",
            "--out",
            "out.npy",
            "bomb.png",
        ],
    );
    assert_clean_failure(p, &out, "bomb.png", &before);
    assert_clean_failure(p, &out, "100000×100000", &before);

    // Bad options fail the same way.
    let out = run(
        p,
        &["normalize", "--norm", "group", "--out", "out.npy", chelsea],
    );
    assert_clean_failure(p, &out, "--groups", &before);
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "sideways",
            "--out",
            "out.npy",
            chelsea,
        ],
    );
    assert_clean_failure(p, &out, "sideways", &before);
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        p,
        &["normalize", "--norm", "batch", "--out", "out.png", chelsea],
    );
    assert_clean_failure(p, &out, ".npy", &before);
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "batch",
            "--size",
            "0x10",
            "--out",
            "out.npy",
            chelsea,
        ],
    );
    assert_clean_failure(p, &out, "0x10", &before);
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "batch",
            "--out",
            "no/such/dir/out.npy",
            chelsea,
        ],
    );
    assert_clean_failure(p, &out, "no/such/dir/out.npy", &before);
}

#[test]
fn an_existing_output_survives_a_failed_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(p.join("out.npy"), b"previous result").expect("write");
    std::fs::write(p.join("empty.png"), b"").expect("write");
    let out = run(
        p,
        &[
            "normalize",
            "--norm",
            "layer",
            "--out",
            "out.npy",
            "empty.png",
        ],
    );
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(p.join("out.npy")).expect("still there"),
        b"previous result"
    );
    assert_eq!(listing(p), ["empty.png", "out.npy"]);
}

#[test]
fn figure_writes_a_valid_svg_and_a_png_of_the_stated_size() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    let chelsea = fixture("chelsea.png");
    let coffee = fixture("coffee.png");
    let inputs = [
        chelsea.to_str().expect("utf-8"),
        coffee.to_str().expect("utf-8"),
    ];

    let mut args = vec![
        "figure",
        "--contrast",
        "0.5",
        "--norms",
        "batch,instance,layer",
        "--out",
        "fig.svg",
    ];
    args.extend(inputs);
    let out = run(p, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let svg = std::fs::read_to_string(p.join("fig.svg")).expect("fig.svg written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(r#"width="1600" height="900""#), "default size");
    assert!(svg.contains("instance") && svg.contains("layer"));

    let mut args = vec![
        "figure",
        "--brightness",
        "-0.1",
        "--gamma",
        "1.5",
        "--clip",
        "--width",
        "800",
        "--height",
        "600",
        "--out",
        "fig.png",
    ];
    args.extend(inputs);
    let out = run(p, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let png = image::open(p.join("fig.png")).expect("a valid PNG");
    assert_eq!((png.width(), png.height()), (800, 600));
    assert_eq!(listing(p), ["fig.png", "fig.svg"]);

    // A bad probe or option: one line, and the old figure is untouched.
    let before = listing(p);
    let mut args = vec!["figure", "--probe", "2", "--out", "fig.png"];
    args.extend(inputs);
    let out = run(p, &args);
    assert_clean_failure(p, &out, "probe", &before);
    let mut args = vec!["figure", "--contrast", "0", "--out", "new.svg"];
    args.extend(inputs);
    let out = run(p, &args);
    assert_clean_failure(p, &out, "contrast", &before);
    let out = run(p, &["figure", "--out", "fig.jpg", inputs[0]]);
    assert_clean_failure(p, &out, "fig.jpg", &before);
}

#[test]
fn stats_json_shows_instance_norm_ignores_contrast_and_batch_norm_does_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chelsea = fixture("chelsea.png");
    let coffee = fixture("coffee.png");
    let out = run(
        dir.path(),
        &[
            "stats",
            "--json",
            "--contrast",
            "0.5",
            "--brightness",
            "0.1",
            "--norms",
            "batch,instance",
            chelsea.to_str().expect("utf-8"),
            coffee.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let images = report["images"].as_array().expect("images");
    assert_eq!(images.len(), 2);
    assert_eq!(images[1]["name"], "coffee.png");
    let inv = report["invariance"].as_array().expect("invariance");
    let by_kind = |k: &str| {
        inv.iter()
            .find(|v| v["kind"] == k)
            .unwrap_or_else(|| panic!("{k} in {inv:?}"))
    };
    assert_eq!(by_kind("batch")["unchanged"], false);
    assert_eq!(by_kind("instance")["unchanged"], true);
    assert!(listing(dir.path()).is_empty(), "stats writes no files");

    // The readable summary says the same in words.
    let out = run(
        dir.path(),
        &[
            "stats",
            "--contrast",
            "0.5",
            chelsea.to_str().expect("utf-8"),
            coffee.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |k: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(k))
            .unwrap_or_else(|| panic!("{k} in {text}"))
            .to_string()
    };
    assert!(line("batch").ends_with(" changed"), "{text}");
    assert!(line("instance").ends_with("unchanged"), "{text}");
}
