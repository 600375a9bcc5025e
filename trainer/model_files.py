"""Open any model file: our checkpoints (``*.safetensors``) and ONNX models (a folder or .zip with
``encoder.onnx``, ``decoder.onnx`` and ``model.json``; ``model.json`` or an ``.onnx`` file inside the folder
means the folder). The CLI, the app's workers and the tools open models through here.
"""

from __future__ import annotations

import os
from pathlib import Path

from trainer.errors import CheckpointError

__all__ = ["describe_kind", "fingerprint", "is_onnx", "load_model", "read_model_info"]


def is_onnx(path: str | os.PathLike) -> bool:
    """True when ``path`` names an ONNX model (a folder, a file inside one, or a .zip), by its name alone."""
    from trainer.onnx_model.archive import looks_like_onnx_model

    path = Path(path)
    return looks_like_onnx_model(path) or path.suffix.lower() in (".zip", ".onnx") or path.is_dir()


def load_model(path: str | os.PathLike, device: str = "cpu", threads: int | None = None):
    """(model in eval mode, CheckpointInfo) for a checkpoint or an ONNX model; CheckpointError otherwise.
    ``threads`` bounds ONNX Runtime's threads (torch's are set by the caller)."""
    path = Path(path)
    if is_onnx(path):
        from trainer.onnx_model import load_onnx_model

        if str(device) != "cpu":
            raise CheckpointError(f"{path}: an ONNX model runs on the CPU here (ONNX Runtime), "
                                  f"not on {device}")
        return load_onnx_model(path, threads)
    from trainer.checkpoint import load_checkpoint

    return load_checkpoint(path, device)


def read_model_info(path: str | os.PathLike):
    """The metadata only (no weights read, no graph loaded)."""
    if is_onnx(path):
        from trainer.onnx_model import read_onnx_info

        return read_onnx_info(path)
    from trainer.checkpoint import read_checkpoint_info

    return read_checkpoint_info(path)


def fingerprint(path: str | os.PathLike) -> str:
    """Changes when the model's file(s) change: path, sizes and modification times (a cache key)."""
    if is_onnx(path):
        from trainer.onnx_model import fingerprint as onnx_fingerprint

        return onnx_fingerprint(path)
    st = Path(path).stat()
    return f"{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}"


def describe_kind(model) -> str:
    """"ONNX model" or "checkpoint": for messages."""
    return "ONNX model" if getattr(model, "is_onnx", False) else "checkpoint"
