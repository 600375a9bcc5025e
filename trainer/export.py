"""Images to files: a strip or grid as one PNG, a sequence as an animated GIF (pillow); latent codes as a CSV
table (and read back). Everything is written atomically."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

import numpy as np

from trainer.errors import ConfigError
from trainer.files import atomic_file


def to_uint8(images: np.ndarray) -> np.ndarray:
    """uint8 as it is; float in [0, 1] scaled, rounded and clipped."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.clip(np.rint(images.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)


def tile(images: np.ndarray, cols: int | None = None, gap: int = 1, fill: int = 255) -> np.ndarray:
    """N×C×H×W -> one uint8 H'×W' (grey) or H'×W'×3 image, ``cols`` per row (default: all in one row)."""
    images = to_uint8(images)
    if images.ndim != 4 or len(images) == 0:
        raise ConfigError(f"need a non-empty N×C×H×W stack of images, got shape {images.shape}")
    n, c, h, w = images.shape
    cols = n if cols is None else max(1, min(int(cols), n))
    rows = -(-n // cols)
    padded = np.full((rows * cols, c, h, w), fill, np.uint8)
    padded[:n] = images
    grid = np.pad(padded.reshape(rows, cols, c, h, w), ((0, 0), (0, 0), (0, 0), (0, gap), (0, gap)),
                  constant_values=fill)
    out = grid.transpose(0, 3, 1, 4, 2).reshape(rows * (h + gap), cols * (w + gap), c)
    out = out[:rows * (h + gap) - gap, :cols * (w + gap) - gap]
    return np.ascontiguousarray(out[..., 0] if c == 1 else out[..., :3])


def _pil(pixels: np.ndarray, scale: int):
    from PIL import Image

    image = Image.fromarray(pixels, mode="L" if pixels.ndim == 2 else "RGB")
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    return image


def save_png(images: np.ndarray, path: str | Path, cols: int | None = None, scale: int = 4,
             gap: int = 1) -> Path:
    """The images as one PNG (a strip, or a grid of ``cols`` columns), each pixel ``scale``×``scale``."""
    image = _pil(tile(images, cols, gap), _scale(scale))
    with atomic_file(Path(path)) as f:
        image.save(f, format="PNG")
    return Path(path)


def save_gif(frames: np.ndarray, path: str | Path, duration_ms: int = 80, scale: int = 4,
             bounce: bool = True) -> Path:
    """An animated GIF that loops forever, one frame per image (N×C×H×W); ``bounce`` plays it forward then
    back (without repeating the end frames), so a morph returns smoothly to its start."""
    frames = to_uint8(frames)
    if frames.ndim != 4 or len(frames) == 0:
        raise ConfigError(f"need a non-empty N×C×H×W stack of frames, got shape {frames.shape}")
    order = list(range(len(frames)))
    if bounce and len(frames) > 2:
        order += order[-2:0:-1]
    images = [_pil(tile(frames[i:i + 1], gap=0), _scale(scale)) for i in order]
    with atomic_file(Path(path)) as f:
        images[0].save(f, format="GIF", save_all=True, append_images=images[1:], duration=int(duration_ms),
                       loop=0, disposal=1)
    return Path(path)


def _scale(scale: int) -> int:
    if not 1 <= int(scale) <= 64:
        raise ConfigError(f"scale must be 1…64, got {scale}")
    return int(scale)


# ---- latent codes as CSV -----------------------------------------------------------------------------------

CODE_COLUMNS = ("index", "split", "label", "class_name")
XY_COLUMNS = ("view_x", "view_y")


class CodesTable(NamedTuple):
    """What ``read_codes_csv`` gives back: one entry per row of the file."""

    codes: np.ndarray  # N×D (float32 unless asked otherwise)
    labels: np.ndarray  # int64 N
    class_names: list[str]  # the class name of each row
    splits: list[str]  # "train" or "test" for each row
    index: np.ndarray  # int64 N: the data set row each line describes
    xy: np.ndarray | None  # float32 N×2: where the row was drawn in the view, if the file has it

    @property
    def n_train(self) -> int:
        return sum(split == "train" for split in self.splits)


def save_codes_csv(path: str | Path, codes: np.ndarray, labels: np.ndarray, class_names: list[str],
                   n_train: int, xy: np.ndarray | None = None) -> Path:
    """The codes as a CSV file: ``index, split, label, class_name, z0 … z{D-1}`` (and ``view_x, view_y``
    when ``xy`` is given), one line per row. Floats are written with enough digits to read back exactly
    (9 significant digits for float32, 17 for float64); class names are quoted as CSV needs."""
    codes, labels = np.asarray(codes), np.asarray(labels)
    _check_table(codes, labels, xy)
    kind = np.float64 if codes.dtype == np.float64 else np.float32
    numbers = codes.astype(kind) if xy is None else np.hstack([codes.astype(kind), np.asarray(xy, kind)])
    header = [*CODE_COLUMNS, *(f"z{k}" for k in range(codes.shape[1])), *(() if xy is None else XY_COLUMNS)]
    names = [_csv_field(name) for name in class_names]
    fmt = ",".join(["%.17g" if kind == np.float64 else "%.9g"] * numbers.shape[1])
    lines = [",".join(header)]
    for i, (label, row) in enumerate(zip(labels.tolist(), numbers, strict=True)):
        name = names[label] if 0 <= label < len(names) else ""
        lines.append(f"{i},{'train' if i < n_train else 'test'},{label},{name},{fmt % tuple(row.tolist())}")
    with atomic_file(Path(path)) as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    return Path(path)


def _check_table(codes: np.ndarray, labels: np.ndarray, xy: np.ndarray | None) -> None:
    if codes.ndim != 2 or codes.shape[1] == 0:
        raise ConfigError(f"codes must be N×D, got shape {codes.shape}")
    if labels.shape != (len(codes),):
        raise ConfigError(f"need one label per code: {len(codes)} codes, labels of shape {labels.shape}")
    if xy is not None and np.shape(xy) != (len(codes), 2):
        raise ConfigError(f"view coordinates must be {len(codes)}×2, got shape {np.shape(xy)}")


def _csv_field(text: str) -> str:
    """``text`` as one CSV field (quoted when it holds a comma, a quote or a line break)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([text])  # quotes a field holding \r or \n too
    return out.getvalue()[:-2]


def read_codes_csv(path: str | Path, dtype=np.float32) -> CodesTable:
    """Read a file written by ``save_codes_csv`` (ConfigError if it is not one)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or tuple(rows[0][:4]) != CODE_COLUMNS:
        raise ConfigError(f"{path} is not a latent codes file: its header must start with "
                          f"{', '.join(CODE_COLUMNS)}")
    header, body = rows[0], [r for r in rows[1:] if r]
    has_xy = tuple(header[-2:]) == XY_COLUMNS
    dims = len(header) - 4 - (2 if has_xy else 0)
    if dims < 1 or header[4:4 + dims] != [f"z{k}" for k in range(dims)]:
        raise ConfigError(f"{path}: expected columns z0 … z{{D-1}} after class_name")
    try:
        numbers = np.array([r[4:] for r in body], dtype=np.float64).reshape(len(body), len(header) - 4)
        index = np.array([r[0] for r in body], dtype=np.int64)
        labels = np.array([r[2] for r in body], dtype=np.int64)
    except ValueError as e:
        raise ConfigError(f"{path}: a row does not fit the header ({e})") from None
    xy = numbers[:, dims:].astype(np.float32) if has_xy else None
    return CodesTable(numbers[:, :dims].astype(dtype), labels, [r[3] for r in body], [r[1] for r in body],
                      index, xy)
