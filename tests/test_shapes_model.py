"""The bundled shapes VAE encodes its data set's named factors well enough for lesson 4's morphs to be seen:
each attribute's direction (mean code with − mean code without) is a visible arrow, and moving a shape without
the attribute along it changes the decoded image. (The 2-D model once bundled gave `large` a direction of
length 0.14: no arrow, nine identical rings, and a small square reconstructed as a ring.)"""

import numpy as np
import pytest

from trainer.checkpoint import load_checkpoint
from trainer.data.registry import load_dataset
from trainer.latent import decode, direction_from_attribute, encode
from trainer.resources import models_dir

# The bundled file is still the 2-D model: retraining it (nice -n 10 python -m trainer fit --quiet --threads 2
# --seed 0 --data shapes --preset keras-conv --latent-dim 8 --dense 64 --epochs 20 --out
# resources/models/shapes-vae.safetensors, then view="pca" for lesson 4's set-up) did not finish on the shared
# machine in this session. Strict: they fail loudly (XPASS) once a retrained model passes; remove the mark.
pytestmark = pytest.mark.xfail(strict=True, reason="the bundled shapes-vae is the 2-D model (length of "
                               "`large` 0.14); retrain it as above")

MIN_LENGTH = 0.5  # in prior standard deviations (a VAE's codes are about N(0, I)): a visible arrow
MIN_CHANGE = 0.03  # mean absolute pixel change (of 1) between α = 0 and α = 2 along the direction


@pytest.fixture(scope="module")
def coded():
    model, _ = load_checkpoint(models_dir() / "shapes-vae.safetensors")
    data = load_dataset("shapes:1200")  # the same generator as the model's 20,000 images, fewer of them
    mu, _ = encode(model, data.images)
    return model, data, mu


def test_every_named_attribute_has_a_visible_direction(coded):
    _, data, mu = coded
    lengths = {name: float(np.linalg.norm(direction_from_attribute(mu, data.attributes, j)))
               for j, name in enumerate(data.attribute_names)}
    assert all(length >= MIN_LENGTH for length in lengths.values()), lengths


def test_the_lessons_morph_changes_the_decoded_image(coded):
    model, data, mu = coded
    for j, name in enumerate(data.attribute_names):
        d = direction_from_attribute(mu, data.attributes, j)
        row = int(np.flatnonzero(~data.attributes[:, j])[0])  # as the lesson: an image without it
        start, end = decode(model, np.stack([mu[row], mu[row] + 2.0 * d]))
        assert float(np.abs(end - start).mean()) >= MIN_CHANGE, name


def test_a_small_square_reconstructs_as_a_square(coded):
    """Lesson 4 selects a shape that is not `large`: its reconstruction keeps its class (nearest class mean
    of the reconstructions' own codes)."""
    model, data, mu = coded
    means = np.stack([mu[data.labels == k].mean(axis=0) for k in range(len(data.class_names))])
    small = np.flatnonzero(~data.attributes[:, data.attribute_names.index("large")])[:200]
    again, _ = encode(model, decode(model, mu[small]))
    nearest = np.argmin(((again[:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert float(np.mean(nearest == data.labels[small])) >= 0.8
