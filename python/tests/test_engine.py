"""grad and train: the backward pass against a float64 reference written
here (itself checked by finite differences), both against the CLI, and bad
arguments."""

import json
import os
import subprocess

import numpy as np
import pytest

import normscope

EPS = 1e-5
CLI = os.environ.get("NORMSCOPE_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="NORMSCOPE_CLI (the built normscope binary) not set; cargo xtask test sets it")


def sets(x, norm, groups):
    """The array viewed so that each kind's sets are reduced over `axes`."""
    n, c, h, w = x.shape
    if norm == "batch":
        return x, (0, 2, 3)
    if norm == "instance":
        return x, (2, 3)
    if norm == "layer":
        return x, (1, 2, 3)
    if norm == "group":
        return x.reshape(n, groups, c // groups, h, w), (2, 3, 4)
    raise AssertionError(norm)


def forward(x, norm, groups=None, rho=None, eps=EPS):
    if norm == "batch-instance":
        return rho * forward(x, "batch", eps=eps) + (1 - rho) * forward(x, "instance", eps=eps)
    v, axes = sets(x, norm, groups)
    y = (v - v.mean(axis=axes, keepdims=True)) / np.sqrt(v.var(axis=axes, keepdims=True) + eps)
    return y.reshape(x.shape)


def backward(x, dy, norm, groups=None, rho=None, eps=EPS):
    """dx = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) over each set, in float64."""
    if norm == "batch-instance":
        return rho * backward(x, dy, "batch", eps=eps) + (1 - rho) * backward(x, dy, "instance", eps=eps)
    v, axes = sets(x, norm, groups)
    g = dy.reshape(v.shape)
    inv = 1 / np.sqrt(v.var(axis=axes, keepdims=True) + eps)
    xhat = (v - v.mean(axis=axes, keepdims=True)) * inv
    dx = inv * (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True))
    return dx.reshape(x.shape)


CASES = [("batch", {}), ("instance", {}), ("layer", {}), ("group", {"groups": 2}), ("batch-instance", {"rho": 0.7})]


@pytest.mark.parametrize("norm,params", CASES)
def test_the_reference_backward_agrees_with_finite_differences(norm, params):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 4, 3, 3))
    dy = rng.standard_normal(x.shape)
    analytic = backward(x, dy, norm, **params)
    h = 1e-6
    for index in [(0, 0, 0, 0), (1, 3, 2, 1), (0, 2, 1, 2)]:
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        numeric = ((forward(up, norm, **params) - forward(down, norm, **params)) * dy).sum() / (2 * h)
        assert abs(numeric - analytic[index]) < 1e-6


@pytest.mark.parametrize("norm,params", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_matches_the_float64_reference(norm, params, dtype):
    rng = np.random.default_rng(9)
    x = (0.5 + 0.2 * rng.standard_normal((3, 4, 6, 5))).astype(dtype)
    dy = rng.standard_normal(x.shape).astype(dtype)
    dx = normscope.grad(x, dy, norm, **params)
    assert dx.dtype == np.float32 and dx.shape == x.shape
    as32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731 — both are read as float32
    expected = backward(as32(x), as32(dy), norm, **params)
    np.testing.assert_allclose(dx, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


@needs_cli
@pytest.mark.parametrize("norm,args,params", [
    ("batch", [], {}),
    ("group", ["--groups", "2"], {"groups": 2}),
    ("batch-instance", ["--rho", "0.25"], {"rho": 0.25}),
])
def test_grad_equals_the_clis_bit_for_bit(tmp_path, norm, args, params):
    rng = np.random.default_rng(6)
    x = rng.random((3, 4, 7, 9)).astype(np.float32)
    dy = rng.standard_normal(x.shape)  # float64: rounded to float32 by both
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "dy.npy", dy)
    subprocess.run([CLI, "grad", "--norm", norm, *args, "--dy", str(tmp_path / "dy.npy"),
                    "--out", str(tmp_path / "dx.npy"), str(tmp_path / "x.npy")], check=True)
    assert np.array_equal(normscope.grad(x, dy, norm, **params), np.load(tmp_path / "dx.npy"))


@needs_cli
def test_train_returns_the_clis_record(tmp_path):
    out = tmp_path / "run.json"
    subprocess.run([CLI, "train", "--norm", "group", "--groups", "2", "--steps", "3", "--batch", "8", "--seed", "5",
                    "--widths", "4,6,8", "--eval-every", "2", "--out", str(out)], check=True, stderr=subprocess.DEVNULL)
    record = normscope.train("group", groups=2, steps=3, batch=8, seed=5, widths=(4, 6, 8), eval_every=2)
    assert record == json.loads(out.read_text())


def test_train_is_reproducible_and_keeps_the_record_shape():
    first = normscope.train("batch", steps=2, batch=4, seed=3)
    assert first == normscope.train("batch", steps=2, batch=4, seed=3)
    assert first["config"]["norm"] == "batch" and len(first["loss"]) == 2
    assert 0 <= first["test_accuracy"] <= 1
    assert {(s["contrast"], s["brightness"], s["gamma"]) for s in first["shift"]} >= {(0.5, 0, 1), (1, 0, 1), (2, 0, 1)}


@pytest.mark.parametrize("call,error,words", [
    (lambda: normscope.grad(np.zeros((2, 3, 4, 4), np.float32), np.zeros((2, 3, 4, 5), np.float32), "batch"),
     ValueError, "must have the same shape"),
    (lambda: normscope.grad(np.zeros((2, 3, 4, 4), np.float32), np.full((2, 3, 4, 4), np.nan, np.float32), "batch"),
     ValueError, "dy: the data contains NaN"),
    (lambda: normscope.grad(np.zeros((3, 4, 4), np.float32), np.zeros((3, 4, 4), np.float32), "batch"),
     ValueError, "x: the array has 3 dimension(s)"),
    (lambda: normscope.grad(np.zeros((2, 3, 4, 4), np.float32), np.zeros((2, 3, 4, 4), np.int8), "batch"),
     TypeError, "dy: the array's type is int8"),
    (lambda: normscope.grad(np.zeros((2, 3, 4, 4), np.float32), np.zeros((2, 3, 4, 4), np.float32), "group", groups=2),
     ValueError, "3 channels cannot be split into 2 groups"),
    (lambda: normscope.train("batchnorm"), ValueError, "batchnorm"),
    (lambda: normscope.train("batch", task="cats"), ValueError, "cats"),
    (lambda: normscope.train("batch", steps=0), ValueError, "steps must be between 1 and"),
    (lambda: normscope.train("batch", steps=-5), ValueError, "(got -5)"),
    (lambda: normscope.train("batch", batch=100000), ValueError, "batch must be between 1 and"),
    (lambda: normscope.train("batch", lr=0.0), ValueError, "learning rate must be a number greater than 0"),
    (lambda: normscope.train("group", groups=3), ValueError, "cannot be split into 3 groups"),
    (lambda: normscope.train("batch", widths=(8, 16)), ValueError, "config.widths must be an array of three whole numbers"),
    (lambda: normscope.train("batch", widths=(8, 0, 16)), ValueError, "every width must be between 1 and"),
    (lambda: normscope.train("batch", eval_every=0), ValueError, "eval_every must be at least 1"),
])
def test_bad_arguments_raise_a_clear_error(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)


# Word for word what tests/native_train_config.rs and tests/web_train.rs
# expect: one training contract, the same message through every door.
@pytest.mark.parametrize("settings,message", [
    ({"lr": -1}, "config: the learning rate must be a number greater than 0 (got -1)"),
    ({"lrr": 0.1}, "config.lrr: unknown field `lrr`, expected one of `task`, `norm`, `groups`, `steps`, `batch`, "
                   "`lr`, `momentum`, `weight_decay`, `seed`, `widths`, `eval_every`, `bn_momentum`, `eps`"),
    ({"steps": -3}, "config.steps must be a whole number from 0 to 4294967295 (got -3)"),
])
def test_a_bad_field_gets_the_message_every_door_gives(settings, message):
    with pytest.raises(ValueError) as caught:
        normscope.train("batch", **settings)
    assert str(caught.value) == message
