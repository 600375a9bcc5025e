"""``OnnxAutoencoder``: an ONNX encoder/decoder pair behind the interface of ``trainer.models.Autoencoder``.

Everything that takes one of our models takes this one: ``config`` (a ModelConfig with ``arch="onnx"``),
``is_vae``, ``encode(x) -> (mu, logvar | None)``, ``decode(z) -> logits``, ``forward``, ``loss``,
``reconstruct``, ``sample``, ``eval()``/``train()``, ``parameters()`` (one empty tensor, so that
``next(model.parameters()).device`` works). Tensors go to ONNX Runtime as numpy arrays and come back on the
caller's device and dtype.

What cannot be done with an ONNX graph is refused, not faked: it has no torch weights, so it cannot be
trained, fine-tuned, differentiated or saved as a checkpoint (``OnnxModelError``); it can be exported again
(``trainer.onnx_model.export``).
"""

from __future__ import annotations

import torch
from torch import nn

from trainer.errors import CheckpointError
from trainer.models.base import Output, loss_function
from trainer.models.config import ModelConfig
from trainer.onnx_model.manifest import Manifest
from trainer.onnx_model.runtime import OnnxPair


class OnnxModelError(CheckpointError):
    """Something an ONNX model cannot do (train, fine-tune, differentiate, be saved as .safetensors), or
    an ONNX model folder that is not valid."""


NOT_TRAINABLE = ("an ONNX model runs in ONNX Runtime and has no torch weights: it cannot be trained, "
                 "fine-tuned or differentiated")


class OnnxAutoencoder(nn.Module):
    is_onnx = True

    def __init__(self, pair: OnnxPair, config: ModelConfig):
        super().__init__()
        self.pair, self.config = pair, config
        self.anchor = nn.Parameter(torch.zeros(0), requires_grad=False)  # device, for callers that ask

    @property
    def manifest(self) -> Manifest:
        return self.pair.manifest

    @property
    def is_vae(self) -> bool:
        return self.manifest.has_posterior

    @property
    def device(self) -> torch.device:
        return self.anchor.device

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(mu, logvar | None) N×D for x float in [0, 1], N×C×H×W (our conventions, whatever the graph's)."""
        _no_grad(x)
        mu, logvar = self.pair.encode(x.detach().float().cpu().numpy())
        return _back(mu, x), (None if logvar is None else _back(logvar, x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits N×C×H×W for codes N×D."""
        _no_grad(z)
        return _back(self.pair.decode(z.detach().float().cpu().numpy()), z)

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor | None) -> torch.Tensor:
        if logvar is None or not self.training:
            return mu
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def forward(self, x: torch.Tensor) -> Output:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return Output(self.decode(z), mu, logvar, z)

    def loss(self, x_target: torch.Tensor, out: Output):
        return loss_function(self.config, x_target, out)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode(self.encode(x)[0]))

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0,
               generator: torch.Generator | None = None) -> torch.Tensor:
        z = torch.randn(n, self.config.latent_dim, generator=generator) * temperature
        return torch.sigmoid(self.decode(z))

    def state_dict(self, *args, **kwargs):
        raise OnnxModelError(f"{NOT_TRAINABLE}; export it as ONNX instead of saving a checkpoint")


def _no_grad(t: torch.Tensor) -> None:
    if t.requires_grad and torch.is_grad_enabled():
        raise OnnxModelError(NOT_TRAINABLE)


def _back(array, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(array).to(device=like.device, dtype=like.dtype if like.is_floating_point()
                                      else torch.float32)


def config_of(manifest: Manifest) -> ModelConfig:
    """The ModelConfig that describes an ONNX model: family (ae or vae: what the graph computes), image
    shape, latent size, beta; ``arch="onnx"``, no layers (the graph is opaque)."""
    family = "vae" if manifest.has_posterior else ("sparse" if manifest.family == "sparse" else "ae")
    return ModelConfig(family=family, arch="onnx", image_shape=manifest.image_shape,
                       latent_dim=manifest.latent_dim, hidden=(), conv_channels=(), dense=0,
                       beta=manifest.beta if family == "vae" else 1.0, sparsity_weight=0.0,
                       preset=manifest.name)
