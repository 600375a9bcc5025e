"""Convolutional body, after the Keras "Variational AutoEncoder" example (MNIST).

Encoder: per ``conv_channels`` a Conv2d(k=3, stride 2, padding 1) + ReLU ("same": 28 -> 14 -> 7), flatten,
Dense(``dense``) + ReLU when ``dense`` > 0. Decoder: Dense(h·w·last) + ReLU, reshape, per reversed
``conv_channels`` a ConvTranspose2d(k=3, stride 2, padding 1, output_padding 1) + ReLU (7 -> 14 -> 28), then
ConvTranspose2d(k=3, stride 1, padding 1) to C channels of logits. The ``keras-conv`` preset has the example's
exact layer sizes (69,076 encoder and 65,089 decoder parameters).
"""

from __future__ import annotations

from itertools import pairwise

from torch import nn

from trainer.models.base import Autoencoder
from trainer.models.config import ModelConfig


class ConvAutoencoder(Autoencoder):
    def __init__(self, config: ModelConfig):
        c, h, w = config.image_shape
        chans = config.conv_channels
        k = 2 ** len(chans)
        flat = (h // k) * (w // k) * chans[-1]
        encoder = nn.Sequential(*down_stack((c, *chans)), nn.Flatten())
        if config.dense > 0:
            encoder.extend([nn.Linear(flat, config.dense), nn.ReLU()])
        decoder = nn.Sequential(
            nn.Linear(config.latent_dim, flat), nn.ReLU(), nn.Unflatten(1, (chans[-1], h // k, w // k)),
            *up_stack((chans[-1], *reversed(chans))),
            nn.ConvTranspose2d(chans[0], c, 3, stride=1, padding=1))
        super().__init__(config, encoder, config.dense or flat, decoder)


def down_stack(channels: tuple[int, ...]) -> list[nn.Module]:
    """Conv2d(k=3, stride 2, "same") + ReLU between each consecutive pair of channel counts."""
    layers: list[nn.Module] = []
    for a, b in pairwise(channels):
        layers += [nn.Conv2d(a, b, 3, stride=2, padding=1), nn.ReLU()]
    return layers


def up_stack(channels: tuple[int, ...]) -> list[nn.Module]:
    """ConvTranspose2d(k=3, stride 2) + ReLU doubling H and W, between each consecutive pair."""
    layers: list[nn.Module] = []
    for a, b in pairwise(channels):
        layers += [nn.ConvTranspose2d(a, b, 3, stride=2, padding=1, output_padding=1), nn.ReLU()]
    return layers
