"""PSNR, active units, the importance-weighted NLL bound and evaluate()."""

import json
import math

import numpy as np
import pytest
import torch
from toy_data import SHAPE, bars

from trainer.errors import ConfigError, DataError
from trainer.metrics import PSNR_CAP_DB, active_units, evaluate, iw_nll, psnr, psnr_histogram
from trainer.models import ModelConfig, build_model
from trainer.train import TrainConfig, fit


@pytest.fixture(scope="module")
def trained_vae():
    torch.manual_seed(0)
    model = build_model(ModelConfig(family="vae", arch="mlp", image_shape=SHAPE, hidden=(32,), latent_dim=2))
    data = bars(320, n_train=256)
    for _ in fit(model, data, TrainConfig(epochs=8, batch_size=32, lr=1e-2, report_every_s=1e6)):
        pass
    return model, data


def as_float(data):
    return torch.from_numpy(data.images).float() / 255


# --- PSNR and friends -------------------------------------------------------------------------------

def test_psnr_of_identical_images_is_the_cap():
    x = np.random.default_rng(0).random((4, 1, 5, 5))
    assert np.array_equal(psnr(x, x), np.full(4, PSNR_CAP_DB))


def test_psnr_of_a_known_mse():
    clean = np.zeros((2, 3, 4, 4))
    other = np.stack([np.full((3, 4, 4), 0.1), np.full((3, 4, 4), 0.5)])
    assert psnr(clean, other) == pytest.approx([20.0, 10 * math.log10(4)])
    rng = np.random.default_rng(1)
    a, b = rng.random((5, 1, 6, 6)), rng.random((5, 1, 6, 6))
    mse = ((a - b) ** 2).mean(axis=(1, 2, 3))
    assert psnr(a, b) == pytest.approx(10 * np.log10(1 / mse))
    with pytest.raises(ConfigError):
        psnr(a, b[:, :, :5])


def test_psnr_histogram():
    values = np.array([10.0, 12.0, 12.5, 30.0, np.nan])
    counts, edges = psnr_histogram(values, bins=4)
    assert counts.sum() == 4 and len(edges) == 5 and edges[0] == 10 and edges[-1] == 30
    counts, edges = psnr_histogram(np.array([]), bins=3)
    assert counts.sum() == 0 and len(edges) == 4


def test_active_units_counts_dimensions_that_vary():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(500, 4)) * np.array([1.0, 0.01, 0.5, 0.0])
    assert active_units(mu) == 2
    assert active_units(mu[:1]) == 0


# --- the importance-weighted bound ------------------------------------------------------------------

def test_iw_with_one_sample_is_the_elbo_in_expectation(trained_vae):
    model, data = trained_vae
    model.eval()
    x = as_float(data)[:4]
    reps = 4000
    xs = x.repeat(reps, 1, 1, 1)
    gen = torch.Generator().manual_seed(0)
    neg_log_w = iw_nll(model, xs, 1, generator=gen).reshape(reps, 4)  # -(log p(x|z) + log p(z) - log q)
    with torch.no_grad():
        mu, logvar = model.encode(xs)
        z = mu + torch.randn(mu.shape, generator=gen) * torch.exp(0.5 * logvar)
        recon = torch.nn.functional.binary_cross_entropy_with_logits(
            model.decode(z), xs, reduction="none").flatten(1).sum(1).reshape(reps, 4)
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)).reshape(reps, 4)[0]
    neg_elbo = recon.mean(0) + kl
    tol = 4 * torch.sqrt(neg_log_w.var(0) / reps + recon.var(0) / reps) + 1e-3
    assert (neg_log_w.mean(0) - neg_elbo).abs().le(tol).all()


def test_iw_bound_tightens_with_more_samples(trained_vae):
    model, data = trained_vae
    metrics = evaluate(model, data.test, iw_samples=50)
    assert metrics.nll_iw_nats is not None and metrics.iw_samples == 50
    x = as_float(data.test)
    gen = torch.Generator().manual_seed(1)
    neg_elbo = np.mean([iw_nll(model, x, 1, generator=gen).mean().item() for _ in range(50)])
    assert metrics.nll_iw_nats <= neg_elbo + 0.05
    assert metrics.nll_iw_nats <= -metrics.elbo_nats + 0.5
    iw5 = iw_nll(model, x, 5, generator=gen).mean().item()
    assert metrics.nll_iw_nats <= iw5 + 0.1


def test_iw_nll_approaches_the_exact_nll(trained_vae):
    """With a 2-D code, log p(x) = log ∫ p(x|z) p(z) dz can be integrated on a fine grid."""
    model, data = trained_vae
    model.eval()
    x = as_float(data.test)[:16]
    ticks = torch.linspace(-6, 6, 241)
    z = torch.cartesian_prod(ticks, ticks)
    with torch.no_grad():
        logits = model.decode(z).flatten(1)  # G×P
    log_pz = -0.5 * (z.pow(2).sum(1) + 2 * math.log(2 * math.pi)) + 2 * math.log(float(ticks[1] - ticks[0]))
    exact = []
    for xi in x.flatten(1):
        log_px_z = -torch.nn.functional.binary_cross_entropy_with_logits(
            logits, xi.expand_as(logits), reduction="none").sum(1)
        exact.append(-torch.logsumexp(log_px_z + log_pz, 0))
    exact = torch.stack(exact)
    iw = iw_nll(model, x, 1000, generator=torch.Generator().manual_seed(0))
    assert iw.mean().item() == pytest.approx(exact.mean().item(), abs=0.05)
    assert (iw - exact).abs().max().item() < 0.3  # per image: an upper bound only in expectation


def test_iw_nll_needs_a_vae_and_k():
    ae = build_model(ModelConfig(family="ae", arch="mlp", image_shape=SHAPE, hidden=(8,)))
    x = torch.rand(3, *SHAPE)
    with pytest.raises(ConfigError, match="needs a VAE"):
        iw_nll(ae, x, 5)
    vae = build_model(ModelConfig(family="vae", arch="mlp", image_shape=SHAPE, hidden=(8,)))
    with pytest.raises(ConfigError):
        iw_nll(vae, x, 0)


# --- evaluate ---------------------------------------------------------------------------------------

def test_evaluate_vae(trained_vae):
    model, data = trained_vae
    model.train()
    test = data.test
    m = evaluate(model, test, batch_size=20)
    assert model.training  # mode restored
    assert m.n == 64 and m.psnr_per_image.shape == (64,) and m.nll_iw_nats is None
    assert m.elbo_nats == pytest.approx(-(m.recon_nats + m.kl_nats))
    assert m.loss_nats == pytest.approx(m.recon_nats + m.kl_nats, rel=1e-5)
    assert m.kl_nats > 0 and 0 <= m.active_units <= 2
    clean = as_float(test)
    with torch.no_grad():
        expected = psnr(clean.numpy(), model.reconstruct(clean).numpy())
    assert m.psnr_per_image == pytest.approx(expected, rel=1e-5)
    assert m.psnr_db == pytest.approx(expected.mean(), rel=1e-5)
    again = evaluate(model, test, batch_size=64)  # batch size and repeats do not change the figures much
    assert again.psnr_db == pytest.approx(m.psnr_db, rel=1e-5)
    d = json.loads(json.dumps(m.to_dict()))
    assert "psnr_per_image" not in d and d["n"] == 64 and d["elbo_nats"] == pytest.approx(m.elbo_nats)


def test_evaluate_autoencoder_has_no_kl_or_iw():
    torch.manual_seed(0)
    ae = build_model(ModelConfig(family="ae", arch="mlp", image_shape=SHAPE, hidden=(8,), latent_dim=3))
    m = evaluate(ae, bars(40), iw_samples=10)
    assert m.kl_nats == 0 and m.nll_iw_nats is None and m.iw_samples == 0
    assert m.elbo_nats == pytest.approx(-m.recon_nats) and m.active_units <= 3
    assert m.to_dict()["nll_iw_nats"] is None


def test_evaluate_rejects_empty_data():
    ae = build_model(ModelConfig(family="ae", arch="mlp", image_shape=SHAPE, hidden=(8,)))
    with pytest.raises(DataError, match="no images"):
        evaluate(ae, bars(10).test)
