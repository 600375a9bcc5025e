"""CelebA aligned faces: the central square of each 178×218 image, resized to 64×64 RGB, and 40 attributes.

The layouts people have (each file may also sit one level down, as the Kaggle archive nests its images):

- torchvision / the CelebA site: ``ROOT/img_align_celeba/*.jpg``, ``ROOT/list_attr_celeba.txt`` (a count, the
  40 attribute names, then ``000001.jpg -1 1 ...``) and ``ROOT/list_eval_partition.txt`` (``000001.jpg 0``);
- the CelebA Google Drive: ``ROOT/Img/img_align_celeba/``, ``ROOT/Anno/list_attr_celeba.txt``,
  ``ROOT/Eval/list_eval_partition.txt``;
- Kaggle ("celeba-dataset"): ``ROOT/img_align_celeba/img_align_celeba/``, ``ROOT/list_attr_celeba.csv``
  (``image_id,5_o_Clock_Shadow,...`` then ``000001.jpg,-1,1,...``) and ``ROOT/list_eval_partition.csv``
  (``image_id,partition``).

Attribute values are 1 and -1 (the official files), or 0 and 1 throughout (some re-exports); a file that
mixes 0 with -1, or writes ``-0``, is refused, as are repeated image or attribute names. The partition gives
the split: 0 is train, 1 (validation) and 2 (test) are the test split; without it the last 10% are test.
Decoding 200k JPEGs takes minutes, so the decoded array is cached in the user data dir when that folder is
writable (the cache is optional: a read-only one is skipped).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError
from trainer.files import atomic_file

SIZE = 64
CROP = 148 / 178  # the usual CelebA face crop: the central 148×148 of the 178-pixel-wide aligned image
Progress = Callable[[str, int, int], None]
ATTR_FILES = ("list_attr_celeba.txt", "list_attr_celeba.csv")
PARTITION_FILES = ("list_eval_partition.txt", "list_eval_partition.csv")


def load_celeba(root: Path, spec: str, *, limit: int | None = None, label: str | None = None,
                progress: Progress | None = None, cache_dir: Path | None = None) -> Dataset:
    """The first ``limit`` faces (all by default); labels are one class "face", or ``label``'s two values."""
    image_dir, attr_path = _image_dir(root), find_attributes(root)
    if attr_path is None:
        raise DataError(f"{root}: no list_attr_celeba.txt or list_attr_celeba.csv (looked in {root} and "
                        f"{root / 'Anno'})")
    files, names, attributes = parse_attributes(_read_text(attr_path), attr_path, limit)
    split = _split(_find(root, PARTITION_FILES, ("", "Eval")), files)
    images = cached_images(image_dir, files, attr_path, cache_dir, progress)
    labels, class_names = _labels(label, names, attributes, attr_path)
    order = np.argsort(split, kind="stable")
    return Dataset(spec, images[order], labels[order], class_names, int((split == 0).sum()),
                   attributes[order], names, str(root))


def is_celeba(root: Path) -> bool:
    """True when ``root`` looks like a CelebA folder in one of the layouts above."""
    return find_attributes(root) is not None


def find_attributes(root: Path) -> Path | None:
    return _find(root, ATTR_FILES, ("", "Anno"))


def _find(root: Path, names: tuple[str, ...], subs: tuple[str, ...]) -> Path | None:
    for sub in subs:
        for name in names:
            with contextlib.suppress(OSError):
                if (root / sub / name).is_file():
                    return root / sub / name
    return None


def _image_dir(root: Path) -> Path:
    for folder in (root / "img_align_celeba", root / "Img" / "img_align_celeba"):
        if (folder / "img_align_celeba").is_dir():  # the Kaggle archive nests it once more
            folder = folder / "img_align_celeba"
        if folder.is_dir():
            return folder
    raise DataError(f"{root}: not a CelebA folder (no img_align_celeba/ sub-folder)")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read: {e}") from e


def parse_attributes(text: str, path: Path,
                     limit: int | None = None) -> tuple[list[str], list[str], np.ndarray]:
    """(image file names, attribute names, bool N×A) from list_attr_celeba.txt or .csv, the first ``limit``
    rows. Vectorised: 200k rows × 40 values parse in about a second (a split per value took several)."""
    lines = [line for line in text.splitlines() if line.strip()]
    csv = path.suffix.lower() == ".csv"
    if csv:
        if not lines:
            raise DataError(f"{path}: empty; expected a header line image_id,attribute,...")
        names, first, sep = [n.strip() for n in lines[0].split(",")[1:]], 1, r"\s*,\s*"
    else:
        if len(lines) < 2 or not lines[0].strip().isdecimal():
            raise DataError(f"{path}: expected an image count on line 1 and attribute names on line 2")
        count, names, first, sep = int(lines[0]), lines[1].split(), 2, r"[ \t]+"
        if count != len(lines) - 2:
            raise DataError(f"{path}: says {count} images but lists {len(lines) - 2}")
    _unique(path, names, "attribute name", lambda i: first)
    body = lines[first:first + (len(lines) if limit is None else limit)]
    files, flags = _rows(path, body, names, first, sep, csv)
    _unique(path, files, "image", lambda i: first + i + 1)
    return files, names, flags


def _rows(path: Path, body: list[str], names: list[str], first: int, sep: str,
          csv: bool) -> tuple[list[str], np.ndarray]:
    rows = [(re.split(sep, line.strip(), maxsplit=1) + [""])[:2] for line in body]
    values = re.compile(rf"(?:{sep}(?:-1|0|1)){{{len(names)}}}\s*")
    for i, (name, rest) in enumerate(rows):
        if not values.fullmatch(("," if csv else " ") + rest):
            raise DataError(f"{path}: line {first + i + 1} should be a file name and {len(names)} values "
                            "of 1 or -1")
        if "/" in name or "\\" in name or name in (".", ".."):
            raise DataError(f"{path}: line {first + i + 1}: {name!r} is not a plain file name")
    text = re.sub(r"[\s,]", "", "".join(rest for _, rest in rows).replace("-1", "2"))
    codes = np.frombuffer(text.encode("ascii"), np.uint8).reshape(len(rows), len(names)) - ord("0")
    if (codes == 0).any() and (codes == 2).any():
        line = first + 1 + int(np.flatnonzero((codes == 0).any(axis=1))[0])
        raise DataError(f"{path}: line {line} has the value 0 but the file also uses -1: attributes are 1 or "
                        "-1 (or 0 and 1 throughout), so 0 is ambiguous")
    return [name for name, _ in rows], codes == 1


def _unique(path: Path, items: list[str], what: str, line_of: Callable[[int], int]) -> None:
    repeated = [item for item, n in Counter(items).items() if n > 1]
    if repeated:
        where = items.index(repeated[0], items.index(repeated[0]) + 1)  # the second time it appears
        raise DataError(f"{path}: line {line_of(where)}: the {what} {repeated[0]!r} appears "
                        f"{items.count(repeated[0])} times")


def _split(path: Path | None, files: list[str]) -> np.ndarray:
    """0 for train, 1 for test, per file: from list_eval_partition.txt/.csv, else the last 10% are test."""
    if path is None:
        split = np.zeros(len(files), dtype=np.int64)
        split[len(files) - (max(1, round(len(files) / 10)) if len(files) > 1 else 0):] = 1
        return split
    lines = [line for line in _read_text(path).splitlines() if line.strip()]
    if path.suffix.lower() == ".csv" and lines and not lines[0].split(",")[-1].strip().isdecimal():
        lines = lines[1:]  # the header: image_id,partition
    pairs = [re.split(r"[\s,]+", line.strip()) for line in lines]
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
        with contextlib.suppress(OSError), atomic_file(cache) as f:  # optional: a read-only cache is skipped
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
    """One face 3×64×64: the central square (148/178 of the width), resized with Lanczos; decoded as a viewer
    shows it (``trainer.data.pixels``) and bounded in size before decoding."""
    from PIL import Image

    from trainer.data import pixels

    try:
        with pixels._opened(path) as im:
            need = math.ceil(SIZE / CROP)  # JPEGs decode at 1/2, 1/4... scale while still this big
            im.draft("RGB", (need, math.ceil(need * im.height / max(im.width, 1))))
            rgb = pixels.to_rgb(im)
        w, h = rgb.size
        side = min(round(w * CROP), h)
        box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
        face = rgb.resize((SIZE, SIZE), Image.Resampling.LANCZOS, box=box)
    except DataError:
        raise
    except Exception as e:  # PIL raises many types (OSError, SyntaxError, DecompressionBombError...)
        raise DataError(f"{path}: cannot read image: {e}") from e
    return np.asarray(face, dtype=np.uint8).transpose(2, 0, 1)
