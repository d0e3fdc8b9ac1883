"""normscope.train(task_dir=...): a task from one folder per class, the same
record as ``normscope train --task-dir``, and its bad inputs."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import normscope

CLI = os.environ.get("NORMSCOPE_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="NORMSCOPE_CLI (the built normscope binary) not set; cargo xtask test sets it")
EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "examples" / "photos"
QUICK = dict(steps=3, batch=4, seed=4, widths=(4, 4, 8), eval_every=2)


def copy_example(to, names=("cat", "coffee", "rocket")):
    for source, name in zip(("cat", "coffee", "rocket"), names):
        shutil.copytree(EXAMPLE / source, to / name)
    return to


@needs_cli
def test_task_dir_returns_the_clis_record(tmp_path):
    out = tmp_path / "run.json"
    subprocess.run([CLI, "train", "--task-dir", str(EXAMPLE), "--norm", "instance", "--steps", "3", "--batch", "4",
                    "--seed", "4", "--widths", "4,4,8", "--eval-every", "2", "--out", str(out)],
                   check=True, stderr=subprocess.DEVNULL)
    with pytest.warns(UserWarning, match="SOURCES.md"):
        record = normscope.train("instance", task_dir=EXAMPLE, **QUICK)
    assert record == json.loads(out.read_text())


def test_task_dir_classes_are_the_sorted_folder_names(tmp_path):
    task = copy_example(tmp_path / "task", names=("mango", "Zebra", "apple"))
    record = normscope.train("batch", task_dir=str(task), **QUICK)
    assert record["config"]["task"] == "photos"
    assert record["classes"] == ["Zebra", "apple", "mango"]
    assert record == normscope.train("batch", task_dir=task, **QUICK)


@pytest.mark.parametrize("names, message", [
    (("cat", "Cat", "dog"), "same name"),
    (("cat",), "at least 2 classes"),
])
def test_task_dir_refuses_bad_class_folders(tmp_path, names, message):
    task = tmp_path / "task"
    task.mkdir()
    for name in names:
        shutil.copytree(EXAMPLE / "cat", task / name)
    with pytest.raises(ValueError, match=message):
        normscope.train("batch", task_dir=task, **QUICK)


def test_task_dir_names_a_broken_photo_and_refuses_task_with_it(tmp_path):
    task = copy_example(tmp_path / "task")
    whole = (EXAMPLE / "cat" / "cat-1.png").read_bytes()
    (task / "coffee" / "broken.png").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="broken.png.*cut short"):
        normscope.train("batch", task_dir=task, **QUICK)
    with pytest.raises(ValueError, match="not both"):
        normscope.train("batch", task="day-night", task_dir=task, **QUICK)
