"""The Training panel's settings for each built-in data set: a live demo in which the classes separate.

Each built-in data set gets an architecture, a family, β, epochs, learning rate and batch size chosen so that
training takes 20-60 s on a 2-core laptop (the app trains with one thread and leaves the other core to the
window) and the 2-D codes of the classes visibly separate where a 2-D code can hold the class (digits,
Fashion-MNIST; the shapes' and faces' 2-D codes hold position, fill and background instead: the comments at
``BUILTIN``). ``benchmarks/training_demo.py`` trains each with these settings and prints the seconds and a
separation figure (k-NN accuracy of the test codes next to the pixels' PCA plane); its figures, and the
settings tried and dropped, are in ``benchmarks/README.md``.

Other data sets (a folder, an .npz, CelebA…) get settings from their image shape and size
(``defaults_for``). Qt-free.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

__all__ = ["BUILTIN", "Defaults", "defaults_for"]


@dataclass(frozen=True)
class Defaults:
    """Model and training settings for a data set. ``preset`` names ``trainer.models.config.PRESETS``;
    ``epochs`` counts passes over the training split; ``lr`` is Adam's learning rate; ``why`` says where the
    numbers come from."""

    preset: str
    family: str = "vae"
    latent_dim: int = 2
    beta: float = 1.0
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    why: str = ""

    def model_settings(self) -> dict:
        """Keyword arguments for ``trainer.models.config.preset`` (with the preset name)."""
        return dict(name=self.preset, family=self.family, latent_dim=self.latent_dim, beta=self.beta)

    def train_settings(self) -> dict:
        """``TrainConfig`` fields."""
        return dict(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, optimizer="adam")

    def to_dict(self) -> dict:
        return asdict(self)


BENCH = "benchmarks/training_demo.py (benchmarks/README.md)"

# the spec's kind (the part before ":" and "?") -> its defaults
BUILTIN: dict[str, Defaults] = {
    "digits": Defaults("mlp-256-64", beta=0.5, epochs=300, batch_size=64, lr=2e-3,
                       why=f"1,437 training images of 8×8: many short epochs; {BENCH}"),
    "fashion-mnist-test": Defaults("mlp-512", epochs=25, batch_size=128, lr=1e-3,
                                   why=f"8,000 training images of 28×28; {BENCH}"),
    "fashion-mnist": Defaults("mlp-512", epochs=3, batch_size=128, lr=1e-3,
                              why=f"60,000 training images of 28×28; {BENCH}"),
    "mnist": Defaults("mlp-512", epochs=3, batch_size=128, lr=1e-3,
                      why=f"as Fashion-MNIST (the same sizes); {BENCH}"),
    # The shapes' 2-D code holds the shape's position and whether it is filled, not its class, whatever the
    # model (benchmarks/README.md lists what was tried); this one separates the classes least badly.
    "shapes": Defaults("mlp-256-64", beta=0.5, epochs=14, batch_size=128, lr=1e-3,
                       why=f"16,667 training images of 28×28; {BENCH}"),
    # The faces' 2-D code holds the background's lightness and hue, which cover most pixels; a small MLP with
    # a sharper posterior (β 0.5) keeps the most of the hair colour, at a fraction of a conv body's time.
    "faces": Defaults("mlp-64-16", beta=0.5, epochs=4, batch_size=128, lr=1e-3,
                      why=f"18,000 training images of 64×64 RGB; {BENCH}"),
    "glyphs": Defaults("mlp-64-16", family="ae", epochs=9000, batch_size=95, lr=3e-3,
                       why=f"95 characters, one batch an epoch (the model of resources/models/train_all.sh, "
                           f"trained 6× as long); {BENCH}"),
}


def kind_of(spec: str) -> str:
    """``"shapes:500?seed=1"`` -> ``"shapes"``."""
    return spec.split("?", 1)[0].split(":", 1)[0]


def defaults_for(spec: str, image_shape: tuple[int, int, int], n_train: int) -> Defaults:
    """The built-in data set's defaults, else settings by image shape (C×H×W) and training-split size:
    a conv VAE for 64×64 RGB, the MLP VAE otherwise, with as many epochs as make about 100,000 images
    (at least 2, at most 300)."""
    known = BUILTIN.get(kind_of(spec))
    if known is not None:
        return known
    c, h, w = image_shape
    epochs = int(min(300, max(2, math.ceil(100_000 / max(n_train, 1)))))
    if (c, h, w) == (3, 64, 64):
        return Defaults("conv-64", epochs=min(epochs, 5), batch_size=64, why="by shape: 64×64 RGB")
    if (c, h, w) == (3, 32, 32):
        return Defaults("conv-32", epochs=min(epochs, 10), why="by shape: 32×32 RGB")
    small = c * h * w <= 256
    return Defaults("mlp-256-64" if small else "mlp-512", epochs=epochs, batch_size=64 if small else 128,
                    why=f"by size: {n_train:,} training images of {c}×{h}×{w}")
