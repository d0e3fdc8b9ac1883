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
//! let s; do { s = t.step(10); } while (!s.done);  // { step, loss, lr, done, losses, curve }
//! const record = t.record();                                        // RUN.json as an object
//! ```

use js_sys::{Array, Number, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err, to_js};
use crate::nn::config::ConfigValue;
use crate::nn::data::{PHOTO_SIDE, TASK_PHOTOS};
use crate::nn::{CurvePoint, Dataset, Photo, Task, TrainConfig};

/// A [`TrainConfig`] from a plain JS object, through the core's one door
/// ([`TrainConfig::from_fields`], as Python and JSON files go through
/// [`TrainConfig::from_deserializer`]): missing fields take the lab's
/// defaults, and a bad field gets the same message as there. A field set
/// to `undefined` counts as missing, as in JS generally.
///
/// # Errors
/// A message naming the field (`config.NAME`), or saying that the config
/// is not an object.
pub(crate) fn parse_config(config: &JsValue) -> Result<TrainConfig, JsError> {
    if config.is_undefined() || config.is_null() {
        return Ok(TrainConfig::default());
    }
    match value_of(config) {
        ConfigValue::Object(fields) => TrainConfig::from_fields(fields).map_err(js_err),
        other => Err(bad(format!(
            "the training config must be an object such as {{\"norm\": \"batch\", \"steps\": 200}} (got {other})"
        ))),
    }
}

/// A JS value as the core reads config values: safe integers as whole
/// numbers (as serde-wasm-bindgen would hand them over), own enumerable
/// fields of objects, `undefined` fields left out.
fn value_of(v: &JsValue) -> ConfigValue {
    if v.is_null() || v.is_undefined() {
        ConfigValue::Null
    } else if let Some(b) = v.as_bool() {
        ConfigValue::Bool(b)
    } else if let Some(x) = v.as_f64() {
        if Number::is_safe_integer(v) {
            ConfigValue::Int(x as i128)
        } else {
            ConfigValue::Float(x)
        }
    } else if let Some(s) = v.as_string() {
        ConfigValue::Text(s)
    } else if Array::is_array(v) {
        ConfigValue::List(Array::from(v).iter().map(|x| value_of(&x)).collect())
    } else {
        let entries = if v.is_object() {
            Object::entries(&Object::from(v.clone()))
        } else {
            Array::new()
        };
        ConfigValue::Object(
            entries
                .iter()
                .map(|pair| Array::from(&pair))
                .filter(|pair| !pair.get(1).is_undefined())
                .map(|pair| {
                    (
                        pair.get(0).as_string().unwrap_or_default(),
                        value_of(&pair.get(1)),
                    )
                })
                .collect(),
        )
    }
}

/// A value as a short string for an error message (`"abc"`, `NaN`, `an object`).
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

/// What [`Trainer::step`] returns: enough to draw the run as it goes, so
/// no caller needs [`Trainer::record`] (the whole run) between slices.
#[derive(Serialize)]
struct Progress {
    /// Steps done so far.
    step: u32,
    /// Training loss of the last step (NaN before the first).
    loss: f32,
    /// Learning rate of the last step.
    lr: f32,
    done: bool,
    /// The training loss of each step this call took, in order.
    losses: Vec<f32>,
    /// The test-accuracy points these steps measured (every `eval_every`
    /// steps and after the last).
    curve: Vec<CurvePoint>,
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
    /// from `tasks.js`, or for `task: 'photos'` the reader's classes
    /// (`[{ name, photos: [{ name, width, height, rgb }] }]`, see photos.rs).
    ///
    /// Throws an `Error` naming the bad field or photo.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, photos: JsValue) -> Result<Trainer, JsError> {
        let cfg = parse_config(&config)?;
        let data = if cfg.task == Task::Photos {
            // The reader's classes (photos.rs), cut as `--task-dir` cuts them.
            Dataset::from_classes(cfg.seed, &super::photos::parse_classes(&photos)?)
        } else {
            Dataset::build(cfg.task, cfg.seed, &parse_photos(&photos)?)
        }
        .map_err(js_err)?;
        let inner = crate::nn::Trainer::new(cfg, data).map_err(js_err)?;
        Ok(Trainer {
            inner,
            last: (f32::NAN, f32::NAN),
        })
    }

    /// Run up to `n` more steps (fewer when the run ends): `{ step, loss,
    /// lr, done, losses, curve }`, where `losses` are the losses of the
    /// steps just taken and `curve` the test-accuracy points they measured
    /// (`{ step, accuracy }`). Once done it returns at once with `done: true`.
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
        let measured = self.inner.test_curve().len();
        let mut losses = Vec::new();
        for _ in 0..n {
            if self.inner.is_done() {
                break;
            }
            let info = self.inner.step().map_err(js_err)?;
            self.last = (info.loss, info.lr);
            losses.push(info.loss);
        }
        to_js(&Progress {
            step: self.inner.steps_done(),
            loss: self.last.0,
            lr: self.last.1,
            done: self.inner.is_done(),
            losses,
            curve: self.inner.test_curve()[measured..].to_vec(),
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

    /// Accuracy on the training patches in evaluation mode (the noise
    /// experiment's train–test gap), as `normscope lab noise` records it.
    #[wasm_bindgen(js_name = trainAccuracy)]
    pub fn train_accuracy(&mut self) -> f32 {
        self.inner.train_accuracy()
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
