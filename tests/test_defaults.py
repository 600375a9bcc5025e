"""Every built-in data set has Training-panel defaults that make a valid model and training for it."""

from __future__ import annotations

import pytest

from trainer.data.registry import KINDS
from trainer.defaults import BUILTIN, defaults_for, kind_of
from trainer.models.config import preset
from trainer.train import TrainConfig

# the image shape (C×H×W) and training-split size of each built-in data set (their data set cards)
SHAPES = {"digits": ((1, 8, 8), 1_437), "fashion-mnist": ((1, 28, 28), 60_000),
          "mnist": ((1, 28, 28), 60_000), "fashion-mnist-test": ((1, 28, 28), 8_000),
          "shapes": ((1, 28, 28), 16_667),
          "faces": ((3, 64, 64), 18_000), "glyphs": ((1, 7, 5), 95)}


def test_every_built_in_data_set_has_defaults():
    built_in = {name for name, kind in KINDS.items() if kind.path != "required"}
    assert built_in == set(BUILTIN) == set(SHAPES)


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_the_defaults_make_a_model_and_a_training_for_the_data_set(name):
    shape, n_train = SHAPES[name]
    d = defaults_for(f"{name}?seed=1" if name == "shapes" else name, shape, n_train)
    assert d is BUILTIN[name] and d.why
    settings = d.model_settings()
    cfg = preset(settings.pop("name"), image_shape=shape, **settings)
    assert cfg.latent_dim == 2 and cfg.image_shape == shape  # a 2-D scatter to watch
    train = TrainConfig.from_dict(d.train_settings())
    assert train.epochs * n_train >= 15_000  # long enough that the classes can separate


def test_other_data_sets_get_defaults_by_shape():
    assert kind_of("folder:/data/cats?size=64") == "folder"
    rgb = defaults_for("folder:/data/cats?size=64", (3, 64, 64), 5_000)
    assert rgb.preset == "conv-64" and 2 <= rgb.epochs <= 5
    tiny = defaults_for("npz:/x.npz", (1, 8, 8), 500)
    assert tiny.preset == "mlp-256-64" and tiny.epochs == 200
    big = defaults_for("idx:/mnistlike", (1, 28, 28), 60_000)
    assert big.preset == "mlp-512" and big.epochs == 2
