"""normscope.Scope on the Python side: images, trait checks and the state
the front end sends and receives (the widget in a browser: test_lab.py)."""

import json
from pathlib import Path

import numpy as np
import pytest
import traitlets

import normscope
from normscope.widget import DEFAULT_IMAGES, SAMPLES

SAMPLE_DIR = Path(normscope.__file__).parent / "_static" / "samples"


def front_end_sets(scope, **state):
    """What the widget comm does when the browser sends a change."""
    scope.set_state(state)


def test_the_front_end_and_the_samples_travel_inside_the_package():
    text = (SAMPLE_DIR.parent / "widget.js").read_text()
    assert normscope.Scope(images=["chelsea"])._esm == text
    assert '\\"pkg/normscope_bg.wasm\\": \\"AGFzbQ' in text  # the wasm module, inlined
    assert "www/norm-scope.js" in text and "www/js/engine.js" in text  # esbuild's module markers
    assert set(DEFAULT_IMAGES) <= set(SAMPLES)
    assert (SAMPLE_DIR / "SOURCES.md").is_file()


def test_images_become_file_bytes_or_rgba_pixels(tmp_path):
    photo = tmp_path / "cat.jpg"
    photo.write_bytes((SAMPLE_DIR / "chelsea.jpg").read_bytes())
    pixels = np.zeros((5, 4, 3), np.uint8)
    pixels[..., 0] = 200
    floats = np.full((2, 3, 3), 0.5)
    scope = normscope.Scope(images=["coffee", photo, pixels, floats])
    entries = scope._images
    assert entries[0] == {"label": "coffee.jpg", "bytes": (SAMPLE_DIR / "coffee.jpg").read_bytes()}
    assert entries[1]["label"] == "cat.jpg"
    assert entries[2]["width"] == 4 and entries[2]["height"] == 5
    rgba = np.frombuffer(entries[2]["rgba"], np.uint8).reshape(5, 4, 4)
    assert (rgba[..., 0] == 200).all() and (rgba[..., 3] == 255).all()
    assert set(np.frombuffer(entries[3]["rgba"], np.uint8).reshape(2, 3, 4)[..., 0].ravel()) == {128}
    # The synced state carries the bytes as binary buffers, not as text.
    state = scope.get_state()
    assert isinstance(state["_images"][0]["bytes"], (bytes, memoryview))


def test_the_probe_follows_the_images():
    scope = normscope.Scope(images=["chelsea", "coffee", "rocket"], probe=2)
    assert scope.probe == 2
    scope.images = ["hubble"]
    assert scope.probe == 0 and [e["label"] for e in scope._images] == ["hubble.jpg"]
    with pytest.raises(traitlets.TraitError):
        normscope.Scope(images=["chelsea"], probe=1)


def test_default_images_are_the_elements():
    assert [e["label"] for e in normscope.Scope()._images] == [f"{n}.jpg" for n in DEFAULT_IMAGES]


@pytest.mark.parametrize("images,error,words", [
    (["no-such-photo.jpg"], ValueError, "neither a file nor a bundled sample"),
    ([np.zeros((4, 4), np.uint8)], ValueError, "an image array is H×W×3"),
    ([np.zeros((4, 4, 3), np.int32)], TypeError, "use uint8, or floats in [0, 1]"),
    ([np.full((4, 4, 3), 255.0)], ValueError, "divide by 255"),
    ([np.full((4, 4, 3), np.nan)], ValueError, "NaN"),
    ([np.zeros((0, 4, 3), np.uint8)], ValueError, "no pixels"),
    ([42], TypeError, "give file paths, bundled sample names"),
    ([], traitlets.TraitError, "give 1 to 32 images"),
])
def test_bad_images_are_refused_by_name(images, error, words):
    with pytest.raises(error) as caught:
        normscope.Scope(images=images)
    assert words in str(caught.value)


def test_a_damaged_file_is_judged_by_the_cores_check(tmp_path):
    cut = tmp_path / "cut.jpg"
    cut.write_bytes((SAMPLE_DIR / "chelsea.jpg").read_bytes()[:2000])
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    for path in (cut, text):
        with pytest.raises(ValueError) as caught:
            normscope.Scope(images=[path])
        assert str(caught.value).startswith(f"{path.name}: ")


def test_python_values_snap_to_the_sliders_and_out_of_range_is_refused():
    # The sliders' ranges are the page's own table.
    root = Path(__file__).resolve().parents[2]
    assert normscope.widget.SLIDERS == json.loads((root / "www/js/sliders.json").read_text())
    assert normscope.widget.SLIDERS["contrast"] == {"min": 0.2, "max": 3, "step": 0.05}
    scope = normscope.Scope(images=["chelsea"])
    scope.contrast = 0.73
    assert scope.contrast == 0.75
    scope.brightness = -0.123
    assert scope.brightness == -0.12
    for name, value in [("contrast", 5), ("gamma", 0.1), ("brightness", float("nan")), ("rho", 2.0),
                        ("eps", 0.0), ("size", 100), ("bn", "test"), ("groups", 2), ("probe", 1),
                        ("kinds", ["batchnorm"]), ("controls", ["zoom"])]:
        with pytest.raises(traitlets.TraitError):
            setattr(scope, name, value)


@pytest.mark.parametrize("hostile", ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])
def test_names_every_js_object_inherits_are_refused_and_the_scope_stays_usable(hostile):
    # The page once let such names through its own checks; the notebook
    # refuses them with a ValueError or TypeError that names what it takes.
    scope = normscope.Scope(images=["chelsea", "coffee"])
    for name in ("contrast", "brightness", "gamma", "clip", "probe", "kinds", "diff", "groups", "rho", "eps", "bn",
                 "features", "size", "controls", "compact", "images"):
        before = getattr(scope, name)
        with pytest.raises((ValueError, TypeError)) as caught:
            setattr(scope, name, hostile)
        assert isinstance(caught.value, traitlets.TraitError)
        message = str(caught.value)
        assert message.startswith(name) and any(w in message for w in ("one of", "from", "True or False", "bundled sample")), message
        assert getattr(scope, name) == before
    # Still usable.
    scope.contrast = 1.5
    scope.bn = "eval"
    assert (scope.contrast, scope.bn, scope.get_state()["bn"]) == (1.5, "eval", "eval")


def test_traits_round_trip_between_python_and_the_front_end():
    scope = normscope.Scope(images=["chelsea", "coffee"], contrast=0.5)
    # Python → front end: the state the comm sends.
    scope.contrast = 1.25
    scope.kinds = ["group", "layer"]
    state = scope.get_state()
    assert state["contrast"] == 1.25
    assert state["kinds"] == ["layer", "group"]  # the element's order
    # Front end → Python: a slider moved, the readout arrived.
    front_end_sets(scope, contrast=0.8, probe=1, readout={"kinds": [{"kind": "batch", "unchanged": False}]})
    assert scope.contrast == 0.8 and scope.probe == 1
    assert scope.readout["kinds"][0]["kind"] == "batch"
    # The readout and the status line are the front end's to write.
    with pytest.raises(traitlets.TraitError):
        scope.readout = {}
    with pytest.raises(traitlets.TraitError):
        scope.status = "hello"
    seen = []
    scope.observe(lambda change: seen.append(change["new"]), "contrast")
    front_end_sets(scope, contrast=0.6)
    assert seen == [0.6]
