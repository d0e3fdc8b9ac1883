#![cfg(not(target_arch = "wasm32"))]
//! The loading layer on real photographs and on hostile or broken files.

use std::io::Cursor;

use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage};
use ndarray::{Array3, Array4};
use normscope::file::{decode_image, LoadLimits};
use normscope::npy::{read_npy, write_npy};
use normscope::tensor::{check_finite, fit_image, image_from_rgba, image_to_chw, stack, Fit};
use normscope::Error;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn load(bytes: &[u8]) -> normscope::Result<DynamicImage> {
    decode_image(bytes, &LoadLimits::default())
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).expect("encode test image");
    out.into_inner()
}

/// Build a PNG from raw chunks, with correct CRCs unless told otherwise.
fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

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

fn expect_bad(result: normscope::Result<DynamicImage>) -> String {
    match result {
        Err(Error::BadInput(m)) => m,
        other => panic!("expected BadInput, got {other:?}"),
    }
}

fn expect_unsupported(result: normscope::Result<DynamicImage>) -> String {
    match result {
        Err(Error::Unsupported(m)) => m,
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

// ---- real photographs ----

#[test]
fn real_photos_decode_to_rgb_tensors_in_unit_range() {
    for (name, w, h) in [
        ("chelsea.png", 451, 300),
        ("coffee.png", 600, 400),
        ("camera.png", 512, 512),
        ("rocket.jpg", 640, 427),
    ] {
        let img = load(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let x = image_to_chw(&img);
        assert_eq!(x.shape(), &[3, h, w], "{name}");
        let (lo, hi) = x.fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        assert!(lo >= 0.0 && hi <= 1.0, "{name}: range {lo}..{hi}");
        assert!(
            hi - lo > 0.5,
            "{name}: a real photo spans a wide range, got {lo}..{hi}"
        );
    }
}

#[test]
fn grey_photo_is_replicated_to_three_equal_channels() {
    let img = load(&fixture("camera.png")).expect("camera.png decodes");
    assert!(matches!(img, DynamicImage::ImageLuma8(_)));
    let x = image_to_chw(&img);
    assert_eq!(x.shape()[0], 3);
    assert_eq!(
        x.index_axis(ndarray::Axis(0), 0),
        x.index_axis(ndarray::Axis(0), 1)
    );
    assert_eq!(
        x.index_axis(ndarray::Axis(0), 0),
        x.index_axis(ndarray::Axis(0), 2)
    );
}

#[test]
fn eight_bit_values_are_divided_by_255_exactly() {
    let mut img = RgbImage::new(3, 2);
    img.put_pixel(2, 1, Rgb([200, 10, 255]));
    let bytes = encode(&DynamicImage::ImageRgb8(img), ImageFormat::Png);
    let x = image_to_chw(&load(&bytes).expect("decodes"));
    assert_eq!(x[[0, 1, 2]], 200.0 / 255.0);
    assert_eq!(x[[1, 1, 2]], 10.0 / 255.0);
    assert_eq!(x[[2, 1, 2]], 1.0);
    assert_eq!(x[[0, 0, 0]], 0.0);

    // The same on a real photo: the tensor holds the file's pixel at (y, x).
    let photo = image::load_from_memory(&fixture("chelsea.png"))
        .expect("chelsea")
        .to_rgb8();
    let x = image_to_chw(&load(&fixture("chelsea.png")).expect("chelsea"));
    let p = photo.get_pixel(123, 45);
    for c in 0..3 {
        assert_eq!(x[[c, 45, 123]], f32::from(p[c]) / 255.0);
    }
}

#[test]
fn sixteen_bit_png_is_divided_by_65535() {
    let mut img = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::new(2, 2);
    img.put_pixel(1, 0, Rgb([65535, 32768, 257]));
    let bytes = encode(&DynamicImage::ImageRgb16(img), ImageFormat::Png);
    let decoded = load(&bytes).expect("16-bit PNG decodes");
    assert!(matches!(decoded, DynamicImage::ImageRgb16(_)));
    let x = image_to_chw(&decoded);
    assert_eq!(x[[0, 0, 1]], 1.0);
    assert_eq!(x[[1, 0, 1]], 32768.0 / 65535.0);
    assert_eq!(x[[2, 0, 1]], 257.0 / 65535.0);
}

#[test]
fn alpha_is_dropped_not_blended() {
    let mut img = image::RgbaImage::new(2, 1);
    img.put_pixel(0, 0, image::Rgba([100, 150, 200, 0]));
    img.put_pixel(1, 0, image::Rgba([10, 20, 30, 128]));
    let bytes = encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png);
    let x = image_to_chw(&load(&bytes).expect("RGBA PNG decodes"));
    assert_eq!(x.shape(), &[3, 1, 2]);
    assert_eq!(x[[0, 0, 0]], 100.0 / 255.0);
    assert_eq!(x[[2, 0, 0]], 200.0 / 255.0);
    assert_eq!(x[[1, 0, 1]], 20.0 / 255.0);
}

#[test]
fn rgba_from_the_browser_is_checked_and_wrapped() {
    let limits = LoadLimits::default();
    let rgba = [1u8, 2, 3, 255, 4, 5, 6, 255];
    let img = image_from_rgba(&rgba, 2, 1, &limits).expect("2×1 RGBA");
    let x = image_to_chw(&img);
    assert_eq!(x[[2, 0, 1]], 6.0 / 255.0);
    assert!(matches!(
        image_from_rgba(&rgba, 3, 1, &limits),
        Err(Error::BadInput(_))
    ));
    assert!(matches!(
        image_from_rgba(&[], 0, 0, &limits),
        Err(Error::BadInput(_))
    ));
    assert!(matches!(
        image_from_rgba(&rgba, 20_000, 1, &limits),
        Err(Error::TooLarge(_))
    ));
}

/// A minimal big-endian TIFF/EXIF block holding only an orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut e = b"MM\0\x2a\0\0\0\x08".to_vec(); // header, IFD at offset 8
    e.extend_from_slice(&1u16.to_be_bytes()); // one entry
    e.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    e.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    e.extend_from_slice(&1u32.to_be_bytes()); // count
    e.extend_from_slice(&value.to_be_bytes());
    e.extend_from_slice(&[0, 0]); // padding of the 4-byte value field
    e.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    e
}

#[test]
fn exif_orientation_is_applied() {
    // A 64×32 JPEG, left half black and right half white, tagged
    // "rotate 90° clockwise" (EXIF 6): upright it is 32×64, black on top.
    let img = RgbImage::from_fn(64, 32, |x, _| {
        if x < 32 {
            Rgb([0, 0, 0])
        } else {
            Rgb([255, 255, 255])
        }
    });
    let mut bytes = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 95);
    enc.set_exif_metadata(exif_orientation(6))
        .expect("the JPEG encoder writes EXIF");
    enc.write_image(img.as_raw(), 64, 32, image::ExtendedColorType::Rgb8)
        .expect("encode");

    let upright = load(&bytes).expect("decodes");
    assert_eq!((upright.width(), upright.height()), (32, 64));
    let x = image_to_chw(&upright);
    assert!(x[[0, 5, 16]] < 0.1, "top should be black");
    assert!(x[[0, 58, 16]] > 0.9, "bottom should be white");

    // Without the tag the same pixels stay 64×32.
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
        .write_image(img.as_raw(), 64, 32, image::ExtendedColorType::Rgb8)
        .expect("encode");
    let stored = load(&plain).expect("decodes");
    assert_eq!((stored.width(), stored.height()), (64, 32));
}

// ---- fitting and stacking ----

#[test]
fn equal_sizes_are_not_resampled() {
    let img = load(&fixture("chelsea.png")).expect("chelsea");
    let same = fit_image(&img, img.width(), img.height(), Fit::Stretch);
    assert_eq!(same.as_bytes(), img.as_bytes());
    let same = fit_image(&img, img.width(), img.height(), Fit::Cover);
    assert_eq!(same.as_bytes(), img.as_bytes());
}

#[test]
fn resize_to_the_first_images_size_keeps_the_picture() {
    let first = load(&fixture("chelsea.png")).expect("chelsea");
    let second = load(&fixture("coffee.png")).expect("coffee");
    let fitted = fit_image(&second, first.width(), first.height(), Fit::Stretch);
    assert_eq!((fitted.width(), fitted.height()), (451, 300));
    // Stays 8-bit until the f32 conversion.
    assert!(matches!(fitted, DynamicImage::ImageRgb8(_)));
    // Resizing preserves the mean brightness (a smoothing filter).
    let mean = |x: &Array3<f32>| x.mean().unwrap_or(f32::NAN);
    let before = mean(&image_to_chw(&second));
    let after = mean(&image_to_chw(&fitted));
    assert!((before - after).abs() < 0.01, "{before} vs {after}");

    let batch = stack(&[image_to_chw(&first), image_to_chw(&fitted)]).expect("same size");
    assert_eq!(batch.shape(), &[2, 3, 300, 451]);
}

#[test]
fn large_reductions_and_cover_crop_give_the_target_size() {
    let img = load(&fixture("coffee.png")).expect("coffee");
    let small = fit_image(&img, 37, 23, Fit::Stretch);
    assert_eq!((small.width(), small.height()), (37, 23));
    // Cover of a 600×400 image to a square crops the middle 400×400.
    let square = fit_image(&img, 400, 400, Fit::Cover);
    assert_eq!((square.width(), square.height()), (400, 400));
    let centre = img.crop_imm(100, 0, 400, 400);
    assert_eq!(square.as_bytes(), centre.as_bytes());
}

#[test]
fn stacking_different_shapes_is_bad_input() {
    let a = Array3::<f32>::zeros((3, 4, 4));
    let b = Array3::<f32>::zeros((3, 4, 5));
    match stack(&[a, b]) {
        Err(Error::BadInput(m)) => assert!(m.contains("image 2"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
    assert!(matches!(stack(&[]), Err(Error::BadInput(_))));
}

#[test]
fn check_finite_names_the_position() {
    let mut x = Array4::<f32>::zeros((2, 3, 4, 5));
    assert!(check_finite(x.view()).is_ok());
    x[[1, 2, 3, 4]] = f32::INFINITY;
    match check_finite(x.view()) {
        Err(Error::BadInput(m)) => assert!(m.contains("image 2, channel 3"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

// ---- broken and hostile files ----

#[test]
fn empty_file_is_bad_input() {
    let m = expect_bad(load(&[]));
    assert!(m.contains("empty"), "{m}");
}

#[test]
fn random_bytes_are_bad_input() {
    let mut rng = fastrand::Rng::with_seed(7);
    let bytes: Vec<u8> = (0..4096).map(|_| rng.u8(..)).collect();
    let m = expect_bad(load(&bytes));
    assert!(m.contains("PNG, JPEG"), "{m}");
}

#[test]
fn truncated_png_is_bad_input() {
    let bytes = fixture("chelsea.png");
    for keep in [bytes.len() / 2, bytes.len() - 100, 40] {
        let m = expect_bad(load(&bytes[..keep]));
        assert!(m.contains("PNG"), "{m}");
    }
}

#[test]
fn truncated_jpeg_is_bad_input_not_grey_padding() {
    let bytes = fixture("rocket.jpg");
    assert!(load(&bytes).is_ok());
    for keep in [bytes.len() / 2, bytes.len() - 2, bytes.len() - 200] {
        let m = expect_bad(load(&bytes[..keep]));
        assert!(m.contains("JPEG"), "{m}");
    }
}

#[test]
fn png_with_a_bad_crc_is_bad_input() {
    let mut bytes = fixture("chelsea.png");
    // Corrupt one byte inside the first IDAT chunk's data.
    let idat = bytes
        .windows(4)
        .position(|w| w == b"IDAT")
        .expect("a PNG has IDAT");
    bytes[idat + 40] ^= 0x55;
    expect_bad(load(&bytes));
}

#[test]
fn header_claiming_100000_squared_is_too_large_from_the_header() {
    // Signature, IHDR for 100000×100000 RGB8, a few IDAT bytes, IEND: there
    // are no pixels to decode, so TooLarge can only come from the header.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut bytes, b"IHDR", &ihdr);
    png_chunk(&mut bytes, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    png_chunk(&mut bytes, b"IEND", &[]);
    match load(&bytes) {
        Err(Error::TooLarge(m)) => assert!(m.contains("100000×100000"), "{m}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // The same with a small claimed size is a broken file, not TooLarge.
    let mut small = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&64u32.to_be_bytes());
    ihdr.extend_from_slice(&64u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut small, b"IHDR", &ihdr);
    png_chunk(&mut small, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    png_chunk(&mut small, b"IEND", &[]);
    expect_bad(load(&small));
}

#[test]
fn too_many_megapixels_and_too_big_files_are_too_large() {
    let tight = LoadLimits {
        max_pixels: 100_000,
        ..LoadLimits::default()
    };
    match decode_image(&fixture("chelsea.png"), &tight) {
        Err(Error::TooLarge(m)) => assert!(m.contains("megapixels"), "{m}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let small_files = LoadLimits {
        max_file_bytes: 1000,
        ..LoadLimits::default()
    };
    assert!(matches!(
        decode_image(&fixture("chelsea.png"), &small_files),
        Err(Error::TooLarge(_))
    ));
}

#[test]
fn heic_is_unsupported_with_advice() {
    let mut bytes = vec![0, 0, 0, 0x18];
    bytes.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    bytes.extend_from_slice(&[0u8; 64]);
    let m = expect_unsupported(load(&bytes));
    assert!(m.contains("HEIC") && m.contains("JPEG"), "{m}");
}

#[test]
fn pdf_svg_tiff_and_text_are_unsupported_with_advice() {
    let m = expect_unsupported(load(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"));
    assert!(m.contains("PDF"), "{m}");
    let m = expect_unsupported(load(
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
    ));
    assert!(m.contains("SVG") && m.contains("PNG"), "{m}");
    let m = expect_unsupported(load(b"  <svg viewBox=\"0 0 10 10\"/>"));
    assert!(m.contains("SVG"), "{m}");
    let m = expect_unsupported(load(b"II*\0\x08\0\0\0rest of a tiff"));
    assert!(m.contains("TIFF"), "{m}");
    let m = expect_unsupported(load("name,value\nchat,1\ncafé,2\n".as_bytes()));
    assert!(m.contains("text"), "{m}");
}

// ---- .npy ----

fn npy_bytes<A: ndarray_npy::WritableElement, D: ndarray::Dimension>(
    a: &ndarray::Array<A, D>,
) -> Vec<u8> {
    use ndarray_npy::WriteNpyExt;
    let mut out = Vec::new();
    a.write_npy(&mut out).expect("write npy");
    out
}

fn expect_npy_bad(bytes: &[u8]) -> String {
    match read_npy(bytes) {
        Err(Error::BadInput(m)) => m,
        other => panic!("expected BadInput, got {other:?}"),
    }
}

#[test]
fn npy_f32_round_trips_exactly() {
    let x = Array4::from_shape_fn((2, 3, 4, 5), |(n, c, y, x)| {
        (n * 1000 + c * 100 + y * 10 + x) as f32 * 0.37 - 20.0
    });
    let mut buf = Vec::new();
    write_npy(&mut buf, &x).expect("write");
    assert_eq!(read_npy(&buf).expect("read"), x);
}

#[test]
fn npy_f64_is_converted_to_f32() {
    let x = Array4::from_shape_fn((1, 2, 3, 3), |(_, c, y, x)| (c + y * 3 + x) as f64 / 7.0);
    let back = read_npy(&npy_bytes(&x)).expect("f64 reads");
    assert_eq!(back, x.mapv(|v| v as f32));
    let huge = Array4::from_elem((1, 1, 1, 2), 1e300f64);
    let m = expect_npy_bad(&npy_bytes(&huge));
    assert!(m.contains("float32"), "{m}");
}

#[test]
fn npy_fortran_order_is_read_in_the_right_order() {
    let x = Array4::from_shape_fn((2, 2, 3, 4), |(n, c, y, x)| {
        (n * 24 + c * 12 + y * 4 + x) as f32
    });
    let f = x.t().as_standard_layout().into_owned().reversed_axes();
    assert_eq!(f, x);
    assert!(!f.is_standard_layout());
    let back = read_npy(&npy_bytes(&f)).expect("fortran order reads");
    assert_eq!(back, x);
}

#[test]
fn npy_wrong_ndim_dtype_and_zero_size_are_bad_input() {
    let m = expect_npy_bad(&npy_bytes(&ndarray::Array3::<f32>::zeros((3, 4, 5))));
    assert!(m.contains("3 dimension") && m.contains("N×C×H×W"), "{m}");
    let m = expect_npy_bad(&npy_bytes(&Array4::<i32>::zeros((1, 3, 4, 5))));
    assert!(m.contains("<i4") && m.contains("float32"), "{m}");
    let m = expect_npy_bad(&npy_bytes(&Array4::<f32>::zeros((1, 0, 4, 5))));
    assert!(m.contains("no values"), "{m}");
}

#[test]
fn npy_nan_and_inf_are_bad_input() {
    let mut x = Array4::<f32>::zeros((1, 3, 2, 2));
    x[[0, 1, 1, 0]] = f32::NAN;
    let m = expect_npy_bad(&npy_bytes(&x));
    assert!(m.contains("NaN") && m.contains("channel 2"), "{m}");
    let mut y = Array4::<f64>::zeros((1, 1, 2, 2));
    y[[0, 0, 0, 1]] = f64::NEG_INFINITY;
    let m = expect_npy_bad(&npy_bytes(&y));
    assert!(m.contains("inf"), "{m}");
}

#[test]
fn npy_lying_header_is_rejected_before_reading() {
    let real = npy_bytes(&Array4::<f32>::zeros((1, 1, 2, 2)));
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let pos = find(&real, b"(1, 1, 2, 2)").expect("shape in header");
    let newline = find(&real, b"\n").expect("header newline");
    // Same header length, claims ~10^19 bytes: would overflow or OOM if trusted.
    let claim = b"(9999999999, 1, 9999999, 2)";
    let extra = claim.len() - 12;
    let mut lying = real[..pos].to_vec();
    lying.extend_from_slice(claim);
    lying.extend_from_slice(&real[pos + 12..newline - extra]);
    lying.extend_from_slice(&real[newline..]);
    assert_eq!(lying.len(), real.len());
    let m = expect_npy_bad(&lying);
    assert!(m.contains("damaged"), "{m}");
    // A header length field pointing past the end of the file.
    let mut long = real.clone();
    long[8] = 0xFF;
    long[9] = 0xFF;
    expect_npy_bad(&long);
    // Cut short data.
    let m = expect_npy_bad(&real[..real.len() - 4]);
    assert!(m.contains("cut short"), "{m}");
    expect_npy_bad(b"not an npy file");
}

#[test]
fn gif_bmp_and_webp_decode_too() {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(5, 4, |x, y| {
        Rgb([(x * 50) as u8, (y * 60) as u8, 255])
    }));
    for format in [ImageFormat::Bmp, ImageFormat::WebP, ImageFormat::Gif] {
        let bytes = encode(&img, format);
        let decoded = load(&bytes).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let x = image_to_chw(&decoded);
        assert_eq!(x.shape(), &[3, 4, 5], "{format:?}");
        // GIF quantizes to a palette; the lossless formats are exact.
        let tol = if format == ImageFormat::Gif {
            0.05
        } else {
            0.0
        };
        assert!((x[[0, 3, 4]] - 200.0 / 255.0).abs() <= tol, "{format:?}");
        assert!((x[[1, 3, 4]] - 180.0 / 255.0).abs() <= tol, "{format:?}");
    }
}
