"""trainer.point_values: per-image reconstruction error (nats), PSNR and KL, in chunks with progress, equal
to the batch formulas of trainer.metrics; KL is refused for a model without a posterior variance."""

import numpy as np
import pytest
import torch
from toy_data import bars

from trainer.errors import ConfigError
from trainer.latent import encode
from trainer.models import ModelConfig, build_model
from trainer.models.base import kl_divergence
from trainer.point_values import kl_per_point, point_value_steps


def model(family: str):
    torch.manual_seed(0)
    return build_model(ModelConfig(family=family, image_shape=(1, 8, 8), latent_dim=3, hidden=(16,))).eval()


def run(m, data, kind: str, chunk: int):
    codes = encode(m, data.images)[0]
    steps = list(point_value_steps(m, data.images, codes, kind, chunk=chunk))
    assert [s.done for s in steps] == [0, *range(chunk, len(codes), chunk), len(codes), len(codes)]
    assert all(s.values is None for s in steps[:-1])
    return steps[-1].values


def test_kl_per_point_averages_to_the_losss_kl_term():
    m, data = model("vae"), bars(50)
    values = run(m, data, "kl", chunk=16)
    with torch.inference_mode():
        mu, logvar = m.encode(torch.tensor(data.images).float() / 255)
    assert values.shape == (50,) and (values >= 0).all()
    assert values.mean() == pytest.approx(kl_divergence(mu, logvar).item(), rel=1e-5)
    np.testing.assert_allclose(kl_per_point(np.zeros((2, 3)), np.zeros((2, 3))), [0, 0])


def test_reconstruction_error_and_psnr_per_image():
    from trainer.quality import reconstruction_errors

    m, data = model("ae"), bars(40)
    direct = reconstruction_errors(m, data.images)
    np.testing.assert_allclose(run(m, data, "recon", chunk=15), direct.bce_nats, rtol=1e-5)
    np.testing.assert_allclose(run(m, data, "psnr", chunk=15), direct.psnr_db, rtol=1e-5)


def test_kl_needs_a_vae_and_kinds_are_checked():
    data = bars(10)
    with pytest.raises(ConfigError, match="needs a VAE"):
        list(point_value_steps(model("ae"), data.images, np.zeros((10, 3)), "kl"))
    with pytest.raises(ConfigError, match="unknown value"):
        list(point_value_steps(model("vae"), data.images, np.zeros((10, 3)), "colour"))
