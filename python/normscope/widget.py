"""``normscope.Scope``: the page's ``<norm-scope>`` element as a notebook widget.

An anywidget whose front end is the page's own ES modules (``www/js``,
``www/norm-scope.js``) with the wasm module inlined, all generated into
``_static/widget.js`` when the wheel is built: nothing is fetched from
another host. Images go to the front end as file bytes (judged first by the
same Rust check the page runs) or as RGBA pixels (NumPy arrays).
"""

from __future__ import annotations

import json
import math
import numbers
import os
from pathlib import Path

import anywidget
import numpy as np
import traitlets as t

from ._normscope import check_image

_STATIC = Path(__file__).resolve().parent / "_static"
_SAMPLES = _STATIC / "samples"

#: Bundled sample photos, by name (``www/samples``; see its SOURCES.md).
SAMPLES = tuple(sorted(p.stem for p in _SAMPLES.glob("*.jpg")))
#: The images a Scope shows when given none (as ``<norm-scope>``).
DEFAULT_IMAGES = ("chelsea", "coffee", "astronaut", "rocket")
#: Kinds that can be shown besides batch and instance norm.
EXTRA_KINDS = ("layer", "group", "batch-instance")
#: Every control the element has; ``controls=`` picks among them.
CONTROLS = ("contrast", "brightness", "gamma", "clip", "reset", "kinds", "tray")
DEFAULT_CONTROLS = ("contrast", "brightness", "gamma", "clip", "reset")
MAX_IMAGES = 32
#: Largest array sent as pixels (the page keeps at most 1024 px on the short side).
MAX_ARRAY_PIXELS = 40_000_000


class ScopeValueError(t.TraitError, ValueError):
    """A bad value for a Scope setting (a ``ValueError``, and a ``TraitError`` for traitlets)."""


class ScopeTypeError(t.TraitError, TypeError):
    """A Scope setting of the wrong type (a ``TypeError``, and a ``TraitError`` for traitlets)."""


def _real(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ScopeTypeError(f"{name} must be a number from {lo} to {hi} (got {type(value).__name__} {value!r})")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ScopeValueError(f"{name} must be between {lo} and {hi} (got {value})")
    return float(value)


def _slider_ranges() -> dict:
    try:
        return json.loads((_STATIC / "sliders.json").read_text())
    except (OSError, ValueError):
        return {}


#: The probe sliders' ranges and steps (www/js/sliders.json, which the page reads too).
SLIDERS = _slider_ranges()


def _slider(name: str):
    """A validator snapping to the page's slider: within [min, max], on its steps."""

    def validate(self, proposal):
        lo, hi, step = (SLIDERS[name][k] for k in ("min", "max", "step"))
        value = _real(name, proposal["value"], lo, hi)
        snapped = round(round((value - lo) / step) * step + lo, 6)
        return float(min(max(snapped, lo), hi))

    return t.validate(name)(validate)


def _one_of(name: str, value, choices):
    """One of `choices` (strings or whole numbers), compared by type as well as value."""
    kind = str if isinstance(choices[0], str) else numbers.Integral
    listed = ", ".join(repr(c) if isinstance(c, str) else str(c) for c in choices)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ScopeTypeError(f"{name} must be one of {listed} (got {type(value).__name__} {value!r})")
    if value not in choices:
        raise ScopeValueError(f"{name} must be one of {listed} (got {value!r})")
    return value if isinstance(value, str) else int(value)


def _some_of(name: str, value, choices, what: str) -> list:
    """A list of names from `choices` (kept as given; duplicates dropped)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ScopeTypeError(f"{name} must be a list of {what} from {', '.join(choices)} (got {type(value).__name__} {value!r})")
    bad = [v for v in value if not isinstance(v, str) or v not in choices]
    if bad:
        raise ScopeValueError(f"{name}: {bad[0]!r} is not one of the {what}; choose from {', '.join(choices)}")
    return list(dict.fromkeys(value))


def _flag(name: str):
    """A validator for a switch: True or False only (a string such as 'false' is refused)."""

    def validate(self, proposal):
        value = proposal["value"]
        if not isinstance(value, bool):
            raise ScopeTypeError(f"{name} must be True or False (got {type(value).__name__} {value!r})")
        return value

    return t.validate(name)(validate)


def _image_entry(item, index: int) -> dict:
    """One image as the front end takes it: a file's bytes or RGBA pixels."""
    if isinstance(item, np.ndarray) or hasattr(item, "__array_interface__"):
        return _array_entry(np.asarray(item), f"array {index}")
    if isinstance(item, (str, os.PathLike)):
        text = os.fspath(item)
        path = Path(text).expanduser()
        if isinstance(item, str) and text in SAMPLES and not path.exists():
            path = _SAMPLES / f"{text}.jpg"
        if not path.is_file():
            raise ValueError(
                f"images: {text!r} is neither a file nor a bundled sample ({', '.join(SAMPLES)})"
            )
        data = path.read_bytes()
        check_image(path.name, data)
        return {"label": path.name, "bytes": data}
    raise TypeError(
        f"images: item {index} is a {type(item).__name__}; give file paths, bundled sample names "
        "or H×W×3 NumPy arrays (uint8, or float in [0, 1])"
    )


def _array_entry(a: np.ndarray, label: str) -> dict:
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(
            f"images: {label} has shape {a.shape}; an image array is H×W×3 (RGB) — "
            "for one channel use np.repeat(a[..., None], 3, axis=2)"
        )
    h, w = a.shape[:2]
    if h == 0 or w == 0:
        raise ValueError(f"images: {label} is {h}×{w}: it has no pixels")
    if h * w > MAX_ARRAY_PIXELS:
        raise ValueError(f"images: {label} has {h * w / 1e6:.1f} megapixels; at most {MAX_ARRAY_PIXELS / 1e6:.0f} — resize it first")
    if a.dtype == np.uint8:
        rgb = a
    elif a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise ValueError(f"images: {label} contains NaN or infinite values")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0 or hi > 1:
            raise ValueError(
                f"images: {label} has values from {lo:g} to {hi:g}; a float image must lie in [0, 1] — "
                "divide by 255 for 0–255 data"
            )
        rgb = np.rint(a * 255).astype(np.uint8)
    else:
        raise TypeError(f"images: {label} has type {a.dtype}; use uint8, or floats in [0, 1]")
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = rgb
    rgba[..., 3] = 255
    return {"label": label, "width": int(w), "height": int(h), "rgba": rgba.tobytes()}


class Scope(anywidget.AnyWidget):
    """The page's scope in a notebook: one probe image re-contrasted in a
    batch, through batch, instance (and optionally layer, group,
    batch-instance) norm, with panels, histograms and readouts.

    Traits (all synced both ways unless read-only)::

        contrast, brightness, gamma, clip   the probe's adjustment (the sliders;
                                            values snap to the slider's steps)
        probe                               index of the adjusted image
        kinds                               extra kinds shown: layer, group, batch-instance
        diff                                show the difference maps
        groups, rho, eps                    group norm's G, batch-instance's ρ, ε
        bn                                  'train' (batch statistics) or 'eval' (running)
        features                            feature-map mode (a fixed filter bank)
        images, size, controls, compact     what is shown (changing one rebuilds the view)
        readout  (read-only)                the per-kind figures after the last repaint
        status   (read-only)                the widget's message line ('' when none)
    """

    _esm = _STATIC / "widget.js"

    # Any: the validators below check types themselves, to raise TypeError
    # and ValueError (both traitlets.TraitError too) with the choices named.
    images = t.Any(list(DEFAULT_IMAGES))
    _images = t.List(t.Dict()).tag(sync=True)

    contrast = t.Any(0.5).tag(sync=True)
    brightness = t.Any(0.15).tag(sync=True)
    gamma = t.Any(1.0).tag(sync=True)
    clip = t.Any(False).tag(sync=True)
    probe = t.Any(0).tag(sync=True)
    kinds = t.Any([]).tag(sync=True)
    diff = t.Any(True).tag(sync=True)
    groups = t.Any(3).tag(sync=True)
    rho = t.Any(0.5).tag(sync=True)
    eps = t.Any(1e-5).tag(sync=True)
    bn = t.Any("train").tag(sync=True)
    features = t.Any(False).tag(sync=True)
    size = t.Any(128).tag(sync=True)
    controls = t.Any(list(DEFAULT_CONTROLS)).tag(sync=True)
    compact = t.Any(False).tag(sync=True)

    readout = t.Dict(read_only=True).tag(sync=True)
    status = t.Unicode("", read_only=True).tag(sync=True)

    _check_contrast = _slider("contrast")
    _check_brightness = _slider("brightness")
    _check_gamma = _slider("gamma")
    _check_clip = _flag("clip")
    _check_diff = _flag("diff")
    _check_features = _flag("features")
    _check_compact = _flag("compact")

    def __init__(self, images=None, **kwargs):
        if not _STATIC.joinpath("widget.js").is_file() or not SLIDERS:
            raise RuntimeError(
                "normscope's widget front end is missing from this installation; "
                "install with `pip install ./python` from a clone of the repository"
            )
        chosen = list(DEFAULT_IMAGES) if images is None else images
        probe = kwargs.pop("probe", 0)
        super().__init__(images=chosen, **kwargs)
        if not self._images:
            # The default list sets no change, so no observer ran.
            self._images = self._entries(self.images)
        self.probe = probe

    @t.validate("images")
    def _check_images(self, proposal):
        value = proposal["value"]
        if isinstance(value, (str, os.PathLike, np.ndarray)):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ScopeTypeError(
                f"images must be a list of file paths, bundled sample names ({', '.join(SAMPLES)}) "
                f"or arrays (got {type(value).__name__})"
            )
        value = list(value)
        if not 1 <= len(value) <= MAX_IMAGES:
            raise ScopeValueError(f"images: give 1 to {MAX_IMAGES} images (got {len(value)})")
        # Read and judge every image now, so a bad one leaves the widget as it was.
        try:
            self._checked = (value, self._entries(value))
        except TypeError as error:
            raise ScopeTypeError(str(error)) from error
        except ValueError as error:
            raise ScopeValueError(str(error)) from error
        return value

    @t.observe("images")
    def _images_changed(self, change):
        checked, entries = getattr(self, "_checked", (None, None))
        if checked is not change["new"]:
            entries = self._entries(change["new"])
        self._checked = (None, None)
        if self.probe >= len(entries):
            self.probe = 0
        self._images = entries

    @staticmethod
    def _entries(items):
        return [_image_entry(item, i) for i, item in enumerate(items)]

    @t.validate("probe")
    def _check_probe(self, proposal):
        value = proposal["value"]
        count = len(self.images) if self.images else 1
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ScopeTypeError(f"probe must be an image number from 0 to {count - 1} (got {type(value).__name__} {value!r})")
        if not 0 <= value < count:
            raise ScopeValueError(f"probe must be an image number from 0 to {count - 1} (got {value})")
        return int(value)

    @t.validate("kinds")
    def _check_kinds(self, proposal):
        value = _some_of("kinds", proposal["value"], (*EXTRA_KINDS, "batch", "instance"), "kinds")
        return [k for k in EXTRA_KINDS if k in value]

    @t.validate("groups")
    def _check_groups(self, proposal):
        # G must divide the 3 colour channels.
        return _one_of("groups", proposal["value"], (1, 3))

    @t.validate("rho")
    def _check_rho(self, proposal):
        return _real("rho (ρ)", proposal["value"], 0, 1)

    @t.validate("eps")
    def _check_eps(self, proposal):
        return _real("eps", proposal["value"], 1e-12, 1)

    @t.validate("bn")
    def _check_bn(self, proposal):
        return _one_of("bn", proposal["value"], ("train", "eval"))

    @t.validate("size")
    def _check_size(self, proposal):
        return _one_of("size", proposal["value"], (128, 256, 512))

    @t.validate("controls")
    def _check_controls(self, proposal):
        return _some_of("controls", proposal["value"], CONTROLS, "controls")
