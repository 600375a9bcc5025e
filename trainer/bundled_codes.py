"""Codes a bundled model carries for its own data set, so that a first start paints every point at once.

``resources/codes/<model>.npz`` holds, for each data set the model was encoded on, the latent means
(float32 N×D) with two SHA-256 checksums: of the model file and of the data set's images (their uint8
bytes and shape). ``lookup`` returns codes only when both checksums match the files at hand: a retrained or
edited model, or other images, get ``None`` and the encoder runs as usual. Reading needs numpy only (no
torch), so the app can show the points while torch is still importing.

Regenerate them all after retraining a bundled model: ``python -m trainer codes`` (``trainer/cli_codes.py``).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.files import atomic_file

MAX_ENTRY_BYTES = 4 * 2**20  # codes larger than this (e.g. 70k × 32 floats) are not bundled: encode them
_INDEX = "index"


@dataclass(frozen=True)
class Entry:
    spec: str  # the data set spec they were made on
    data_sha256: str  # data_digest of its images
    codes: np.ndarray  # float32 N×D latent means


def codes_dir() -> Path:
    from trainer.resources import resource_path

    return resource_path("codes")


def codes_file(model_path: str | Path, folder: Path | None = None) -> Path:
    """Where the bundled codes of ``model_path`` are (``resources/codes/<stem>.npz``); may not exist."""
    return (folder or codes_dir()) / f"{Path(model_path).stem}.npz"


def file_digest(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_digest(images: np.ndarray) -> str:
    """SHA-256 (hex) of uint8 images N×C×H×W: their shape, then their bytes in C order."""
    images = np.ascontiguousarray(images)
    h = hashlib.sha256(f"{images.dtype.str}{images.shape}".encode())
    h.update(memoryview(images).cast("B"))
    return h.hexdigest()


def read(path: Path) -> tuple[str, list[Entry]]:
    """(model SHA-256, entries) of a codes file; ValueError/OSError if it is not one."""
    with np.load(path, allow_pickle=False) as z:
        index = json.loads(str(z[_INDEX]))
        entries = [Entry(e["spec"], e["data_sha256"], z[e["key"]]) for e in index["entries"]]
    return index["model_sha256"], entries


def write(path: Path, model_sha256: str, entries: list[Entry]) -> None:
    """Write a codes file atomically (float32 codes, compressed)."""
    index = {"model_sha256": model_sha256, "entries": [
        {"spec": e.spec, "data_sha256": e.data_sha256, "key": f"codes{k}"} for k, e in enumerate(entries)]}
    arrays = {f"codes{k}": np.asarray(e.codes, np.float32) for k, e in enumerate(entries)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as f:
        np.savez_compressed(f, **{_INDEX: np.array(json.dumps(index))}, **arrays)


def lookup(model_path: str | Path, images: np.ndarray, folder: Path | None = None) -> np.ndarray | None:
    """The bundled codes of ``model_path`` for ``images`` (float32 N×D, a fresh array), or None when there
    are none, the file is damaged, or either checksum differs (a changed model or other data)."""
    path = codes_file(model_path, folder)
    try:
        if not path.is_file():
            return None
        model_sha, entries = read(path)
        if file_digest(model_path) != model_sha:
            return None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None
    digest = None
    for entry in entries:
        if entry.codes.ndim != 2 or len(entry.codes) != len(images):
            continue
        digest = digest or data_digest(images)
        if entry.data_sha256 == digest and np.isfinite(entry.codes).all():
            return np.array(entry.codes, dtype=np.float32, copy=True)
    return None


@dataclass(frozen=True)
class Summary:
    dataset_spec: str  # "" when the checkpoint names none
    image_shape: tuple[int, ...]  # C, H, W
    latent_dim: int


def summary(model_path: str | Path) -> Summary | None:
    """What a first paint needs from a .safetensors checkpoint's header, read without torch (the full check
    is ``trainer.checkpoint``'s when the model loads); None when it cannot be read."""
    try:
        with open(model_path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if not 0 < n <= 16 * 2**20:
                return None
            meta = json.loads(f.read(n))["__metadata__"]
        config, data = json.loads(meta["model_config"]), json.loads(meta.get("dataset", "{}"))
        shape = tuple(int(s) for s in config["image_shape"])
        return Summary(str(data.get("spec", "")), shape, int(config["latent_dim"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
