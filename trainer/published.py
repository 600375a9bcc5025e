"""Published test figures for Gaussian VAEs on binarized MNIST, to print beside ours (``trainer eval``).

The standard figure is the test negative log-likelihood -log p(x) in nats per image, estimated by importance
sampling with k = 5000 samples from q(z|x) (Burda et al. 2015, §5; ``trainer.metrics.iw_nll``), on MNIST
binarized as in ``trainer.binarize``. Lower is better. Each entry names the paper, the table and the model;
a figure is only comparable with ours for the same data set, binarization and code size.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    latent_dim: int
    nll_nats: float
    model: str
    source: str
    recipe: str  # our fit command's model flags that come closest


PUBLISHED: tuple[Published, ...] = (
    Published(2, 135.73, "Gaussian VAE (N-VAE), MLP 784-256-128-2 (ReLU), mirrored decoder",
              "Davidson et al. 2018, Hyperspherical Variational Auto-Encoders, Table 1 (MNIST, d = 2)",
              "--family vae --hidden 256,128 --latent-dim 2"),
    Published(20, 88.90, "Gaussian VAE (N-VAE), MLP 784-256-128-20 (ReLU), mirrored decoder",
              "Davidson et al. 2018, Hyperspherical Variational Auto-Encoders, Table 1 (MNIST, d = 20)",
              "--family vae --hidden 256,128 --latent-dim 20"),
    Published(50, 86.76, "VAE, one stochastic layer (50 units), 2×200 tanh hidden layers, trained with k = 1",
              "Burda et al. 2015, Importance Weighted Autoencoders, Table 1 (MNIST, k = 5000 at test)",
              "--family vae --hidden 200,200 --latent-dim 50"),
)
STANDARD_K = 5000


def figures_for(latent_dim: int) -> list[Published]:
    """The published figures for a Gaussian VAE with this code size (empty if none)."""
    return [p for p in PUBLISHED if p.latent_dim == latent_dim]


def beside(ours_nats: float | None, latent_dim: int, *, data_kind: str, binarized: bool, k: int,
           n: int, n_test: int) -> list[str]:
    """Lines that put our IW-NLL beside the published figure for the same code size, and say in words what
    differs from the published set-up (another data set, no binarization, fewer samples, a test subset)."""
    found = figures_for(latent_dim)
    if not found:
        known = ", ".join(str(p.latent_dim) for p in PUBLISHED)
        return [f"published: no binarized-MNIST figure for a {latent_dim}-D code (known: {known})"]
    ours = f"{ours_nats:7.2f}" if ours_nats is not None else "   -   (pass --iw-samples 5000)"
    lines = [f"test NLL, nats per image (lower is better), {latent_dim}-D Gaussian VAE:",
             f"  ours       {ours}  (k = {k}, {n:,} test images of {data_kind})"]
    lines += [f"  published  {p.nll_nats:7.2f}  {p.source}; {p.model}" for p in found]
    notes = _differences(data_kind, binarized, k, n, n_test)
    if notes:
        lines.append("  not the published set-up: " + "; ".join(notes))
    return lines


def _differences(data_kind: str, binarized: bool, k: int, n: int, n_test: int) -> list[str]:
    notes = []
    if data_kind != "mnist":
        notes.append(f"the data set is {data_kind}, not MNIST")
    if not binarized:
        notes.append("the images are not binarized (use --binarize)")
    if 0 < k < STANDARD_K:
        notes.append(f"k = {k} importance samples, not {STANDARD_K} (a looser bound: ours reads higher)")
    if n < n_test:
        notes.append(f"{n:,} of the {n_test:,} test images")
    return notes
