"""Checkpoints: ONE .safetensors file: the weights, with JSON metadata in the header's ``__metadata__``.

Metadata keys (all strings, as safetensors requires): ``format`` = "latent-explorer", ``format_version`` =
"1", ``model_config``, ``train_config``, ``dataset`` (spec, class_names, attribute_names, image_shape),
``metrics``, ``extra`` (each JSON), ``created`` (ISO 8601, UTC). Nothing is ever unpickled. Saving is
atomic: a temp file in the same folder, flushed and fsynced, then ``os.replace``. Loading checks the header
against a model built on the meta device before any weight is read, so a hostile file cannot make us
allocate a huge model.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import safetensors.torch
import torch

from trainer.errors import CheckpointError, ConfigError, OutputError
from trainer.files import atomic_file
from trainer.models import Autoencoder, ModelConfig, build_model

FORMAT = "latent-explorer"
FORMAT_VERSION = "1"
MAX_HEADER = 100_000_000  # bytes; the safetensors library's own limit
FLOAT_DTYPES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}  # safetensors dtype -> bytes per element

__all__ = ["CheckpointInfo", "FORMAT", "FORMAT_VERSION", "load_checkpoint", "read_checkpoint_info",
           "save_checkpoint"]


@dataclass(frozen=True)
class CheckpointInfo:
    model_config: ModelConfig
    train_config: dict
    dataset_spec: str
    class_names: list[str]
    attribute_names: list[str]
    metrics: dict
    format_version: int
    path: Path
    extra: dict = field(default_factory=dict)
    created: str = ""  # ISO 8601 UTC, "" if unknown


# ---- saving ------------------------------------------------------------------------------------------

def save_checkpoint(path: str | os.PathLike, model: Autoencoder, *, train_config: Any = None,
                    dataset: Any = None, metrics: Any = None, extra: dict | None = None) -> Path:
    """Write ``model`` and its metadata to ``path`` atomically; returns the path.

    ``train_config`` and ``metrics`` may be dicts or objects with ``to_dict()`` (TrainConfig, Metrics);
    ``dataset`` a Dataset or a dict with spec, class_names, attribute_names. Refuses non-finite weights.
    """
    path = Path(path)
    tensors = _cpu_tensors(path, model)
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "model_config": _json(path, model.config.to_dict()),
        "train_config": _json(path, _as_dict(train_config)),
        "dataset": _json(path, _dataset_dict(dataset)),
        "metrics": _json(path, _as_dict(metrics)),
        "extra": _json(path, extra or {}),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_atomic(path, safetensors.torch.save(tensors, metadata))
    return path


def _cpu_tensors(path: Path, model: Autoencoder) -> dict[str, torch.Tensor]:
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()}
    bad = [k for k, v in tensors.items() if not bool(torch.isfinite(v).all())]
    if bad:
        raise CheckpointError(f"{path}: not saved: the weights hold NaN or Inf ({', '.join(bad[:3])})")
    return tensors


def _as_dict(obj: Any) -> dict:
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return dict(obj)


def _dataset_dict(ds: Any) -> dict:
    if ds is None or isinstance(ds, dict):
        return dict(ds or {})
    return {"spec": ds.spec, "class_names": list(ds.class_names),
            "attribute_names": list(ds.attribute_names), "image_shape": list(ds.image_shape)}


def _json(path: Path, value: Any) -> str:
    try:
        return json.dumps(value, default=_plain)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: not saved: metadata is not JSON-serialisable ({e})") from None


def _plain(o: Any) -> Any:
    """numpy scalars and arrays, tensors and paths as plain JSON values."""
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"{type(o).__name__} is not JSON-serialisable")


class CheckpointWriteError(CheckpointError, OutputError):
    """A checkpoint could not be written (read-only folder, full disk, not a regular file...)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file beside ``path``, flush + fsync, ``os.replace``; on failure the old file is untouched.
    CheckpointWriteError (a CheckpointError and an OutputError) when it cannot be written."""
    try:
        with atomic_file(path, make_parents=False) as f:
            f.write(data)
    except OutputError as e:
        raise CheckpointWriteError(str(e)) from None
    except OSError as e:
        raise CheckpointWriteError(f"{path}: cannot write: {e.strerror or e}") from None


# ---- loading -----------------------------------------------------------------------------------------

def read_checkpoint_info(path: str | os.PathLike) -> CheckpointInfo:
    """The metadata only (for "recent files" lists): reads the header, builds no model."""
    path = Path(path)
    with _open(path) as f:
        meta, _ = _read_header(path, f)
    return _info(path, meta)


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu"
                    ) -> tuple[Autoencoder, CheckpointInfo]:
    """The model (in eval mode, on ``device``) and its metadata; CheckpointError on any defect."""
    path = Path(path)
    with _open(path) as f:
        meta, entries = _read_header(path, f)
        info = _info(path, meta)
        _check_byte_ranges(path, entries, os.fstat(f.fileno()).st_size - f.tell())
        _check_layout(path, info.model_config, entries)
        f.seek(0)
        data = f.read()
    model = build_model(info.model_config)
    try:
        model.load_state_dict(_read_tensors(path, data), strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not fit the model: {e}") from None
    return model.to(_device(device)).eval(), info


def _open(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot open: {e.strerror or e}") from None


def _read_header(path: Path, f: BinaryIO) -> tuple[dict[str, str], dict[str, Any]]:
    """(``__metadata__``, tensor entries) from the safetensors header, validated for shape and type."""
    head = f.read(8)
    n = int.from_bytes(head, "little") if len(head) == 8 else -1
    if not 0 < n <= min(MAX_HEADER, os.fstat(f.fileno()).st_size - 8):
        raise CheckpointError(f"{path}: {_not_safetensors(head)}")
    try:
        header = json.loads(f.read(n))
    except (ValueError, RecursionError):
        raise CheckpointError(f"{path}: not a safetensors file (header is not JSON)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: not a safetensors file (header is not a JSON object)")
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise CheckpointError(f"{path}: not a Latent Explorer checkpoint (no metadata in the header)")
    return meta, header


def _not_safetensors(head: bytes) -> str:
    if head[:4] == b"PK\x03\x04" or head[:1] == b"\x80":
        return ("a PyTorch .pt/pickle file, not a .safetensors checkpoint; pickles are never loaded "
                "(they can run code)")
    return "not a safetensors file (bad header length), or truncated"


def _info(path: Path, meta: dict[str, str]) -> CheckpointInfo:
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a Latent Explorer checkpoint (format={meta.get('format')!r})")
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: checkpoint format version {meta.get('format_version')!r} is not "
                              f"supported (this version reads {FORMAT_VERSION})")
    if "model_config" not in meta:
        raise CheckpointError(f"{path}: the metadata has no model_config")
    try:
        config = ModelConfig.from_dict(_meta_dict(path, meta, "model_config"))
    except ConfigError as e:
        raise CheckpointError(f"{path}: bad model_config: {e}") from None
    ds = _meta_dict(path, meta, "dataset")
    return CheckpointInfo(
        model_config=config, train_config=_meta_dict(path, meta, "train_config"),
        dataset_spec=_typed(path, ds.get("spec", ""), str, "dataset spec"),
        class_names=_names(path, ds.get("class_names", []), "class_names"),
        attribute_names=_names(path, ds.get("attribute_names", []), "attribute_names"),
        metrics=_meta_dict(path, meta, "metrics"), format_version=int(FORMAT_VERSION), path=path,
        extra=_meta_dict(path, meta, "extra"), created=meta.get("created", ""))


def _meta_dict(path: Path, meta: dict[str, str], key: str) -> dict:
    try:
        value = json.loads(meta.get(key, "{}"))
    except (ValueError, RecursionError):
        raise CheckpointError(f"{path}: metadata {key} is not valid JSON") from None
    return _typed(path, value, dict, f"metadata {key}")


def _typed(path: Path, value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind):
        raise CheckpointError(f"{path}: {what} should be a {kind.__name__}, not {type(value).__name__}")
    return value


def _names(path: Path, value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CheckpointError(f"{path}: dataset {what} should be a list of strings")
    return value


def _check_byte_ranges(path: Path, entries: dict[str, Any], data_size: int) -> None:
    """Every tensor's bytes must lie in the file and match its shape and dtype, so the model the header
    describes can be no larger than the file (a 1 KB file cannot make us build a 25 GB model)."""
    total = 0
    for name, entry in entries.items():
        shape = _entry_shape(path, name, entry)
        offsets = entry.get("data_offsets")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)):
            raise CheckpointError(f"{path}: tensor {name!r} has no valid data_offsets")
        begin, end = offsets
        size = FLOAT_DTYPES[entry["dtype"]]
        for s in shape:
            size *= s
        if not 0 <= begin <= end <= data_size or end - begin != size:
            raise CheckpointError(f"{path}: tensor {name!r} claims {_n(size)} bytes at {begin}..{end}, but "
                                  f"the file holds {_n(data_size)} bytes of data: truncated or tampered")
        total += size
    if total > data_size:
        raise CheckpointError(f"{path}: the tensors claim {_n(total)} bytes but the file holds "
                              f"{_n(data_size)}")


def _n(count: int) -> str:
    return f"{count:,}"


def _check_layout(path: Path, cfg: ModelConfig, entries: dict[str, Any]) -> None:
    """Header tensor names, shapes and dtypes must be exactly the model's (built on meta: no memory)."""
    try:
        with torch.device("meta"):
            expected = {k: tuple(v.shape) for k, v in build_model(cfg).state_dict().items()}
    except Exception as e:  # absurd sizes in a tampered config: overflow, too many elements...
        raise CheckpointError(f"{path}: cannot build the model its config describes: {e}") from None
    found = {k: _entry_shape(path, k, v) for k, v in entries.items()}
    missing, unexpected = sorted(expected.keys() - found.keys()), sorted(found.keys() - expected.keys())
    if missing or unexpected:
        raise CheckpointError(f"{path}: tensors do not match the model: missing {missing[:5]}, "
                              f"unexpected {unexpected[:5]}")
    wrong = [f"{k} {found[k]} != {v}" for k, v in expected.items() if found[k] != v]
    if wrong:
        raise CheckpointError(f"{path}: wrong tensor shapes: {'; '.join(wrong[:5])}")


def _entry_shape(path: Path, name: str, entry: Any) -> tuple[int, ...]:
    shape = entry.get("shape") if isinstance(entry, dict) else None
    if not isinstance(shape, list) or not all(isinstance(s, int) and s >= 0 for s in shape):
        raise CheckpointError(f"{path}: tensor {name!r} has a malformed header entry")
    if entry.get("dtype") not in FLOAT_DTYPES:
        raise CheckpointError(f"{path}: tensor {name!r} has dtype {entry.get('dtype')!r}, not a float type")
    return tuple(shape)


def _read_tensors(path: Path, data: bytes) -> dict[str, torch.Tensor]:
    try:
        tensors = safetensors.torch.load(data)
    except Exception as e:  # SafetensorError and friends: offsets, sizes, dtypes that disagree
        raise CheckpointError(f"{path}: corrupt safetensors data: {e}") from None
    tensors = {k: v.float() for k, v in tensors.items()}  # before the check: 1e300 in F64 is Inf in F32
    for k, v in tensors.items():
        if not bool(torch.isfinite(v).all()):
            raise CheckpointError(f"{path}: tensor {k!r} holds NaN or Inf (as float32)")
    return tensors


def _device(device: str | torch.device) -> torch.device:
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as e:
        raise ConfigError(f"unknown device {device!r}: {e}") from None
