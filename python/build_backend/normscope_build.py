"""The build backend of `pip install ./python`: maturin, after the widget.

The notebook widget needs the page's front end inside the wheel: the wasm
module, the ES modules of www/, the styles and the sample photos. They are
generated from the repository by `cargo xtask pybundle` (which also builds
pkg/, installing the wasm target and wasm-bindgen if they are missing) into
normscope/_static/, ignored by git. Then maturin builds the Rust extension
and the wheel as usual.

So this backend needs the whole repository (a clone), not only python/:
there is no source distribution.
"""

import os
import subprocess
import sys
from pathlib import Path

import maturin

PYTHON_DIR = Path(__file__).resolve().parent.parent
ROOT = PYTHON_DIR.parent

get_requires_for_build_wheel = maturin.get_requires_for_build_wheel
get_requires_for_build_editable = maturin.get_requires_for_build_editable
prepare_metadata_for_build_wheel = maturin.prepare_metadata_for_build_wheel
prepare_metadata_for_build_editable = maturin.prepare_metadata_for_build_editable


def _prepare():
    if not (ROOT / "xtask").is_dir() or not (ROOT / "www").is_dir():
        sys.exit(
            f"normscope: {PYTHON_DIR} is not inside a clone of the normscope repository; "
            "build it with `pip install ./python` from the clone"
        )
    print("normscope: cargo xtask pybundle (wasm + front end for the widget)", file=sys.stderr)
    done = subprocess.run(["cargo", "xtask", "pybundle"], cwd=ROOT, stdout=sys.stderr)
    if done.returncode != 0:
        sys.exit("normscope: `cargo xtask pybundle` failed (see above)")
    # The extension's build lives with the repository's other builds, in
    # its own folder (its own workspace and profile).
    os.environ.setdefault("CARGO_TARGET_DIR", str(ROOT / "target" / "python"))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _prepare()
    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _prepare()
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    sys.exit(
        "normscope: no source distribution — the package is built from a clone of the "
        "repository (`pip install ./python`), which the wheel's front end is generated from"
    )
