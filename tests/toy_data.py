"""Tiny structured data for engine tests: 8×8 images of one bright horizontal or vertical bar."""

import numpy as np

from trainer.data.dataset import Dataset

SHAPE = (1, 8, 8)


def bars(n: int, n_train: int | None = None, seed: int = 0) -> Dataset:
    """Images of one horizontal (label 0) or vertical (label 1) bright bar on black."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, *SHAPE), np.uint8)
    labels = rng.integers(0, 2, n)
    where = rng.integers(0, 8, n)
    for k in range(n):
        if labels[k]:
            images[k, 0, :, where[k]] = 255
        else:
            images[k, 0, where[k], :] = 255
    return Dataset("bars", images, labels.astype(np.int64), ["h", "v"], n if n_train is None else n_train)
