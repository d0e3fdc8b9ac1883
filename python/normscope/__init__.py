"""normscope: batch vs instance normalization, on real photographs.

The same Rust core as the `normscope` command-line tool and the web page:

    >>> import numpy as np, normscope
    >>> y = normscope.normalize(np.random.rand(2, 3, 8, 8), "instance")
    >>> y.shape, y.dtype
    ((2, 3, 8, 8), dtype('float32'))

and, in a notebook, the page's widget: ``normscope.Scope(images=[...])``.
"""

from ._normscope import KINDS, check_image
from ._normscope import normalize as _normalize

__all__ = ["KINDS", "Scope", "check_image", "normalize"]


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
    import numpy as np

    if not hasattr(x, "__array__") and not hasattr(x, "__array_interface__"):
        if isinstance(x, (list, tuple)):
            x = np.asarray(x)
    elif not isinstance(x, np.ndarray):
        x = np.asarray(x)
    return _normalize(x, norm, groups=groups, rho=rho, eps=eps)


def __getattr__(name):
    # The widget needs anywidget (and through it ipywidgets): imported only
    # when asked for, so the NumPy API starts fast.
    if name == "Scope":
        from .widget import Scope

        return Scope
    raise AttributeError(f"module 'normscope' has no attribute {name!r}")
