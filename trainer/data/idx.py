"""IDX files (the MNIST format): a folder with train/t10k images and labels, gzipped or raw.

An IDX file is a 4-byte magic number ``0 0 type ndim``, then ``ndim`` big-endian uint32 sizes, then the data.
Only unsigned bytes (type 0x08) are read: 3 dimensions for images, 1 for labels.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError

FILES = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
)
UBYTE = 0x08


def find_files(folder: Path) -> dict[str, Path] | None:
    """The four IDX files in ``folder`` (raw before .gz; ``train-images.idx3-ubyte`` also accepted)."""
    found = {}
    for name in FILES:
        dotted = name.replace("-idx", ".idx")
        candidates = [folder / f"{stem}{ext}" for ext in ("", ".gz") for stem in (name, dotted)]
        hit = next((p for p in candidates if p.is_file()), None)
        if hit is None:
            return None
        found[name] = hit
    return found


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it starts with the gzip magic number."""
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"{path}: cannot read: {e}") from e


def parse(data: bytes, path: Path, ndim: int) -> np.ndarray:
    """An IDX array of unsigned bytes with ``ndim`` dimensions, checked against the header."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path}: not an IDX file (wrong magic number {data[:4].hex() or 'empty'})")
    if data[2] != UBYTE or data[3] != ndim:
        raise DataError(f"{path}: expected an IDX file of unsigned bytes with {ndim} dimension(s), "
                        f"got type 0x{data[2]:02x} with {data[3]}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated IDX header ({len(data)} bytes)")
    shape = tuple(int(s) for s in np.frombuffer(data, ">u4", ndim, 4))
    expected = header + int(np.prod(shape, dtype=object))
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(f"{path}: {problem}: header says {shape} = {expected} bytes, file has {len(data)}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def read_split(images: Path, labels: Path, checksums: dict[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Images N×H×W and labels N from one pair of files, verified against ``checksums`` when given."""
    arrays = []
    for path, ndim in ((images, 3), (labels, 1)):
        data = read_bytes(path)
        verify(data, path, checksums)
        arrays.append(parse(data, path, ndim))
    if len(arrays[0]) != len(arrays[1]):
        raise DataError(f"{images}: {len(arrays[0])} images but {labels.name} has {len(arrays[1])} labels")
    return arrays[0], arrays[1]


def verify(data: bytes, path: Path, checksums: dict[str, str] | None) -> None:
    """Compare the MD5 of the decompressed bytes with the known value for this file name."""
    if checksums is None:
        return
    name = next(n for n in FILES if path.name.replace(".idx", "-idx").startswith(n))
    if hashlib.md5(data).hexdigest() != checksums[name]:
        raise DataError(f"{path}: checksum mismatch, this is not the official {name} "
                        "(delete the folder to download it again)")


def load_idx_folder(folder: Path, spec: str, *, class_names: list[str] | None = None,
                    checksums: dict[str, str] | None = None) -> Dataset:
    """The Dataset in ``folder``: train rows then t10k rows, one channel; classes "0".."K-1" by default."""
    files = find_files(folder)
    if files is None:
        missing = [n for n in FILES if not any(folder.glob(n.replace("-idx", "?idx") + "*"))]
        raise DataError(f"{folder}: no IDX data set here (missing {', '.join(missing) or 'files'}[.gz])")
    train_x, train_y = read_split(files[FILES[0]], files[FILES[1]], checksums)
    test_x, test_y = read_split(files[FILES[2]], files[FILES[3]], checksums)
    if train_x.shape[1:] != test_x.shape[1:]:
        raise DataError(f"{folder}: train images are {train_x.shape[1:]} but test images {test_x.shape[1:]}")
    labels = np.concatenate([train_y, test_y]).astype(np.int64)
    if class_names is None:
        class_names = [str(i) for i in range(int(labels.max(initial=0)) + 1)]
    images = np.concatenate([train_x, test_x])[:, None]
    return Dataset(spec, images, labels, class_names, len(train_x), source=str(folder))
