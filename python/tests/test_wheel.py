"""The wheel as a notebook user meets it: `pip install normscope-….whl` into a
fresh venv whose PATH has no Rust toolchain, then the package works there,
widget front end included, with nothing fetched at run time.

`cargo xtask python` builds the wheel once (`cargo xtask wheel`'s step) and
names it in NORMSCOPE_WHEEL; the same file is what the other tests run.
The install's wall time and the wheel's size go to
NORMSCOPE_ARTIFACTS/wheel.txt (a figure to read, never a pass/fail bound).

The sdist beside it (NORMSCOPE_SDIST) is what `pip install` falls back to
where no wheel fits: it must build with cargo, as `pip install ./python`
does, in a fresh venv (maturin from PyPI, or pip's cache, in pip's own build
environment). To spare CI a second cold compile, the build reuses the
wheel's cargo target folder (NORMSCOPE_SDIST_TARGET); a user's first build
compiles everything (3 min 43 s here at load 5).
"""

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

WHEEL = os.environ.get("NORMSCOPE_WHEEL")
if not WHEEL:
    if os.environ.get("NORMSCOPE_REQUIRE_LAB"):
        raise RuntimeError("NORMSCOPE_WHEEL is not set: run the tests through `cargo xtask python`")
    pytest.skip("NORMSCOPE_WHEEL names no wheel (run through `cargo xtask python`)", allow_module_level=True)
WHEEL = Path(WHEEL)


def path_without_rust():
    """PATH with every directory that holds cargo or rustc left out."""
    keep = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not any(Path(d, tool).exists() for tool in ("cargo", "rustc", "rustup"))]
    return os.pathsep.join(keep)


def test_the_wheel_is_one_abi3_file_that_carries_the_front_end():
    assert re.fullmatch(r"normscope-\d+\.\d+\.\d+-cp39-abi3-[a-z0-9_.]+\.whl", WHEEL.name), WHEEL.name
    names = set(zipfile.ZipFile(WHEEL).namelist())
    for inside in ("normscope/__init__.py", "normscope/_static/widget.js", "normscope/_static/lab.json",
                   "normscope/_static/samples/SOURCES.md", "normscope/_static/recorded/race-what.json"):
        assert inside in names, inside
    assert any(re.fullmatch(r"normscope/_normscope\.abi3\.so", n) for n in names), sorted(names)[:20]


def test_it_installs_and_runs_in_a_fresh_venv_without_rust(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {**os.environ, "PATH": path_without_rust()}
    for variable in ("CARGO", "CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "VIRTUAL_ENV"):
        env.pop(variable, None)
    assert shutil.which("cargo", path=env["PATH"]) is None and shutil.which("rustc", path=env["PATH"]) is None

    started = time.monotonic()
    subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", str(WHEEL)],
                   check=True, env=env)
    seconds = time.monotonic() - started

    # Outside the repository, so `import normscope` cannot find python/normscope.
    script = (
        "import numpy as np, normscope, pathlib\n"
        "x = np.random.default_rng(1).random((2, 3, 8, 8))\n"
        "y = normscope.normalize(x, 'instance')\n"
        "assert y.shape == (2, 3, 8, 8) and abs(float(y[0, 0].mean())) < 1e-4\n"
        "scope = normscope.Scope(images=['chelsea'])\n"
        "assert 'AGFzbQ' in scope._esm  # the wasm (\\0asm), inlined\n"
        "lab = normscope.Lab(experiment='race')\n"
        "print(pathlib.Path(normscope.__file__).parent)\n"
    )
    done = subprocess.run([str(python), "-c", script], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert Path(done.stdout.strip()).is_relative_to(venv), done.stdout

    artifacts = Path(os.environ.get("NORMSCOPE_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / "wheel.txt").write_text(
        f"{WHEEL.name}: {WHEEL.stat().st_size / 1e6:.1f} MB; "
        f"pip install into a fresh venv (no Rust on PATH, dependencies from pip's cache or PyPI): {seconds:.1f} s\n"
    )


def test_the_sdist_builds_with_cargo_and_works_in_a_fresh_venv(tmp_path):
    sdist = os.environ.get("NORMSCOPE_SDIST")
    if not sdist:
        if os.environ.get("NORMSCOPE_REQUIRE_LAB"):
            raise RuntimeError("NORMSCOPE_SDIST is not set: run the tests through `cargo xtask python`")
        pytest.skip("NORMSCOPE_SDIST names no sdist (run through `cargo xtask python`)")
    sdist = Path(sdist)
    assert re.fullmatch(r"normscope-\d+\.\d+\.\d+\.tar\.gz", sdist.name), sdist.name
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    if os.environ.get("NORMSCOPE_SDIST_TARGET"):
        env["CARGO_TARGET_DIR"] = os.environ["NORMSCOPE_SDIST_TARGET"]
    subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", str(sdist)],
                   check=True, env=env)
    script = (
        "import numpy as np, normscope, pathlib\n"
        "x = np.random.default_rng(2).random((2, 3, 8, 8))\n"
        "y = normscope.normalize(x, 'layer')\n"
        "assert y.shape == (2, 3, 8, 8) and abs(float(y[0].mean())) < 1e-4\n"
        "assert 'AGFzbQ' in normscope.Scope(images=['coffee'])._esm\n"
        "print(pathlib.Path(normscope.__file__).parent)\n"
    )
    done = subprocess.run([str(python), "-c", script], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert Path(done.stdout.strip()).is_relative_to(venv), done.stdout

