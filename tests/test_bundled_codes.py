"""Bundled codes (trainer/bundled_codes.py): used only when the checksums of the model file and of the data
match; ``python -m trainer codes`` writes them from the encoder."""

import numpy as np
import pytest
from app_fixtures import tiny_model_file

from trainer import bundled_codes as bc


@pytest.fixture
def bundle(tmp_path):
    """A model file, images and codes written as a codes file in tmp_path/codes."""
    model = tmp_path / "toy.safetensors"
    model.write_bytes(bytes(range(256)) * 40)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 1, 6, 6), dtype=np.uint8)
    codes = rng.normal(size=(60, 2)).astype(np.float32)
    folder = tmp_path / "codes"
    entry = bc.Entry("toy", bc.data_digest(images), codes)
    bc.write(bc.codes_file(model, folder), bc.file_digest(model), [entry])
    return model, images, codes, folder


def test_codes_come_back_when_model_and_data_match(bundle):
    model, images, codes, folder = bundle
    np.testing.assert_array_equal(bc.lookup(model, images, folder), codes)


def test_a_changed_pixel_or_shape_means_no_codes(bundle):
    model, images, codes, folder = bundle
    other = images.copy()
    other[7, 0, 3, 3] ^= 1
    assert bc.lookup(model, other, folder) is None
    assert bc.lookup(model, images.reshape(60, 1, 4, 9), folder) is None  # same bytes, other images
    assert bc.lookup(model, images[:59], folder) is None


def test_a_changed_model_file_means_no_codes(bundle):
    model, images, codes, folder = bundle
    model.write_bytes(model.read_bytes()[:-1] + b"\x00")
    assert bc.lookup(model, images, folder) is None


def test_a_damaged_or_missing_codes_file_means_no_codes(bundle):
    model, images, codes, folder = bundle
    bc.codes_file(model, folder).write_bytes(b"PK\x03\x04 not a zip")
    assert bc.lookup(model, images, folder) is None
    bc.codes_file(model, folder).unlink()
    assert bc.lookup(model, images, folder) is None


def test_non_finite_codes_are_never_used(bundle):
    model, images, codes, folder = bundle
    codes[5, 1] = np.nan
    entry = bc.Entry("toy", bc.data_digest(images), codes)
    bc.write(bc.codes_file(model, folder), bc.file_digest(model), [entry])
    assert bc.lookup(model, images, folder) is None


def test_the_header_summary_needs_no_torch(tmp_path):
    path = tiny_model_file(tmp_path / "m.safetensors", latent_dim=3)
    assert bc.summary(path) == bc.Summary("digits", (1, 8, 8), 3)
    (tmp_path / "bad.safetensors").write_bytes(b"\x00" * 7)
    assert bc.summary(tmp_path / "bad.safetensors") is None


def test_the_codes_command_writes_the_encoders_codes(tmp_path):
    from trainer.cli_codes import regenerate
    from trainer.data import load_dataset
    from trainer.latent import encode
    from trainer.model_files import load_model

    path = tiny_model_file(tmp_path / "m.safetensors")
    notes = regenerate(path, tmp_path / "codes")
    digits = load_dataset("digits")
    assert notes == [f"digits ({len(digits.images):,} codes)"]
    expected = encode(load_model(path)[0], digits.images)[0]
    np.testing.assert_allclose(bc.lookup(path, digits.images, tmp_path / "codes"), expected, atol=1e-6)
