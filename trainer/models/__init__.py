"""Autoencoders: ``build_model(ModelConfig) -> Autoencoder`` for every family (ae, vae, sparse) and body.

``trainer.models.config`` is torch-free, so the app can describe models before torch is imported; the torch
modules below load on first use of their names (PEP 562), which keeps the first window fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from trainer.models.config import ARCHS, FAMILIES, PRESETS, ModelConfig, preset

if TYPE_CHECKING:
    from trainer.models.base import Autoencoder, Losses, Output

__all__ = ["ARCHS", "FAMILIES", "PRESETS", "Autoencoder", "Losses", "ModelConfig", "Output", "build_model",
           "preset"]

_LAZY = dict.fromkeys(("Autoencoder", "Losses", "Output"), "trainer.models.base")


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trainer.models' has no attribute {name!r}")


def build_model(cfg: ModelConfig) -> Autoencoder:
    """A fresh model with PyTorch's default initialisation; ``model.config is cfg``. ConfigError for
    ``arch="onnx"`` (an ONNX graph has no torch layers to build: open its folder instead)."""
    from trainer.models.conv import ConvAutoencoder
    from trainer.models.mlp import MLPAutoencoder

    if cfg.arch not in ("mlp", "conv"):
        from trainer.errors import ConfigError

        raise ConfigError(f"a {cfg.arch} model cannot be built in torch (it has no layers to train)")
    body = {"mlp": MLPAutoencoder, "conv": ConvAutoencoder}[cfg.arch]
    return body(cfg)
