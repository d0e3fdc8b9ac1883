"""``Lab(task_images=…)``: the reader's own photos in the notebook's lab.

Natively: paths and arrays are made ready by the core (the same checks as
``normscope train --task-dir``) and bad input is refused by name. In real
JupyterLab (the server and Chromium of test_lab.py): a cell makes a Lab of
the example set (assets/examples/photos) as arrays and paths, the race
trains on it in the page and draws, and its records equal
``normscope.train(task_dir=…)`` in the kernel.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

import normscope

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples" / "photos"


def paths(name):
    return sorted((EXAMPLES / name).iterdir())


def test_task_images_take_paths_and_arrays_and_default_the_task():
    by_path = normscope.Lab(experiment="race", task_images={"cat": paths("cat"), "coffee": paths("coffee")})
    assert by_path.task == "photos"
    assert [c["name"] for c in by_path._photos] == ["cat", "coffee"]
    first = by_path._photos[0]["photos"][0]
    assert (first["name"], first["width"], first["height"], len(first["rgb"])) == ("cat/cat-1.png", 96, 192, 96 * 192 * 3)
    # The same photos as H×W×3 arrays (with an alpha channel, dropped) give the same pixels.
    arrays = [np.frombuffer(p["rgb"], np.uint8).reshape(p["height"], p["width"], 3) for p in by_path._photos[1]["photos"]]
    rgba = [np.dstack([a, np.full(a.shape[:2], 255, np.uint8)]) for a in arrays]
    by_array = normscope.Lab(experiment="race", task_images={"cat": paths("cat"), "coffee": rgba})
    assert [p["rgb"] for p in by_array._photos[1]["photos"]] == [p["rgb"] for p in by_path._photos[1]["photos"]]
    assert by_array._photos[1]["photos"][0]["name"] == "coffee/1"


@pytest.mark.parametrize(
    "images, error, words",
    [
        ({"cat": paths("cat")}, ValueError, "a task needs at least 2 classes"),
        ({"cat": paths("cat"), "dog": []}, ValueError, 'class "dog" has no photo'),
        ({"cat": paths("cat"), "Cat": paths("coffee")}, ValueError, 'classes "cat" and "Cat" have the same name'),
        ({"cat": paths("cat"), "tiny": [np.zeros((30, 60, 3), np.uint8)]}, ValueError, "tiny/1 is 60×30 pixels, too small"),
        ({"cat": paths("cat"), "grey": [np.zeros((100, 100), np.uint8)]}, ValueError, "grey/1: an array photo must be H×W×3"),
        ({"cat": paths("cat"), "many": [paths("coffee")[0]] * 51}, ValueError, 'class "many" has 51 photos; a class takes up to 50'),
        ({"cat": "cat.jpg", "dog": paths("coffee")}, TypeError, "task_images['cat'] must be a list of photos"),
        ([paths("cat")], TypeError, "task_images must be a dict"),
    ],
)
def test_bad_task_images_are_refused_by_name(images, error, words):
    with pytest.raises(error, match=re.escape(words)):
        normscope.Lab(experiment="race", task_images=images)


def test_a_damaged_file_and_a_stray_file(tmp_path):
    cut = tmp_path / "cut.png"
    cut.write_bytes(paths("cat")[0].read_bytes()[:2000])
    with pytest.raises(ValueError, match=r"cat/cut\.png: .*(cut short|damaged)"):
        normscope.Lab(task_images={"cat": [cut], "coffee": paths("coffee")})
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    with pytest.warns(UserWarning, match=r"skipped 1 file\(s\) that are not photos: cat/notes\.txt"):
        lab = normscope.Lab(task_images={"cat": [*paths("cat"), notes], "coffee": paths("coffee")})
    assert len(lab._photos[0]["photos"]) == 3


def test_the_photos_task_needs_photos():
    with pytest.raises(ValueError, match="task 'photos' trains on your own photos"):
        normscope.Lab(task="photos")


# ── In JupyterLab: the server, browser and helpers of test_lab.py ──

try:
    from test_lab import lab, notebook, open_notebook, output_text, page, run_cell  # noqa: F401  (fixtures)
except pytest.skip.Exception:
    lab = page = None

STEPS = 3
PHOTO_CELLS = [
    # 0: the README's example: arrays or paths, one list per class.
    "import normscope\n"
    f"root = {str(EXAMPLES)!r}\n"
    "from pathlib import Path\n"
    "photos = {d.name: sorted(d.iterdir()) for d in sorted(Path(root).iterdir()) if d.is_dir()}\n"
    f"lab = normscope.Lab(experiment='race', task_images=photos, steps={STEPS}, seeds=1, kinds=['batch', 'instance'])\n"
    "lab",
    # 1: run the race.
    "lab.run()",
    # 2: its records against normscope.train(task_dir=…) in the kernel.
    "import numpy as np\n"
    "key = next(k for k in lab.results if k.startswith('race-photos'))\n"
    "for r in lab.results[key]['runs']:\n"
    f"    rec = normscope.train(r['kind'], steps={STEPS}, task_dir=root)\n"
    "    same = np.array_equal(np.float32(rec['loss']), np.float32(r['loss'])) and np.float32(rec['test_accuracy']) == np.float32(r['accuracy'])\n"
    "    print('photos', r['kind'], r['status'], r['config']['task'], 'same' if same else 'DIFFERENT')",
]


@pytest.mark.skipif(lab is None, reason="JupyterLab, Playwright or Chromium is missing")
def test_lab_task_images_draws_the_race_in_jupyterlab(lab, page):
    work = lab["log"].parent / "work"
    (work / "photos.ipynb").write_text(json.dumps(notebook(PHOTO_CELLS)))
    open_notebook(page, lab, "photos.ipynb", PHOTO_CELLS)
    run_cell(page, 0)
    view = page.locator("norm-lab[data-ready='true']")
    view.wait_for(timeout=120_000)
    view.locator(".photos-ready", has_text="Ready: 3 classes (cat, coffee, rocket)").wait_for()
    view.locator(".lab-status", has_text="Your photos have no recording").wait_for()
    page.wait_for_timeout(500)
    run_cell(page, 1)
    view.locator(".lab-status", has_text="Trained in this browser: 2 networks (1 seed).").wait_for(timeout=240_000)
    assert view.locator("tbody tr").count() == 2
    # The race drew: both charts hold many colours.
    colours = view.evaluate(
        """(el) => [...el.shadowRoot.querySelectorAll('[data-experiment="race"] canvas')].map((c) => {
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const seen = new Set();
             for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
             return seen.size;
           })"""
    )
    assert len(colours) == 2 and all(n > 20 for n in colours), colours
    view.screenshot(path=str(lab["log"].parent / "lab-photos.png"))
    page.wait_for_timeout(500)
    cell = run_cell(page, 2)
    output_text(cell, r"photos instance", timeout=120_000)
    # (The kernel's train also warns that it skipped SOURCES.md: another output.)
    text = "\n".join(o.inner_text() for o in cell.locator(".jp-OutputArea-output").all())
    lines = [l for l in text.splitlines() if l.startswith("photos ")]
    assert lines == ["photos batch done photos same", "photos instance done photos same"], lines
    assert page.errors == [], page.errors
    assert page.outside == [], f"requests left 127.0.0.1: {page.outside}"
