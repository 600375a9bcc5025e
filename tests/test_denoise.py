"""trainer.denoise: the slider preview and the noise sweep, checked against direct computations."""


import numpy as np
import pytest
import torch

from trainer.checkpoint import load_checkpoint
from trainer.data import load_dataset
from trainer.denoise import (
    KINDS,
    PSNR_CAP_DB,
    Sweep,
    SweepProgress,
    denoise_one,
    noise_sweep,
    sweep_batch,
    trail_levels,
)
from trainer.errors import ConfigError
from trainer.latent import decode, encode
from trainer.models import ModelConfig, build_model
from trainer.resources import models_dir
from trainer.train import corrupt_np

MODELS = models_dir()


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    cfg = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=3, hidden=(16,))
    return build_model(cfg).eval()


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, size=(12, 1, 8, 8), dtype=np.uint8)


def direct_psnr(clean: np.ndarray, other: np.ndarray) -> float:
    mse = float(np.mean((clean.astype(np.float64) - other.astype(np.float64)) ** 2))
    return 10 * np.log10(1 / mse)


def test_trail_levels_step_by_005_and_end_at_the_level():
    assert np.allclose(trail_levels(0.37), [0, .05, .1, .15, .2, .25, .3, .35, .37])
    assert np.allclose(trail_levels(0.4), [0, .05, .1, .15, .2, .25, .3, .35, .4])
    assert trail_levels(0.4)[-1] == 0.4 and trail_levels(0.0).tolist() == [0.0]
    assert len(trail_levels(1.0)) == 21 and trail_levels(1.0)[-1] == 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_denoise_one_matches_a_direct_computation(model, images, kind):
    r = denoise_one(model, images[3], kind, 0.45, seed=7)
    clean = images[3].astype(np.float32) / 255
    assert np.array_equal(r.clean, clean)
    assert np.array_equal(r.noisy, corrupt_np(clean, kind, 0.45, seed=7))
    mu, _ = encode(model, r.noisy[None])
    assert np.allclose(r.trail_codes[-1], mu[0], atol=1e-6)
    assert np.allclose(r.reconstruction, decode(model, mu)[0], atol=1e-6)
    assert r.psnr_noisy == pytest.approx(direct_psnr(clean, r.noisy), abs=1e-6)
    assert r.psnr_recon == pytest.approx(direct_psnr(clean, r.reconstruction), abs=1e-6)
    assert np.allclose(r.trail_levels, trail_levels(0.45))
    levels_codes = encode(model, np.stack([corrupt_np(clean, kind, t, 7) for t in r.trail_levels]))[0]
    assert np.allclose(r.trail_codes, levels_codes, atol=1e-6)


def test_level_zero_is_the_clean_image(model, images):
    r = denoise_one(model, images[0], "gaussian", 0.0)
    assert np.array_equal(r.noisy, r.clean) and r.psnr_noisy == PSNR_CAP_DB
    assert r.trail_codes.shape == (1, 3)


@pytest.mark.parametrize("kind", KINDS)
def test_a_fixed_seed_gives_the_same_pattern_more_of_it(images, kind):
    clean = images[:4].astype(np.float32) / 255
    lo, hi = (corrupt_np(clean, kind, t, seed=3) for t in (0.3, 0.6))
    if kind == "gaussian":  # |clamp(x + σ·ε) − x| grows with σ for the same ε
        assert np.all(np.abs(hi - clean) >= np.abs(lo - clean) - 1e-6)
        assert np.abs(hi - clean).mean() > np.abs(lo - clean).mean()
    else:  # every pixel hit at 0.3 is hit the same way at 0.6
        changed = lo != clean
        assert np.array_equal(hi[changed], lo[changed])
        assert (hi != clean).sum() > changed.sum()


def test_bad_settings_are_config_errors(model, images):
    with pytest.raises(ConfigError):
        denoise_one(model, images[0], "blur", 0.3)
    for level in (-0.1, 1.5, float("nan")):
        with pytest.raises(ConfigError):
            denoise_one(model, images[0], "mask", level)
    with pytest.raises(ConfigError):
        list(noise_sweep(model, images[:0], "gaussian", [0.1]))


def test_noise_sweep_reports_progress_and_the_mean_psnrs(model, images):
    items = list(noise_sweep(model, images, "salt-pepper", [0.0, 0.2, 0.6], seed=5, batch=5))
    assert [(i.done, i.total) for i in items[:-1]] == [(1, 3), (2, 3), (3, 3)]
    assert all(isinstance(i, SweepProgress) for i in items[:-1])
    sweep = items[-1]
    assert isinstance(sweep, Sweep) and sweep.n_images == 12 and sweep.kind == "salt-pepper"
    clean = images.astype(np.float32) / 255
    noisy = corrupt_np(clean, "salt-pepper", 0.6, seed=5)
    recon = decode(model, encode(model, noisy)[0])
    assert sweep.psnr_noisy[2] == pytest.approx(np.mean([direct_psnr(c, n) for c, n in zip(clean, noisy,
                                                                                             strict=True)]))
    recon_db = np.mean([direct_psnr(c, r) for c, r in zip(clean, recon, strict=True)])
    assert sweep.psnr_recon[2] == pytest.approx(recon_db, abs=1e-4)
    assert sweep.psnr_noisy[0] == PSNR_CAP_DB and sweep.psnr_noisy[1] > sweep.psnr_noisy[2]


def test_test_batch_is_fixed_and_from_the_test_split():
    images = np.arange(100, dtype=np.uint8).reshape(100, 1, 1, 1)
    a, b = sweep_batch(images, 60, n=10, seed=1), sweep_batch(images, 60, n=10, seed=1)
    assert np.array_equal(a, b) and len(a) == 10 and a.min() >= 60 and np.all(np.diff(a.ravel()) > 0)
    assert len(sweep_batch(images, 60, n=256)) == 40
    assert len(sweep_batch(images, 100, n=256)) == 100  # no test split: all rows


def test_the_shipped_denoising_model_beats_the_plain_one_at_high_noise():
    data = load_dataset("digits")
    batch = sweep_batch(data.images, data.n_train)
    results = {}
    for name in ("digits-vae", "digits-dae"):
        model, info = load_checkpoint(MODELS / f"{name}.safetensors")
        results[name] = list(noise_sweep(model, batch, "gaussian", [0.2, 0.5, 0.8]))[-1]
    plain, dae = results["digits-vae"], results["digits-dae"]
    assert np.all(dae.psnr_recon[1:] > plain.psnr_recon[1:] + 1.0)
    assert np.all(dae.psnr_recon[1:] > dae.psnr_noisy[1:])
