//! Browser tests of the JS API, run in headless Chromium by
//! wasm-bindgen-test (`cargo test --target wasm32-unknown-unknown --test web`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use ndarray::Array4;
use normscope::norm::{normalize as core_normalize, NormConfig, NormKind};
use normscope::wasm::{check_image, normalize, Column, Row, Session};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SHAPE: [usize; 4] = [3, 6, 5, 7];

/// Deterministic test data with a large offset in one channel, so the test
/// also covers the low-contrast numerics.
fn data() -> Vec<f32> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let len: usize = SHAPE.iter().product();
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 40) as f32 / (1u64 << 24) as f32;
            let channel = (i / (SHAPE[2] * SHAPE[3])) % SHAPE[1];
            if channel == 2 {
                1000.0 + 0.05 * u
            } else {
                u * 2.0 - 0.5
            }
        })
        .collect()
}

fn shape_js(shape: &[f64]) -> JsValue {
    shape
        .iter()
        .map(|&d| JsValue::from_f64(d))
        .collect::<Array>()
        .into()
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn configs() -> Vec<(NormConfig, JsValue)> {
    let mut out = Vec::new();
    for kind in NormKind::PAGE {
        let name = JsValue::from_str(kind.name());
        match kind {
            NormKind::Group => {
                for g in [1usize, 2, 3, 6] {
                    out.push((
                        NormConfig::new(kind).with_groups(g),
                        options(&[("norm", name.clone()), ("groups", JsValue::from(g as u32))]),
                    ));
                }
            }
            NormKind::BatchInstance => {
                for rho in [0.0, 0.5, 1.0] {
                    out.push((
                        NormConfig::new(kind).with_rho(rho),
                        options(&[("norm", name.clone()), ("rho", JsValue::from_f64(rho))]),
                    ));
                }
            }
            _ => out.push((NormConfig::new(kind), options(&[("norm", name)]))),
        }
    }
    out
}

#[wasm_bindgen_test]
fn normalize_equals_the_core_for_every_kind() {
    let x = data();
    let input = Float32Array::from(x.as_slice());
    let shape = shape_js(&SHAPE.map(|d| d as f64));
    let xa = Array4::from_shape_vec(SHAPE, x.clone()).unwrap();
    for (cfg, opts) in configs() {
        let got = normalize(&input.clone().into(), &shape, &opts)
            .unwrap()
            .to_vec();
        let want = core_normalize(xa.view(), &cfg).unwrap();
        let err = got
            .iter()
            .zip(want.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(err <= 1e-6, "{:?}: max abs difference {err}", cfg);
    }
}

#[wasm_bindgen_test]
fn normalize_matches_a_float64_reference_for_instance_norm() {
    let x = data();
    let input = Float32Array::from(x.as_slice());
    let shape = shape_js(&SHAPE.map(|d| d as f64));
    let got = normalize(
        &input.into(),
        &shape,
        &options(&[("norm", "instance".into())]),
    )
    .unwrap()
    .to_vec();
    let plane = SHAPE[2] * SHAPE[3];
    for (p, chunk) in x.chunks(plane).enumerate() {
        let n = plane as f64;
        let mean = chunk.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = chunk
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        for (i, &v) in chunk.iter().enumerate() {
            let want = (v as f64 - mean) / (var + 1e-5).sqrt();
            let diff = (got[p * plane + i] as f64 - want).abs();
            assert!(
                diff <= 1e-4,
                "plane {p} value {i}: {} vs {want}",
                got[p * plane + i]
            );
        }
    }
}

#[wasm_bindgen_test]
fn normalize_streams_planes_larger_than_one_chunk() {
    // 300×301 values per plane: more than one 64 Ki-value chunk, and not a
    // multiple of the 16-value SIMD step, so every path of the streaming
    // normalize runs. Batch norm against a float64 reference.
    let shape = [2usize, 2, 300, 301];
    let plane = shape[2] * shape[3];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let x: Vec<f32> = (0..shape.iter().product::<usize>())
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 40) as f32 / (1u64 << 24) as f32;
            0.2 * (i / plane) as f32 + u
        })
        .collect();
    let got = normalize(
        &Float32Array::from(x.as_slice()).into(),
        &shape_js(&shape.map(|d| d as f64)),
        &options(&[("norm", "batch".into())]),
    )
    .unwrap()
    .to_vec();
    for c in 0..shape[1] {
        let values: Vec<f64> = (0..shape[0])
            .flat_map(|n| {
                let p = n * shape[1] + c;
                x[p * plane..(p + 1) * plane].iter().map(|&v| v as f64)
            })
            .collect();
        let count = values.len() as f64;
        let mean = values.iter().sum::<f64>() / count;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count;
        for n in 0..shape[0] {
            let p = n * shape[1] + c;
            for i in 0..plane {
                let want = (x[p * plane + i] as f64 - mean) / (var + 1e-5).sqrt();
                let diff = (got[p * plane + i] as f64 - want).abs();
                assert!(diff <= 1e-6, "image {n} channel {c} value {i}: {diff:e}");
            }
        }
    }
}

#[wasm_bindgen_test]
fn normalize_writes_into_a_reused_out_buffer() {
    let x = data();
    let input: JsValue = Float32Array::from(x.as_slice()).into();
    let shape = shape_js(&SHAPE.map(|d| d as f64));
    let out = Float32Array::new_with_length(x.len() as u32);
    let returned = normalize(
        &input,
        &shape,
        &options(&[("norm", "batch".into()), ("out", out.clone().into())]),
    )
    .unwrap();
    let fresh = normalize(&input, &shape, &options(&[("norm", "batch".into())])).unwrap();
    assert_eq!(out.to_vec(), fresh.to_vec());
    assert!(Object::is(&returned, &out), "out is returned itself");
}

/// Call `normalize` and return the message of the Error it throws.
fn error_message(data: JsValue, shape: JsValue, opts: JsValue) -> String {
    match normalize(&data, &shape, &opts) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            let v: JsValue = e.into();
            let err: js_sys::Error = v.dyn_into().expect("an Error object");
            String::from(err.message())
        }
    }
}

#[wasm_bindgen_test]
fn bad_arguments_throw_errors_that_say_what_is_wrong() {
    let good: JsValue = Float32Array::from(data().as_slice()).into();
    let shape = shape_js(&SHAPE.map(|d| d as f64));
    let inst = options(&[("norm", "instance".into())]);
    let cases: Vec<(JsValue, JsValue, JsValue, &str)> = vec![
        (
            JsValue::from_str("nope"),
            shape.clone(),
            inst.clone(),
            "Float32Array",
        ),
        (
            good.clone(),
            shape_js(&[3.0, 6.0, 5.0]),
            inst.clone(),
            "four",
        ),
        (
            good.clone(),
            shape_js(&[3.0, 6.0, 5.0, 8.0]),
            inst.clone(),
            "needs",
        ),
        (
            good.clone(),
            shape_js(&[3.0, 6.0, 0.0, 7.0]),
            inst.clone(),
            "positive",
        ),
        (
            good.clone(),
            shape_js(&[3.0, 6.0, 5.5, 7.0]),
            inst.clone(),
            "integers",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "batchy".into())]),
            "unknown normalization kind",
        ),
        (
            good.clone(),
            shape.clone(),
            JsValue::from_str("instance"),
            "options must be an object",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "group".into())]),
            "groups",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "group".into()), ("groups", 4.into())]),
            "divide",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "batch-instance".into()), ("rho", 1.5.into())]),
            "between 0 and 1",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "instance".into()), ("eps", 0.into())]),
            "eps",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[("norm", "instance".into()), ("eps", "x".into())]),
            "eps",
        ),
        (
            good.clone(),
            shape.clone(),
            options(&[
                ("norm", "instance".into()),
                ("out", Float32Array::new_with_length(3).into()),
            ]),
            "options.out",
        ),
        (
            Float32Array::from(&[f32::NAN; 630][..]).into(),
            shape.clone(),
            inst.clone(),
            "NaN",
        ),
    ];
    for (d, s, o, needle) in cases {
        let msg = error_message(d, s, o);
        assert!(
            msg.contains(needle),
            "message {msg:?} should mention {needle:?}"
        );
        assert!(!msg.contains("unreachable"), "message {msg:?} is a trap");
    }
}

fn sample_session() -> Session {
    // A 24×16 synthetic photo with a gradient in each channel.
    let (w, h) = (24u32, 16u32);
    let mut session = Session::new(16).unwrap();
    for k in 0..3u32 {
        let rgba: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [
                    (x * 10 + k * 20) as u8,
                    (y * 15) as u8,
                    ((x + y) * 5 + k * 7) as u8,
                    255,
                ]
            })
            .collect();
        let arr = js_sys::Uint8ClampedArray::from(rgba.as_slice());
        session
            .add_rgba(&format!("img{k}.png"), &arr, w, h)
            .unwrap();
    }
    session
}

#[wasm_bindgen_test]
fn session_contrast_change_leaves_instance_norm_and_moves_batch_norm() {
    let mut s = sample_session();
    s.set_adjustment(0, 0.5, 0.1, 1.0, false).unwrap();
    s.compute().unwrap();
    let readout = s.readout().unwrap();
    let kinds = Array::from(&Reflect::get(&readout, &"kinds".into()).unwrap());
    let figure = |name: &str| -> f64 {
        let k = kinds
            .iter()
            .find(|k| {
                Reflect::get(k, &"kind".into())
                    .unwrap()
                    .as_string()
                    .as_deref()
                    == Some(name)
            })
            .unwrap();
        let inv = Reflect::get(&k, &"invariance".into()).unwrap();
        Reflect::get(&inv, &"max_abs".into())
            .unwrap()
            .as_f64()
            .unwrap()
    };
    assert!(
        figure("instance") < 1e-2,
        "instance changed by {}",
        figure("instance")
    );
    assert!(
        figure("batch") > 0.05,
        "batch changed by only {}",
        figure("batch")
    );
    let px = s.panel_pixels(Row::Adjusted, Column::Instance).unwrap();
    assert_eq!(px.length(), 4 * 16 * 16);
}

#[wasm_bindgen_test]
fn check_image_names_the_file_and_reads_the_header() {
    let junk = Uint8Array::from(&b"this is not an image"[..]);
    let v: JsValue = match check_image("notes.png", &junk) {
        Ok(_) => panic!("junk bytes were accepted as an image"),
        Err(e) => e.into(),
    };
    let msg = String::from(v.dyn_into::<js_sys::Error>().unwrap().message());
    assert!(msg.contains("notes.png"), "{msg}");
    assert!(check_image("x.jpg", &Uint8Array::new_with_length(0)).is_err());
    // A whole PNG passes and reports its header's size.
    let png = Uint8Array::from(&include_bytes!("corpus/ok-rgb.png")[..]);
    let info: JsValue = check_image("ok-rgb.png", &png).unwrap().into();
    let get = |k: &str| js_sys::Reflect::get(&info, &JsValue::from_str(k)).unwrap();
    assert_eq!(get("format").as_string().as_deref(), Some("png"));
    assert_eq!(get("width").as_f64(), Some(64.0));
    assert_eq!(get("height").as_f64(), Some(48.0));
    // The same file cut short is refused, by name.
    let cut = Uint8Array::from(&include_bytes!("corpus/ok-rgb.png")[..100]);
    assert!(check_image("cut.png", &cut).is_err());
}

#[wasm_bindgen_test]
fn histogram_drawing_leaves_a_non_blank_canvas() {
    let mut s = sample_session();
    s.compute().unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.set_width(320);
    canvas.set_height(170);
    let draw = |title: &str, drawn: Option<f64>| {
        s.draw_histogram(
            canvas.clone(),
            Row::Original,
            Column::Batch,
            32,
            title,
            drawn,
            None,
            None,
        )
    };
    let key = draw("test", None).unwrap();
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let colours = || {
        let data = ctx.get_image_data(0.0, 0.0, 320.0, 170.0).unwrap().data();
        let mut seen = std::collections::HashSet::new();
        for px in data.chunks_exact(4) {
            seen.insert([px[0], px[1], px[2], px[3]]);
        }
        seen.len()
    };
    assert!(colours() > 5, "only {} distinct colours drawn", colours());
    // The same picture again: told what the canvas shows, it is left alone
    // (a canvas cleared behind its back stays clear).
    ctx.clear_rect(0.0, 0.0, 320.0, 170.0);
    let again = draw("test", Some(key)).unwrap();
    assert_eq!(again, key);
    assert_eq!(colours(), 1);
    // Another picture (here another title) is drawn.
    let other = draw("other", Some(key)).unwrap();
    assert_ne!(other, key);
    assert!(colours() > 5);
}

/// Values that probe every edge of the fast (wasm32 SIMD) paths: NaN, the
/// infinities, signed zeros, the ranges' ends, byte and bin boundaries and
/// their neighbours, and a spread of ordinary values. 1001 of them, so the
/// loops' scalar tails run too.
fn edge_values() -> Vec<f32> {
    let mut v = vec![
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        1.0,
        -1.0,
        3.0,
        -3.0,
        4.0,
        -4.0,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1e-30,
        -1e-30,
        0.5,
        0.49999997,
    ];
    for k in 0..=256 {
        let edge = (k as f32 - 0.5) / 255.0;
        v.extend([edge, edge.next_up(), edge.next_down(), k as f32 / 48.0]);
    }
    let mut seed = 12345u32;
    while v.len() < 1001 {
        seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
        v.push((seed >> 8) as f32 / (1u32 << 24) as f32 * 10.0 - 5.0);
    }
    v
}

#[wasm_bindgen_test]
fn panel_pixels_are_the_fixed_mapping_of_every_value() {
    use normscope::display::{heat_color, write_difference_rgba, write_rgba, DisplayRange};
    let v = edge_values();
    // 3 × 7 × 11 = 231 values per channel image: not a multiple of four.
    let n = 7 * 11;
    let a = ndarray::Array3::from_shape_fn((3, 7, 11), |(c, y, x)| v[c * n + y * 11 + x]);
    let b = ndarray::Array3::from_shape_fn((3, 7, 11), |(c, y, x)| {
        v[(c * n + y * 11 + x + 300) % v.len()]
    });
    for range in [DisplayRange::INPUT, DisplayRange::NORMALIZED] {
        let mut out = vec![0u8; 4 * n];
        write_rgba(a.view(), range, &mut out);
        for (k, px) in out.chunks_exact(4).enumerate() {
            let want: Vec<u8> = (0..3)
                .map(|c| range.to_byte(a[[c, k / 11, k % 11]]))
                .collect();
            assert_eq!(&px[..3], &want[..], "pixel {k}, {range:?}");
            assert_eq!(px[3], 255);
        }
    }
    for full_scale in [1.0f32, 0.37, 6.0] {
        let mut out = vec![0u8; 4 * n];
        write_difference_rgba(a.view(), b.view(), full_scale, &mut out);
        for (k, px) in out.chunks_exact(4).enumerate() {
            let (y, x) = (k / 11, k % 11);
            let d = (0..3)
                .map(|c| (a[[c, y, x]] - b[[c, y, x]]).abs())
                .fold(0f32, f32::max);
            let [r, g, bl] = heat_color(d / full_scale);
            assert_eq!(px, [r, g, bl, 255], "pixel {k}, full scale {full_scale}");
        }
    }
}

#[wasm_bindgen_test]
fn histograms_and_differences_count_every_value_as_the_plain_loops_do() {
    use normscope::stats::{channel_histograms, difference, histogram};
    let v = edge_values();
    let image = ndarray::Array3::from_shape_fn((1, 1, v.len()), |(_, _, i)| v[i]);
    for (lo, hi) in [(0.0, 1.0), (-4.0, 4.0), (-1.5, 1.5)] {
        for bins in [1, 7, 48, 64] {
            let fast = channel_histograms(image.view(), lo, hi, bins).unwrap();
            let plain = histogram(v.iter(), lo, hi, bins).unwrap();
            assert_eq!(fast[0], plain, "[{lo}, {hi}] in {bins} bins");
        }
    }
    let finite: Vec<f32> = v.iter().copied().filter(|x| x.abs() < 1e30).collect();
    let a = ndarray::Array1::from(finite.clone());
    let b = ndarray::Array1::from_iter(finite.iter().rev().copied());
    let d = difference(&a.view(), &b.view()).unwrap();
    let diffs: Vec<f64> = finite
        .iter()
        .zip(finite.iter().rev())
        .map(|(&x, &y)| (x as f64 - y as f64).abs())
        .collect();
    assert_eq!(d.max_abs, diffs.iter().copied().fold(0.0, f64::max));
    let rms = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
    assert!((d.rms - rms).abs() <= 1e-12 * rms, "{} vs {rms}", d.rms);
    // NaN anywhere shows up in both figures.
    let mut with_nan = a.clone();
    with_nan[5] = f32::NAN;
    let d = difference(&with_nan.view(), &b.view()).unwrap();
    assert!(d.max_abs.is_nan() && d.rms.is_nan());
}
