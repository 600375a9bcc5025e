"""Binarized images, the standard set-up for likelihood figures on MNIST.

*Dynamic binarization* (Salakhutdinov & Murray 2008; used by Burda et al. 2015 and Davidson et al. 2018):
each time a training image is used, every pixel is drawn afresh as 1 with probability its intensity, else 0,
and the model is trained to reconstruct that binary sample (input = target). The test split is binarized
once, with a fixed seed, so that every evaluation scores the same binary images. A Bernoulli decoder then
gives a true log-likelihood, in nats per image, comparable with the published figures.
"""

from __future__ import annotations

import numpy as np
import torch

TEST_SEED_OFFSET = 104_729  # the test split's coins differ from the training batches' for the same seed


def generator(device: torch.device | str, seed: int) -> torch.Generator:
    """The coins for the training batches (on ``device``), seeded."""
    return torch.Generator(device=device).manual_seed(int(seed))


def sample(x: torch.Tensor, coins: torch.Generator | None = None) -> torch.Tensor:
    """Bernoulli draws of float images ``x`` in [0, 1] (any shape): 1.0 with probability x, else 0.0."""
    return torch.bernoulli(x.clamp(0, 1), generator=coins)


def fixed(images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """uint8 images (any shape, 0..255) binarized once: uint8 0 or 255, the same for the same seed."""
    coins = generator(images.device, seed + TEST_SEED_OFFSET)
    u = torch.rand(images.shape, generator=coins, device=images.device)
    return ((u * 255 < images.float()).to(torch.uint8)) * 255


def fixed_np(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """``fixed`` for a numpy uint8 array (N×C×H×W): a new array of 0 and 255."""
    return fixed(torch.from_numpy(np.ascontiguousarray(images)), seed).numpy()


def binarized_test(data, seed: int = 0):
    """The test split of a Dataset with its images binarized once (``fixed_np``), as the trainer validates
    a model trained with ``binarize``: pass it to ``trainer.metrics.evaluate``."""
    test = data.test
    return type(test)(test.spec, fixed_np(test.images, seed), test.labels, test.class_names, 0,
                      test.attributes, test.attribute_names, test.source)
