"""Latent operations: encode/decode, grids, planes, interpolation, attribute directions, prior samples."""

import numpy as np
import pytest
import torch

from trainer import latent
from trainer.errors import ConfigError
from trainer.latent import Plane
from trainer.models import ModelConfig, build_model

SHAPE = (1, 8, 8)


def model(latent_dim: int = 2, family: str = "vae", arch: str = "mlp"):
    torch.manual_seed(0)
    cfg = ModelConfig(family=family, arch=arch, image_shape=SHAPE, hidden=(16,), latent_dim=latent_dim,
                      conv_channels=(4, 8), dense=8)
    return build_model(cfg)


def images(n: int = 10) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (n, *SHAPE), dtype=np.uint8)


def sigmoid_decode(m, z: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(m.eval().decode(torch.from_numpy(np.asarray(z, np.float32)))).numpy()


# --- encode / decode --------------------------------------------------------------------------------

@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_encode_of_a_batch_equals_per_image_encode(arch):
    m = model(arch=arch)
    x = images(7)
    mu, logvar = latent.encode(m, x, batch_size=3)
    assert mu.shape == (7, 2) and mu.dtype == np.float32 and logvar.shape == (7, 2)
    for k in range(7):
        mk, lk = latent.encode(m, x[k:k + 1])
        assert mk[0] == pytest.approx(mu[k], abs=1e-5) and lk[0] == pytest.approx(logvar[k], abs=1e-5)
    float_mu, _ = latent.encode(m, x.astype(np.float32) / 255)
    assert float_mu == pytest.approx(mu, abs=1e-5)


def test_encode_restores_the_mode_and_has_no_logvar_for_an_ae():
    m = model(family="ae").train()
    mu, logvar = latent.encode(m, images(4))
    assert logvar is None and mu.shape == (4, 2) and m.training
    assert latent.encode(m, images(0))[0].shape == (0, 2)


def test_decode_is_the_sigmoid_of_the_logits():
    m = model(3)
    z = np.random.default_rng(1).normal(size=(5, 3))
    out = latent.decode(m, z, batch_size=2)
    assert out.shape == (5, *SHAPE) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    assert out == pytest.approx(sigmoid_decode(m, z), abs=1e-6)


# --- grids and planes -------------------------------------------------------------------------------

def test_grid_codes_run_top_row_first_and_left_to_right():
    codes = latent.grid_codes((-1, 1), (-2, 2), 3)
    assert codes.shape == (9, 2)
    assert codes[0].tolist() == [-1, 2] and codes[2].tolist() == [1, 2]
    assert codes[6].tolist() == [-1, -2] and codes[8].tolist() == [1, -2] and codes[4].tolist() == [0, 0]


def test_grid_corners_decode_exactly_the_corner_codes():
    m = model()
    grid = latent.decode_grid(m, (-3, 3), (-1, 2), 4)
    assert grid.shape == (4, 4, *SHAPE)
    corners = np.array([[-3, 2], [3, 2], [-3, -1], [3, -1]], np.float32)
    expected = sigmoid_decode(m, corners)
    got = np.stack([grid[0, 0], grid[0, -1], grid[-1, 0], grid[-1, -1]])
    assert got == pytest.approx(expected, abs=1e-6)


def test_grid_on_a_plane_of_a_larger_space():
    m = model(4)
    plane = Plane.axes(1, 3, center=np.array([0.5, 9.0, -0.5, 9.0]))
    grid = latent.decode_grid(m, (-1, 1), (-1, 1), 3, plane=plane)
    assert grid[0, 2] == pytest.approx(sigmoid_decode(m, [[0.5, 1.0, -0.5, 1.0]])[0], abs=1e-6)
    with pytest.raises(ConfigError, match="4 dimensions"):
        latent.decode_grid(m, (-1, 1), (-1, 1), 3)
    with pytest.raises(ConfigError, match="plane lies in 3"):
        latent.decode_grid(m, (-1, 1), (-1, 1), 3, plane=Plane.axes(0, 1, dim=3))


def test_axes_plane_maps_x_and_y_to_two_dimensions():
    plane = Plane.axes(0, 2, center=np.array([7.0, 1.0, 7.0]))
    z = plane.to_latent([[2.0, -3.0]])
    assert z.tolist() == [[2.0, 1.0, -3.0]]
    assert plane.from_latent(np.array([[4.0, 9.0, 5.0]])).tolist() == [[4.0, 5.0]]
    with pytest.raises(ConfigError):
        Plane.axes(1, 1, dim=3)
    with pytest.raises(ConfigError):
        Plane.axes(0, 3, dim=3)


def test_raw_axes_project_like_any_plane():
    """Two raw axes pick the codes' columns (the fast path); a plane of the same axes through an origin off
    them (not a raw-axes plane) takes the general projection, and both agree with the pseudo-inverse."""
    rng = np.random.default_rng(1)
    codes = rng.normal(size=(200, 4)).astype(np.float32)
    raw = Plane.axes(3, 1, center=codes.mean(axis=0))
    shifted = Plane(np.array([0.0, 0.5, 0.0, 2.0]), np.eye(4)[3], np.eye(4)[1])
    for plane in (raw, shifted):
        basis = np.stack([plane.axis_x, plane.axis_y], axis=1)
        expected = (codes.astype(np.float64) - plane.origin) @ np.linalg.pinv(basis).T
        xy = plane.from_latent(codes)
        assert xy.dtype == np.float32 and xy.shape == (200, 2)
        np.testing.assert_allclose(xy, expected, atol=1e-6)
    assert np.array_equal(raw.from_latent(codes), codes[:, [3, 1]])
    np.testing.assert_allclose(shifted.from_latent(codes), codes[:, [3, 1]] - [2.0, 0.5], atol=1e-6)


def test_pca_plane_round_trips_codes_that_lie_in_a_plane():
    rng = np.random.default_rng(0)
    origin = rng.normal(size=5)
    basis = np.linalg.qr(rng.normal(size=(5, 2)))[0].T
    coeffs = rng.normal(size=(50, 2)) * [3.0, 1.0]
    codes = origin + coeffs @ basis
    plane = Plane.pca(codes)
    xy = plane.from_latent(codes)
    assert plane.to_latent(xy) == pytest.approx(codes, abs=1e-4)
    dist = np.linalg.norm(xy[:, None] - xy[None], axis=-1)  # unit axes: distances are kept
    assert dist == pytest.approx(np.linalg.norm(codes[:, None] - codes[None], axis=-1), abs=1e-4)
    assert abs(np.dot(plane.axis_x, plane.axis_y)) < 1e-9
    with pytest.raises(ConfigError):
        Plane.pca(codes[:2])


# --- interpolation ----------------------------------------------------------------------------------

def test_lerp():
    path = latent.lerp([0.0, 2.0], [4.0, 0.0], 5)
    assert path.shape == (5, 2) and path[0].tolist() == [0, 2] and path[-1].tolist() == [4, 0]
    assert path[2].tolist() == [2, 1]


def test_slerp_keeps_the_endpoints_and_the_norm():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=8), rng.normal(size=8)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    path = latent.slerp(a, b, 7)
    assert path[0] == pytest.approx(a, abs=1e-6) and path[-1] == pytest.approx(b, abs=1e-6)
    assert np.linalg.norm(path, axis=1) == pytest.approx(np.full(7, np.linalg.norm(a)), rel=1e-5)
    assert not np.allclose(path[3], latent.lerp(a, b, 7)[3])  # it really curves


def test_slerp_of_parallel_or_zero_vectors_falls_back_to_lerp():
    a = np.array([1.0, 2.0, 3.0])
    for b in (2 * a, a + 1e-9, -a, np.zeros(3)):
        assert latent.slerp(a, b, 4) == pytest.approx(latent.lerp(a, b, 4))
    with pytest.raises(ConfigError):
        latent.slerp(a, a[:2], 3)


# --- attribute directions ---------------------------------------------------------------------------

def test_direction_is_the_difference_of_group_means():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(30, 3))
    mask = np.arange(30) % 3 == 0
    d = latent.direction_from_mask(codes, mask)
    assert d == pytest.approx(codes[mask].mean(0) - codes[~mask].mean(0), abs=1e-6)
    with pytest.raises(ConfigError, match="both groups"):
        latent.direction_from_mask(codes, np.zeros(30, bool))


def test_direction_from_labels_and_attributes():
    rng = np.random.default_rng(1)
    codes = rng.normal(size=(40, 2))
    labels = np.arange(40) % 4
    d = latent.direction_from_labels(codes, labels, 1, 3)
    assert d == pytest.approx(codes[labels == 3].mean(0) - codes[labels == 1].mean(0), abs=1e-6)
    d = latent.direction_from_labels(codes, labels, 2)
    assert d == pytest.approx(codes[labels == 2].mean(0) - codes[labels != 2].mean(0), abs=1e-6)
    with pytest.raises(ConfigError):
        latent.direction_from_labels(codes, labels, 1, 9)
    attrs = np.stack([labels == 0, labels > 0], axis=1)
    d = latent.direction_from_attribute(codes, attrs, 1)
    assert d == pytest.approx(codes[labels > 0].mean(0) - codes[labels == 0].mean(0), abs=1e-6)
    with pytest.raises(ConfigError):
        latent.direction_from_attribute(codes, None, 0)
    with pytest.raises(ConfigError):
        latent.direction_from_attribute(codes, attrs, 2)


# --- prior samples ----------------------------------------------------------------------------------

def test_sample_prior_is_seeded_and_scaled_by_temperature():
    m = model(3)
    a = latent.sample_prior(m, 4, seed=5)
    assert a.shape == (4, *SHAPE) and np.array_equal(a, latent.sample_prior(m, 4, seed=5))
    assert not np.array_equal(a, latent.sample_prior(m, 4, seed=6))
    cold = latent.sample_prior(m, 3, temperature=0.0)
    assert cold == pytest.approx(np.repeat(sigmoid_decode(m, np.zeros((1, 3))), 3, axis=0), abs=1e-6)


def test_for_inference_keeps_the_decoded_images_and_saves_contiguously(tmp_path):
    from trainer.checkpoint import load_checkpoint, save_checkpoint
    from trainer.latent import decode, for_inference
    from trainer.models import ModelConfig, build_model

    torch.manual_seed(0)
    model = build_model(ModelConfig(arch="conv", image_shape=(1, 8, 8), conv_channels=(4, 8), dense=8)).eval()
    z = np.random.default_rng(0).normal(size=(9, 2)).astype(np.float32)
    before = decode(model, z)
    assert for_inference(model) is model and not model.training
    assert model.decoder[-1].weight.is_contiguous(memory_format=torch.channels_last)
    np.testing.assert_allclose(decode(model, z), before, atol=1e-5)
    save_checkpoint(tmp_path / "m.safetensors", model)  # safetensors needs contiguous tensors: still saves
    np.testing.assert_allclose(decode(load_checkpoint(tmp_path / "m.safetensors")[0], z), before, atol=1e-5)


def test_finite_rows_keeps_the_rows_without_nan_or_inf():
    from explorer.state import finite_rows

    codes = np.arange(12, dtype=np.float32).reshape(6, 2)
    assert np.array_equal(codes[finite_rows(codes)], codes)
    codes[1, 0], codes[4, 1] = np.nan, -np.inf
    assert finite_rows(codes).tolist() == [True, False, True, True, False, True]
