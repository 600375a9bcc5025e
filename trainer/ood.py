"""The out-of-distribution probe: a second data set encoded through a model trained on another, where its
codes land, and the ELBO of both sets.

Nalisnick et al. 2019 ("Do Deep Generative Models Know What They Don't Know?", ICLR) found that likelihood
models trained on one image set (Fashion-MNIST, CIFAR-10) can give HIGHER likelihood to a foreign one (MNIST,
SVHN): simple images with many constant pixels are cheap to encode whatever the model saw. So a high ELBO
does not mean "looks like my training data". The probe reports whatever happens, with the AUROC of using the
ELBO as an in/out detector (0.5 = chance; below 0.5 the foreign set looks MORE likely).

The ELBO per image, in nats: E_q[log p(x|z)] − KL(q(z|x) || N(0, I)) with Bernoulli pixels (the training
loss, ``trainer.models.loss_function``), the expectation estimated with ``samples`` draws z = mu + sigma·eps
from a seeded generator. A plain autoencoder has no ELBO: its score is −(reconstruction cross-entropy) of
decode(mu), a likelihood of the image given its code only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError


def fit_images(images: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """uint8 images N×C×H×W resized to ``shape`` = (C', H', W') (Pillow, bilinear), greyscale made from RGB
    (the mean of the channels) or RGB from grey (repeated), so a foreign data set can go through a model."""
    from PIL import Image

    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ConfigError(f"images must be uint8 N×C×H×W, got {images.dtype} {images.shape}")
    c, h, w = (int(v) for v in shape)
    if images.shape[1] != c:
        grey = images.astype(np.float32).mean(1, keepdims=True)
        images = np.repeat(grey, c, 1) if c > 1 else grey
        images = np.round(images).astype(np.uint8)
    if images.shape[2:] == (h, w):
        return np.ascontiguousarray(images)
    out = np.empty((len(images), c, h, w), np.uint8)
    for k, image in enumerate(images):
        for ch in range(c):
            out[k, ch] = np.asarray(Image.fromarray(image[ch]).resize((w, h), Image.Resampling.BILINEAR))
    return out


def elbo(model, images: np.ndarray, samples: int = 1, seed: int = 0, batch_size: int = 512) -> np.ndarray:
    """The ELBO of each uint8 image N×C×H×W, nats (float64 N; higher = more likely under the model). For a
    plain autoencoder: −(reconstruction cross-entropy of decode(mu))."""
    import torch
    import torch.nn.functional as F

    from trainer.latent import _evaluating

    if samples < 1:
        raise ConfigError(f"the ELBO needs 1 or more samples, got {samples}")
    images = np.asarray(images)
    gen = torch.Generator().manual_seed(int(seed))
    out = []
    with _evaluating(model) as device:
        for i in range(0, len(images), batch_size):
            x = torch.tensor(images[i:i + batch_size], device=device).float() / 255
            mu, logvar = model.encode(x)
            if logvar is None:
                recon = F.binary_cross_entropy_with_logits(model.decode(mu), x, reduction="none")
                out.append(-recon.flatten(1).sum(1).double().cpu().numpy())
                continue
            log_px = torch.zeros(len(x), dtype=torch.float64, device=device)
            for _ in range(samples):
                eps = torch.randn(mu.shape, generator=gen).to(device, mu.dtype)
                z = mu + eps * torch.exp(0.5 * logvar)
                bce = F.binary_cross_entropy_with_logits(model.decode(z), x, reduction="none")
                log_px -= bce.flatten(1).sum(1).double() / samples
            kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1).double()
            out.append((log_px - kl).cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0)


def auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """The probability that a random in-distribution image scores higher than a random foreign one (ties
    count half): the area under the ROC curve of the score as an in/out detector. NaN if a set is empty."""
    a, b = np.asarray(in_scores, np.float64), np.asarray(out_scores, np.float64)
    if not len(a) or not len(b):
        return float("nan")
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([a, b]))
    return float((ranks[:len(a)].sum() - len(a) * (len(a) + 1) / 2) / (len(a) * len(b)))


@dataclass(frozen=True)
class Probe:
    """The probe's result: ``elbo_in`` / ``elbo_out`` nats per image (float64), ``codes_out`` float32 M×D
    (latent means of the foreign images), ``auroc`` of the ELBO as detector (see ``auroc``), and the
    ``share_higher``: the fraction of foreign images whose ELBO is above the median in-distribution ELBO."""

    elbo_in: np.ndarray
    elbo_out: np.ndarray
    codes_out: np.ndarray
    auroc: float
    share_higher: float
    vae: bool

    def lesson(self) -> str:
        """One sentence on what happened, whichever way it went."""
        med_in, med_out = np.median(self.elbo_in), np.median(self.elbo_out)
        what = "ELBO" if self.vae else "reconstruction log-likelihood"
        if med_out > med_in:
            return (f"The foreign images get a HIGHER {what} (median {med_out:.1f} vs {med_in:.1f} nats): "
                    "the model finds them easier than its own data, as Nalisnick et al. 2019 warned. A "
                    "likelihood is not a detector of the unknown.")
        if self.auroc >= 0.9:
            return (f"The foreign images get a much lower {what} (median {med_out:.1f} vs {med_in:.1f} nats; "
                    f"AUROC {self.auroc:.2f}): here the likelihood does tell them apart.")
        return (f"The foreign images get a lower {what} (median {med_out:.1f} vs {med_in:.1f} nats) but the "
                f"two histograms overlap (AUROC {self.auroc:.2f}): many foreign images look as likely as "
                "the model's own.")


def probe(model, in_images: np.ndarray, out_images: np.ndarray, samples: int = 1, seed: int = 0) -> Probe:
    """Encode and score ``in_images`` (the model's own data) and ``out_images`` (resized to the model's
    shape first with ``fit_images``), both uint8 N×C×H×W."""
    from trainer.latent import encode

    shape = tuple(model.config.image_shape)
    in_images = fit_images(in_images, shape)
    out_images = fit_images(out_images, shape)
    e_in = elbo(model, in_images, samples, seed)
    e_out = elbo(model, out_images, samples, seed + 1)
    codes_out = encode(model, out_images)[0]
    share = float((e_out > np.median(e_in)).mean()) if len(e_in) and len(e_out) else float("nan")
    return Probe(e_in, e_out, np.array(codes_out, np.float32, copy=True), auroc(e_in, e_out), share,
                 model.config.family == "vae")
