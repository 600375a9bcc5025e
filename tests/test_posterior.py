"""trainer.posterior: q(z|x) seen in a view, its samples, KL per dimension, active units, traversals."""

import numpy as np
import pytest
import torch

from tests.toy_data import SHAPE, bars
from trainer.errors import ConfigError
from trainer.latent import Plane
from trainer.models import ModelConfig, build_model
from trainer.posterior import (
    ACTIVE_THRESHOLD,
    Posterior,
    dimensions,
    ellipse,
    encode_posterior,
    in_view,
    kl_terms,
    traversal_codes,
)


def test_threshold_is_burdas():
    from trainer.metrics import ACTIVE_THRESHOLD as METRICS_THRESHOLD

    assert ACTIVE_THRESHOLD == METRICS_THRESHOLD == 0.01


def test_samples_are_the_reparameterisation():
    post = Posterior.of(np.array([1.0, -2.0, 0.5]), np.log(np.array([0.25, 4.0, 1.0])))
    eps, z = post.samples(4000, seed=3)
    np.testing.assert_allclose(z, post.mu + post.sigma * eps, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(z.mean(0), post.mu, atol=0.1)
    np.testing.assert_allclose(z.std(0), [0.5, 2.0, 1.0], rtol=0.05)
    again, _ = post.samples(4000, seed=3)
    np.testing.assert_array_equal(eps, again)


def test_axes_view_is_the_two_dimensions():
    post = Posterior.of(np.array([1.0, 2.0, 3.0, 4.0]), np.log(np.array([1.0, 0.25, 9.0, 4.0])))
    centre, cov = in_view(post, Plane.axes(2, 0, center=np.zeros(4)))
    np.testing.assert_allclose(centre, [3.0, 1.0])
    np.testing.assert_allclose(cov, np.diag([9.0, 1.0]), atol=1e-12)


def test_rotated_plane_gives_the_projected_covariance():
    """In a plane at 45° the variance along the diagonal mixes the two dimensions: (σ1² + σ2²)/2."""
    s = np.sqrt(0.5)
    plane = Plane(np.zeros(2), np.array([s, s]), np.array([-s, s]))
    post = Posterior.of(np.zeros(2), np.log(np.array([1.0, 9.0])))
    _, cov = in_view(post, plane)
    np.testing.assert_allclose(cov, [[5.0, 4.0], [4.0, 5.0]], atol=1e-12)
    # and the same as the empirical covariance of projected samples
    _, z = post.samples(20000, seed=0)
    np.testing.assert_allclose(np.cov(plane.from_latent(z).T), cov, rtol=0.05, atol=0.1)


def test_ellipse_is_the_k_sigma_contour():
    cov = np.array([[4.0, 1.0], [1.0, 2.0]])
    for k in (1.0, 2.0):
        points = ellipse(np.array([1.0, -1.0]), cov, k=k, n=40)
        d = points - [1.0, -1.0]
        mahalanobis = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
        np.testing.assert_allclose(mahalanobis, k**2, rtol=1e-9)
        np.testing.assert_allclose(points[0], points[-1])
    with pytest.raises(ConfigError):
        ellipse(np.zeros(2), cov, n=2)


def test_ellipse_holds_the_expected_share_of_samples():
    """A 2-sigma ellipse of a 2-D Gaussian holds 1 − e^(−2) ≈ 86.5 % of it (chi-square, 2 degrees)."""
    post = Posterior.of(np.array([0.3, -0.7, 2.0]), np.log(np.array([0.5, 2.0, 1.0])))
    plane = Plane.axes(0, 1, center=np.zeros(3))
    centre, cov = in_view(post, plane)
    _, z = post.samples(20000, seed=1)
    d = plane.from_latent(z) - centre
    inside = (np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d) <= 4.0).mean()
    assert abs(inside - (1 - np.exp(-2))) < 0.01


def test_kl_terms_match_the_training_loss():
    from trainer.models.base import kl_divergence

    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    ours = kl_terms(mu, logvar).sum(1).mean()
    theirs = kl_divergence(torch.tensor(mu), torch.tensor(logvar)).item()
    assert ours == pytest.approx(theirs)
    assert (kl_terms(np.zeros((1, 2)), np.zeros((1, 2))) == 0).all()  # q = prior: no KL


def test_dimensions_marks_the_active_units():
    rng = np.random.default_rng(0)
    mu = np.c_[rng.normal(0, 1, 500), rng.normal(0, 0.05, 500), np.full(500, 0.3)]  # var 1, 0.0025, 0
    logvar = np.c_[np.full(500, -3.0), np.zeros(500), np.zeros(500)]
    dims = dimensions(mu, logvar)
    assert dims.active.tolist() == [True, False, False] and dims.n_active == 1
    assert dims.kl[0] > 1.0 and dims.kl[1] < 0.01  # the collapsed unit costs (almost) nothing
    assert dims.kl[2] == pytest.approx(0.5 * 0.09)
    plain = dimensions(mu, None)
    assert (plain.kl == 0).all() and plain.n_active == 1
    assert dimensions(mu[:1], logvar[:1]).n_active == 0


def test_traversal_sweeps_one_dimension_per_row():
    z = np.array([0.5, -1.0, 2.0])
    codes = traversal_codes(z, scale=np.array([1.0, 2.0, 0.5]), steps=5, span=3.0)
    assert codes.shape == (3, 5, 3)
    np.testing.assert_allclose(codes[1, :, 1], [-6.0, -3.0, 0.0, 3.0, 6.0])
    np.testing.assert_allclose(codes[1, :, [0, 2]].T, np.tile([0.5, 2.0], (5, 1)))
    np.testing.assert_allclose(codes[2, :, 2], [-1.5, -0.75, 0.0, 0.75, 1.5])
    with pytest.raises(ConfigError):
        traversal_codes(z, steps=1)


def test_encode_posterior_of_a_tiny_vae_and_ae():
    torch.manual_seed(0)
    images = bars(12).images
    vae = build_model(ModelConfig(family="vae", image_shape=SHAPE, hidden=(16,), latent_dim=3))
    mu, logvar = encode_posterior(vae, images)
    assert mu.shape == logvar.shape == (12, 3)
    ae = build_model(ModelConfig(family="ae", image_shape=SHAPE, hidden=(16,), latent_dim=3))
    mu, logvar = encode_posterior(ae, images)
    assert mu.shape == (12, 3) and logvar is None
