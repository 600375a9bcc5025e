"""trainer.holes: the aggregate posterior against the prior, the mixture and the off-the-map percentile."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from trainer.errors import ConfigError
from trainer.holes import fit_mixture, holes_map, prior_log_density


def two_clusters(n=600, seed=0):
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal([-3, 0], 0.3, (n // 2, 2)), rng.normal([3, 0], 0.3, (n // 2, 2))]


def test_mixture_log_density_matches_scipy():
    codes = two_clusters()
    mix = fit_mixture(codes, components=2, seed=0)
    z = np.array([[0.0, 0.0], [3.0, 0.1], [-2.5, -0.2]])
    expected = np.log(sum(w * multivariate_normal(m, c).pdf(z)
                          for w, m, c in zip(mix.weights, mix.means, mix.covariances, strict=True)))
    np.testing.assert_allclose(mix.log_density(z), expected, rtol=1e-9)
    assert sorted(np.round(mix.means[:, 0])) == [-3.0, 3.0]


def test_the_gap_between_clusters_is_off_the_map():
    mix = fit_mixture(two_clusters(), components=2, seed=0)
    gap, centre = mix.percentile(np.array([[0.0, 0.0], [3.0, 0.0]]))
    assert gap == 0.0  # below every code: nothing lives there
    assert centre > 50.0  # a cluster's centre is denser than most codes


def test_mixture_samples_land_on_the_data_and_repeat():
    mix = fit_mixture(two_clusters(), components=2, seed=0)
    a, b = mix.sample(400, seed=5), mix.sample(400, seed=5)
    np.testing.assert_array_equal(a, b)
    assert (np.abs(np.abs(a[:, 0]) - 3) < 1.5).mean() > 0.99  # near one cluster or the other, never between
    prior = np.random.default_rng(5).standard_normal((400, 2))
    assert np.median(mix.percentile(prior)) < np.median(mix.percentile(a))


def test_fit_mixture_refuses_bad_codes():
    with pytest.raises(ConfigError):
        fit_mixture(np.zeros((3, 2)), components=5)
    with pytest.raises(ConfigError):
        fit_mixture(np.array([[np.nan, 0.0]] * 20), components=2)


def test_prior_log_density():
    z = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, -1.0]])
    expected = multivariate_normal(np.zeros(3), np.eye(3)).logpdf(z)
    np.testing.assert_allclose(prior_log_density(z), expected)


def test_holes_map_finds_the_gap_inside_the_prior():
    """Codes in two clusters at x = ±3 (an autoencoder's islands) against a prior N(0, 4·I) seen in the view:
    the middle of the prior is a hole, the clusters are not."""
    codes = two_clusters(2000)
    m = holes_map(codes, (-5, 5), (-5, 5), 50, np.zeros(2), 4.0 * np.eye(2))
    assert m.data.shape == m.prior.shape == m.holes.shape == (50, 50)
    cell = (10 / 50) ** 2
    assert m.data.sum() * cell == pytest.approx(1.0, rel=0.02)  # a density: integrates to 1
    inside_view = (norm.cdf(2.5) - norm.cdf(-2.5)) ** 2  # N(0, 4I) within ±5 = ±2.5 sigma
    assert m.prior.sum() * cell == pytest.approx(inside_view, rel=0.01)
    row, middle, right = 25, 25, 40  # x = 0 and x = 3 on the middle row (y ≈ 0)
    assert m.holes[row, middle] and not m.holes[row, right]
    assert m.inside[row, middle] and m.inside[row, right]
    assert 0.5 < m.hole_share < 1.0


def test_holes_map_rows_go_from_the_top():
    codes = np.random.default_rng(0).normal([0, 4], 0.2, (500, 2))  # all high up
    m = holes_map(codes, (-5, 5), (-5, 5), 20, np.zeros(2), np.eye(2))
    assert m.data[:10].sum() > 100 * m.data[10:].sum()


def test_a_matching_cloud_has_almost_no_holes():
    codes = np.random.default_rng(0).standard_normal((20000, 2))
    m = holes_map(codes, (-4, 4), (-4, 4), 32, np.zeros(2), np.eye(2))
    assert m.hole_share < 0.05
    with pytest.raises(ConfigError):
        holes_map(codes, (1, 1), (-4, 4), 32, np.zeros(2), np.eye(2))
