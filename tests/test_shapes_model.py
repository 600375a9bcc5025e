"""The bundled shapes VAE (8-D) encodes its data set's named factors well enough for lesson 4's morphs
to be seen: the direction (mean code with − mean code without) of each attribute the lesson calls long is a
visible arrow, and moving a shape without the attribute along it changes the decoded image. (The 2-D model
once bundled gave `large` a direction of length 0.14: no arrow, nine identical rings, and a small square
reconstructed as a ring.)"""

import numpy as np
import pytest

from trainer.checkpoint import load_checkpoint
from trainer.data.registry import load_dataset
from trainer.latent import decode, direction_from_attribute, encode
from trainer.resources import models_dir

# the factors lesson 4 shows as long arrows; `rotated` and `stretched` change a few pixels, which the
# reconstruction loss hardly notices: the model ignores them and the lesson says so
SHOWN = ("large", "left", "top", "filled")
IGNORED = ("rotated", "stretched")
MIN_LENGTH = 0.5  # in prior standard deviations (a VAE's codes are about N(0, I)): a visible arrow
MIN_CHANGE = 0.03  # mean absolute pixel change (of 1) between α = 0 and α = 2 along the direction


@pytest.fixture(scope="module")
def coded():
    model, _ = load_checkpoint(models_dir() / "shapes-vae.safetensors")
    data = load_dataset("shapes:1200")  # the same generator as the model's 20,000 images, fewer of them
    mu, _ = encode(model, data.images)
    return model, data, mu


def test_the_attributes_the_lesson_shows_have_visible_directions(coded):
    _, data, mu = coded
    lengths = {name: float(np.linalg.norm(direction_from_attribute(mu, data.attributes, j)))
               for j, name in enumerate(data.attribute_names)}
    assert all(lengths[name] >= MIN_LENGTH for name in SHOWN), lengths
    assert all(lengths[name] < MIN_LENGTH for name in IGNORED), lengths  # else the lesson's text is wrong


def test_the_lessons_morph_changes_the_decoded_image(coded):
    model, data, mu = coded
    for name in SHOWN:
        j = data.attribute_names.index(name)
        d = direction_from_attribute(mu, data.attributes, j)
        row = int(np.flatnonzero(~data.attributes[:, j])[0])  # as the lesson: an image without it
        start, end = decode(model, np.stack([mu[row], mu[row] + 2.0 * d]))
        assert float(np.abs(end - start).mean()) >= MIN_CHANGE, name


def test_small_shapes_keep_their_class_in_the_reconstruction(coded):
    """Lesson 4 selects a shape that is not `large` (the 2-D model reconstructed a small square as a ring):
    a 5-nearest-neighbour classifier of the model's reconstructions of other images names the class of 200
    small shapes' reconstructions well above chance (1 in 4). The 2-D model scored 0.32, this one 0.46."""
    from sklearn.neighbors import KNeighborsClassifier

    model, data, mu = coded
    recon = decode(model, mu).reshape(len(mu), -1)
    small = np.flatnonzero(~data.attributes[:, data.attribute_names.index("large")])[:200]
    others = np.setdiff1d(np.arange(len(mu)), small)
    knn = KNeighborsClassifier(5).fit(recon[others], data.labels[others])
    assert float(np.mean(knn.predict(recon[small]) == data.labels[small])) >= 0.4
