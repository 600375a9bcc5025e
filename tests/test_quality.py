"""trainer.quality: per-image reconstruction errors against a direct numpy computation, and the ranking."""

import numpy as np
import pytest
import torch

from trainer.data import load_dataset
from trainer.errors import ConfigError
from trainer.latent import encode
from trainer.metrics import PSNR_CAP_DB, evaluate
from trainer.models import ModelConfig, build_model
from trainer.quality import ReconErrors, class_counts, reconstruction_errors, summary, worst


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    cfg = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2, hidden=(16,))
    return build_model(cfg).eval()


def direct(model, images):
    """PSNR, BCE and MSE per image computed in numpy from the decoder's logits at the encoder's means."""
    x = images.astype(np.float64) / 255
    with torch.no_grad():
        mu = model.encode(torch.tensor(x, dtype=torch.float32))[0]
        logits = model.decode(mu).double().numpy()
    p = 1 / (1 + np.exp(-logits))
    mse = ((x - p) ** 2).reshape(len(x), -1).mean(1)
    bce = (np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))).reshape(len(x), -1).sum(1)
    return np.minimum(10 * np.log10(1 / mse), PSNR_CAP_DB), bce, mse


def test_errors_match_numpy(model, digits):
    images = digits.images[:300]
    errors = reconstruction_errors(model, images, batch_size=64)
    psnr, bce, mse = direct(model, images)
    assert len(errors) == 300
    np.testing.assert_allclose(errors.psnr_db, psnr, rtol=1e-5)
    np.testing.assert_allclose(errors.bce_nats, bce, rtol=1e-5)
    np.testing.assert_allclose(errors.mse, mse, rtol=1e-5)


def test_batches_codes_and_metrics_agree(model, digits):
    images = digits.test.images
    one = reconstruction_errors(model, images, batch_size=len(images))
    many = reconstruction_errors(model, images, batch_size=7)
    np.testing.assert_allclose(many.psnr_db, one.psnr_db, rtol=1e-6)
    again = reconstruction_errors(model, images, batch_size=7)
    np.testing.assert_array_equal(again.psnr_db, many.psnr_db)  # deterministic
    mu, _ = encode(model, images)
    from_codes = reconstruction_errors(model, images, codes=mu)
    np.testing.assert_allclose(from_codes.psnr_db, one.psnr_db, rtol=1e-5)
    np.testing.assert_allclose(evaluate(model, digits.test).psnr_per_image, one.psnr_db, rtol=1e-5)


def test_worst_ranking():
    psnr = np.array([20.0, 11.0, 35.0, 11.0, 9.5, 40.0])
    np.testing.assert_array_equal(worst(psnr, 3), [4, 1, 3])  # ties in row order
    errors = ReconErrors(psnr, np.zeros(6), np.zeros(6))
    np.testing.assert_array_equal(worst(errors, 10), [4, 1, 3, 0, 2, 5])
    assert len(worst(psnr, 0)) == 0
    with pytest.raises(ConfigError):
        worst(psnr, -1)


def test_worst_is_sorted_and_minimal(model, digits):
    errors = reconstruction_errors(model, digits.test.images)
    rows = worst(errors, 20)
    values = errors.psnr_db[rows]
    assert np.all(np.diff(values) >= 0)
    assert values[-1] <= np.sort(errors.psnr_db)[20]


def test_summary_counts_and_errors(model, digits):
    mean, median = summary(np.array([10.0, 20.0, 60.0]))
    assert (mean, median) == (30.0, 20.0)
    assert all(np.isnan(summary(np.zeros(0))))
    np.testing.assert_array_equal(class_counts(np.array([0, 2, 2, 1]), np.array([1, 2, 3]), 4), [0, 1, 2, 0])
    empty = reconstruction_errors(model, digits.images[:0])
    assert len(empty) == 0
    with pytest.raises(ConfigError):
        reconstruction_errors(model, digits.images[:5], codes=np.zeros((4, 2), np.float32))
    with pytest.raises(ConfigError):
        reconstruction_errors(model, digits.images[:5], batch_size=0)
