"""normscope: batch vs instance normalization, on real photographs.

The same Rust core as the `normscope` command-line tool and the web page:

    >>> import numpy as np, normscope
    >>> y = normscope.normalize(np.random.rand(2, 3, 8, 8), "instance")
    >>> y.shape, y.dtype
    ((2, 3, 8, 8), dtype('float32'))

and, in a notebook, the page's widget, ``normscope.Scope(images=[...])``, and
its lab, ``normscope.Lab(experiment="race")``.
"""

import json as _json
import os as _os

from ._normscope import KINDS, check_image
from ._normscope import _train
from ._normscope import grad as _grad
from ._normscope import normalize as _normalize

__all__ = ["KINDS", "Lab", "Scope", "check_image", "grad", "normalize", "train"]


def _as_array(x):
    """NumPy's view of array-likes (a list, a CPU torch tensor); arrays as they are."""
    import numpy as np

    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)) or hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        return np.asarray(x)
    return x


def normalize(x, norm, *, groups=None, rho=None, eps=1e-5):
    """Normalize an N×C×H×W float32/float64 array; returns a new float32 array.

    Exactly ``normscope normalize --norm NORM [--groups G] [--rho R] [--eps E]``
    on the same array saved as .npy: batch norm uses the batch's own
    statistics (training mode), float64 input is rounded to float32 first,
    the variance is the biased one, ``y = (x - mean) / sqrt(var + eps)``.

    ``norm`` is one of ``normscope.KINDS``: batch, instance, layer, group
    (needs ``groups``, dividing C) or batch-instance (needs ``rho`` in [0, 1]).
    Anything NumPy can view as an array is accepted (``np.asarray``, no copy
    for an ndarray). Raises ValueError (TypeError for a wrong type) with the
    core's message. The computation runs without the GIL.
    """
    x = _as_array(x)
    return _normalize(x, norm, groups=groups, rho=rho, eps=eps)


def grad(x, dy, norm, *, groups=None, rho=None, eps=1e-5):
    """The backward pass of :func:`normalize`: ∂L/∂x given dy = ∂L/∂y.

    Exactly ``normscope grad --norm NORM --dy dy.npy x.npy``: training-mode
    statistics, no γ/β, float32 result with x's shape. Check a hand-written
    batch-norm backward against it. Errors as :func:`normalize`, prefixed
    with ``x:`` or ``dy:``.
    """
    return _grad(_as_array(x), _as_array(dy), norm, groups=groups, rho=rho, eps=eps)


def train(norm, *, task="what", groups=None, steps=None, batch=None, lr=None, seed=None, widths=None,
          eval_every=None, task_dir=None, **settings):
    """Train the small network of the lab and return its run record (a dict).

    Exactly ``normscope train --norm NORM [--task T] [--groups G] [--steps N]
    [--batch B] [--lr LR] [--seed S] [--widths A,B,C] [--eval-every K]``: the same record as its RUN.json
    (config, loss per step, test accuracy and curve, accuracy under
    contrast/brightness/gamma shifts, running statistics, ...); the same
    arguments give the same record. ``norm``: none, batch, instance, layer,
    group, batch-instance or ibn; ``task``: what or day-night. Any other
    field of RUN.json's config (``momentum``, ``weight_decay``,
    ``bn_momentum``, ``eps``) may be given by name. Raises ValueError for bad
    arguments (the message the page's Trainer gives for the same field) and
    for a run that diverges. Runs without the GIL.

    ``task_dir`` (a path; ``--task-dir``) trains on your own photos instead
    of ``task``: one folder per class inside it, as torchvision's
    ImageFolder; the record's ``classes`` are the folder names, sorted.
    Files that are not photos are skipped with a UserWarning naming them.
    """
    if task_dir is not None:
        if task != "what":
            raise ValueError(f"give task or task_dir, not both (got task={task!r})")
        task_dir = _os.fspath(task_dir)
    given = {"norm": norm, "task": task, "groups": groups, "steps": steps, "batch": batch, "lr": lr, "seed": seed,
             "widths": None if widths is None else list(widths), "eval_every": eval_every, **settings}
    # The core reads the config (as the page's Trainer does) and names a bad field.
    return _json.loads(_train({key: value for key, value in given.items() if value is not None}, task_dir=task_dir))


def __getattr__(name):
    # The widget needs anywidget (and through it ipywidgets): imported only
    # when asked for, so the NumPy API starts fast.
    if name == "Scope":
        from .widget import Scope

        return Scope
    if name == "Lab":
        from .lab import Lab

        return Lab
    raise AttributeError(f"module 'normscope' has no attribute {name!r}")
