"""The bundled faces VAE really turns black hair blond: the decoded hair region's mean colour moves from dark
to yellow as α grows along the ``Blond_Hair`` direction (mean code with − mean code without), as in
lesson 7."""

import colorsys

import numpy as np
import pytest

from trainer.checkpoint import load_checkpoint
from trainer.data.faces import (
    ATTRIBUTE_NAMES,
    HAIR_RGB,
    face_attributes,
    face_factors,
    hair_mask,
    render_faces,
)
from trainer.latent import decode, direction_from_attribute, encode
from trainer.resources import models_dir

ALPHAS = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
MODEL = models_dir() / "faces-vae.safetensors"


@pytest.fixture(scope="module")
def faces():
    """2,000 faces (not the training set's: another seed), the model, their codes and the lesson's faces."""
    model, info = load_checkpoint(MODEL)
    factors = face_factors(2000, seed=7)
    images, attributes = render_faces(factors), face_attributes(factors)
    codes = encode(model, images)[0]
    plain = ~factors["hat"] & ~factors["glasses"] & ~factors["smiling"]
    rows = np.flatnonzero((factors["hair"] == 0) & plain)[:6]
    return model, info, factors, attributes, codes, rows


def hair_hsv(images: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean colour of the masked pixels of each image (N×3×H×W in [0, 1]) as (hue°, saturation, value)."""
    rgb = images[:, :, mask].mean(axis=2)
    return np.array([colorsys.rgb_to_hsv(*c) for c in rgb]) * [360.0, 1.0, 1.0]


def test_the_model_knows_the_faces_attributes(faces):
    _, info, *_ = faces
    assert info.dataset_spec == "faces" and info.attribute_names == ATTRIBUTE_NAMES
    assert info.model_config.latent_dim == 32


def test_blond_morph_turns_the_hair_from_dark_to_yellow(faces):
    model, _, factors, attributes, codes, rows = faces
    d = direction_from_attribute(codes, attributes, ATTRIBUTE_NAMES.index("Blond_Hair"))
    per_face = []
    for row in rows:
        strip = decode(model, codes[row] + ALPHAS[:, None] * d[None, :])
        per_face.append(hair_hsv(strip, hair_mask(factors, row)))
    hue, sat, value = np.mean(per_face, axis=0).T
    assert value[0] < 0.4  # dark hair at α = 0 (the reconstruction; the data's black hair: 0.15)
    assert np.all(np.diff(value) > 0)  # lighter at every step
    assert value[-1] > 0.65 and sat[-1] > 0.3 and 35 < hue[-1] < 65  # yellow at α = 2
    blond_hue = colorsys.rgb_to_hsv(*(HAIR_RGB[2] / 255))[0] * 360
    assert abs(hue[-1] - blond_hue) < 12  # the hue of the data's own blond (45°)


def test_the_morph_leaves_the_rest_of_the_face(faces):
    """Outside the hair (and brows) the face changes far less than the hair does."""
    model, _, factors, attributes, codes, rows = faces
    d = direction_from_attribute(codes, attributes, ATTRIBUTE_NAMES.index("Blond_Hair"))
    row = rows[0]
    start, end = decode(model, np.stack([codes[row], codes[row] + 2.0 * d]))
    mask = hair_mask(factors, row)
    change = np.abs(end - start).mean(axis=0)
    assert change[mask].mean() > 4 * change[~mask].mean()
