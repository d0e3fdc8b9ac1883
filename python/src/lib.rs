//! The Python skin of normscope: converts NumPy arrays and core errors,
//! nothing else. The numbers come from the same core calls the CLI makes.
//!
//! ```text
//! numpy float32 N×C×H×W ──(borrowed view, no copy)──────────┐
//! numpy float64 N×C×H×W ──(one f32 copy = the result array)─┼─> normscope core ─> float32 array
//! core Error ─> ValueError (bad input) / RuntimeError (a bug)
//! ```
//!
//! The GIL is released while the core computes (`Python::detach`).

use ndarray::{s, Array4, ArrayView4, ArrayViewMut4, CowArray, Ix4, Zip};
use numpy::{PyArray4, PyArrayMethods, PyReadonlyArray4, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use normscope::file::check_file;
use normscope::nn::classes::{check_photo_size, is_photo_name, scale_for_task, PhotoClass};
use normscope::nn::data::bundled_photos;
use normscope::nn::folders::{photo_from_file, read_task_dir};
use normscope::nn::{Dataset, Photo, Task, TrainConfig, Trainer};
use normscope::norm::normalization_backward;
use normscope::norm::plane_maps;
use normscope::tensor::{check_finite, LoadLimits};
use normscope::{Error, NormConfig, NormKind};

/// A core error as the Python exception for whose fault it is.
fn py_err(e: Error) -> PyErr {
    match e {
        Error::Internal(_) => PyRuntimeError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// The kind and its parameters, as the CLI builds them from its options.
fn config(norm: &str, groups: Option<usize>, rho: Option<f64>, eps: f64) -> PyResult<NormConfig> {
    let kind: NormKind = norm.parse().map_err(py_err)?;
    let mut cfg = NormConfig::new(kind).with_eps(eps);
    if let Some(g) = groups {
        cfg = cfg.with_groups(g);
    }
    if let Some(r) = rho {
        cfg = cfg.with_rho(r);
    }
    Ok(cfg)
}

/// Check what only the array's type says: a NumPy array, 4-D, every axis
/// at least 1. The wording follows the core's `.npy` reader.
fn check_array<'a, 'py>(x: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyUntypedArray>> {
    let array = x.cast::<PyUntypedArray>().map_err(|_| {
        let type_name = x
            .get_type()
            .name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string());
        PyTypeError::new_err(format!(
            "expected a NumPy array (N×C×H×W float32 or float64), got {type_name} — convert it with np.asarray(x, dtype=np.float32)"
        ))
    })?;
    let shape = array.shape();
    let shape_txt = shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("×");
    if shape.len() != 4 {
        return Err(PyValueError::new_err(format!(
            "the array has {} dimension(s) ({shape_txt}); normscope needs 4: images × channels × height × width (N×C×H×W) — reshape it, e.g. x[None] for one C×H×W image",
            shape.len()
        )));
    }
    if shape.contains(&0) {
        return Err(PyValueError::new_err(format!(
            "the array is {shape_txt}: it has no values — every axis must be at least 1"
        )));
    }
    Ok(array)
}

fn dtype_error(array: &Bound<'_, PyUntypedArray>) -> PyErr {
    let name = array
        .dtype()
        .str()
        .map_or_else(|_| "?".to_string(), |s| s.to_string());
    PyTypeError::new_err(format!(
        "the array's type is {name}; normscope reads float32 or float64 only — convert with x.astype(np.float32)"
    ))
}

/// normalize(x, norm, *, groups=None, rho=None, eps=1e-5)
/// --
///
/// Normalize an N×C×H×W float32/float64 array as `normscope normalize`
/// does (batch norm in training mode: the batch's own statistics).
/// Returns a new float32 array.
#[pyfunction]
#[pyo3(signature = (x, norm, *, groups=None, rho=None, eps=normscope::norm::DEFAULT_EPS))]
fn normalize<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    norm: &str,
    groups: Option<usize>,
    rho: Option<f64>,
    eps: f64,
) -> PyResult<Bound<'py, PyArray4<f32>>> {
    let cfg = config(norm, groups, rho, eps)?;
    let array = check_array(x)?;
    cfg.validate(array.shape()[1]).map_err(py_err)?;
    if let Ok(x32) = array.cast::<PyArray4<f32>>() {
        // float32: the core reads NumPy's memory where it is and writes
        // straight into the result array. A strided array (a transpose, a
        // slice) is first copied to C order, as the CLI's .npy reader does,
        // so every plane takes the same SIMD path and the same roundings.
        let input = x32.try_readonly()?;
        let out = PyArray4::<f32>::zeros(py, x32.dims(), false);
        {
            let mut guard = out.try_readwrite()?;
            let view = input.as_array();
            let dst = guard.as_array_mut();
            py.detach(|| {
                let x = view.as_standard_layout();
                check_finite(x.view())?;
                normscope::normalize_into(x.view(), &cfg, dst)
            })
            .map_err(py_err)?;
        }
        Ok(out)
    } else if let Ok(x64) = array.cast::<PyArray4<f64>>() {
        // float64: one float32 copy, as the CLI's .npy reader makes, which is
        // then normalized in place and returned.
        let input = x64.try_readonly()?;
        let out = PyArray4::<f32>::zeros(py, x64.dims(), false);
        {
            let mut guard = out.try_readwrite()?;
            let view = input.as_array();
            let dst = guard.as_array_mut();
            py.detach(|| normalize_f64_into(view, &cfg, dst))
                .map_err(py_err)?;
        }
        Ok(out)
    } else {
        Err(dtype_error(array))
    }
}

/// Refuse float64 values float32 cannot hold, as the CLI's `.npy` reader does.
fn check_f32_range(x: ArrayView4<f64>) -> normscope::Result<()> {
    match x
        .indexed_iter()
        .find(|(_, v)| v.is_finite() && v.abs() > f64::from(f32::MAX))
    {
        None => Ok(()),
        Some(((n, c, y, xx), v)) => Err(Error::BadInput(format!(
            "the value {v:e} at image {}, channel {}, row {}, column {} is too large for float32 — rescale the data first",
            n + 1,
            c + 1,
            y + 1,
            xx + 1
        ))),
    }
}

/// A float32 or float64 array, borrowed from NumPy.
enum Readonly<'py> {
    F32(PyReadonlyArray4<'py, f32>),
    F64(PyReadonlyArray4<'py, f64>),
}

/// The same, as plain views (which may cross into `Python::detach`).
enum View<'a> {
    F32(ArrayView4<'a, f32>),
    F64(ArrayView4<'a, f64>),
}

/// Check `x` (see [`check_array`]) and borrow it; `what` prefixes errors.
fn readonly<'py>(x: &Bound<'py, PyAny>, what: &str) -> PyResult<Readonly<'py>> {
    let py = x.py();
    let prefix = |e: PyErr| {
        let message = e.value(py).to_string();
        if e.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(format!("{what}: {message}"))
        } else {
            PyValueError::new_err(format!("{what}: {message}"))
        }
    };
    let array = check_array(x).map_err(prefix)?;
    if let Ok(a) = array.cast::<PyArray4<f32>>() {
        Ok(Readonly::F32(a.try_readonly()?))
    } else if let Ok(a) = array.cast::<PyArray4<f64>>() {
        Ok(Readonly::F64(a.try_readonly()?))
    } else {
        Err(prefix(dtype_error(array)))
    }
}

impl Readonly<'_> {
    fn view(&self) -> View<'_> {
        match self {
            Readonly::F32(a) => View::F32(a.as_array()),
            Readonly::F64(a) => View::F64(a.as_array()),
        }
    }
}

impl<'a> View<'a> {
    /// float32 as it is (no copy), float64 rounded to a float32 copy, as the
    /// CLI reads a `.npy` file; then checked for NaN and ±∞.
    fn into_f32(self) -> normscope::Result<CowArray<'a, f32, Ix4>> {
        let x = match self {
            View::F32(v) => CowArray::from(v),
            View::F64(v) => {
                check_f32_range(v)?;
                CowArray::from(v.mapv(|x| x as f32))
            }
        };
        check_finite(x.view())?;
        Ok(x)
    }
}

/// float64 → float32 (refusing values float32 cannot hold, as the CLI's
/// `.npy` reader does), then the core's plane maps applied in place.
fn normalize_f64_into(
    x: ndarray::ArrayView4<f64>,
    cfg: &NormConfig,
    mut out: ArrayViewMut4<f32>,
) -> normscope::Result<()> {
    check_f32_range(x)?;
    Zip::from(&mut out).and(&x).for_each(|o, &v| *o = v as f32);
    check_finite(out.view())?;
    let maps = plane_maps(out.view(), cfg)?;
    let channels = out.dim().1;
    for (i, map) in maps.iter().enumerate() {
        let mut plane = out.slice_mut(s![i / channels, i % channels, .., ..]);
        match plane.as_slice_mut() {
            Some(values) => map.apply_in_place(values),
            None => plane.mapv_inplace(|v| map.apply(v)),
        }
    }
    Ok(())
}

/// grad(x, dy, norm, *, groups=None, rho=None, eps=1e-5)
/// --
///
/// ∂L/∂x of `y = normalize(x, norm, ...)` given `dy = ∂L/∂y`, as
/// `normscope grad` computes it (training-mode statistics, no γ/β).
/// Returns a new float32 array with x's shape.
#[pyfunction]
#[pyo3(signature = (x, dy, norm, *, groups=None, rho=None, eps=normscope::norm::DEFAULT_EPS))]
fn grad<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    dy: &Bound<'py, PyAny>,
    norm: &str,
    groups: Option<usize>,
    rho: Option<f64>,
    eps: f64,
) -> PyResult<Bound<'py, PyArray4<f32>>> {
    let cfg = config(norm, groups, rho, eps)?;
    let (x, dy) = (readonly(x, "x")?, readonly(dy, "dy")?);
    let (xv, dyv) = (x.view(), dy.view());
    let dx: Array4<f32> = py
        .detach(|| {
            let x = xv.into_f32().map_err(|e| e.context("x"))?;
            let dy = dyv.into_f32().map_err(|e| e.context("dy"))?;
            normalization_backward(x.view(), dy.view(), &cfg)
        })
        .map_err(py_err)?;
    Ok(numpy::PyArray4::from_owned_array(py, dx))
}

/// _train(config, task_dir=None) -> str
/// --
///
/// Train the small network as `normscope train` does and return its run
/// record (RUN.json) as JSON text; `normscope.train` parses it. `config` is
/// a dict with any of RUN.json's config fields, read through the core's one
/// door (`TrainConfig::from_deserializer`, by way of JSON): the same bad
/// field gives the same message as the page's `Trainer`.
#[pyfunction]
#[pyo3(signature = (config, task_dir=None))]
fn _train(
    py: Python<'_>,
    config: &Bound<'_, PyDict>,
    task_dir: Option<std::path::PathBuf>,
) -> PyResult<String> {
    let text: String = py
        .import("json")?
        .call_method1("dumps", (config,))?
        .extract()?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| PyValueError::new_err(format!("config: not a JSON object ({e})")))?;
    let mut cfg = TrainConfig::from_deserializer(value).map_err(py_err)?;
    if task_dir.is_some() {
        cfg.task = Task::Photos;
    }
    let (json, skipped) = py
        .detach(|| {
            let (data, skipped) = match &task_dir {
                Some(dir) => task_from_dir(dir, cfg.seed)?,
                None => (
                    Dataset::build(cfg.task, cfg.seed, &bundled_photos())?,
                    vec![],
                ),
            };
            let mut trainer = Trainer::new(cfg, data)?;
            trainer.run(|_| {})?;
            let json = serde_json::to_string(&trainer.record())
                .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
            Ok((json, skipped))
        })
        .map_err(py_err)?;
    if !skipped.is_empty() {
        let message = format!(
            "skipped {} file(s) that are not photos or not in a class folder: {}",
            skipped.len(),
            skipped.join(", ")
        );
        let category = py.get_type::<pyo3::exceptions::PyUserWarning>();
        PyErr::warn(py, &category, &std::ffi::CString::new(message)?, 2)?;
    }
    Ok(json)
}

/// The task of a folder of class folders (`normscope train --task-dir`),
/// and the files it skipped.
fn task_from_dir(dir: &std::path::Path, seed: u64) -> normscope::Result<(Dataset, Vec<String>)> {
    let task = read_task_dir(dir, &LoadLimits::default())?;
    Ok((Dataset::from_classes(seed, &task.classes)?, task.skipped))
}

/// _task_photo(name, data, width=None, height=None) -> (width, height, rgb)
/// --
///
/// One photo of a notebook task (`Lab(task_images=…)`), made ready as
/// `--task-dir` makes a file ready: `data` is an image file's bytes (decoded
/// by the file judge), or with `width` and `height` the RGB8 bytes of an
/// H×W×3 array; checked to hold a training and a test patch, then scaled.
/// Raises ValueError naming `name`.
#[pyfunction]
#[pyo3(signature = (name, data, width=None, height=None))]
fn _task_photo(
    py: Python<'_>,
    name: &str,
    data: &[u8],
    width: Option<usize>,
    height: Option<usize>,
) -> PyResult<(usize, usize, Vec<u8>)> {
    let photo = py
        .detach(|| match (width, height) {
            (Some(w), Some(h)) => {
                check_photo_size(name, w, h)?;
                Ok(scale_for_task(&Photo::from_rgb(name, w, h, data.to_vec())?))
            }
            _ => photo_from_file(name, data, &LoadLimits::default()).map_err(|e| e.context(name)),
        })
        .map_err(py_err)?;
    Ok((photo.width, photo.height, photo.rgb))
}

/// _is_photo_name(name) -> bool
/// --
///
/// Whether a file name ends like a photo (read or refused) by `--task-dir`'s
/// rule; other files are skipped.
#[pyfunction]
fn _is_photo_name(name: &str) -> bool {
    is_photo_name(name)
}

/// A photo as Python hands it over: (name, width, height, RGB8 bytes).
type PyPhoto = (String, usize, usize, Vec<u8>);

/// _check_photo_task(classes) -> list[str]
/// --
///
/// Check a notebook task as training builds it (`Dataset::from_classes`):
/// `classes` is a list of (name, [(photo name, width, height, rgb)]).
/// Returns the class names; raises ValueError naming the class or photo.
#[pyfunction]
fn _check_photo_task(
    py: Python<'_>,
    classes: Vec<(String, Vec<PyPhoto>)>,
) -> PyResult<Vec<String>> {
    py.detach(|| {
        let classes = classes
            .into_iter()
            .map(|(name, photos)| {
                let photos = photos
                    .into_iter()
                    .map(|(n, w, h, rgb)| Photo::from_rgb(&n, w, h, rgb))
                    .collect::<normscope::Result<Vec<_>>>()?;
                Ok(PhotoClass { name, photos })
            })
            .collect::<normscope::Result<Vec<_>>>()?;
        Ok(Dataset::from_classes(1, &classes)?.classes)
    })
    .map_err(py_err)
}

/// check_image(name, data)
/// --
///
/// Judge an image file's bytes as the page does before the browser decodes
/// them (format, size limits, header dimensions, a cut-short or damaged
/// file). Returns (format, width, height), format as 'png', 'jpeg', ...; raises ValueError naming `name`.
#[pyfunction]
fn check_image(name: &str, data: &[u8]) -> PyResult<(String, u32, u32)> {
    let info = check_file(data, &LoadLimits::default()).map_err(|e| py_err(e.context(name)))?;
    let format = format!("{:?}", info.format).to_lowercase();
    Ok((format, info.width, info.height))
}

/// The compiled part of the `normscope` Python package.
#[pymodule]
fn _normscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(check_image, m)?)?;
    m.add_function(wrap_pyfunction!(grad, m)?)?;
    m.add_function(wrap_pyfunction!(_train, m)?)?;
    m.add_function(wrap_pyfunction!(_task_photo, m)?)?;
    m.add_function(wrap_pyfunction!(_check_photo_task, m)?)?;
    m.add_function(wrap_pyfunction!(_is_photo_name, m)?)?;
    m.add("KINDS", NormKind::PAGE.map(NormKind::name).to_vec())?;
    Ok(())
}
