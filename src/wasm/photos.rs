//! The page's "Your photos" task: the same Rust path as `normscope train
//! --task-dir` ([`crate::nn::classes`]), fed with photos the browser decoded
//! after the file judge (`checkImage`) passed them.
//!
//! ```js
//! const p = preparePhoto('cat/1.png', width, height, rgba); // checked, RGB, scaled as the CLI scales
//! const summary = checkPhotoTask([{ name: 'cat', photos: [p, …] }, …]); // Dataset::from_classes' checks
//! new Trainer({ task: 'photos', norm: 'batch' }, classes);  // trainer.rs: the same classes
//! ```

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err, to_js};
use crate::nn::classes::{
    check_photo_size, is_photo_name, scale_factor, scale_for_task, PhotoClass, MAX_CLASSES,
    MAX_PHOTOS_PER_CLASS, MAX_TASK_PIXELS, MIN_CLASSES, MIN_LONG_SIDE,
};
use crate::nn::data::{PATCH, TEST_PER_PHOTO, TRAIN_PER_PHOTO};
use crate::nn::{Dataset, Photo};

/// Whether a file is meant as a photo by its name (the CLI's rule for a
/// task folder): PNG, JPEG, GIF, BMP, WebP, and the photo formats normscope
/// refuses with a message (HEIC, AVIF, TIFF, …). Other files are skipped.
#[wasm_bindgen(js_name = isPhotoName)]
pub fn is_photo_name_js(name: &str) -> bool {
    is_photo_name(name)
}

/// The limits of a photo task, for the page to state: `{ minClasses,
/// maxClasses, maxPhotosPerClass, maxTaskPixels, minLongSide, patch,
/// trainPerClass, testPerClass }`.
#[wasm_bindgen(js_name = photoTaskLimits)]
pub fn photo_task_limits() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        min_classes: usize,
        max_classes: usize,
        max_photos_per_class: usize,
        max_task_pixels: usize,
        min_long_side: usize,
        patch: usize,
        train_per_class: usize,
        test_per_class: usize,
    }
    to_js(&Limits {
        min_classes: MIN_CLASSES,
        max_classes: MAX_CLASSES,
        max_photos_per_class: MAX_PHOTOS_PER_CLASS,
        max_task_pixels: MAX_TASK_PIXELS,
        min_long_side: MIN_LONG_SIDE,
        patch: PATCH,
        train_per_class: TRAIN_PER_PHOTO,
        test_per_class: TEST_PER_PHOTO,
    })
}

/// One decoded photo (RGBA8, as `getImageData` gives it, or RGB8) made
/// ready for a task as `normscope train --task-dir` makes a file ready:
/// checked to hold a training and a test patch, its alpha dropped, then
/// scaled by block means (`scale_for_task`). Returns `{ name, width,
/// height, rgb: Uint8Array, factor }` (`factor`: the block side it was
/// scaled by).
///
/// Throws an `Error` naming `name` when the photo is too small or its
/// pixels do not match its size.
#[wasm_bindgen(js_name = preparePhoto)]
pub fn prepare_photo(
    name: &str,
    width: u32,
    height: u32,
    pixels: &Uint8Array,
) -> Result<JsValue, JsError> {
    let (w, h) = (width as usize, height as usize);
    check_photo_size(name, w, h).map_err(js_err)?;
    let bytes = pixels.to_vec();
    let area = w
        .checked_mul(h)
        .ok_or_else(|| bad(format!("{name}: too many pixels")))?;
    let rgb = if Some(bytes.len()) == area.checked_mul(4) {
        bytes
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    } else if Some(bytes.len()) == area.checked_mul(3) {
        bytes
    } else {
        return Err(bad(format!(
            "{name}: {} bytes is neither {width}×{height} RGBA nor RGB",
            bytes.len()
        )));
    };
    let photo = Photo::from_rgb(name, w, h, rgb).map_err(js_err)?;
    let factor = scale_factor(w, h);
    let scaled = scale_for_task(&photo);
    drop(photo);
    let out = photo_object(&scaled)?;
    set(&out, "factor", &JsValue::from_f64(factor as f64))?;
    Ok(out.into())
}

/// Check a whole task as training will build it ([`Dataset::from_classes`]
/// with seed 1: the class count and names, a photo in every class, the
/// limits). Returns `{ classes, train, test, pixels }` (patch counts and
/// the photos' pixels after scaling).
///
/// Throws an `Error` naming the class, the photo or the limit.
#[wasm_bindgen(js_name = checkPhotoTask)]
pub fn check_photo_task(classes: &JsValue) -> Result<JsValue, JsError> {
    let classes = parse_classes(classes)?;
    let data = Dataset::from_classes(1, &classes).map_err(js_err)?;
    #[derive(Serialize)]
    struct Summary {
        classes: Vec<String>,
        train: usize,
        test: usize,
        pixels: usize,
    }
    to_js(&Summary {
        train: data.train_y.len(),
        test: data.test_y.len(),
        pixels: classes
            .iter()
            .flat_map(|c| &c.photos)
            .map(|p| p.width * p.height)
            .sum(),
        classes: data.classes,
    })
}

/// The classes of a photo task from JS: `[{ name, photos: [{ name, width,
/// height, rgb }] }]`, in label order.
pub(super) fn parse_classes(classes: &JsValue) -> Result<Vec<PhotoClass>, JsError> {
    let hint = "the photos task needs its classes: an array of { name, photos: [{ name, width, height, rgb: Uint8Array }] }";
    if !Array::is_array(classes) {
        return Err(bad(hint));
    }
    let mut out = Vec::new();
    for (i, c) in Array::from(classes).iter().enumerate() {
        let name = field(&c, "name")
            .as_string()
            .ok_or_else(|| bad(format!("class {} has no name; {hint}", i + 1)))?;
        let photos = field(&c, "photos");
        if !Array::is_array(&photos) {
            return Err(bad(format!("class {name:?} has no list of photos; {hint}")));
        }
        let mut list = Vec::new();
        for (j, p) in Array::from(&photos).iter().enumerate() {
            list.push(
                parse_photo(&p).map_err(|why| {
                    bad(format!("class {name:?}, photo {}: {why}; {hint}", j + 1))
                })?,
            );
        }
        out.push(PhotoClass { name, photos: list });
    }
    Ok(out)
}

fn parse_photo(p: &JsValue) -> Result<Photo, String> {
    let name = field(p, "name").as_string().ok_or("no name")?;
    let dim = |key: &str| match field(p, key).as_f64() {
        Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= 65_536.0 => Ok(x as usize),
        _ => Err(format!("{key} must be a whole number of pixels")),
    };
    let (width, height) = (dim("width")?, dim("height")?);
    let rgb = field(p, "rgb")
        .dyn_into::<Uint8Array>()
        .map_err(|_| "rgb must be a Uint8Array".to_string())?;
    Photo::from_rgb(&name, width, height, rgb.to_vec()).map_err(|e| e.to_string())
}

fn field(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| bad("internal error: cannot build result"))
}

fn photo_object(p: &Photo) -> Result<Object, JsError> {
    let o = Object::new();
    set(&o, "name", &JsValue::from_str(&p.name))?;
    set(&o, "width", &JsValue::from_f64(p.width as f64))?;
    set(&o, "height", &JsValue::from_f64(p.height as f64))?;
    set(&o, "rgb", &Uint8Array::from(p.rgb.as_slice()).into())?;
    Ok(o)
}
