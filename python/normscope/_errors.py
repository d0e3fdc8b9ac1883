"""The Lab's two errors, apart so that both lab.py and _photos.py raise them
without importing each other."""

import traitlets as t


class LabValueError(t.TraitError, ValueError):
    """A bad value for a Lab setting (a ``ValueError``, and a ``TraitError`` for traitlets)."""


class LabTypeError(t.TraitError, TypeError):
    """A Lab setting of the wrong type (a ``TypeError``, and a ``TraitError`` for traitlets)."""
