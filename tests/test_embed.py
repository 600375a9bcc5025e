"""trainer.embed: PCA and t-SNE of codes and of raw pixels, with progress, stopping and a cap on the points
t-SNE is fitted on. Small data only (t-SNE of 300 points takes about a second)."""

import numpy as np
import pytest

from trainer import embed
from trainer.errors import ConfigError, TrainerError


def _blobs(n_per: int = 100, dim: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs: (points, labels)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=10, size=(3, dim))
    labels = np.repeat(np.arange(3), n_per)
    return (centers[labels] + rng.normal(size=(len(labels), dim))).astype(np.float32), labels


def _neighbour_agreement(xy: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Share of points whose k nearest neighbours in xy all carry their label."""
    from scipy.spatial import cKDTree

    _, nearest = cKDTree(xy).query(xy, k=k + 1)
    return float(np.mean(np.all(labels[nearest[:, 1:]] == labels[:, None], axis=1)))


@pytest.fixture(scope="module")
def digits():
    from trainer.data import load_dataset

    return load_dataset("digits")


def test_pca_of_pixels_equals_sklearn_up_to_sign(digits):
    from sklearn.decomposition import PCA

    flat = digits.images.reshape(len(digits.images), -1).astype(np.float64) / 255
    expected = PCA(n_components=2, svd_solver="full").fit_transform(flat)
    got = embed.pca_2d(digits.images)
    assert got.shape == (len(flat), 2) and got.dtype == np.float32
    for k in range(2):
        sign = np.sign(np.dot(got[:, k], expected[:, k]))
        np.testing.assert_allclose(sign * got[:, k], expected[:, k], atol=1e-4)


def test_pca_fits_a_subset_above_the_budget(digits, monkeypatch):
    """Above FIT_BUDGET floats the components come from a seeded subset of rows, then apply to all rows."""
    from sklearn.decomposition import PCA

    monkeypatch.setattr(embed, "FIT_BUDGET", 64 * 1000)  # 1,000 of the 1,797 images
    monkeypatch.setattr(embed, "CHUNK_ROWS", 500)  # transformed in 4 chunks
    flat = digits.images.reshape(len(digits.images), -1).astype(np.float64) / 255
    rows = embed._subset(len(flat), 1000, seed=0)
    expected = PCA(n_components=2, svd_solver="full").fit(flat[rows]).transform(flat)
    got = embed.pca_2d(digits.images)
    for k in range(2):
        sign = np.sign(np.dot(got[:, k], expected[:, k]))
        np.testing.assert_allclose(sign * got[:, k], expected[:, k], atol=1e-4)


def test_features_scale_images_to_unit_range(digits):
    f = embed.features(digits.images[:5])
    assert f.shape == (5, 64) and f.dtype == np.float32
    np.testing.assert_allclose(f, digits.images[:5].reshape(5, -1) / 255.0, atol=1e-7)
    codes = np.arange(6, dtype=np.float64).reshape(3, 2)
    np.testing.assert_array_equal(embed.features(codes), codes.astype(np.float32))


def test_tsne_separates_clusters_and_is_repeatable():
    x, labels = _blobs()
    fractions, texts = [], []
    xy = embed.tsne_2d(x, progress=lambda f, t: (fractions.append(f), texts.append(t)))
    assert xy.shape == (len(x), 2) and xy.dtype == np.float32 and np.isfinite(xy).all()
    assert _neighbour_agreement(xy, labels) > 0.98
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("iteration 750 of 750" in t for t in texts)
    np.testing.assert_array_equal(embed.tsne_2d(x), xy)  # seeded


def test_tsne_steps_end_with_the_result_only():
    x, _ = _blobs(n_per=20)
    steps = list(embed.tsne_steps(x))
    assert all(s.xy is None for s in steps[:-1]) and steps[-1].xy.shape == (len(x), 2)
    assert all(0.0 <= s.fraction <= 1.0 for s in steps)


def test_tsne_reduces_pixels_to_50_components_first(digits, monkeypatch):
    """64 pixels > 50: t-SNE works on the first 50 principal components (the same as giving it those)."""
    monkeypatch.setattr(embed, "ITERS", 50)
    monkeypatch.setattr(embed, "EXAGGERATION_ITERS", 50)
    images = digits.images[:300]
    texts = []
    xy = embed.tsne_2d(images, progress=lambda f, t: texts.append(t))
    assert any("reduced to 50 principal components" in t for t in texts)
    np.testing.assert_allclose(xy, embed.tsne_2d(embed.reduce(images, 50)), atol=1e-5)


def test_above_the_cap_the_rest_sits_at_the_median_of_fitted_neighbours():
    from sklearn.neighbors import NearestNeighbors

    x, labels = _blobs(n_per=100)
    cap, k = 120, embed.PLACE_K
    xy = embed.tsne_2d(x, cap=cap)
    fitted = embed._subset(len(x), cap, seed=0)
    rest = np.setdiff1d(np.arange(len(x)), fitted)
    alone = embed.tsne_2d(x[fitted])  # the fit alone: the same points, the same seed
    np.testing.assert_allclose(xy[fitted], alone, atol=1e-5)
    _, nearest = NearestNeighbors(n_neighbors=k).fit(x[fitted]).kneighbors(x[rest])
    np.testing.assert_allclose(xy[rest], np.median(alone[nearest], axis=1), atol=1e-5)
    assert _neighbour_agreement(xy, labels) > 0.95


def test_tsne_stops_when_asked():
    x, _ = _blobs(n_per=30)
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) >= 3

    seen = []
    with pytest.raises(embed.EmbeddingStopped) as info:
        embed.tsne_2d(x, progress=lambda f, t: seen.append(f), should_stop=stop)
    assert isinstance(info.value, TrainerError)
    assert len(seen) == 3 and seen[-1] < 0.2  # stopped after the third step, long before the end


def test_tsne_refuses_too_few_or_identical_points():
    with pytest.raises(ConfigError):
        embed.tsne_2d(np.random.default_rng(0).normal(size=(5, 3)))
    with pytest.raises(ConfigError):
        embed.tsne_2d(np.ones((40, 3)))
    with pytest.raises(ConfigError):
        embed.pca_2d(np.ones((1, 3)))
