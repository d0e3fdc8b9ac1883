//! The training engine's handle for JS: [`Trainer`] wraps
//! [`crate::nn::Trainer`] and runs it a few steps per call, so a page (or a
//! worker, `www/js/train-worker.js`) can show progress and stop between
//! calls. Configs come in as plain objects with the same field names as
//! `normscope train`'s RUN.json config; records go out as plain objects.
//! Every f32 arrives as its exact value (a learning rate of 0.05 reads
//! 0.05000000074505806): `Math.fround` of the same field parsed from the
//! CLI's RUN.json gives the same number.
//!
//! ```js
//! const t = new Trainer({ norm: 'instance', steps: 100 }, photos); // photos: tasks.js
//! let s; do { s = t.step(10); } while (!s.done);                  // { step, loss, lr, done }
//! const record = t.record();                                        // RUN.json as an object
//! ```

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err, to_js};
use crate::error::Error;
use crate::nn::data::{PHOTO_SIDE, TASK_PHOTOS};
use crate::nn::matmul::{gemm, Strides};
use crate::nn::{Dataset, Photo, TrainConfig};

/// The config fields, in RUN.json's order; anything else is refused.
const FIELDS: [&str; 13] = [
    "task",
    "norm",
    "groups",
    "steps",
    "batch",
    "lr",
    "momentum",
    "weight_decay",
    "seed",
    "widths",
    "eval_every",
    "bn_momentum",
    "eps",
];

/// The largest whole number a JS number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A value as a short string for an error message (`"abc"`, `NaN`, `[object Object]`).
fn shown(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return format!("{s:?}");
    }
    if Array::is_array(v) {
        return "an array".into();
    }
    if v.is_object() {
        return "an object".into();
    }
    v.as_f64()
        .map(|x| x.to_string())
        .or_else(|| v.as_bool().map(|b| b.to_string()))
        .unwrap_or_else(|| format!("{v:?}"))
}

fn field(obj: &JsValue, key: &str) -> Result<Option<JsValue>, JsError> {
    let v = Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| bad(format!("cannot read config.{key}")))?;
    Ok(if v.is_undefined() { None } else { Some(v) })
}

fn number(key: &str, v: &JsValue) -> Result<f64, JsError> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(bad(format!(
            "config.{key} must be a finite number (got {})",
            shown(v)
        ))),
    }
}

fn whole(key: &str, v: &JsValue, max: f64) -> Result<f64, JsError> {
    let x = number(key, v)?;
    if x < 0.0 || x.fract() != 0.0 || x > max {
        return Err(bad(format!(
            "config.{key} must be a whole number from 0 to {max} (got {})",
            shown(v)
        )));
    }
    Ok(x)
}

fn text(key: &str, v: &JsValue) -> Result<String, JsError> {
    v.as_string()
        .ok_or_else(|| bad(format!("config.{key} must be a string (got {})", shown(v))))
}

/// `weightDecay` → `weight_decay`, to point at the right spelling.
fn snake(key: &str) -> String {
    let mut out = String::new();
    for ch in key.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// A [`TrainConfig`] from a plain JS object: every missing field takes the
/// lab's default, every present one is checked, then the whole config.
///
/// # Errors
/// A message naming the field: an unknown name, a wrong type, or the
/// core's range check ([`TrainConfig::validate`]).
pub(crate) fn parse_config(config: &JsValue) -> Result<TrainConfig, JsError> {
    let mut cfg = TrainConfig::default();
    if config.is_undefined() || config.is_null() {
        return Ok(cfg);
    }
    if !config.is_object() || Array::is_array(config) {
        return Err(bad(format!(
            "the training config must be an object such as {{ norm: 'batch', steps: 200 }} (got {})",
            shown(config)
        )));
    }
    for key in Object::keys(&Object::from(config.clone())).iter() {
        let key = key.as_string().unwrap_or_default();
        if !FIELDS.contains(&key.as_str()) {
            let hint = if FIELDS.contains(&snake(&key).as_str()) {
                format!("; did you mean {}?", snake(&key))
            } else {
                format!("; the fields are {}", FIELDS.join(", "))
            };
            return Err(bad(format!("config.{key} is not a training setting{hint}")));
        }
    }
    if let Some(v) = field(config, "task")? {
        cfg.task = text("task", &v)?
            .parse()
            .map_err(|e: Error| js_err(e.context("config.task")))?;
    }
    if let Some(v) = field(config, "norm")? {
        cfg.norm = text("norm", &v)?
            .parse()
            .map_err(|e: Error| js_err(e.context("config.norm")))?;
    }
    let u32_max = f64::from(u32::MAX);
    if let Some(v) = field(config, "groups")? {
        cfg.groups = whole("groups", &v, u32_max)? as usize;
    }
    if let Some(v) = field(config, "steps")? {
        cfg.steps = whole("steps", &v, u32_max)? as u32;
    }
    if let Some(v) = field(config, "batch")? {
        cfg.batch = whole("batch", &v, u32_max)? as usize;
    }
    if let Some(v) = field(config, "eval_every")? {
        cfg.eval_every = whole("eval_every", &v, u32_max)? as u32;
    }
    if let Some(v) = field(config, "seed")? {
        cfg.seed = whole("seed", &v, MAX_SAFE)? as u64;
    }
    for (key, slot) in [
        ("lr", &mut cfg.lr),
        ("momentum", &mut cfg.momentum),
        ("weight_decay", &mut cfg.weight_decay),
        ("bn_momentum", &mut cfg.bn_momentum),
        ("eps", &mut cfg.eps),
    ] {
        if let Some(v) = field(config, key)? {
            let x = number(key, &v)?;
            *slot = x as f32;
            if !slot.is_finite() {
                return Err(bad(format!("config.{key} is too large (got {x})")));
            }
        }
    }
    if let Some(v) = field(config, "widths")? {
        let msg = || {
            bad(format!(
                "config.widths must be an array of three whole numbers, the channels of the three blocks, such as [8, 16, 32] (got {})",
                shown(&v)
            ))
        };
        if !Array::is_array(&v) {
            return Err(msg());
        }
        let arr = Array::from(&v);
        if arr.length() != 3 {
            return Err(msg());
        }
        for (i, w) in cfg.widths.iter_mut().enumerate() {
            *w = whole("widths", &arr.get(i as u32), u32_max).map_err(|_| msg())? as usize;
        }
    }
    cfg.validate().map_err(|e| js_err(e.context("config")))?;
    Ok(cfg)
}

/// The task photos as the page fetched them: `[{ name, width, height, rgb }]`.
fn parse_photos(photos: &JsValue) -> Result<Vec<Photo>, JsError> {
    let hint = "photos must be the task photos from tasks.js: an array of { name, width, height, rgb: Uint8Array }";
    if !Array::is_array(photos) {
        return Err(bad(format!("{hint} (got {})", shown(photos))));
    }
    let mut out = Vec::new();
    for (i, p) in Array::from(photos).iter().enumerate() {
        if !p.is_object() {
            return Err(bad(format!("photos[{i}] is not an object; {hint}")));
        }
        let get =
            |key: &str| Reflect::get(&p, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        let name = get("name")
            .as_string()
            .ok_or_else(|| bad(format!("photos[{i}].name must be a string; {hint}")))?;
        let dim = |key: &str| match get(key).as_f64() {
            Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= 65_536.0 => Ok(x as usize),
            _ => Err(bad(format!(
                "photos[{i}].{key} must be a whole number of pixels (1 to 65536)"
            ))),
        };
        let (width, height) = (dim("width")?, dim("height")?);
        let rgb = get("rgb")
            .dyn_into::<Uint8Array>()
            .map_err(|_| bad(format!("photos[{i}].rgb must be a Uint8Array; {hint}")))?;
        out.push(Photo::from_rgb(&name, width, height, rgb.to_vec()).map_err(js_err)?);
    }
    Ok(out)
}

/// What [`Trainer::step`] returns.
#[derive(Serialize)]
struct Progress {
    /// Steps done so far.
    step: u32,
    /// Training loss of the last step (NaN before the first).
    loss: f32,
    /// Learning rate of the last step.
    lr: f32,
    done: bool,
}

/// One training run, stepped from JS.
#[wasm_bindgen]
pub struct Trainer {
    inner: crate::nn::Trainer,
    last: (f32, f32),
}

#[wasm_bindgen]
impl Trainer {
    /// `new Trainer(config, photos)`: `config` is a plain object with any of
    /// RUN.json's config fields (task, norm, groups, steps, batch, lr,
    /// momentum, weight_decay, seed, widths, eval_every, bn_momentum, eps;
    /// missing ones take the lab's defaults); `photos` are the task photos
    /// from `tasks.js`.
    ///
    /// Throws an `Error` naming the bad field or photo.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, photos: JsValue) -> Result<Trainer, JsError> {
        let cfg = parse_config(&config)?;
        let photos = parse_photos(&photos)?;
        let data = Dataset::build(cfg.task, cfg.seed, &photos).map_err(js_err)?;
        let inner = crate::nn::Trainer::new(cfg, data).map_err(js_err)?;
        Ok(Trainer {
            inner,
            last: (f32::NAN, f32::NAN),
        })
    }

    /// Run up to `n` more steps (fewer when the run ends): `{ step, loss,
    /// lr, done }`. Once done it returns at once with `done: true`.
    ///
    /// Throws "diverged at step k: lower the learning rate" when the loss
    /// stops being a finite number (that step is not applied; the record
    /// keeps the steps before it).
    pub fn step(&mut self, n: u32) -> Result<JsValue, JsError> {
        if n == 0 {
            return Err(bad("step(n) needs n ≥ 1 steps"));
        }
        if let Some(d) = self.inner.diverged() {
            return Err(bad(d.message.clone()));
        }
        for _ in 0..n {
            if self.inner.is_done() {
                break;
            }
            let info = self.inner.step().map_err(js_err)?;
            self.last = (info.loss, info.lr);
        }
        to_js(&Progress {
            step: self.inner.steps_done(),
            loss: self.last.0,
            lr: self.last.1,
            done: self.inner.is_done(),
        })
    }

    /// The configured number of steps.
    pub fn steps(&self) -> u32 {
        self.inner.config().steps
    }

    /// Steps done so far.
    #[wasm_bindgen(js_name = stepsDone)]
    pub fn steps_done(&self) -> u32 {
        self.inner.steps_done()
    }

    /// Whether every step is done (or the run diverged).
    #[wasm_bindgen(js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    /// The class names, in label order.
    pub fn classes(&self) -> Array {
        self.inner
            .record()
            .classes
            .iter()
            .map(|c| JsValue::from_str(c))
            .collect()
    }

    /// The run so far as `normscope train`'s RUN.json, as a plain object.
    pub fn record(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.record())
    }

    /// Accuracy on the task's test patches now (evaluation mode).
    #[wasm_bindgen(js_name = testAccuracy)]
    pub fn test_accuracy(&mut self) -> f32 {
        self.inner.test_accuracy()
    }

    /// Accuracy on the test patches after a lighting change (as
    /// `shift` in the core: `x^gamma`, then contrast around mid-grey, then
    /// brightness).
    ///
    /// Throws for a non-finite value, a negative contrast or a gamma ≤ 0.
    #[wasm_bindgen(js_name = shiftAccuracy)]
    pub fn shift_accuracy(
        &mut self,
        contrast: f32,
        brightness: f32,
        gamma: f32,
    ) -> Result<f32, JsError> {
        if !(contrast.is_finite() && contrast >= 0.0) {
            return Err(bad(format!(
                "contrast must be a number ≥ 0 (got {contrast})"
            )));
        }
        if !brightness.is_finite() {
            return Err(bad(format!(
                "brightness must be a finite number (got {brightness})"
            )));
        }
        if !(gamma.is_finite() && gamma > 0.0) {
            return Err(bad(format!("gamma must be a number > 0 (got {gamma})")));
        }
        Ok(self.inner.shift_accuracy(contrast, brightness, gamma))
    }

    // ── Lab experiments 5 and 7 (neighbours, both together): measured on a
    // clone of the network, so the run trains on exactly as it would. ──

    /// Experiment 5 at this step: `{ labels, influence, same_image }` as
    /// [`crate::nn::neighbours::Neighbours`] (influence[i][j]: how far image
    /// i's class probabilities moved when image j alone was darkened, in
    /// training mode; image 0's probabilities in two batches and in
    /// evaluation mode).
    ///
    /// Throws if the run's batch is smaller than the measured one (8).
    pub fn neighbours(&self) -> Result<JsValue, JsError> {
        to_js(&crate::nn::neighbours::neighbours(&self.inner).map_err(js_err)?)
    }

    /// Batch-instance norm's ρ per channel now, one array per block
    /// (empty for every other kind).
    pub fn rho(&self) -> Result<JsValue, JsError> {
        to_js(&crate::nn::neighbours::rho(&self.inner))
    }

    // ── Lab experiments 3 (what instance norm throws away) and 6 (training
    //    vs evaluation mode): probes of src/nn/probe.rs, on a copy of the
    //    network, so the run and its record do not change. ──

    /// The last block's channels pooled over each test image, in evaluation
    /// mode: `{ labels, beta, weight, norm, relu, features }` (per-channel
    /// lists indexed `[channel][image]`; see `crate::nn::probe::Pooled`).
    pub fn pooled(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.pooled().map_err(js_err)?)
    }

    /// Test accuracy with the running statistics and with each test batch's
    /// own, for batches of each size in `sizes` (whole numbers 1 to 64),
    /// mixed or of one class: `{ sizes, eval, mixed, one_class }`.
    ///
    /// Throws for an empty list or a size outside 1 to 64.
    #[wasm_bindgen(js_name = batchStats)]
    pub fn batch_stats(&self, sizes: &JsValue) -> Result<JsValue, JsError> {
        use crate::nn::probe::MAX_TEST_BATCH;
        if !Array::is_array(sizes) {
            return Err(bad(format!(
                "batchStats needs an array of test batch sizes (got {})",
                shown(sizes)
            )));
        }
        let sizes = Array::from(sizes)
            .iter()
            .map(|v| match v.as_f64() {
                Some(x) if x.fract() == 0.0 && (1.0..=MAX_TEST_BATCH as f64).contains(&x) => {
                    Ok(x as usize)
                }
                _ => Err(bad(format!(
                    "a test batch must hold 1 to {MAX_TEST_BATCH} images (got {})",
                    shown(&v)
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        to_js(&self.inner.batch_stats(&sizes).map_err(js_err)?)
    }
}

/// The task photo files the page fetches from `tasks/`:
/// `[{ name, width, height }]`, in class order (file `tasks/NAME.rgb`).
#[wasm_bindgen(js_name = taskPhotoFiles)]
pub fn task_photo_files() -> Array {
    TASK_PHOTOS
        .iter()
        .map(|name| {
            let o = Object::new();
            let side = JsValue::from_f64(PHOTO_SIDE as f64);
            let _ = Reflect::set(&o, &"name".into(), &JsValue::from_str(name));
            let _ = Reflect::set(&o, &"width".into(), &side);
            let _ = Reflect::set(&o, &"height".into(), &side);
            JsValue::from(o)
        })
        .collect()
}

/// The engine's matrix product `C = A·B` (row-major, A m×k, B k×n), the
/// kernel under every convolution, exposed so the training benchmark can
/// report its GFLOP/s beside a plain JS loop. `out` (length m·n) is
/// overwritten.
///
/// Throws when a length does not match the sizes.
#[wasm_bindgen]
pub fn matmul(
    a: &Float32Array,
    b: &Float32Array,
    m: usize,
    k: usize,
    n: usize,
    out: &Float32Array,
) -> Result<(), JsError> {
    let (am, bm, cm) = (m.checked_mul(k), k.checked_mul(n), m.checked_mul(n));
    if am != Some(a.length() as usize)
        || bm != Some(b.length() as usize)
        || cm != Some(out.length() as usize)
    {
        return Err(bad(format!(
            "matmul: A must hold m·k = {m}·{k}, B k·n = {k}·{n} and out m·n = {m}·{n} values (got {}, {}, {})",
            a.length(),
            b.length(),
            out.length()
        )));
    }
    let (a, b) = (a.to_vec(), b.to_vec());
    let mut c = vec![0.0f32; m * n];
    gemm(m, k, n, &a, Strides::normal(k), &b, &mut c);
    out.copy_from(&c);
    Ok(())
}
