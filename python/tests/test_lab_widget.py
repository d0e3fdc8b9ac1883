"""normscope.Lab on the Python side: its vocabulary against the lab's own
modules, the data it sends, trait checks, run/stop and the state the front
end sends back (the lab in a browser: test_lab.py)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import traitlets

import normscope
from normscope import lab as labmod

STATIC = Path(normscope.__file__).parent / "_static"
ROOT = Path(__file__).resolve().parents[2]


def lab_modules():
    """What www/js/lab/config.js and state.js make of the lab's tables, read by Node (the lab's own code)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("NORMSCOPE_REQUIRE_LAB"):
            raise RuntimeError("node is needed to read the lab's modules")
        pytest.skip("node is not installed")
    script = f"""
const c = await import({json.dumps((ROOT / 'www/js/lab/config.js').as_uri())});
const s = await import({json.dumps((ROOT / 'www/js/lab/state.js').as_uri())});
const taken = (key) => [-1, 0, 1, 10, 11, 2000, 2001].filter((n) => s.parseLabState(`lab-${{key}}=${{n}}`).notices.length === 0);
console.log(JSON.stringify({{ kinds: c.KIND_NAMES, tasks: Object.keys(c.TASKS), lighting: c.LIGHTING,
  lr: c.LR_CHOICES, stages: Object.keys(c.POOLED_STAGES), momenta: c.EVAL_MOMENTA, defaults: s.DEFAULT_LAB,
  steps: taken('steps'), checkpoints: taken('checkpoint'), seeds: taken('seeds'), settings: s.SETTING_NAMES }}));
"""
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_package_reads_the_labs_own_tables():
    # The files Python reads are the page's, copied when the package was built.
    for name in ("vocabulary.json", "settings.json"):
        assert json.loads((STATIC / "lab" / name).read_text()) == json.loads((ROOT / "www/lab" / name).read_text())
    vocabulary = json.loads((ROOT / "www/lab/vocabulary.json").read_text())
    assert labmod.VOCABULARY == vocabulary
    assert list(labmod.KINDS) == vocabulary["kinds"] and list(labmod.TASKS) == list(vocabulary["tasks"])
    assert labmod.SEEDS == (vocabulary["seeds"]["min"], vocabulary["seeds"]["max"]) == (1, 10)
    assert normscope.Lab().seeds == vocabulary["seeds"]["default"] == 3
    assert labmod.SETTINGS == tuple(s["name"] for s in json.loads((ROOT / "www/lab/settings.json").read_text())["settings"])


def test_the_vocabulary_is_the_labs():
    js = lab_modules()
    assert list(labmod.KINDS) == js["kinds"]
    assert list(labmod.TASKS) == js["tasks"]
    assert labmod.LR_CHOICES == tuple(js["lr"])
    assert [labmod.STEPS[0], labmod.STEPS[1]] == [js["steps"][0], js["steps"][-1]] == [1, 2000]
    assert list(labmod.CHECKPOINTS) == [js["checkpoints"][0], js["checkpoints"][-1]] == [0, 2000]
    assert list(labmod.SEEDS) == js["seeds"] == [1, 10]  # 1 and 10 taken, 0 and 11 refused
    assert list(labmod.STAGES) == js["stages"] and list(labmod.MOMENTA) == js["momenta"]
    assert list(labmod.LIGHTING) == list(js["lighting"])
    for axis, (values, trained) in labmod.LIGHTING.items():
        assert list(values) == js["lighting"][axis]["values"] and trained == js["lighting"][axis]["trained"]
    d = js["defaults"]
    lab = normscope.Lab()
    axis_values = js["lighting"][d["axis"]]["values"]
    assert (lab.task, lab.steps, lab.seeds, lab.kinds, lab.axis, lab.at, lab.lr) == (
        d["task"], d["steps"], d["seeds"], d["kinds"], d["axis"], axis_values[d["at"]], d["lr"])
    assert (lab.compare, lab.checkpoint, lab.channel, lab.stage, lab.momentum, lab.momenta) == (
        d["compare"], d["checkpoint"], d["channel"], d["stage"], d["momentum"], d["momenta"])
    # Every setting of the lab is a trait, in the same order.
    assert list(labmod.SETTINGS) == js["settings"] == list(d)


def test_the_experiments_are_read_from_the_element():
    manifest = json.loads((STATIC / "lab.json").read_text())
    assert labmod.EXPERIMENTS == normscope.Lab.EXPERIMENTS == tuple(manifest["experiments"])
    source = (ROOT / "www/norm-lab.js").read_text()
    for name in labmod.EXPERIMENTS:
        assert f"{name}: " in source.split("const PANELS = {", 1)[1].split("}", 1)[0]
    assert {"race", "lighting", "lr", "batch"} <= set(labmod.EXPERIMENTS)


def test_the_photos_and_recorded_runs_travel_inside_the_package():
    lab = normscope.Lab(experiment="race")
    assert lab._module == "lab.js" and lab._esm == (STATIC / "widget.js").read_text()
    # esbuild's module markers, and the lab's styles inlined (a JSON string in a JSON string).
    assert "python/js/lab.js" in lab._esm and "www/norm-lab.js" in lab._esm
    assert '\\"norm-lab.css\\": ' in lab._esm
    photos = sorted(p.stem for p in (ROOT / "assets/tasks").glob("*.rgb"))
    assert sorted(lab._tasks) == photos and len(photos) == 6
    assert all(len(b) == 192 * 192 * 3 for b in lab._tasks.values())
    recorded = sorted(p.name for p in (ROOT / "www/lab/recorded").glob("*.json"))
    assert sorted(lab._recorded) == recorded
    assert json.loads(lab._recorded["race-what.json"])["runs"][0]["record"]["config"]["task"] == "what"
    # The photos go as binary buffers, not as text.
    assert isinstance(lab.get_state()["_tasks"]["cat"], (bytes, memoryview))


def test_settings_are_checked_and_kept_in_the_labs_order():
    lab = normscope.Lab(experiment="lighting", task="day-night", steps=50, kinds=("ibn", "batch"), axis="gamma", at=1.8, lr=0.2)
    assert (lab.experiment, lab.task, lab.steps, lab.kinds, lab.axis, lab.at, lab.lr) == (
        "lighting", "day-night", 50, ["batch", "ibn"], "gamma", 1.8, 0.2)
    # A new axis keeps `at` when it is one of its values, else shows its first value.
    lab.axis = "brightness"
    assert lab.at == 0.0
    lab.at = 0.3
    lab.axis = "contrast"
    assert lab.at == 0.5
    assert normscope.Lab(experiment=None).experiment == ""
    other = normscope.Lab(compare=("group", "batch"), checkpoint=0, channel=3, stage="features", momentum=1,
                          momenta=[1, 0.01], seeds=10)
    assert (other.compare, other.checkpoint, other.channel, other.stage, other.momentum, other.momenta, other.seeds) == (
        ["batch", "group"], 0, 3, "features", 1.0, [0.01, 1.0], 10)


@pytest.mark.parametrize("setting,value,error,words", [
    ("experiment", "races", ValueError, "choose " + ", ".join(labmod.EXPERIMENTS)),
    ("experiment", 3, TypeError, "must be a string"),
    ("task", "night", ValueError, "choose what, day-night"),
    ("steps", 0, ValueError, "from 1 to 2000"),
    ("steps", 2001, ValueError, "from 1 to 2000"),
    ("steps", 3.5, TypeError, "whole number"),
    ("steps", True, TypeError, "whole number"),
    ("seeds", 0, ValueError, "from 1 to 10"),
    ("seeds", 11, ValueError, "from 1 to 10"),
    ("seeds", "3", TypeError, "a whole number from 1 to 10"),
    ("kinds", ["batchnorm"], ValueError, "the kinds are none, batch, instance"),
    ("kinds", [], ValueError, "at least one kind"),
    ("kinds", "batch", TypeError, "a list of kinds"),
    ("axis", "hue", ValueError, "choose contrast, brightness, gamma"),
    ("at", 0.6, ValueError, "for contrast choose one of 0.25, 0.35, 0.5"),
    ("at", "0.5", TypeError, "must be a number"),
    ("lr", 0.1, ValueError, "choose one of 0.05, 0.2, 0.5, 1, 2"),
    ("lr", float("nan"), ValueError, "choose one of"),
    ("compare", ["bn"], ValueError, "compare: 'bn' is not a kind"),
    ("compare", [], ValueError, "compare at least one kind"),
    ("checkpoint", 2001, ValueError, "a training step, a whole number from 0 to 2000"),
    ("checkpoint", "200", TypeError, "whole number"),
    ("channel", -1, ValueError, "'auto' or a channel number, a whole number from 0 to 999"),
    ("channel", "heaviest", TypeError, "'auto' or a channel number"),
    ("stage", "pool", ValueError, "choose norm, relu, features"),
    ("momentum", 0.2, ValueError, "choose one of 0.01, 0.1, 0.5, 1"),
    ("momenta", [0.2], ValueError, "choose one of 0.01, 0.1, 0.5, 1"),
    ("momenta", [], ValueError, "at least one momentum"),
    ("momenta", 0.1, TypeError, "a list of momenta"),
])
def test_bad_settings_are_refused_by_name(setting, value, error, words):
    with pytest.raises(error) as caught:
        normscope.Lab(**{setting: value})
    assert words in str(caught.value), caught.value
    assert isinstance(caught.value, traitlets.TraitError)
    lab = normscope.Lab()
    before = getattr(lab, setting)
    with pytest.raises(error):
        setattr(lab, setting, value)
    assert getattr(lab, setting) == before


HOSTILE = ("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_names_every_js_object_inherits_are_refused_and_the_lab_stays_usable(hostile):
    # Such a value once passed the page's own checks (`key in OBJECT`);
    # the notebook must refuse it too, naming the choices, and keep working.
    lab = normscope.Lab(experiment="race")
    for setting in ("experiment", *labmod.SETTINGS):
        before = getattr(lab, setting)
        with pytest.raises((ValueError, TypeError)) as caught:
            setattr(lab, setting, hostile)
        message = str(caught.value)
        assert message.startswith(setting) and ("choose" in message or "from" in message or "one of" in message), message
        assert getattr(lab, setting) == before
        with pytest.raises((ValueError, TypeError)):
            normscope.Lab(**{setting: hostile})
    # Still usable: a good value is taken.
    lab.task = "day-night"
    lab.seeds = 5
    assert (lab.task, lab.seeds) == ("day-night", 5)


def test_unknown_arguments_are_refused():
    with pytest.raises(TypeError, match="unexpected argument 'contrast'"):
        normscope.Lab(contrast=0.5)


def test_run_and_stop_press_the_panels_buttons():
    sent = []
    lab = normscope.Lab(experiment="race", steps=3)
    lab.send = sent.append
    lab.run()
    lab.stop("race")
    assert sent == [{"type": "run", "experiment": "race"}, {"type": "stop", "experiment": "race"}]
    with pytest.raises(ValueError, match="shows 'race', not 'lr'"):
        lab.run("lr")
    every = normscope.Lab()
    every.send = sent.append
    with pytest.raises(ValueError, match=r"say which to run, e.g. lab.run\('race'\)"):
        every.run()
    every.run("lr")
    assert sent[-1] == {"type": "run", "experiment": "lr"}
    with pytest.raises(ValueError, match="choose race"):
        every.stop("nope")


def test_the_front_end_reports_settings_results_and_status():
    lab = normscope.Lab(experiment="race")
    seen = []
    lab.observe(lambda change: seen.append(change["new"]), "results")
    run = {"kind": "batch", "source": "here", "status": "done", "accuracy": 0.5, "steps": 3, "steps_done": 3}
    lab.set_state({"task": "day-night", "results": {"race-day-night": {"experiments": ["race"], "running": False, "runs": [run]}},
                   "status": "race: Trained in this browser: 1 networks."})
    assert lab.task == "day-night"
    assert seen[0]["race-day-night"]["runs"][0]["accuracy"] == 0.5
    assert lab.status.startswith("race: ")
    with pytest.raises(traitlets.TraitError):
        lab.results = {}
    with pytest.raises(traitlets.TraitError):
        lab.status = "hello"
