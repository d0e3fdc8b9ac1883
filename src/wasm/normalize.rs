//! `normalize()`: an N×C×H×W batch from JS, normalized exactly as the CLI
//! does, streamed through one small staging buffer.

use js_sys::{Array, Float32Array};
use wasm_bindgen::prelude::*;

use super::convert::{bad, get, js_err, opt_number};
use crate::error::Error;
use crate::norm::{plane_maps_from, NormConfig, NormKind};
use crate::stats::MomentsAcc;

fn parse_shape(shape: &JsValue) -> Result<[usize; 4], JsError> {
    let msg = "shape must be an array of four positive integers [N, C, H, W]";
    if !Array::is_array(shape) {
        return Err(bad(msg));
    }
    let arr = Array::from(shape);
    if arr.length() != 4 {
        return Err(bad(format!("{msg}; got {} entries", arr.length())));
    }
    let mut dims = [0usize; 4];
    for (i, d) in dims.iter_mut().enumerate() {
        match arr.get(i as u32).as_f64() {
            Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => *d = x as usize,
            _ => return Err(bad(msg)),
        }
    }
    Ok(dims)
}

fn parse_config(options: &JsValue) -> Result<NormConfig, JsError> {
    if !options.is_object() {
        return Err(bad(
            "options must be an object such as { norm: 'instance' } (norm: batch, instance, layer, group or batch-instance)",
        ));
    }
    let norm = get(options, "norm")?.as_string().ok_or_else(|| {
        bad("options.norm must be one of 'batch', 'instance', 'layer', 'group', 'batch-instance'")
    })?;
    let kind: NormKind = norm.parse().map_err(js_err)?;
    let mut cfg = NormConfig::new(kind);
    if let Some(g) = opt_number(options, "groups")? {
        if g < 1.0 || g.fract() != 0.0 {
            return Err(bad(format!(
                "options.groups must be a positive integer (got {g})"
            )));
        }
        cfg = cfg.with_groups(g as usize);
    }
    if let Some(r) = opt_number(options, "rho")? {
        cfg = cfg.with_rho(r);
    }
    if let Some(e) = opt_number(options, "eps")? {
        cfg = cfg.with_eps(e);
    }
    Ok(cfg)
}

/// Values per step of [`normalize`]'s copies across the JS boundary:
/// 64 KiB, so a step's data is still in cache when it is used.
const CHUNK: usize = 64 * 1024;

thread_local! {
    /// One chunk of [`normalize`]'s data on its way in or out, kept between
    /// calls: wasm memory never grows with the size of a batch.
    static STAGE: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Normalize an N×C×H×W batch, exactly as the CLI does.
///
/// `normalize(data: Float32Array, shape: [N, C, H, W], options: { norm,
/// groups?, rho?, eps?, out? }) → Float32Array`. With `options.out` (a
/// Float32Array of the same length) the result is written there and `out`
/// is returned, so repeated calls allocate nothing new.
///
/// The data never moves into wasm memory as a whole: it is read twice in
/// 64 KiB chunks through one small staging buffer — first for the moments,
/// then to be mapped and copied into the result. So the data is read from
/// memory twice and the result written once, the physical floor of a
/// two-pass normalization, and wasm memory does not grow with the batch.
///
/// Throws an `Error` saying what is wrong for a bad length, shape, kind or
/// parameter, or for NaN/infinite data.
#[wasm_bindgen]
pub fn normalize(
    data: &JsValue,
    shape: &JsValue,
    options: &JsValue,
) -> Result<Float32Array, JsError> {
    let input = data
        .dyn_ref::<Float32Array>()
        .ok_or_else(|| bad("data must be a Float32Array"))?;
    let dims = parse_shape(shape)?;
    let cfg = parse_config(options)?;
    let len = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad("shape is too large"))?;
    if input.length() as usize != len {
        return Err(bad(format!(
            "data has {} values but shape [{}, {}, {}, {}] needs {len}",
            input.length(),
            dims[0],
            dims[1],
            dims[2],
            dims[3]
        )));
    }
    cfg.validate(dims[1]).map_err(js_err)?;
    let out_arg = get(options, "out")?;
    let out_js = if out_arg.is_undefined() || out_arg.is_null() {
        None
    } else {
        let o = out_arg
            .dyn_into::<Float32Array>()
            .map_err(|_| bad("options.out must be a Float32Array"))?;
        if o.length() as usize != len {
            return Err(bad(format!(
                "options.out has {} values but the result needs {len}",
                o.length()
            )));
        }
        Some(o)
    };
    let plane = dims[2] * dims[3];
    let planes = dims[0] * dims[1];
    // Every chunk lies inside one plane: a plane's values share one map.
    // (plane, start, end) of every chunk, in order.
    let chunks = || {
        (0..planes).flat_map(move |p| {
            (0..plane).step_by(CHUNK).map(move |i| {
                let (start, end) = (p * plane + i, p * plane + (i + CHUNK).min(plane));
                (p, start as u32, end as u32)
            })
        })
    };
    STAGE.with_borrow_mut(|stage| {
        stage.resize(CHUNK.min(plane), 0.0);
        // Pass 1: the moments of each plane, chunk by chunk.
        let mut moments = vec![MomentsAcc::new(); planes];
        for (p, start, end) in chunks() {
            let staged = &mut stage[..(end - start) as usize];
            input.subarray(start, end).copy_to(staged);
            moments[p].push(staged);
        }
        let moments: Vec<_> = moments.iter().map(MomentsAcc::finish).collect();
        if moments.iter().any(|m| !m.is_finite()) {
            return Err(js_err(Error::BadInput(
                "the data contains NaN or infinite values; normscope only normalizes finite numbers"
                    .into(),
            )));
        }
        let maps = plane_maps_from(&moments, dims[1], &cfg).map_err(js_err)?;
        // Pass 2: each chunk again, mapped in place and copied out.
        let out = out_js.unwrap_or_else(|| Float32Array::new_with_length(len as u32));
        for (p, start, end) in chunks() {
            let staged = &mut stage[..(end - start) as usize];
            input.subarray(start, end).copy_to(staged);
            maps[p].apply_in_place(staged);
            out.subarray(start, end).copy_from(staged);
        }
        Ok(out)
    })
}
