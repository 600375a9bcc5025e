"""CelebA aligned faces: the central square of each 178×218 image, resized to 64×64 RGB, and 40 attributes.

Expects ``ROOT/img_align_celeba/*.jpg`` and ``ROOT/list_attr_celeba.txt`` (a count, the 40 attribute names,
then ``000001.jpg -1 1 ...``). ``list_eval_partition.txt`` (``000001.jpg 0``), when present, gives the split:
0 is train, 1 (validation) and 2 (test) are the test split; without it the last 10% are the test split.
Decoding 200k JPEGs takes minutes, so the decoded array is cached in the user data dir.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError
from trainer.files import atomic_file

SIZE = 64
CROP = 148 / 178  # the usual CelebA face crop: the central 148×148 of the 178-pixel-wide aligned image
Progress = Callable[[str, int, int], None]


def load_celeba(root: Path, spec: str, *, limit: int | None = None, label: str | None = None,
                progress: Progress | None = None, cache_dir: Path | None = None) -> Dataset:
    """The first ``limit`` faces (all by default); labels are one class "face", or ``label``'s two values."""
    attr_path, image_dir = root / "list_attr_celeba.txt", _image_dir(root)
    files, names, attributes = parse_attributes(_read_text(attr_path), attr_path, limit)
    split = _split(root / "list_eval_partition.txt", files)
    images = cached_images(image_dir, files, attr_path, cache_dir, progress)
    labels, class_names = _labels(label, names, attributes, attr_path)
    order = np.argsort(split, kind="stable")
    return Dataset(spec, images[order], labels[order], class_names, int((split == 0).sum()),
                   attributes[order], names, str(root))


def _image_dir(root: Path) -> Path:
    folder = root / "img_align_celeba"
    if (folder / "img_align_celeba").is_dir():  # the Kaggle archive nests it once more
        folder = folder / "img_align_celeba"
    if not folder.is_dir():
        raise DataError(f"{root}: not a CelebA folder (no img_align_celeba/ sub-folder)")
    return folder


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read: {e}") from e


def parse_attributes(text: str, path: Path,
                     limit: int | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """(image file names, attribute names, bool N×A) from list_attr_celeba.txt, the first ``limit`` rows.

    Vectorised: 200k rows × 40 values parse in about a second (a split per value took several).
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].strip().isdecimal():
        raise DataError(f"{path}: expected an image count on line 1 and attribute names on line 2")
    count, names = int(lines[0]), lines[1].split()
    if count != len(lines) - 2:
        raise DataError(f"{path}: says {count} images but lists {len(lines) - 2}")
    rows = [(line.split(None, 1) + [""])[:2] for line in lines[2:2 + (count if limit is None else limit)]]
    values = re.compile(rf"(?:[ \t]+-?[01]){{{len(names)}}}[ \t]*")
    for i, (name, rest) in enumerate(rows):
        if not values.fullmatch(" " + rest):
            raise DataError(f"{path}: line {i + 3} should be a file name and {len(names)} values of 1 or -1")
        if "/" in name or "\\" in name or name in (".", ".."):
            raise DataError(f"{path}: line {i + 3}: {name!r} is not a plain file name")
    digits = "".join(rest for _, rest in rows).replace("-1", "0").translate({ord(" "): None, ord("\t"): None})
    flags = np.frombuffer(digits.encode("ascii"), np.uint8).reshape(len(rows), len(names)) == ord("1")
    return [name for name, _ in rows], names, flags


def _split(path: Path, files: list[str]) -> np.ndarray:
    """0 for train, 1 for test, per file: from list_eval_partition.txt, else the last 10% are test."""
    if not path.is_file():
        split = np.zeros(len(files), dtype=np.int64)
        split[len(files) - (max(1, round(len(files) / 10)) if len(files) > 1 else 0):] = 1
        return split
    pairs = [line.split() for line in _read_text(path).splitlines() if line.strip()]
    bad_line = next((i for i, pair in enumerate(pairs) if len(pair) != 2), None)
    if bad_line is not None:
        raise DataError(f"{path}: line {bad_line + 1} should be a file name and a partition 0, 1 or 2")
    table = dict(pairs)
    missing = next((f for f in files if f not in table), None)
    if missing is not None:
        raise DataError(f"{path}: no partition for {missing}")
    values = [table[f] for f in files]
    bad = next((v for v in values if v not in ("0", "1", "2")), None)
    if bad is not None:
        raise DataError(f"{path}: partition {bad!r} is not 0, 1 or 2")
    return (np.array([int(v) for v in values], dtype=np.int64) > 0).astype(np.int64)


def _labels(label: str | None, names: list[str], attributes: np.ndarray,
            path: Path) -> tuple[np.ndarray, list[str]]:
    if label is None:
        return np.zeros(len(attributes), dtype=np.int64), ["face"]
    if label not in names:
        raise DataError(f"{path}: no attribute {label!r} (attributes: {', '.join(names)})")
    return attributes[:, names.index(label)].astype(np.int64), [f"not {label}", label]


def cached_images(image_dir: Path, files: list[str], attr_path: Path, cache_dir: Path | None,
                  progress: Progress | None) -> np.ndarray:
    """The decoded faces N×3×64×64: from the cache when it holds exactly these files, else decoded, cached."""
    if cache_dir is None:
        return decode_faces(image_dir, files, progress)
    stat = attr_path.stat()
    key = hashlib.sha1(f"{image_dir.resolve()}|{len(files)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    cache = cache_dir / f"celeba-{key.hexdigest()[:16]}.npz"
    images = _read_cache(cache, files)
    if images is None:
        images = decode_faces(image_dir, files, progress)
        with atomic_file(cache) as f:
            np.savez(f, images=images, files=np.array(files))
    return images


def _read_cache(cache: Path, files: list[str]) -> np.ndarray | None:
    """The cached images, or None when the cache is missing, unreadable or for other files (it is rebuilt)."""
    try:
        with np.load(cache, allow_pickle=False) as z:
            if z["files"].tolist() == files and z["images"].shape == (len(files), 3, SIZE, SIZE):
                return z["images"]
    except Exception:  # a missing or damaged cache is not an error: it is decoded again and rewritten
        pass
    return None


def decode_faces(image_dir: Path, files: list[str], progress: Progress | None) -> np.ndarray:
    images = np.empty((len(files), 3, SIZE, SIZE), dtype=np.uint8)
    for i, name in enumerate(files):
        images[i] = load_face(image_dir / name)
        if progress and (i % 200 == 199 or i == len(files) - 1):
            progress("decoding CelebA faces", i + 1, len(files))
    return images


def load_face(path: Path) -> np.ndarray:
    """One face 3×64×64: the central square (148/178 of the width), resized with Lanczos."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            need = math.ceil(SIZE / CROP)  # JPEGs decode at 1/2, 1/4... scale while still this big
            im.draft("RGB", (need, math.ceil(need * im.height / max(im.width, 1))))
            rgb = im.convert("RGB")
        w, h = rgb.size
        side = min(round(w * CROP), h)
        box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
        face = rgb.resize((SIZE, SIZE), Image.Resampling.LANCZOS, box=box)
    except Exception as e:  # PIL raises many types (OSError, SyntaxError, DecompressionBombError...)
        raise DataError(f"{path}: cannot read image: {e}") from e
    return np.asarray(face, dtype=np.uint8).transpose(2, 0, 1)
