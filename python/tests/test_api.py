"""The NumPy API against a float64 reference written here in NumPy, against
the CLI on the same array, and on bad input."""

import os
import subprocess
import threading
import time

import numpy as np
import pytest

import normscope

EPS = 1e-5


def reference(x, norm, groups=None, rho=None, eps=EPS):
    """PyTorch's training-mode formulas in float64 (biased variance)."""
    x = np.asarray(x, dtype=np.float32).astype(np.float64)  # the API rounds to float32 first
    n, c, h, w = x.shape

    def standardize(axes, data=x):
        mean = data.mean(axis=axes, keepdims=True)
        var = data.var(axis=axes, keepdims=True)
        return (data - mean) / np.sqrt(var + eps)

    if norm == "batch":
        return standardize((0, 2, 3))
    if norm == "instance":
        return standardize((2, 3))
    if norm == "layer":
        return standardize((1, 2, 3))
    if norm == "group":
        g = x.reshape(n, groups, c // groups, h, w)
        return standardize((2, 3, 4), g).reshape(n, c, h, w)
    if norm == "batch-instance":
        return rho * standardize((0, 2, 3)) + (1 - rho) * standardize((2, 3))
    raise AssertionError(norm)


CASES = [
    ("batch", {}),
    ("instance", {}),
    ("layer", {}),
    ("group", {"groups": 2}),
    ("group", {"groups": 4}),
    ("batch-instance", {"rho": 0.3}),
]


def photo_like(rng, shape, offset=0.0, spread=1.0):
    return offset + spread * rng.random(shape)


@pytest.mark.parametrize("norm,params", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_matches_the_float64_reference(norm, params, dtype):
    rng = np.random.default_rng(7)
    x = photo_like(rng, (3, 4, 9, 7)).astype(dtype)
    y = normscope.normalize(x, norm, **params)
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y, reference(x, norm, **params), rtol=0, atol=2e-6)


def test_a_low_contrast_batch_far_from_zero_keeps_its_variance():
    # 100 + 0.01·noise: a one-pass E[x²] − E[x]² in float32 says variance 0.
    rng = np.random.default_rng(3)
    x = (100 + 0.01 * rng.standard_normal((4, 3, 16, 16))).astype(np.float32)
    y = normscope.normalize(x, "batch")
    np.testing.assert_allclose(y, reference(x, "batch"), rtol=0, atol=1e-4)
    # σ² ≈ 1e-4 next to eps = 1e-5: the output's spread is sqrt(σ²/(σ² + eps)), not 0.
    var = x.astype(np.float64).var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), np.sqrt(var / (var + EPS)), rtol=1e-4)


def test_instance_norm_ignores_a_contrast_change_and_batch_norm_does_not():
    rng = np.random.default_rng(5)
    x = rng.random((4, 3, 12, 12)).astype(np.float32)
    changed = x.copy()
    changed[0] = 0.5 * (changed[0] - 0.5) + 0.5
    # A tiny eps, so that only the kind decides (eps itself weighs more in a
    # plane whose variance the contrast change divides by 4).
    def change(norm):
        return normscope.normalize(changed, norm, eps=1e-10)[0] - normscope.normalize(x, norm, eps=1e-10)[0]

    inst, batch = change("instance"), change("batch")
    assert np.abs(inst).max() < 1e-5
    assert np.abs(batch).max() > 0.1


def test_lists_and_strided_arrays_give_the_same_numbers():
    rng = np.random.default_rng(11)
    x = rng.random((2, 3, 5, 6)).astype(np.float32)
    plain = normscope.normalize(x, "instance")
    # A transposed copy, viewed back: the same values through other strides.
    strided = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    assert not strided.flags["C_CONTIGUOUS"]
    assert np.array_equal(normscope.normalize(strided, "instance"), plain)
    assert np.array_equal(normscope.normalize(x[:, :, ::-1][:, :, ::-1], "instance"), plain)
    assert np.array_equal(normscope.normalize(x.tolist(), "instance"), normscope.normalize(x.astype(np.float64), "instance"))


def test_the_input_is_left_alone():
    x = np.random.default_rng(1).random((2, 3, 4, 4)).astype(np.float32)
    before = x.copy()
    normscope.normalize(x, "batch")
    assert np.array_equal(x, before)


CLI = os.environ.get("NORMSCOPE_CLI")
if CLI and not os.path.isfile(CLI):
    raise RuntimeError(f"NORMSCOPE_CLI={CLI} does not exist")


@pytest.mark.skipif(not CLI, reason="NORMSCOPE_CLI (the built normscope binary) not set; cargo xtask test sets it")
@pytest.mark.parametrize("norm,args,params", [
    ("batch", [], {}),
    ("instance", [], {}),
    ("layer", [], {}),
    ("group", ["--groups", "2"], {"groups": 2}),
    ("batch-instance", ["--rho", "0.25", "--eps", "0.001"], {"rho": 0.25, "eps": 1e-3}),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_numbers_equal_the_clis_bit_for_bit(tmp_path, norm, args, params, dtype):
    rng = np.random.default_rng(2)
    # Odd plane sizes, so both the SIMD lanes and their tails are used.
    x = (3 + 0.2 * rng.standard_normal((3, 4, 13, 11))).astype(dtype)
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "y.npy"
    subprocess.run([CLI, "normalize", "--norm", norm, *args, "--out", str(out), str(tmp_path / "x.npy")], check=True)
    assert np.array_equal(normscope.normalize(x, norm, **params), np.load(out))


@pytest.mark.parametrize("x,norm,params,error,words", [
    (np.zeros((3, 8, 8), np.float32), "batch", {}, ValueError, "needs 4: images × channels × height × width"),
    (np.zeros((1, 3, 8, 8, 1), np.float32), "batch", {}, ValueError, "has 5 dimension(s)"),
    (np.zeros((2, 3, 8, 8), np.int64), "batch", {}, TypeError, "float32 or float64 only"),
    (np.zeros((2, 3, 8, 8), np.float16), "batch", {}, TypeError, "float32 or float64 only"),
    (np.zeros((2, 0, 8, 8), np.float32), "batch", {}, ValueError, "it has no values"),
    (np.full((2, 3, 4, 4), np.nan, np.float32), "instance", {}, ValueError, "contains NaN at image 1, channel 1"),
    (np.full((2, 3, 4, 4), np.inf), "instance", {}, ValueError, "contains inf"),
    (np.full((2, 3, 4, 4), 1e39), "instance", {}, ValueError, "too large for float32"),
    (np.zeros((2, 3, 4, 4), np.float32), "group", {"groups": 2}, ValueError, "3 channels cannot be split into 2 groups"),
    (np.zeros((2, 3, 4, 4), np.float32), "group", {}, ValueError, "group norm needs a number of groups"),
    (np.zeros((2, 3, 4, 4), np.float32), "batch-instance", {"rho": 1.5}, ValueError, "must be between 0 and 1"),
    (np.zeros((2, 3, 4, 4), np.float32), "batch-instance", {}, ValueError, "needs a mix ρ"),
    (np.zeros((2, 3, 4, 4), np.float32), "instance", {"eps": 0.0}, ValueError, "eps must be a finite number greater than 0"),
    (np.zeros((2, 3, 4, 4), np.float32), "batchnorm", {}, ValueError, "unknown normalization kind \"batchnorm\""),
    ("not an array", "batch", {}, TypeError, "expected a NumPy array"),
])
def test_bad_input_raises_the_cores_message(x, norm, params, error, words):
    with pytest.raises(error) as caught:
        normscope.normalize(x, norm, **params)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_negative_groups_are_a_type_error_not_a_crash():
    with pytest.raises((OverflowError, TypeError, ValueError)):
        normscope.normalize(np.zeros((1, 3, 2, 2), np.float32), "group", groups=-1)


def test_the_gil_is_released_while_the_core_computes():
    x = np.random.default_rng(0).random((8, 3, 384, 384)).astype(np.float32)
    start = time.perf_counter()
    normscope.normalize(x, "batch")
    alone = time.perf_counter() - start
    ticks = 0
    worker = threading.Thread(target=normscope.normalize, args=(x, "batch"))
    worker.start()
    while worker.is_alive():
        ticks += 1
    worker.join()
    # Holding the GIL, the call would leave this loop a handful of turns at
    # most; released, the loop runs all along (millions of turns a second).
    assert ticks > 1000, f"{ticks} turns during a {alone * 1000:.0f} ms call"
