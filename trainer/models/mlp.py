"""Fully connected body: flatten C·H·W -> hidden widths (ReLU) -> code; the decoder mirrors it.

``mlp-512``: 784-512-2 (and back); ``glyph-35-5``: 35-5-2 (hidden=(5,)).
"""

from __future__ import annotations

import math
from itertools import pairwise

from torch import nn

from trainer.models.base import Autoencoder
from trainer.models.config import ModelConfig


class MLPAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig):
        pixels = math.prod(config.image_shape)
        widths = (pixels, *config.hidden)
        encoder = nn.Sequential(nn.Flatten(), *dense_stack(widths))
        back = (config.latent_dim, *reversed(config.hidden))
        decoder = nn.Sequential(*dense_stack(back), nn.Linear(back[-1], pixels),
                                nn.Unflatten(1, config.image_shape))
        super().__init__(config, encoder, widths[-1], decoder)


def dense_stack(widths: tuple[int, ...]) -> list[nn.Module]:
    """Linear + ReLU between each consecutive pair of widths."""
    layers: list[nn.Module] = []
    for a, b in pairwise(widths):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return layers
