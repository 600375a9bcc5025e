"""What a PSNR means in pixels (lesson 7's question: what would 60 dB mean?)."""

import math

import numpy as np
import pytest

from trainer.metrics import psnr
from trainer.quality import rms_error


def test_sixty_db_is_a_thousandth_of_the_range():
    fraction, grey = rms_error(60.0)
    assert fraction == pytest.approx(1e-3) and grey == pytest.approx(0.255)
    assert rms_error(20.0)[0] == pytest.approx(0.1)


def test_it_inverts_the_psnr_of_real_images():
    rng = np.random.default_rng(0)
    clean = rng.random((3, 1, 16, 16))
    noisy = np.clip(clean + rng.normal(0, 0.05, clean.shape), 0, 1)
    db = psnr(clean, noisy)
    rms = np.sqrt(((clean - noisy) ** 2).reshape(3, -1).mean(1))
    for value, expected in zip(db, rms, strict=True):
        assert rms_error(value)[0] == pytest.approx(expected)


def test_rounding_a_perfect_image_to_8_bits_scores_below_60_db():
    """Uniform rounding error has RMS 1/√12 grey levels: 58.9 dB; 60 dB is better than 8-bit rounding."""
    levels = 1 / math.sqrt(12)
    db = 20 * math.log10(255 / levels)
    assert db == pytest.approx(58.9, abs=0.05)
    assert rms_error(db)[1] == pytest.approx(levels)
