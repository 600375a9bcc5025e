"""A folder of images, one sub-folder per class (``ROOT/cat/*.png``), or ``ROOT/train/`` and ``ROOT/test/``.

All images are resized to the most common size (or ``size``×``size``); the data set is grayscale when every
image is (R = G = B), else RGB. Without train/ and test/, the last 20% of each class (by file name) are test.
Each image is decoded as an image viewer shows it (``trainer.data.pixels``). Sizes are bounded: without
``?size=`` the most common size may be at most 1024 pixels a side, and the decoded images may take at most
100× the files' size (plus 64 MiB) and 8 GiB; otherwise the message asks for ``?size=N``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.data.pixels import oriented_size, read_rgb
from trainer.errors import DataError
from trainer.limits import MAX_DATASET_BYTES, expansion_limit

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
MAX_AUTO_SIDE = 1024  # without ?size=, the most common size may be at most this many pixels a side
Progress = Callable[[str, int, int], None]


def load_folder(root: Path, spec: str, *, size: int | None = None,
                progress: Progress | None = None) -> Dataset:
    """The images under ``root``, train rows first; class names are the sub-folder names, sorted."""
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    split = (root / "train").is_dir() and (root / "test").is_dir()
    parts = [root / "train", root / "test"] if split else [root]
    tables = [class_files(part) for part in parts]
    class_names = sorted({name for table in tables for name in table})
    if not class_names:
        raise DataError(f"{root}: no images found; expected one sub-folder per class holding "
                        f"{'/'.join(sorted(e[1:] for e in EXTENSIONS))} files")
    rows = _rows(tables, class_names)
    paths = [path for path, _, _ in rows]
    images = read_images(paths, _target_size(paths, size), progress)
    labels = np.array([label for _, label, _ in rows], dtype=np.int64)
    n_train = sum(not test for _, _, test in rows)
    return Dataset(spec, images, labels, class_names, n_train, source=str(root))


def class_files(folder: Path) -> dict[str, list[Path]]:
    """Sub-folder name -> its image files sorted by name (hidden files and other types skipped)."""
    try:
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        table = {sub.name: sorted(p for p in sub.iterdir() if p.suffix.lower() in EXTENSIONS
                                  and not p.name.startswith(".") and p.is_file()) for sub in subs}
    except OSError as e:
        raise DataError(f"{folder}: cannot list: {e}") from e
    return {name: files for name, files in table.items() if files}


def _rows(tables: list[dict[str, list[Path]]], class_names: list[str]) -> list[tuple[Path, int, bool]]:
    """(path, label, is_test) ordered train first; one table = split each class 80/20 by file order."""
    rows = []
    for label, name in enumerate(class_names):
        for part, table in enumerate(tables):
            files = table.get(name, [])
            n_train = len(files) - len(files) // 5 if len(tables) == 1 else (len(files) if part == 0 else 0)
            rows += [(path, label, i >= n_train) for i, path in enumerate(files)]
    return sorted(rows, key=lambda row: row[2])  # stable: classes stay in order within each split


def _target_size(paths: list[Path], size: int | None) -> tuple[int, int]:
    """(width, height): size×size when given, else the most common image size as shown (EXIF orientation
    applied), which must be at most MAX_AUTO_SIDE a side. Both are checked against the memory budget."""
    if size is not None:
        target = (size, size)
    else:
        counts = Counter(oriented_size(path) for path in paths)
        target = counts.most_common(1)[0][0]
        if max(target) > MAX_AUTO_SIDE:
            raise DataError(f"{paths[0].parent.parent}: the images are {target[0]}×{target[1]} pixels, "
                            f"larger than {MAX_AUTO_SIDE} a side: add ?size=N (4…1024) to resize them to "
                            "N×N, e.g. ?size=64")
    _check_budget(paths, target)
    return target


def _check_budget(paths: list[Path], size: tuple[int, int]) -> None:
    """The decoded images (RGB while reading) may take at most MAX_DATASET_BYTES, and at most
    ``expansion_limit`` of the files' total size: a folder of small blank PNGs cannot fill memory."""
    need = len(paths) * size[0] * size[1] * 3
    try:
        on_disk = sum(path.stat().st_size for path in paths)
    except OSError as e:
        raise DataError(f"{e.filename}: cannot read: {e.strerror}") from e
    budget = min(MAX_DATASET_BYTES, expansion_limit(on_disk))
    if need > budget:
        raise DataError(f"{paths[0].parent.parent}: {len(paths):,} images of {size[0]}×{size[1]} would take "
                        f"{need / 2**20:,.0f} MiB decoded (from {on_disk / 2**20:,.1f} MiB of files; at most "
                        f"{budget / 2**20:,.0f} MiB): add a smaller ?size=N")


def read_images(paths: list[Path], size: tuple[int, int], progress: Progress | None) -> np.ndarray:
    """uint8 N×C×H×W: C = 1 when every image is gray (R = G = B), else 3."""
    rgb = np.empty((len(paths), size[1], size[0], 3), dtype=np.uint8)
    for i, path in enumerate(paths):
        rgb[i] = read_image(path, size)
        if progress and (i % 200 == 199 or i == len(paths) - 1):
            progress("reading images", i + 1, len(paths))
    gray = bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())
    return rgb[..., :1].transpose(0, 3, 1, 2).copy() if gray else rgb.transpose(0, 3, 1, 2).copy()


def read_image(path: Path, size: tuple[int, int]) -> np.ndarray:
    """One image as RGB H×W×3 at ``size`` (width, height), decoded as a viewer shows it
    (``trainer.data.pixels``: bit depth, palette, transparency over white, EXIF orientation, ICC profile)."""
    return read_rgb(path, size)
