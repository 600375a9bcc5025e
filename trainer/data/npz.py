"""A data set saved with ``numpy.savez``: arrays ``images`` and ``labels`` and a few optional ones.

- ``images``: N×H×W (grayscale); or 4-D: N×C×H×W when axis 1 is 1 or 3, else N×H×W×C when the last axis is
  1 or 3. uint8 as is; bool as 0/255; floats in [0, 1] scaled to 0..255; other integers must lie in 0..255.
- ``labels``: N non-negative integers (optional: without it every image is of one class "all").
- ``class_names``: strings, at least max(label)+1 of them (default "0", "1"...).
- ``attributes``: N×A of bool, 0/1 or -1/1; ``attribute_names``: A strings (default "attribute 0"...).
- ``n_train``: how many leading rows are the training split (default: the first 80%).
Read with ``allow_pickle=False``: object arrays are refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError


def load_npz(path: Path, spec: str) -> Dataset:
    arrays = read_arrays(path)
    if "images" not in arrays:
        raise DataError(f"{path}: no array named 'images' (found: {', '.join(arrays) or 'nothing'})")
    images = to_images(arrays["images"], path)
    n = len(images)
    labels = to_labels(arrays.get("labels"), n, path)
    class_names = _names(arrays.get("class_names"), int(labels.max(initial=0)) + 1, "", path, "class_names")
    if "labels" not in arrays:
        class_names = ["all"]
    attributes, attribute_names = to_attributes(arrays.get("attributes"), arrays.get("attribute_names"),
                                                n, path)
    n_train = _n_train(arrays.get("n_train"), n, path)
    return Dataset(spec, images, labels, class_names, n_train, attributes, attribute_names, str(path))


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array in the file, loaded now; DataError for a missing, corrupt or pickled file."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not hasattr(archive, "files"):
            raise DataError(f"{path}: a single .npy array, expected a .npz archive with 'images'")
        with archive:
            return {name: archive[name] for name in archive.files}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: cannot read as .npz: {e}") from e
    except Exception as e:  # zlib, struct, MemoryError... from damaged archives
        raise DataError(f"{path}: damaged .npz: {type(e).__name__}: {e}") from e


def to_images(x: np.ndarray, path: Path) -> np.ndarray:
    """uint8 N×C×H×W from any of the accepted layouts and value types."""
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[1] not in (1, 3) and x.shape[3] in (1, 3):
        x = x.transpose(0, 3, 1, 2)
    elif x.ndim != 4 or x.shape[1] not in (1, 3):
        raise DataError(f"{path}: images of shape {x.shape}: expected N×H×W, or N×C×H×W or N×H×W×C "
                        "with C = 1 or 3")
    return np.ascontiguousarray(_to_uint8(x, path))


def _to_uint8(x: np.ndarray, path: Path) -> np.ndarray:
    if x.dtype == np.uint8:
        return x
    if x.dtype == bool:
        return x.astype(np.uint8) * 255
    if np.issubdtype(x.dtype, np.floating):
        if x.size and not (np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1):
            raise DataError(f"{path}: float images must lie in [0, 1]")
        return np.rint(x * 255).astype(np.uint8)
    if np.issubdtype(x.dtype, np.integer):
        if x.size and (x.min() < 0 or x.max() > 255):
            raise DataError(f"{path}: integer images must lie in 0..255")
        return x.astype(np.uint8)
    raise DataError(f"{path}: images of type {x.dtype}: expected uint8, bool, integers or floats")


def to_labels(y: np.ndarray | None, n: int, path: Path) -> np.ndarray:
    if y is None:
        return np.zeros(n, dtype=np.int64)
    if y.shape != (n,) or not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        raise DataError(f"{path}: labels must be {n} integers, got {y.dtype} {y.shape}")
    if n and y.min() < 0:
        raise DataError(f"{path}: labels must not be negative")
    return y.astype(np.int64)


def to_attributes(a: np.ndarray | None, names: np.ndarray | None, n: int,
                  path: Path) -> tuple[np.ndarray | None, list[str]]:
    if a is None:
        return None, []
    if a.ndim != 2 or len(a) != n or not (a.dtype == bool or np.issubdtype(a.dtype, np.number)):
        raise DataError(f"{path}: attributes must be N×A ({n} rows) of bool or numbers, "
                        f"got {a.dtype} {a.shape}")
    if a.dtype != bool and not np.isin(a, [-1, 0, 1]).all():
        raise DataError(f"{path}: attributes must be bool, 0/1 or -1/1")
    return a > 0, _names(names, a.shape[1], "attribute ", path, "attribute_names")


def _names(names: np.ndarray | None, count: int, prefix: str, path: Path, what: str) -> list[str]:
    """``count`` names from a string array (at least that long), or "{prefix}0", "{prefix}1"..."""
    if names is None:
        return [f"{prefix}{i}" for i in range(count)]
    if names.ndim != 1 or names.dtype.kind not in "US" or len(names) < count:
        raise DataError(f"{path}: {what} must be at least {count} strings, got {names.dtype} {names.shape}")
    values = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in names.tolist()]
    return values if what == "class_names" else values[:count]


def _n_train(value: np.ndarray | None, n: int, path: Path) -> int:
    if value is None:
        return int(n * 0.8)
    if value.size != 1 or not np.issubdtype(value.dtype, np.integer) or not 0 <= int(value.item()) <= n:
        raise DataError(f"{path}: n_train must be one integer in 0..{n}")
    return int(value.item())
