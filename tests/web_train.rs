//! Browser tests of the training handle (`Trainer` in src/wasm/trainer.rs),
//! run in headless Chromium by wasm-bindgen-test
//! (`cargo test --target wasm32-unknown-unknown --test web_train`).
//!
//! The fixtures `tests/fixtures/train-*-5.json` are RUN.json files written by
//! the native CLI (the commands are in tests/fixtures/SOURCES.md); the wasm
//! engine must reproduce them to the byte. tests/train_fixtures.rs checks
//! natively that they are still what the CLI writes.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use normscope::nn::data::{PHOTO_SIDE, TASK_PHOTOS};
use normscope::nn::{CurvePoint, Photo, RunRecord};
use normscope::wasm::{task_photo_files, Trainer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The task photos, as the page fetches them (from assets/tasks/, served at tasks/).
const PHOTO_BYTES: [&[u8]; 6] = [
    include_bytes!("../assets/tasks/brick.rgb"),
    include_bytes!("../assets/tasks/grass.rgb"),
    include_bytes!("../assets/tasks/gravel.rgb"),
    include_bytes!("../assets/tasks/cat.rgb"),
    include_bytes!("../assets/tasks/coffee.rgb"),
    include_bytes!("../assets/tasks/cells.rgb"),
];

const FIXTURES: [&str; 2] = [
    include_str!("fixtures/train-batch-5.json"),
    include_str!("fixtures/train-batch-instance-5.json"),
];

fn photos() -> Vec<Photo> {
    TASK_PHOTOS
        .iter()
        .zip(PHOTO_BYTES)
        .map(|(name, rgb)| Photo::from_rgb(name, PHOTO_SIDE, PHOTO_SIDE, rgb.to_vec()).unwrap())
        .collect()
}

/// The photos as tasks.js hands them over: `[{ name, width, height, rgb }]`.
fn photos_js() -> JsValue {
    photos()
        .iter()
        .map(|p| {
            let o = Object::new();
            Reflect::set(&o, &"name".into(), &p.name.as_str().into()).unwrap();
            Reflect::set(&o, &"width".into(), &(p.width as u32).into()).unwrap();
            Reflect::set(&o, &"height".into(), &(p.height as u32).into()).unwrap();
            Reflect::set(&o, &"rgb".into(), &Uint8Array::from(p.rgb.as_slice())).unwrap();
            JsValue::from(o)
        })
        .collect::<Array>()
        .into()
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

/// RUN.json's bytes, exactly as `normscope train` writes them.
fn run_json(record: &RunRecord) -> String {
    let mut s = serde_json::to_string_pretty(record).unwrap();
    s.push('\n');
    s
}

fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    let err: js_sys::Error = v.dyn_into().expect("an Error object");
    String::from(err.message())
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap()
}

/// The same run natively (the CLI wrote the fixture) and through the JS
/// handle: the same RUN.json bytes, and every f32 survives the trip through
/// JS numbers exactly.
#[wasm_bindgen_test]
fn the_js_handle_gives_the_native_record_bit_for_bit() {
    for fixture in FIXTURES {
        let want: RunRecord = serde_json::from_str(fixture).unwrap();
        // Only the fields the CLI was given; the rest are the defaults on both sides.
        let config = js(&format!(
            r#"{{"norm": "{}", "steps": 5, "batch": 8}}"#,
            want.config.norm
        ));
        let mut trainer = Trainer::new(config, photos_js()).unwrap();
        let mut last = JsValue::UNDEFINED;
        let (mut losses, mut curve) = (Vec::new(), Vec::new());
        // Stepped in uneven slices, as the worker does.
        for n in [1, 3, 100] {
            last = trainer.step(n).unwrap();
            let slice: Vec<f32> = serde_wasm_bindgen::from_value(get(&last, "losses")).unwrap();
            assert!(slice.len() <= n as usize);
            losses.extend(slice);
            let points: Vec<CurvePoint> =
                serde_wasm_bindgen::from_value(get(&last, "curve")).unwrap();
            curve.extend(points);
        }
        // What step() returned is the run's loss curve and test curve, bit
        // for bit: the lab draws and keeps these without calling record().
        assert_eq!(losses.len(), want.loss.len());
        for (a, b) in losses.iter().zip(&want.loss) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        assert_eq!(curve, want.test_curve);
        assert_eq!(get(&last, "step").as_f64(), Some(5.0));
        assert_eq!(get(&last, "done").as_bool(), Some(true));
        assert_eq!(
            get(&last, "loss").as_f64().map(|l| l as f32),
            want.loss.last().copied()
        );
        // Through JS numbers and back: every f32 must survive exactly.
        let got: RunRecord = serde_wasm_bindgen::from_value(trainer.record().unwrap()).unwrap();
        assert_eq!(run_json(&got), fixture, "{}", want.config.norm);
        for (a, b) in got.loss.iter().zip(&want.loss) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}

#[wasm_bindgen_test]
fn a_run_stops_between_calls_and_reports_its_progress() {
    let mut trainer = Trainer::new(
        js(r#"{"steps": 3, "batch": 4, "eval_every": 100}"#),
        photos_js(),
    )
    .unwrap();
    assert_eq!(trainer.steps(), 3);
    let first = trainer.step(2).unwrap();
    assert_eq!(get(&first, "step").as_f64(), Some(2.0));
    assert_eq!(get(&first, "done").as_bool(), Some(false));
    assert!(get(&first, "loss").as_f64().unwrap().is_finite());
    // Nothing runs between calls: the caller may simply stop here.
    assert_eq!(trainer.steps_done(), 2);
    let partial: RunRecord = serde_wasm_bindgen::from_value(trainer.record().unwrap()).unwrap();
    assert_eq!(partial.loss.len(), 2);
    assert!(partial.shift.is_empty(), "no shifts before the last step");
    let end = trainer.step(50).unwrap();
    assert_eq!(get(&end, "step").as_f64(), Some(3.0));
    assert_eq!(get(&end, "done").as_bool(), Some(true));
    // A finished run answers again without error and without stepping.
    let again = trainer.step(1).unwrap();
    assert_eq!(get(&again, "step").as_f64(), Some(3.0));
    let a = trainer.shift_accuracy(1.0, 0.0, 1.0).unwrap();
    assert!((0.0..=1.0).contains(&a));
    assert_eq!(a, trainer.test_accuracy(), "no shift is the plain test set");
    let classes = trainer.classes();
    assert_eq!(classes.length() as usize, TASK_PHOTOS.len());
    assert_eq!(task_photo_files().length() as usize, TASK_PHOTOS.len());
}

#[wasm_bindgen_test]
fn a_diverging_run_says_so_and_refuses_more_steps() {
    let mut trainer = Trainer::new(
        js(r#"{"steps": 40, "batch": 4, "lr": 1e30, "norm": "none", "eval_every": 100}"#),
        photos_js(),
    )
    .unwrap();
    let err = message(trainer.step(40).unwrap_err());
    assert!(
        err.starts_with("diverged at step ") && err.ends_with(": lower the learning rate"),
        "{err}"
    );
    let again = message(trainer.step(1).unwrap_err());
    assert_eq!(again, err);
    let record: RunRecord = serde_wasm_bindgen::from_value(trainer.record().unwrap()).unwrap();
    let d = record.diverged.expect("the record says where it diverged");
    assert_eq!(d.message, err);
    assert_eq!(
        record.loss.len() as u32,
        d.step - 1,
        "no loss after the divergence"
    );
    assert!(record.loss.iter().all(|l| l.is_finite()));
}

/// The messages tests/native_train_config.rs and python/tests/test_engine.py
/// expect word for word: the one contract gives the same through every door.
#[wasm_bindgen_test]
fn a_bad_field_gets_the_message_every_door_gives() {
    let cases = [
        (
            r#"{"lr": -1}"#,
            "config: the learning rate must be a number greater than 0 (got -1)",
        ),
        (
            r#"{"lrr": 0.1}"#,
            "config.lrr: unknown field `lrr`, expected one of `task`, `norm`, `groups`, `steps`, `batch`, `lr`, `momentum`, `weight_decay`, `seed`, `widths`, `eval_every`, `bn_momentum`, `eps`",
        ),
        (
            r#"{"steps": -3}"#,
            "config.steps must be a whole number from 0 to 4294967295 (got -3)",
        ),
    ];
    for (config, want) in cases {
        let err = message(
            Trainer::new(js(config), photos_js())
                .err()
                .expect("refused"),
        );
        assert_eq!(err, want, "{config}");
    }
}

#[wasm_bindgen_test]
fn every_bad_config_field_gets_a_readable_error() {
    let cases: &[(&str, &str)] = &[
        (r#""batch""#, "must be an object"),
        ("[1, 2]", "must be an object"),
        (r#"{"task": "where"}"#, "config.task: unknown task"),
        (r#"{"task": 1}"#, "config.task must be a string"),
        (
            r#"{"norm": "batchnorm"}"#,
            "config.norm: unknown normalization kind",
        ),
        (r#"{"norm": null}"#, "config.norm must be a string"),
        (r#"{"steps": 0}"#, "steps must be between 1"),
        (r#"{"steps": 2.5}"#, "config.steps must be a whole number"),
        (r#"{"steps": -3}"#, "config.steps must be a whole number"),
        (r#"{"steps": 1e12}"#, "config.steps must be a whole number"),
        (r#"{"batch": "32"}"#, "config.batch must be a whole number"),
        (r#"{"batch": 0}"#, "batch must be between 1"),
        (r#"{"batch": 100000}"#, "batch must be between 1"),
        (
            r#"{"lr": 0}"#,
            "learning rate must be a number greater than 0",
        ),
        (
            r#"{"lr": -0.1}"#,
            "learning rate must be a number greater than 0",
        ),
        (r#"{"lr": 1e300}"#, "config.lr is too large"),
        (r#"{"momentum": 1}"#, "momentum must be in [0, 1)"),
        (r#"{"weight_decay": -1}"#, "weight decay must be a number"),
        (r#"{"weightDecay": 0.1}"#, "did you mean weight_decay?"),
        (
            r#"{"learning_rate": 0.1}"#,
            "config.learning_rate: unknown field `learning_rate`, expected one of",
        ),
        (r#"{"seed": -1}"#, "config.seed must be a whole number"),
        (r#"{"seed": 1.5}"#, "config.seed must be a whole number"),
        (
            r#"{"widths": [8, 16]}"#,
            "config.widths must be an array of three",
        ),
        (
            r#"{"widths": "8,16,32"}"#,
            "config.widths must be an array of three",
        ),
        (r#"{"widths": [8, 0, 32]}"#, "every width must be between 1"),
        (
            r#"{"widths": [8, 16, 1000]}"#,
            "every width must be between 1",
        ),
        (r#"{"norm": "group", "groups": 3}"#, "groups must divide"),
        (r#"{"norm": "group", "groups": 0}"#, "groups must divide"),
        (r#"{"eval_every": 0}"#, "eval_every must be at least 1"),
        (
            r#"{"bn_momentum": 2}"#,
            "batch-norm momentum must be in [0, 1]",
        ),
        (
            r#"{"eps": 0}"#,
            "eps must be a finite number greater than 0",
        ),
    ];
    for (config, needle) in cases {
        let err = match Trainer::new(js(config), photos_js()) {
            Ok(_) => panic!("{config} was accepted"),
            Err(e) => message(e),
        };
        assert!(
            err.contains(needle),
            "{config}: {err:?} does not say {needle:?}"
        );
        assert!(
            !err.contains('\n') && !err.contains("internal"),
            "{config}: {err:?}"
        );
    }
    // Values JSON cannot spell.
    for (key, value, needle) in [
        (
            "lr",
            JsValue::from_f64(f64::NAN),
            "config.lr must be a finite number (got NaN)",
        ),
        (
            "eps",
            JsValue::from_f64(f64::INFINITY),
            "config.eps must be a finite number",
        ),
        (
            "steps",
            JsValue::from_bool(true),
            "config.steps must be a whole number from 0 to 4294967295 (got true)",
        ),
    ] {
        let o = Object::new();
        Reflect::set(&o, &key.into(), &value).unwrap();
        let err = message(Trainer::new(o.into(), photos_js()).err().expect("refused"));
        assert!(err.contains(needle), "{key}: {err:?}");
    }
}

#[wasm_bindgen_test]
fn bad_photos_and_bad_calls_get_readable_errors() {
    let err = |photos: JsValue| {
        message(
            Trainer::new(JsValue::UNDEFINED, photos)
                .err()
                .expect("refused"),
        )
    };
    assert!(err(JsValue::NULL).contains("photos must be the task photos"));
    let few: Array = Array::from(&photos_js()).slice(0, 5);
    assert!(err(few.into()).contains("the tasks need the 6 task photos"));
    let arr = Array::from(&photos_js());
    Reflect::set(&arr.get(2), &"rgb".into(), &JsValue::from_str("pixels")).unwrap();
    assert!(err(arr.into()).contains("photos[2].rgb must be a Uint8Array"));
    let arr = Array::from(&photos_js());
    Reflect::set(&arr.get(0), &"rgb".into(), &Uint8Array::new_with_length(10)).unwrap();
    let msg = err(arr.into());
    assert!(msg.contains("brick") && msg.contains("10 bytes"), "{msg}");

    let mut trainer = Trainer::new(js(r#"{"steps": 2, "batch": 2}"#), photos_js()).unwrap();
    assert!(message(trainer.step(0).unwrap_err()).contains("n ≥ 1"));
    for (c, b, g, needle) in [
        (-1.0, 0.0, 1.0, "contrast must be a number ≥ 0"),
        (f32::NAN, 0.0, 1.0, "contrast must be a number ≥ 0"),
        (
            1.0,
            f32::INFINITY,
            1.0,
            "brightness must be a finite number",
        ),
        (1.0, 0.0, 0.0, "gamma must be a number > 0"),
    ] {
        let msg = message(trainer.shift_accuracy(c, b, g).unwrap_err());
        assert!(msg.contains(needle), "{msg}");
    }
}
