"""``normscope.Lab``: the page's ``<norm-lab>`` element as a notebook widget.

The same anywidget front end as :class:`normscope.Scope` (``_static/widget.js``:
the page's ES modules and the wasm, inlined), entered through
``python/js/lab.js``. The task photos (``assets/tasks/*.rgb``) and the runs
recorded with ``normscope train`` (``www/lab/recorded/*.json``) travel in the
package and go to the front end as traits: nothing is fetched from another
host. Training runs in a worker started from the bundled modules, as on the
page (on the page's thread, in slices of about 80 ms, where a host refuses
that worker).

The experiments are read from the element's own list (``PANELS`` in
``www/norm-lab.js``, copied into ``_static/lab.json`` when the package is
built), so a panel added to the lab needs no change here. The settings and
their checks come from the lab's own tables, ``www/lab/settings.json`` (one
entry per setting: type, default, choices or range) and
``www/lab/vocabulary.json`` (kinds, tasks, lighting, ranges; written by
Rust), copied into ``_static/lab/``: the page, the element and this class
read the same two files.
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path

import anywidget
import traitlets as t

from ._errors import LabTypeError, LabValueError
from ._photos import task_photos

_STATIC = Path(__file__).resolve().parent / "_static"


def _experiments() -> tuple:
    try:
        return tuple(json.loads((_STATIC / "lab.json").read_text())["experiments"])
    except (OSError, ValueError, KeyError):
        return ()


def _lab_file(name: str) -> dict:
    """One of the lab's tables (www/lab/NAME, copied into _static/lab/ when the package is built)."""
    try:
        return json.loads((_STATIC / "lab" / name).read_text())
    except (OSError, ValueError):
        return {}


#: The experiments ``<norm-lab experiment=…>`` accepts (read from the element when the package was built).
EXPERIMENTS = _experiments()

#: The lab's vocabulary (www/lab/vocabulary.json, which Rust writes): kinds, tasks, lighting, ranges.
VOCABULARY = _lab_file("vocabulary.json")


def _from_vocabulary(value):
    """A value of the settings table: ``@path`` names one of the vocabulary's (an object: its names)."""
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    found = VOCABULARY
    for key in value[1:].split("."):
        if not isinstance(found, dict) or key not in found:
            raise RuntimeError(f"the lab's settings table names {value}, which its vocabulary does not have")
        found = found[key]
    return tuple(found) if isinstance(found, (dict, list)) else found


#: The lab's settings table (www/lab/settings.json: the page's lab-* parameters and the
#: element's attributes), with its ``@`` names read from the vocabulary. Each is a trait.
SETTINGS_TABLE = tuple(
    {**entry, **{k: _from_vocabulary(entry[k]) for k in ("choices", "min", "max", "default") if k in entry}}
    for entry in _lab_file("settings.json").get("settings", ())
)
#: The settings that are traits (each a lab-* parameter of the page).
SETTINGS = tuple(entry["name"] for entry in SETTINGS_TABLE)
_BY_NAME = {entry["name"]: entry for entry in SETTINGS_TABLE}

#: The networks' normalization kinds, in the lab's order.
KINDS = tuple(VOCABULARY.get("kinds", ()))
#: The training tasks.
TASKS = tuple(VOCABULARY.get("tasks", {}))
#: Steps per run, at least and at most (the race offers 50, 100, 200, 400).
STEPS = (VOCABULARY.get("steps", {}).get("min"), VOCABULARY.get("steps", {}).get("max"))
#: Seeds "Run it here" trains (1..=N): N at least and at most.
SEEDS = (VOCABULARY.get("seeds", {}).get("min"), VOCABULARY.get("seeds", {}).get("max"))
#: The test-time lighting each axis sweeps, and the value trained at.
LIGHTING = {axis: (tuple(sweep["values"]), sweep["trained"]) for axis, sweep in VOCABULARY.get("lighting", {}).items()}
#: The peak learning rates of the learning-rate experiment.
LR_CHOICES = tuple(VOCABULARY.get("lr", {}).get("choices", ()))
#: Where the pooled experiment reads the channels.
STAGES = tuple(VOCABULARY.get("pooled", {}).get("stages", ()))
#: The batch-norm momenta of the evaluation-mode experiment.
MOMENTA = tuple(VOCABULARY.get("evalmode", {}).get("momenta", ()))
#: Training steps the neighbours experiment can show, at least and at most.
CHECKPOINTS = (_BY_NAME.get("checkpoint", {}).get("min"), _BY_NAME.get("checkpoint", {}).get("max"))


def _default_at(axis: str) -> float:
    """The lighting shown first on an axis: the table's value for it, else the trained value (as state.js)."""
    defaults = _BY_NAME["at"].get("defaults", {})
    return float(defaults[axis] if axis in defaults else LIGHTING[axis][1])


def _default(entry):
    """A setting's default as its trait holds it (lists as lists; `at` for the default axis)."""
    if entry["type"] == "lighting":
        return _default_at(_BY_NAME[entry["of"]]["default"])
    value = entry["default"]
    return list(value) if isinstance(value, tuple) else value


def _listed(values) -> str:
    # Numbers as people write them (1, not 1.0: the vocabulary file is written by Rust).
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def _number(name: str, value, choices) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LabTypeError(f"{name} must be a number, one of {_listed(choices)} (got {type(value).__name__} {value!r})")
    return float(value)


def _choose(name: str, value, choices) -> str:
    if not isinstance(value, str):
        raise LabTypeError(f"{name} must be a string, one of {', '.join(choices)} (got {type(value).__name__})")
    if value not in choices:
        raise LabValueError(f"{name}: {value!r} is not one; choose {', '.join(choices)}")
    return value


def _whole(name: str, value, lo: int, hi: int, what: str = "", also=()) -> int:
    if isinstance(value, str) and value in also:
        return value
    either = "".join(f"{a!r} or " for a in also)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise LabTypeError(f"{name} must be {either}{what}a whole number from {lo} to {hi} (got {type(value).__name__} {value!r})")
    if not lo <= value <= hi:
        raise LabValueError(f"{name} must be {either}{what}a whole number from {lo} to {hi} (got {value})")
    return int(value)


def _one_of(name: str, value, choices) -> float:
    number = _number(name, value, choices)
    for v in choices:
        if math.isclose(number, v, rel_tol=1e-9):
            return float(v)
    raise LabValueError(f"{name}: choose one of {_listed(choices)} (got {number:g})")


def _subset(entry, value) -> list:
    """Some of the setting's choices, in their order (names: not a string; numbers: matched as numbers)."""
    name, choices = entry["name"], entry["choices"]
    one = entry.get("one")
    plural = f"{one}s" if one else name
    if isinstance(value, (str, bytes)):
        raise LabTypeError(
            f"{name} must be a list of {plural} from {_listed(choices)}, e.g. [{value!r}] (got the string {value!r})"
        )
    if not isinstance(value, (list, tuple)):
        raise LabTypeError(f"{name} must be a list of {plural} from {_listed(choices)} (got {type(value).__name__})")
    if all(isinstance(c, str) for c in choices):
        bad = [v for v in value if not isinstance(v, str) or v not in choices]
        if bad:
            raise LabValueError(f"{name}: {bad[0]!r} is not a {one or 'choice'}; the {plural} are {_listed(choices)}")
        picked = set(value)
    else:
        picked = {_one_of(name, v, choices) for v in value}
    if not picked:
        raise LabValueError(f"{name}: {entry['empty']}")
    return [c for c in choices if c in picked]


def _check(entry, value, axis):
    """One setting's value checked by its type in the table; a clear ValueError or TypeError names the choices."""
    name, kind = entry["name"], entry["type"]
    if kind == "choice":
        return _choose(name, value, entry["choices"])
    if kind == "whole":
        return _whole(name, value, entry["min"], entry["max"], entry.get("what", ""), tuple(entry.get("also", ())))
    if kind == "number":
        return _one_of(name, value, entry["choices"])
    if kind == "subset":
        return [float(v) if not isinstance(v, str) else v for v in _subset(entry, value)]
    if kind == "lighting":
        values = LIGHTING[axis][0]
        number = _number(name, value, values)
        for v in values:
            if math.isclose(number, v, abs_tol=1e-9):
                return float(v)
        raise LabValueError(f"{name}: for {axis} choose one of {_listed(values)} (got {number:g})")
    raise RuntimeError(f"the lab's settings table gives {name} the unknown type {kind!r}")


class Lab(anywidget.AnyWidget):
    """The page's lab in a notebook: small networks trained live on real
    photos, one experiment or all of them. It opens on runs recorded with
    ``normscope train``; "Run it here" (or :meth:`run`) trains them again in
    the notebook's page and says whether each equals its recording bit for bit.

    Traits (synced both ways unless read-only)::

        experiment       one experiment (Lab.EXPERIMENTS: race, lighting, lr, batch, …),
                         or "" for all;
                         changing it rebuilds the view
        task             "what" (which photo), "day-night" (its lighting) or "photos"
                         (your own: ``Lab(task_images={"cat": [...], "dog": [...]})``, each
                         photo an H×W×3 uint8 array or a path; 2–6 classes, up to 50 photos
                         each, checked and scaled as ``normscope train --task-dir`` does;
                         they stay in this notebook's page; the default task when given)
        steps            steps per network, 1 to 2000 (recorded runs exist for 200)
        seeds            how many seeds (1..=N) "Run it here" trains per network, 1 to 10
        kinds            the kinds that race: none, batch, instance, layer, group,
                         batch-instance, ibn (kept in that order)
        axis, at         the lighting experiment's axis (contrast, brightness, gamma)
                         and the test lighting shown (one of the axis' values; a new
                         axis keeps `at` if it is one of its values, else shows
                         contrast 0.5 or the trained value)
        lr               the learning-rate experiment's peak rate: 0.05, 0.2, 0.5, 1 or 2
        compare, checkpoint   the neighbours experiment's kinds and the training step shown
                         (0 to 2000)
        channel, stage   the pooled experiment's channel ("auto": the classifier's heaviest)
                         and where it is read: norm, relu or features
        momentum, momenta     the evaluation-mode experiment's network shown and the
                         momenta "Run it here" trains: 0.01, 0.1, 0.5, 1
        results  (read-only)  the runs each shown panel holds, by set ("race-what", "lr", …):
                         {"experiments", "running", "error", "runs": [{"kind", "source"
                         ("recorded" | "here"), "status", "accuracy", "steps", "steps_done",
                         "seconds", "same_as_recorded", "difference", "config", "loss",
                         "curve", "lighting", "probes", "message"}]}; updated when runs
                         show, start or end
        status   (read-only)  the lab's notice and status lines, one per line

    Bad values raise ValueError (TypeError for a wrong type) naming the
    choices; both are traitlets.TraitError too.
    """

    #: The experiments this installation's lab has (its ``PANELS``).
    EXPERIMENTS = EXPERIMENTS
    #: The kinds, tasks, lighting axes, learning rates, stages and momenta it accepts.
    KINDS, TASKS, LIGHTING, LR_CHOICES, STAGES, MOMENTA = KINDS, TASKS, LIGHTING, LR_CHOICES, STAGES, MOMENTA
    #: The settings (traits), in the table's order.
    SETTINGS = SETTINGS

    _esm = _STATIC / "widget.js"
    _module = t.Unicode("lab.js").tag(sync=True)
    _tasks = t.Dict().tag(sync=True)
    _recorded = t.Dict().tag(sync=True)
    # The reader's own photo task (Lab(task_images=…)), ready for the engine.
    _photos = t.List().tag(sync=True)

    # Any: the validators check types themselves, to raise TypeError and
    # ValueError with the choices named.
    experiment = t.Any("").tag(sync=True)
    # One trait per entry of the settings table, with its default.
    for _entry in SETTINGS_TABLE:
        vars()[_entry["name"]] = t.Any(_default(_entry)).tag(sync=True)
    del _entry

    results = t.Dict(read_only=True).tag(sync=True)
    status = t.Unicode("", read_only=True).tag(sync=True)

    def __init__(self, experiment=None, task_images=None, **kwargs):
        if not _STATIC.joinpath("widget.js").is_file() or not EXPERIMENTS or not SETTINGS:
            raise RuntimeError(
                "normscope's lab front end is missing from this installation; "
                "install with `pip install ./python` from a clone of the repository"
            )
        unknown = sorted(set(kwargs) - {*SETTINGS, "layout"})
        if unknown:
            raise TypeError(f"Lab() got an unexpected argument {unknown[0]!r}")
        # `at` belongs to the axis: set it after the axis (which resets it).
        at = kwargs.pop("at", None)
        # The lab's data goes with the widget's first state, before any view.
        tasks = {p.stem: p.read_bytes() for p in sorted((_STATIC / "tasks").glob("*.rgb"))}
        recorded = {p.name: p.read_text() for p in sorted((_STATIC / "recorded").glob("*.json"))}
        photos = [] if task_images is None else task_photos(task_images)
        if photos:
            kwargs.setdefault("task", "photos")
        super().__init__(experiment="" if experiment is None else experiment, _tasks=tasks, _recorded=recorded,
                         _photos=photos, **kwargs)
        if at is not None:
            self.at = at

    @t.validate("experiment")
    def _check_experiment(self, proposal):
        value = proposal["value"]
        if value == "":
            return value
        return _choose("experiment", value, EXPERIMENTS)

    # (A placeholder name when the table is missing: then Lab() refuses to start.)
    @t.validate(*(SETTINGS or ("_no_settings",)))
    def _check_setting(self, proposal):
        value = _check(_BY_NAME[proposal["trait"].name], proposal["value"], self.axis)
        if proposal["trait"].name == "task" and value == "photos" and not self._photos:
            raise LabValueError(
                "task 'photos' trains on your own photos: give them when making the Lab, "
                "e.g. normscope.Lab(task_images={'cat': ['cat1.jpg', ...], 'dog': [...]})"
            )
        return value

    @t.observe("axis")
    def _axis_changed(self, change):
        values = LIGHTING[change["new"]][0]
        if not any(math.isclose(float(self.at), v, abs_tol=1e-9) for v in values):
            self.at = _default_at(change["new"])

    def _panel(self, experiment, verb):
        if experiment is None:
            if not self.experiment:
                raise LabValueError(
                    f"this Lab shows every experiment: say which to {verb}, e.g. lab.{verb}('race')"
                )
            return self.experiment
        _choose("experiment", experiment, EXPERIMENTS)
        if self.experiment and experiment != self.experiment:
            raise LabValueError(f"this Lab shows {self.experiment!r}, not {experiment!r}")
        return experiment

    def run(self, experiment=None):
        """Press the experiment's "Run it here": train its networks in the notebook's page.

        The runs go on after this returns; ``results`` and ``status`` follow
        them (observe them with ``lab.observe(callback, "results")``).
        """
        self.send({"type": "run", "experiment": self._panel(experiment, "run")})

    def stop(self, experiment=None):
        """Press the experiment's Stop: its runs stop between two slices of steps."""
        self.send({"type": "stop", "experiment": self._panel(experiment, "stop")})
