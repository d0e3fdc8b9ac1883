//! `checkImage()`: the core's judge of an image file, before the browser
//! decodes it (see [`crate::file`]).

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{bad, js_err};

/// Judge an image file before the browser decodes it: the size, the
/// format, the width and height read from the header (within the limits),
/// and that the file is complete (see `file`). Returns
/// `{ format: 'png'|'jpeg'|'gif'|'bmp'|'webp', width, height }` (the
/// header's size, before EXIF rotation). Throws an `Error` naming the file
/// and the reason.
///
/// The wasm module carries no image decoder: decode a file that passed with
/// the browser (`createImageBitmap`) and add its pixels with
/// `Session.addRgba`, as `www/js/imagefile.js` does.
#[wasm_bindgen(js_name = checkImage)]
pub fn check_image(name: &str, bytes: &Uint8Array) -> Result<Object, JsError> {
    let info = crate::file::check_file(&bytes.to_vec(), &crate::file::LoadLimits::default())
        .map_err(|e| js_err(e.context(name)))?;
    let format = match info.format {
        image::ImageFormat::Png => "png",
        image::ImageFormat::Jpeg => "jpeg",
        image::ImageFormat::Gif => "gif",
        image::ImageFormat::Bmp => "bmp",
        _ => "webp",
    };
    let obj = Object::new();
    for (k, v) in [
        ("format", JsValue::from_str(format)),
        ("width", JsValue::from(info.width)),
        ("height", JsValue::from(info.height)),
    ] {
        Reflect::set(&obj, &JsValue::from_str(k), &v)
            .map_err(|_| bad("internal error: cannot build result"))?;
    }
    Ok(obj)
}
