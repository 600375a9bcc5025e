"""Write any of our checkpoints as an ONNX model folder (or .zip): ``encoder.onnx`` (images N×C×H×W float in
[0, 1] -> ``mean`` and, for a VAE, ``log_variance``, N×D), ``decoder.onnx`` (``z`` N×D -> ``logits``
N×C×H×W) and ``model.json`` (the manifest; its ``origin`` keeps the model and training settings, the data
set and the test metrics).

The graphs are traced by ``torch.onnx.export`` (TorchScript exporter, opset ``OPSET``), with a free batch
size. The folder is written beside its final place and renamed into it, so a failed export leaves no half
folder; a zip is written atomically. An existing target is replaced only when it is an ONNX model folder
(or a file ending in .zip): any other folder is refused.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

import torch
from torch import nn

from trainer.errors import CheckpointError, ConfigError
from trainer.files import atomic_file
from trainer.onnx_model.archive import MANIFEST

OPSET = 17
ENCODER, DECODER = "encoder.onnx", "decoder.onnx"


class _Encoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor):
        mu, logvar = self.model.encode(image)
        return (mu, logvar) if logvar is not None else mu


class _Decoder(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.model.decode(z)


def export_onnx(model, out: str | os.PathLike, info=None, dataset=None) -> Path:
    """Write ``model`` (an Autoencoder) to the folder ``out`` (or the zip, if it ends in .zip); returns it.
    ``info`` (its CheckpointInfo) and ``dataset`` supply the class names, data set and history."""
    if getattr(model, "is_onnx", False):
        raise ConfigError("this model is an ONNX model already: copy its folder")
    out = Path(out)
    files = {ENCODER: _graph(_Encoder(model), _example_image(model), ["image"],
                             ["mean", "log_variance"] if model.is_vae else ["mean"]),
             DECODER: _graph(_Decoder(model), torch.zeros(2, model.config.latent_dim), ["z"], ["logits"]),
             MANIFEST: (json.dumps(manifest_for(model, info, dataset, out.stem), indent=2,
                                   ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")}
    if out.suffix.lower() == ".zip":
        return _write_zip(out, files)
    return _write_folder(out, files)


def manifest_for(model, info=None, dataset=None, name: str = "") -> dict:
    """The model.json of an exported checkpoint."""
    cfg = model.config
    c, h, w = cfg.image_shape
    encoder = {"input": "image", "mean": "mean"}
    if model.is_vae:
        encoder["log_variance"] = "log_variance"
    classes = list(dataset.class_names) if dataset is not None else list(getattr(info, "class_names", []))
    attributes = (list(dataset.attribute_names) if dataset is not None
                  else list(getattr(info, "attribute_names", [])))
    spec = dataset.spec if dataset is not None else getattr(info, "dataset_spec", "")
    train = dict(getattr(info, "train_config", {}) or {})
    family = "denoising" if cfg.family == "ae" and train.get("noise", "none") not in ("none", "", None) \
        else cfg.family
    doc = {"format_version": 1, "name": name or cfg.preset or f"{cfg.family} {cfg.arch}",
           "image": {"channels": c, "height": h, "width": w, "layout": "NCHW"}, "input_range": [0, 1],
           "latent_dim": cfg.latent_dim, "encoder": encoder,
           "decoder": {"input": "z", "output": "logits", "returns": "logits"},
           "family": family, "class_names": classes, "attribute_names": attributes, "dataset": spec or "",
           "origin": {"made_by": "Latent Explorer (python -m trainer export)",
                      "model_config": cfg.to_dict(), "train_config": train,
                      "metrics": _metrics(info), "created": getattr(info, "created", "") or ""}}
    if cfg.family == "vae":
        doc["beta"] = cfg.beta
    return doc


def _metrics(info) -> dict:
    return _finite(dict(getattr(info, "metrics", {}) or {}))


def _finite(value):
    """JSON has no NaN or Inf: None in their place, all the way down."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _example_image(model) -> torch.Tensor:
    return torch.rand(2, *model.config.image_shape, generator=torch.Generator().manual_seed(0))


def _graph(module: nn.Module, example: torch.Tensor, inputs: list[str], outputs: list[str]) -> bytes:
    """The module traced to ONNX bytes, in eval mode, batch size free."""
    was_training = [m.training for m in module.modules()]
    module.eval()
    module.to(memory_format=torch.contiguous_format)
    buffer = io.BytesIO()
    axes = {name: {0: "N"} for name in [*inputs, *outputs]}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
            torch.onnx.export(module, (example.contiguous(),), buffer, dynamo=False, input_names=inputs,
                              output_names=outputs, dynamic_axes=axes, opset_version=OPSET)
    except (RuntimeError, TypeError, ValueError) as e:
        raise CheckpointError(f"the model could not be exported to ONNX: {e}") from None
    finally:
        for m, flag in zip(module.modules(), was_training, strict=True):
            m.training = flag
    return buffer.getvalue()


def _write_zip(out: Path, files: dict[str, bytes]) -> Path:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{out.stem}/{name}", content)
    try:
        with atomic_file(out) as f:
            f.write(data.getvalue())
    except OSError as e:
        raise CheckpointError(f"{out}: cannot write: {e.strerror or e}") from None
    return out


def _write_folder(out: Path, files: dict[str, bytes]) -> Path:
    """A temp folder beside ``out``, filled and fsynced, then renamed into place (an old model folder there
    is replaced; any other folder or file is refused)."""
    if out.exists() and not (out.is_dir() and (out / MANIFEST).is_file() or _empty_dir(out)):
        raise CheckpointError(f"{out}: exists and is not an ONNX model folder; choose a new folder name")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    except OSError as e:
        raise CheckpointError(f"{out}: cannot write: {e.strerror or e}") from None
    try:
        for name, content in files.items():
            with atomic_file(tmp / name, make_parents=False) as f:
                f.write(content)
        os.chmod(tmp, 0o755)
        _replace_dir(tmp, out)
    except OSError as e:
        raise CheckpointError(f"{out}: cannot write: {e.strerror or e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _replace_dir(new: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _empty_dir(path: Path) -> bool:
    with contextlib.suppress(OSError):
        return path.is_dir() and not any(path.iterdir())
    return False
