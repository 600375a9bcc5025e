"""Autoencoders: ``build_model(ModelConfig) -> Autoencoder`` for every family (ae, vae, sparse) and body."""

from trainer.models.base import Autoencoder, Losses, Output
from trainer.models.config import ARCHS, FAMILIES, PRESETS, ModelConfig, preset
from trainer.models.conv import ConvAutoencoder
from trainer.models.mlp import MLPAutoencoder

__all__ = ["ARCHS", "FAMILIES", "PRESETS", "Autoencoder", "Losses", "ModelConfig", "Output", "build_model",
           "preset"]

_BODIES = {"mlp": MLPAutoencoder, "conv": ConvAutoencoder}


def build_model(cfg: ModelConfig) -> Autoencoder:
    """A fresh model with PyTorch's default initialisation; ``model.config is cfg``."""
    return _BODIES[cfg.arch](cfg)
