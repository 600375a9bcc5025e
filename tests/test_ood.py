"""trainer.ood: foreign images through a model, their ELBO against the model's own, and the AUROC."""

import numpy as np
import pytest
import torch

from tests.toy_data import SHAPE, bars
from trainer.errors import ConfigError
from trainer.metrics import evaluate
from trainer.models import ModelConfig, build_model
from trainer.ood import auroc, elbo, fit_images, probe


def tiny(family="vae"):
    torch.manual_seed(0)
    return build_model(ModelConfig(family=family, image_shape=SHAPE, hidden=(16,), latent_dim=2))


def test_fit_images_resizes_and_converts_channels():
    rgb = np.zeros((3, 3, 16, 16), np.uint8)
    rgb[:, 0] = 90
    rgb[:, 1] = 180
    grey = fit_images(rgb, (1, 8, 8))
    assert grey.shape == (3, 1, 8, 8) and grey.dtype == np.uint8 and (grey == 90).all()
    back = fit_images(grey, (3, 4, 4))
    assert back.shape == (3, 3, 4, 4) and (back == 90).all()
    with pytest.raises(ConfigError):
        fit_images(rgb.astype(np.float32), (1, 8, 8))


def test_elbo_with_many_samples_matches_the_evaluated_loss():
    """The mean −ELBO is the loss that trainer.metrics.evaluate reports (a one-sample estimate there, a
    64-sample one here: they agree to within the Monte-Carlo noise)."""
    model, data = tiny(), bars(64)
    ours = -elbo(model, data.images, samples=64, seed=0).mean()
    theirs = -evaluate(model, data).elbo_nats
    assert ours == pytest.approx(theirs, rel=0.02)


def test_elbo_of_a_plain_autoencoder_is_the_reconstruction_term():
    model, data = tiny("ae"), bars(16)
    x = torch.tensor(data.images).float() / 255
    with torch.no_grad():
        bce = torch.nn.functional.binary_cross_entropy_with_logits(model.decode(model.encode(x)[0]), x,
                                                                   reduction="none").flatten(1).sum(1)
    np.testing.assert_allclose(elbo(model, data.images), -bce.double().numpy(), rtol=1e-5)


def test_auroc():
    assert auroc([3, 4, 5], [0, 1, 2]) == 1.0
    assert auroc([0, 1, 2], [3, 4, 5]) == 0.0
    assert auroc([1, 1], [1, 1]) == 0.5
    assert np.isnan(auroc([], [1.0]))


def test_probe_reports_both_sets_honestly():
    model = tiny()
    with torch.no_grad():  # a decoder that learned "pixels are mostly dark", as a trained one does
        model.decoder[2].bias.fill_(-3.0)
    own = bars(32).images
    blank = np.zeros((20, 1, 16, 16), np.uint8)  # foreign: a different size, all black (very "likely")
    result = probe(model, own, blank)
    assert result.elbo_in.shape == (32,) and result.elbo_out.shape == (20,)
    assert result.codes_out.shape == (20, 2)
    assert result.auroc == pytest.approx(auroc(result.elbo_in, result.elbo_out))
    # black images have far fewer bright pixels to get wrong: they look MORE likely, and the lesson says so
    assert np.median(result.elbo_out) > np.median(result.elbo_in)
    assert result.auroc < 0.5 and "HIGHER" in result.lesson()
