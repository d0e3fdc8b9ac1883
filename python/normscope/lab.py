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
built), so a panel added to the lab needs no change here.
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path

import anywidget
import traitlets as t

_STATIC = Path(__file__).resolve().parent / "_static"


class LabValueError(t.TraitError, ValueError):
    """A bad value for a Lab setting (a ``ValueError``, and a ``TraitError`` for traitlets)."""


class LabTypeError(t.TraitError, TypeError):
    """A Lab setting of the wrong type (a ``TypeError``, and a ``TraitError`` for traitlets)."""


def _experiments() -> tuple:
    try:
        return tuple(json.loads((_STATIC / "lab.json").read_text())["experiments"])
    except (OSError, ValueError, KeyError):
        return ()


#: The experiments ``<norm-lab experiment=…>`` accepts (read from the element when the package was built).
EXPERIMENTS = _experiments()

# The lab's vocabulary as www/js/lab/config.js and state.js define it
# (tests/test_lab_widget.py checks these against those modules).
#: The networks' normalization kinds, in the lab's order.
KINDS = ("none", "batch", "instance", "layer", "group", "batch-instance", "ibn")
#: The training tasks.
TASKS = ("what", "day-night")
#: Steps per run, at least and at most (the race offers 50, 100, 200, 400).
STEPS = (1, 2000)
#: The test-time lighting each axis sweeps, and the value trained at.
LIGHTING = {
    "contrast": ((0.25, 0.35, 0.5, 0.7, 1, 1.4, 2), 1),
    "brightness": ((-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3), 0),
    "gamma": ((0.4, 0.55, 0.75, 1, 1.35, 1.8, 2.5), 1),
}
#: The peak learning rates of the learning-rate experiment.
LR_CHOICES = (0.05, 0.2, 0.5, 1, 2)
#: Where the pooled experiment reads the channels.
STAGES = ("norm", "relu", "features")
#: The batch-norm momenta of the evaluation-mode experiment.
MOMENTA = (0.01, 0.1, 0.5, 1)
#: Training steps the neighbours experiment can show, at least and at most.
CHECKPOINTS = (0, 2000)


#: The settings that are traits (each a lab-* parameter of the page).
SETTINGS = ("task", "steps", "kinds", "axis", "at", "lr", "compare", "checkpoint", "channel", "stage", "momentum",
            "momenta")


def _default_at(axis: str) -> float:
    """The lighting shown first on an axis: contrast 0.5, else the trained value (as state.js)."""
    return 0.5 if axis == "contrast" else float(LIGHTING[axis][1])


def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LabTypeError(f"{name} must be a number (got {type(value).__name__} {value!r})")
    return float(value)


def _choose(name: str, value, choices) -> str:
    if not isinstance(value, str):
        raise LabTypeError(f"{name} must be a string, one of {', '.join(choices)} (got {type(value).__name__})")
    if value not in choices:
        raise LabValueError(f"{name}: {value!r} is not one; choose {', '.join(choices)}")
    return value


def _whole(name: str, value, lo: int, hi: int, what: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise LabTypeError(f"{name} must be {what}a whole number from {lo} to {hi} (got {type(value).__name__} {value!r})")
    if not lo <= value <= hi:
        raise LabValueError(f"{name} must be {what}a whole number from {lo} to {hi} (got {value})")
    return int(value)


def _one_of(name: str, value, choices) -> float:
    number = _number(name, value)
    for v in choices:
        if math.isclose(number, v, rel_tol=1e-9):
            return float(v)
    raise LabValueError(f"{name}: choose one of {', '.join(str(v) for v in choices)} (got {number:g})")


def _kinds(name: str, value, empty: str) -> list:
    if isinstance(value, str):
        raise LabTypeError(f"{name} must be a list of kinds, e.g. [{value!r}] (got the string {value!r})")
    if not isinstance(value, (list, tuple)):
        raise LabTypeError(f"{name} must be a list of kinds (got {type(value).__name__})")
    bad = [k for k in value if k not in KINDS]
    if bad:
        raise LabValueError(f"{name}: {bad[0]!r} is not a kind; the kinds are {', '.join(KINDS)}")
    if not value:
        raise LabValueError(f"{name}: {empty}")
    return [k for k in KINDS if k in value]


class Lab(anywidget.AnyWidget):
    """The page's lab in a notebook: small networks trained live on real
    photos, one experiment or all of them. It opens on runs recorded with
    ``normscope train``; "Run it here" (or :meth:`run`) trains them again in
    the notebook's page and says whether each equals its recording bit for bit.

    Traits (synced both ways unless read-only)::

        experiment       one experiment (Lab.EXPERIMENTS: race, lighting, lr, batch, …),
                         or "" for all;
                         changing it rebuilds the view
        task             "what" (which photo) or "day-night" (its lighting)
        steps            steps per network, 1 to 2000 (recorded runs exist for 200)
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

    _esm = _STATIC / "widget.js"
    _module = t.Unicode("lab.js").tag(sync=True)
    _tasks = t.Dict().tag(sync=True)
    _recorded = t.Dict().tag(sync=True)

    # Any: the validators below check types themselves, to raise TypeError
    # and ValueError with the choices named.
    experiment = t.Any("").tag(sync=True)
    task = t.Any("what").tag(sync=True)
    steps = t.Any(200).tag(sync=True)
    kinds = t.Any(list(KINDS)).tag(sync=True)
    axis = t.Any("contrast").tag(sync=True)
    at = t.Any(0.5).tag(sync=True)
    lr = t.Any(1.0).tag(sync=True)
    compare = t.Any(["batch", "instance", "group"]).tag(sync=True)
    checkpoint = t.Any(200).tag(sync=True)
    channel = t.Any("auto").tag(sync=True)
    stage = t.Any("norm").tag(sync=True)
    momentum = t.Any(0.1).tag(sync=True)
    momenta = t.Any(list(MOMENTA)).tag(sync=True)

    results = t.Dict(read_only=True).tag(sync=True)
    status = t.Unicode("", read_only=True).tag(sync=True)

    def __init__(self, experiment=None, **kwargs):
        if not _STATIC.joinpath("widget.js").is_file() or not EXPERIMENTS:
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
        super().__init__(experiment="" if experiment is None else experiment, _tasks=tasks, _recorded=recorded,
                         **kwargs)
        if at is not None:
            self.at = at

    @t.validate("experiment")
    def _check_experiment(self, proposal):
        value = proposal["value"]
        if value == "":
            return value
        return _choose("experiment", value, EXPERIMENTS)

    @t.validate("task")
    def _check_task(self, proposal):
        return _choose("task", proposal["value"], TASKS)

    @t.validate("steps")
    def _check_steps(self, proposal):
        return _whole("steps", proposal["value"], *STEPS)

    @t.validate("kinds")
    def _check_kinds(self, proposal):
        return _kinds("kinds", proposal["value"], "keep at least one kind in the race")

    @t.validate("compare")
    def _check_compare(self, proposal):
        return _kinds("compare", proposal["value"], "compare at least one kind")

    @t.validate("checkpoint")
    def _check_checkpoint(self, proposal):
        return _whole("checkpoint", proposal["value"], *CHECKPOINTS, "a training step, ")

    @t.validate("channel")
    def _check_channel(self, proposal):
        value = proposal["value"]
        if value == "auto":
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise LabTypeError(f"channel must be 'auto' or a channel number (got {type(value).__name__} {value!r})")
        if not 0 <= value <= 999:
            raise LabValueError(f"channel must be 'auto' or a channel number from 0 (got {value})")
        return int(value)

    @t.validate("stage")
    def _check_stage(self, proposal):
        return _choose("stage", proposal["value"], STAGES)

    @t.validate("momentum")
    def _check_momentum(self, proposal):
        return _one_of("momentum", proposal["value"], MOMENTA)

    @t.validate("momenta")
    def _check_momenta(self, proposal):
        value = proposal["value"]
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise LabTypeError(f"momenta must be a list of momenta from {', '.join(map(str, MOMENTA))}")
        picked = {_one_of("momenta", v, MOMENTA) for v in value}
        if not picked:
            raise LabValueError("momenta: train at least one momentum")
        return [float(m) for m in MOMENTA if float(m) in picked]

    @t.validate("axis")
    def _check_axis(self, proposal):
        return _choose("axis", proposal["value"], tuple(LIGHTING))

    @t.observe("axis")
    def _axis_changed(self, change):
        values = LIGHTING[change["new"]][0]
        if not any(math.isclose(float(self.at), v, abs_tol=1e-9) for v in values):
            self.at = _default_at(change["new"])

    @t.validate("at")
    def _check_at(self, proposal):
        value = _number("at", proposal["value"])
        values = LIGHTING[self.axis][0]
        for v in values:
            if math.isclose(value, v, abs_tol=1e-9):
                return float(v)
        raise LabValueError(f"at: for {self.axis} choose one of {', '.join(str(v) for v in values)} (got {value:g})")

    @t.validate("lr")
    def _check_lr(self, proposal):
        return _one_of("lr", proposal["value"], LR_CHOICES)

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
