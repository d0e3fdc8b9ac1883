"""The notebook's own-photo task: ``Lab(task_images=…)`` made ready by the
core, as ``normscope train --task-dir`` reads a folder (``_task_photo``: the
file judge, ``check_photo_size``, ``scale_for_task``; ``_check_photo_task``:
``Dataset::from_classes``). The widget sends the result to the page's
``js/lab/photos.js``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from ._errors import LabTypeError, LabValueError


def task_photos(task_images):
    """``task_images`` ({class name: [photos]}) made ready as ``--task-dir`` reads a folder.

    Each photo is an H×W×3 (or ×4: alpha dropped) uint8 NumPy array or a path;
    the core checks and scales each one and then the whole task
    (``Dataset::from_classes``: 2–6 classes, distinct names, a photo in each,
    the limits). Paths that do not end like a photo are skipped with a warning.
    Returns [{"name", "photos": [{"name", "width", "height", "rgb"}]}].
    """
    from ._normscope import _check_photo_task, _is_photo_name, _task_photo

    if not isinstance(task_images, dict):
        raise LabTypeError(
            "task_images must be a dict of class name -> list of photos (H×W×3 uint8 NumPy arrays or paths), "
            f"e.g. {{'cat': ['cat1.jpg'], 'dog': [dog_array]}} (got {type(task_images).__name__})"
        )
    classes, skipped = [], []
    for name, photos in task_images.items():
        if not isinstance(name, str):
            raise LabTypeError(f"task_images: a class name must be a string (got {type(name).__name__} {name!r})")
        if isinstance(photos, (str, bytes, os.PathLike)) or not hasattr(photos, "__iter__") or hasattr(photos, "shape"):
            raise LabTypeError(f"task_images[{name!r}] must be a list of photos, e.g. [{photos!r}]"[:200])
        ready = []
        for i, photo in enumerate(photos):
            if isinstance(photo, (str, os.PathLike)):
                path = Path(photo)
                label = f"{name}/{path.name}"
                if not _is_photo_name(path.name):
                    skipped.append(label)
                    continue
                try:
                    data = path.read_bytes()
                except OSError as e:
                    raise LabValueError(f"{label}: cannot read the file ({e.strerror})") from None
                w, h, rgb = _task_photo(label, data)
            elif hasattr(photo, "shape") and hasattr(photo, "dtype"):
                label = f"{name}/{i + 1}"
                if photo.dtype.name != "uint8" or photo.ndim != 3 or photo.shape[2] not in (3, 4):
                    raise LabValueError(
                        f"{label}: an array photo must be H×W×3 (or ×4) uint8, as an image file decodes "
                        f"(got {photo.dtype.name} of shape {tuple(photo.shape)})"
                    )
                import numpy as np

                pixels = np.ascontiguousarray(photo[:, :, :3])
                w, h, rgb = _task_photo(label, pixels.tobytes(), pixels.shape[1], pixels.shape[0])
            else:
                raise LabTypeError(f"{name}/{i + 1}: a photo must be a NumPy array or a path (got {type(photo).__name__})")
            ready.append((label, w, h, rgb))
        classes.append((name, ready))
    if skipped:
        warnings.warn(f"skipped {len(skipped)} file(s) that are not photos: {', '.join(skipped)}", UserWarning, stacklevel=3)
    try:
        _check_photo_task(classes)
    except ValueError as e:
        raise LabValueError(f"task_images: {e}") from None
    return [{"name": n, "photos": [{"name": p[0], "width": p[1], "height": p[2], "rgb": p[3]} for p in ps]}
            for n, ps in classes]
