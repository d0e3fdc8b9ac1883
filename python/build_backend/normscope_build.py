"""The build backend of `pip install ./python`: maturin, after the widget.

The notebook widget needs the page's front end inside the wheel: the wasm
module, the ES modules of www/, the styles and the sample photos. They are
generated from the repository by `cargo xtask pybundle` (which also builds
pkg/, installing the wasm target and wasm-bindgen if they are missing) into
normscope/_static/, ignored by git. Then maturin builds the Rust extension
and the wheel as usual.

Built from a clone, this backend regenerates the front end every time. Built
from the sdist that `cargo xtask wheel` writes, there is no repository: the
sdist carries the front end it was made with (normscope/_static/ with its
widget.js), and only the Rust extension is compiled.
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


STATIC = PYTHON_DIR / "normscope" / "_static"


def _in_clone():
    return (ROOT / "xtask").is_dir() and (ROOT / "www").is_dir()


def _prepare():
    if not _in_clone():
        if (STATIC / "widget.js").is_file():
            return  # an sdist: the front end came with it
        sys.exit(
            f"normscope: {PYTHON_DIR} is neither inside a clone of the normscope repository "
            "nor an sdist that carries the widget's front end; build it with "
            "`pip install ./python` from a clone, or `cargo xtask wheel`"
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
    # The sdist carries the generated front end: make it first.
    if _in_clone():
        _prepare()
    return maturin.build_sdist(sdist_directory, config_settings)
