"""The one autoencoder interface: a body (MLP or conv) around a code, and one loss for every family.

In the spirit of pytorch/examples ``vae/main.py``: ``encode / reparameterize / decode / forward`` and a pure
loss. A subclass only builds ``encoder`` (x -> features), ``decoder`` (z -> logits) and says how wide the
features are; the code heads (``mu``, and ``logvar`` for a VAE) live here.

Families:
  ``ae``      deterministic code z = mu; ``encode`` returns ``(mu, None)``.
  ``vae``     Gaussian posterior N(mu, exp(logvar)); z is reparameterized in train mode and = mu in eval mode;
              ``beta`` weights the KL term.
  ``sparse``  deterministic like ``ae``, plus a sparsity penalty on the code (see ``sparsity_penalty``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from trainer.models.config import ModelConfig


class Output(NamedTuple):
    logits: torch.Tensor  # N×C×H×W Bernoulli logits
    mu: torch.Tensor  # N×D
    logvar: torch.Tensor | None  # N×D for a VAE, else None
    z: torch.Tensor  # N×D: the code that was decoded


class Losses(NamedTuple):
    """Scalar tensors, each the mean over the batch of nats per image."""

    total: torch.Tensor
    recon: torch.Tensor
    kl: torch.Tensor
    sparsity: torch.Tensor


class Autoencoder(nn.Module):
    def __init__(self, config: ModelConfig, encoder: nn.Module, features: int, decoder: nn.Module):
        super().__init__()
        self.config = config
        self.encoder = encoder
        self.mu = nn.Linear(features, config.latent_dim)
        self.logvar = nn.Linear(features, config.latent_dim) if config.family == "vae" else None
        self.decoder = decoder

    @property
    def is_vae(self) -> bool:
        return self.logvar is not None

    @property
    def device(self) -> torch.device:
        return self.mu.weight.device

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        h = self.encoder(x)
        return self.mu(h), (self.logvar(h) if self.logvar is not None else None)

    def reparameterize(self, mu: torch.Tensor, logvar: torch.Tensor | None) -> torch.Tensor:
        if logvar is None or not self.training:
            return mu
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> Output:
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar)
        return Output(self.decode(z), mu, logvar, z)

    def loss(self, x_target: torch.Tensor, out: Output) -> Losses:
        return loss_function(self.config, x_target, out)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Pixel probabilities of decode(mu): the deterministic reconstruction, whatever the mode."""
        return torch.sigmoid(self.decode(self.encode(x)[0]))

    @torch.no_grad()
    def sample(self, n: int, temperature: float = 1.0,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """Decode n codes z ~ N(0, T²·I) to pixel probabilities.

        Only meaningful for a VAE, whose prior is N(0, I); an ae/sparse code has no prior, so this decodes
        the same Gaussian draws, which may land far from where its codes live.
        """
        where = generator.device if generator is not None else self.device
        z = torch.randn(n, self.config.latent_dim, generator=generator, device=where) * temperature
        return torch.sigmoid(self.decode(z.to(self.device)))


def loss_function(cfg: ModelConfig, x: torch.Tensor, out: Output) -> Losses:
    """recon + beta·kl + sparsity_weight·sparsity, each a batch mean of nats per image."""
    recon = F.binary_cross_entropy_with_logits(out.logits, x, reduction="none").flatten(1).sum(1).mean()
    zero = recon.new_zeros(())
    kl = kl_divergence(out.mu, out.logvar) if out.logvar is not None else zero
    sparsity = sparsity_penalty(cfg, out.z) if cfg.family == "sparse" else zero
    total = recon + cfg.beta * kl + cfg.sparsity_weight * sparsity
    return Losses(total, recon, kl, sparsity)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per image, summed over latent units, averaged over the batch."""
    return (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)).mean()


def sparsity_penalty(cfg: ModelConfig, z: torch.Tensor) -> torch.Tensor:
    """``l1``: batch mean of sum_j |z_j|.

    ``kl``: sum over units j of KL(rho || rho_hat_j) between Bernoulli distributions, where
    rho_hat_j = batch mean of sigmoid(z_j) is unit j's average activation and rho = ``sparsity_target``
    (Ng's sparse-autoencoder penalty; the code is squashed by a sigmoid because it is linear here).
    """
    if cfg.sparsity == "l1":
        return z.abs().sum(1).mean()
    rho = cfg.sparsity_target
    rho_hat = torch.sigmoid(z).mean(0).clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()
