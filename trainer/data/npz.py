"""A data set saved with ``numpy.savez``: arrays ``images`` and ``labels`` and a few optional ones.

- ``images``: N×H×W (grayscale); or 4-D: N×C×H×W when axis 1 is 1 or 3, else N×H×W×C when the last axis is
  1 or 3. uint8 as is; bool as 0/255; floats in [0, 1] scaled to 0..255; other integers must lie in 0..255.
- ``labels``: N non-negative integers (optional: without it every image is of one class "all").
- ``class_names``: strings, at least max(label)+1 of them. Without them the classes are named by the label
  values: "0", "1"... when the values are about dense, else the distinct values in order (labels
  {0, 1000, 2000} are three classes "0", "1000", "2000"); at most 10,000 classes.
- ``attributes``: N×A of bool, 0/1 or -1/1; ``attribute_names``: A strings (default "attribute 0"...).
- ``n_train``: how many leading rows are the training split (default: the first 80%, at least one image).
Members that are not ``.npy`` are skipped. Object (pickled) arrays are refused. Members are streamed: their
.npy headers are read first and the arrays together may be at most 100× the file's size (plus 64 MiB).
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError
from trainer.limits import MAX_CLASSES, MAX_EXPANSION, expansion_limit


def load_npz(path: Path, spec: str) -> Dataset:
    arrays, skipped = read_members(path)
    if "images" not in arrays:
        found = ", ".join([*arrays, *(f"{name} (not .npy)" for name in skipped)]) or "nothing"
        raise DataError(f"{path}: no array named 'images' (found: {found})")
    images = to_images(arrays["images"], path)
    n = len(images)
    labels = to_labels(arrays.get("labels"), n, path)
    if "labels" not in arrays:
        class_names = ["all"]
    elif arrays.get("class_names") is None:
        labels, class_names = label_values(labels, path)
    else:
        class_names = _names(arrays["class_names"], int(labels.max(initial=0)) + 1, "", path, "class_names")
    attributes, attribute_names = to_attributes(arrays.get("attributes"), arrays.get("attribute_names"),
                                                n, path)
    n_train = _n_train(arrays.get("n_train"), n, path)
    return Dataset(spec, images, labels, class_names, n_train, attributes, attribute_names, str(path))


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of the archive by name (without ``.npy``); see ``read_members``."""
    return read_members(path)[0]


def read_members(path: Path) -> tuple[dict[str, np.ndarray], list[str]]:
    """(arrays by name, names of members that are not .npy and were skipped). Streamed: each member's .npy
    header is read first and the arrays may together be at most ``expansion_limit(file size)`` bytes, so a
    small zip bomb is refused before it is inflated; exactly the declared bytes are read. DataError for a
    missing, corrupt or pickled file, or one that is not a zip archive."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            magic = f.read(6)
            if magic == b"\x93NUMPY":
                raise DataError(f"{path}: a single .npy array; save the images (and labels) into one .npz "
                                "with numpy.savez(path, images=..., labels=...)")
            if magic[:2] != b"PK":
                raise DataError(f"{path}: not a .npz file (a .npz is the zip archive numpy.savez writes; "
                                f"this file starts with {magic[:4]!r})")
            with zipfile.ZipFile(f) as archive:
                return _members(archive, path, expansion_limit(size))
    except DataError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, NotImplementedError) as e:
        raise DataError(f"{path}: cannot read as .npz: {e}") from e
    except Exception as e:  # zlib, struct... from damaged archives
        raise DataError(f"{path}: damaged .npz: {type(e).__name__}: {e}") from e


def _members(archive: zipfile.ZipFile, path: Path, budget: int) -> tuple[dict[str, np.ndarray], list[str]]:
    arrays, skipped = {}, []
    for info in archive.infolist():
        if info.is_dir():
            continue
        if not info.filename.endswith(".npy"):
            skipped.append(info.filename)
            continue
        with archive.open(info) as member:
            array = _read_npy(member, path, info.filename, budget)
        budget -= array.nbytes
        arrays[info.filename[:-4]] = array
    return arrays, skipped


def _read_npy(member, path: Path, name: str, budget: int) -> np.ndarray:
    fmt = np.lib.format
    try:
        version = fmt.read_magic(member)
        read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = read_header(member)
    except ValueError as e:
        raise DataError(f"{path}: member {name} is not a .npy array ({e})") from None
    if dtype.hasobject:
        raise DataError(f"{path}: {name} holds Python objects (pickled data), which are never loaded")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > budget:
        raise DataError(f"{path}: {name} declares {shape} of {dtype} = {nbytes:,} bytes, more than "
                        f"{MAX_EXPANSION}× the file: refused (a decompression bomb?)")
    data = np.empty(nbytes, np.uint8)
    done = 0
    while done < nbytes:
        chunk = member.read(min(1 << 20, nbytes - done))
        if not chunk:
            raise DataError(f"{path}: {name} is truncated ({done:,} of {nbytes:,} bytes)")
        data[done:done + len(chunk)] = np.frombuffer(chunk, np.uint8)
        done += len(chunk)
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")


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


def label_values(labels: np.ndarray, path: Path) -> tuple[np.ndarray, list[str]]:
    """(labels, class names) when the file names no classes: the label values themselves ("0".."K-1") when
    they are about dense, else the distinct values in order (labels {0, 1000, 2000} become 0, 1, 2 named
    "0", "1000", "2000"), so that no label value makes a list of that many names."""
    values, index = np.unique(labels, return_inverse=True)
    if len(values) > MAX_CLASSES:
        raise DataError(f"{path}: labels take {len(values):,} different values; at most {MAX_CLASSES:,} "
                        "classes (are these ids rather than classes?)")
    top = int(values[-1]) if len(values) else 0
    if top < 2 * len(values):
        return labels, [str(i) for i in range(top + 1)]
    return index.astype(np.int64).reshape(labels.shape), [str(int(v)) for v in values]


def _n_train(value: np.ndarray | None, n: int, path: Path) -> int:
    if value is None:
        return max(int(n * 0.8), min(n, 1))  # one image trains (and there is no test split)
    if value.size != 1 or not np.issubdtype(value.dtype, np.integer) or not 0 <= int(value.item()) <= n:
        raise DataError(f"{path}: n_train must be one integer in 0..{n}")
    return int(value.item())
