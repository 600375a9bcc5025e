"""IDX files (the MNIST format): a folder with train/t10k images and labels, gzipped or raw.

An IDX file is a 4-byte magic number ``0 0 type ndim``, then ``ndim`` big-endian uint32 sizes, then the data.
Only unsigned bytes (type 0x08) are read: 3 dimensions for images, 1 for labels.

Files are streamed: the header is read first, the size it declares is checked against the file (raw) or
against ``trainer.limits.expansion_limit`` of the compressed size (.gz: a small gzip bomb is refused before
anything is inflated), then exactly that many bytes are read into one array, and the MD5 is computed on the
way. A folder may hold both splits, or only the training or only the test (t10k) pair.
"""

from __future__ import annotations

import hashlib
import io
import math
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from trainer.data.dataset import Dataset
from trainer.errors import DataError
from trainer.limits import MAX_EXPANSION, expansion_limit

FILES = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
)
UBYTE = 0x08
CHUNK = 1 << 20


def _candidates(folder: Path, name: str) -> list[Path]:
    dotted = name.replace("-idx", ".idx")
    return [folder / f"{stem}{ext}" for ext in ("", ".gz") for stem in (name, dotted)]


def find_file(folder: Path, name: str) -> Path | None:
    """``name`` in ``folder``: raw before .gz; ``train-images.idx3-ubyte`` is also accepted."""
    try:
        return next((p for p in _candidates(folder, name) if p.is_file()), None)
    except OSError:
        return None


def find_files(folder: Path) -> dict[str, Path] | None:
    """The four IDX files in ``folder``, or None unless all four are there."""
    found = {name: find_file(folder, name) for name in FILES}
    return None if None in found.values() else found  # type: ignore[return-value]


def has_idx_files(folder: Path) -> bool:
    """True when ``folder`` holds any of the four IDX files (a bare path is then read as ``idx:``)."""
    return any(find_file(folder, name) for name in FILES)


def read_idx(path: Path, ndim: int, checksums: dict[str, str] | None = None) -> np.ndarray:
    """An IDX array of unsigned bytes with ``ndim`` dimensions, streamed and checked (see the module doc)."""
    try:
        with open(path, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
            f.seek(0)
            size = path.stat().st_size
            if gz:
                limit, raw = expansion_limit(size), f.read()
                # the header first: a decompression bomb is refused before its body is inflated (memory
                # stays in proportion to the file), then exactly what the header declares and one byte more
                # (trailing data)
                header = 4 + 4 * ndim
                want = _declared_bytes(gunzip(raw, header), ndim)
                body = gunzip(raw, want + 1) if want is not None and want <= limit else gunzip(raw, header)
                return _read(io.BytesIO(body), path, ndim, limit, True, checksums)
            return _read(f, path, ndim, size, False, checksums)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"{path}: cannot read: {e}") from e


def _declared_bytes(head: bytes, ndim: int) -> int | None:
    """Header plus body bytes an IDX header declares (None: not a whole header; ``_read`` says why)."""
    if len(head) < 4 + 4 * ndim:
        return None
    return 4 + 4 * ndim + math.prod(_shape(head[4:4 + 4 * ndim]))


def _shape(dims: bytes) -> tuple[int, ...]:
    """The sizes an IDX header's big-endian uint32 dimension fields declare."""
    return tuple(int(s) for s in np.frombuffer(dims, ">u4"))


def gunzip(data: bytes, max_length: int) -> bytes:
    """The decompressed bytes of every gzip member in ``data``, at most ``max_length`` of them. One zlib
    call per member (it releases the GIL for all of it: ``gzip.GzipFile`` takes it back every 8 KiB, and a
    thread that imports torch meanwhile makes each of those waits up to 5 ms). EOFError when truncated,
    zlib.error when damaged (a wrong CRC included)."""
    out, total = [], 0
    while data and total < max_length:
        member = zlib.decompressobj(wbits=31)
        part = member.decompress(data, max_length - total)
        out.append(part)
        total += len(part)
        if member.unconsumed_tail:  # more than max_length: the caller refuses it
            break
        if not member.eof:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")
        data = member.unused_data.lstrip(b"\x00")  # gzip allows zero padding between members
    return b"".join(out)


def _read(stream: BinaryIO, path: Path, ndim: int, limit: int, gz: bool,
          checksums: dict[str, str] | None) -> np.ndarray:
    head = stream.read(4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise DataError(f"{path}: not an IDX file (wrong magic number {head.hex() or 'empty'})")
    if head[2] != UBYTE or head[3] != ndim:
        raise DataError(f"{path}: expected an IDX file of unsigned bytes with {ndim} dimension(s), "
                        f"got type 0x{head[2]:02x} with {head[3]}")
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DataError(f"{path}: truncated IDX header ({len(head) + len(dims)} bytes)")
    shape = _shape(dims)
    header, count = 4 + 4 * ndim, math.prod(shape)
    expected = header + count
    if gz and expected > limit:
        raise DataError(f"{path}: header says {shape} = {expected:,} bytes, more than {MAX_EXPANSION}× the "
                        "compressed file: refused (a decompression bomb?); decompress it yourself to read it")
    if not gz and expected != limit:
        problem = "truncated" if limit < expected else "has trailing bytes"
        raise DataError(f"{path}: {problem}: header says {shape} = {expected:,} bytes, file has {limit:,}")
    md5 = hashlib.md5(head + dims)
    data = np.empty(count, np.uint8)
    done = 0
    while done < count:
        chunk = stream.read(min(CHUNK, count - done))
        if not chunk:
            raise DataError(f"{path}: truncated: header says {shape} = {expected:,} bytes, file has "
                            f"{header + done:,}")
        data[done:done + len(chunk)] = np.frombuffer(chunk, np.uint8)
        md5.update(chunk)
        done += len(chunk)
    if gz and stream.read(1):
        raise DataError(f"{path}: has trailing bytes after the {expected:,} its header declares")
    verify_md5(md5.hexdigest(), path, checksums)
    return data.reshape(shape)


def verify_md5(digest: str, path: Path, checksums: dict[str, str] | None) -> None:
    """Compare the MD5 of the decompressed bytes with the known value for this file name."""
    if checksums is None:
        return
    name = next(n for n in FILES if path.name.replace(".idx", "-idx").startswith(n))
    if digest != checksums[name]:
        raise DataError(f"{path}: checksum mismatch, this is not the official {name} "
                        "(delete the folder to download it again)")


def read_split(images: Path, labels: Path, checksums: dict[str, str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Images N×H×W and labels N from one pair of files, verified against ``checksums`` when given."""
    x, y = read_idx(images, 3, checksums), read_idx(labels, 1, checksums)
    if len(x) != len(y):
        raise DataError(f"{images}: {len(x)} images but {labels.name} has {len(y)} labels")
    return x, y


def _pairs(folder: Path) -> list[tuple[Path, Path]]:
    """The complete (images, labels) pairs: train then test; DataError for a half pair or none."""
    found = {name: find_file(folder, name) for name in FILES}
    pairs = []
    for images, labels in ((FILES[0], FILES[1]), (FILES[2], FILES[3])):
        if found[images] and found[labels]:
            pairs.append((found[images], found[labels]))
        elif found[images] or found[labels]:
            missing = labels if found[images] else images
            raise DataError(f"{folder}: {missing}[.gz] is missing (its partner file is here)")
    if not pairs:
        raise DataError(f"{folder}: no IDX data set here (missing {', '.join(FILES)}[.gz])")
    return pairs


def load_idx_folder(folder: Path, spec: str, *, class_names: list[str] | None = None,
                    checksums: dict[str, str] | None = None) -> Dataset:
    """The Dataset in ``folder``: train rows then t10k rows, one channel; classes "0".."K-1" by default.
    A folder with only the t10k pair is all test split (n_train = 0); with only the train pair, all train."""
    if class_names is not None and checksums is not None and find_files(folder) is None:
        _pairs(folder)  # the message for a half pair
        raise DataError(f"{folder}: the official data set needs all four files: {', '.join(FILES)}[.gz]")
    pairs = _pairs(folder)
    splits = {images.name.startswith("t10k"): read_split(images, labels, checksums)
              for images, labels in pairs}
    train_x, train_y = splits.get(False, (None, None))
    test_x, test_y = splits.get(True, (None, None))
    if train_x is not None and test_x is not None and train_x.shape[1:] != test_x.shape[1:]:
        raise DataError(f"{folder}: train images are {train_x.shape[1:]} but test images {test_x.shape[1:]}")
    xs = [x for x in (train_x, test_x) if x is not None]
    labels = np.concatenate([y for y in (train_y, test_y) if y is not None]).astype(np.int64)
    if class_names is None:
        class_names = [str(i) for i in range(int(labels.max(initial=0)) + 1)]
    images = np.concatenate(xs)[:, None]
    return Dataset(spec, images, labels, class_names, 0 if train_x is None else len(train_x),
                   source=str(folder))
