"""Named latent vectors (attribute directions) kept in a JSON file beside the model they belong to.

``shapes-vae.safetensors`` keeps its vectors in ``shapes-vae.vectors.json``::

    {"format": "latent-explorer-vectors", "format_version": 1, "latent_dim": 2,
     "vectors": [{"name": "large", "vector": [0.8, -0.1], "source": "attribute 'large' …",
                  "created": "2025-01-01T12:00:00+00:00"}]}

The file is written atomically; reading checks everything, so a corrupt, foreign or mismatched file is one
``ConfigError`` with one clear message, and a missing file is simply no vectors.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from trainer.errors import ConfigError, TrainerError
from trainer.files import atomic_file

FORMAT = "latent-explorer-vectors"
FORMAT_VERSION = 1
MAX_BYTES = 50_000_000  # a vectors file is small; refuse to parse anything huge
MAX_NAME = 200
FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = ["FORMAT", "FORMAT_VERSION", "NamedVector", "load_vectors", "save_vectors", "vectors_path"]


@dataclass(frozen=True, eq=False)
class NamedVector:
    """A direction in latent space with a name and a note on how it was made."""

    name: str
    vector: np.ndarray  # float32 D
    source: str = ""  # e.g. "attribute 'large': mean of 540 images with − mean of 460 without"
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        object.__setattr__(self, "vector", np.asarray(self.vector, dtype=np.float32).ravel().copy())

    @property
    def latent_dim(self) -> int:
        return len(self.vector)

    def to_dict(self) -> dict:
        return {"name": self.name, "vector": [float(v) for v in self.vector], "source": self.source,
                "created": self.created}


def vectors_path(model_path: str | os.PathLike) -> Path:
    """``<model file without .safetensors>.vectors.json`` in the model's folder."""
    path = Path(model_path)
    stem = path.name[:-len(".safetensors")] if path.name.endswith(".safetensors") else path.name
    return path.with_name(f"{stem}.vectors.json")


# ---- saving --------------------------------------------------------------------------------------------

def save_vectors(path: str | os.PathLike, vectors: Mapping[str, NamedVector]) -> Path:
    """Write ``vectors`` (all of one latent size) to ``path`` atomically; returns the path."""
    items = list(vectors.values())
    dims = {v.latent_dim for v in items}
    if len(dims) > 1:
        raise ConfigError(f"the vectors differ in size ({sorted(dims)}): one file holds one model's vectors")
    for v in items:
        _check_vector(path, v.name, v.vector)
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "latent_dim": dims.pop() if dims else 0,
           "vectors": [v.to_dict() for v in items]}
    data = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
    try:
        with atomic_file(Path(path)) as f:
            f.write(data)
    except OSError as e:
        raise TrainerError(f"Could not save the vectors to {path}: {e.strerror or e}") from None
    return Path(path)


# ---- loading -------------------------------------------------------------------------------------------

def load_vectors(path: str | os.PathLike, latent_dim: int) -> dict[str, NamedVector]:
    """The vectors in ``path`` by name ({} when there is no file); ConfigError if it is not a valid vectors
    file for a model with ``latent_dim`` latent dimensions."""
    path = Path(path)
    doc = _read_json(path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ConfigError(f"{path} is not a Latent Explorer vectors file")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ConfigError(f"{path} has vectors format version {doc.get('format_version')!r}; this version "
                          f"of Latent Explorer reads version {FORMAT_VERSION}")
    dim = doc.get("latent_dim")
    if type(dim) is not int or (dim != latent_dim and doc.get("vectors")):
        raise ConfigError(f"{path} holds vectors of {dim!r} dimensions, but the model's latent code has "
                          f"{latent_dim}: it belongs to another model")
    entries = doc.get("vectors")
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'vectors' must be a list")
    out: dict[str, NamedVector] = {}
    for k, entry in enumerate(entries):
        vector = _entry(path, k, entry, latent_dim)
        if vector.name in out:
            raise ConfigError(f"{path}: the name {vector.name!r} is used twice")
        out[vector.name] = vector
    return out


def _read_json(path: Path):
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path} is too large for a vectors file ({path.stat().st_size:,} bytes)")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "latent_dim": 0, "vectors": []}
    except OSError as e:
        raise ConfigError(f"Could not read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a vectors file (not UTF-8 text)") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ConfigError(f"{path} is not a valid vectors file: {e}") from None


def _entry(path: Path, k: int, entry, latent_dim: int) -> NamedVector:
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}: vector {k + 1} is not an object")
    name, values = entry.get("name"), entry.get("vector")
    source, created = entry.get("source", ""), entry.get("created", "")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise ConfigError(f"{path}: vector {k + 1} needs a name (text of 1 to {MAX_NAME} characters)")
    if not isinstance(source, str) or not isinstance(created, str):
        raise ConfigError(f"{path}: vector {name!r} has a 'source' or 'created' that is not text")
    ok = isinstance(values, list) and all(type(v) in (int, float) for v in values)
    if not ok or len(values) != latent_dim:
        raise ConfigError(f"{path}: vector {name!r} must be a list of {latent_dim} numbers")
    _check_vector(path, name, values)
    return NamedVector(name, np.array(values, dtype=np.float32), source, created)


def _check_vector(path, name: str, values) -> None:
    floats = [float(v) for v in np.ravel(values)]
    if not all(math.isfinite(v) for v in floats):
        raise ConfigError(f"{path}: vector {name!r} has values that are not finite numbers")
    if any(abs(v) > FLOAT32_MAX for v in floats):
        raise ConfigError(f"{path}: vector {name!r} has values too large for float32")
