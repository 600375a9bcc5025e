"""The data sets that need no download: generated shapes and faces, the 5×7 font, scikit-learn's digits."""

from __future__ import annotations

import numpy as np

from trainer.data.dataset import Dataset
from trainer.data.faces import face_attributes, face_factors, make_faces, render_faces
from trainer.data.glyphs import make_glyphs
from trainer.data.shapes import make_shapes, render_shapes, shape_attributes, shape_factors
from trainer.errors import DataError

__all__ = ["make_shapes", "shape_factors", "shape_attributes", "render_shapes", "make_faces", "face_factors",
           "face_attributes", "render_faces", "make_glyphs", "load_digits"]

DIGITS_TEST_FRACTION = 0.2


def load_digits() -> Dataset:
    """scikit-learn's bundled 8×8 digits: 1,797 images 1×8×8, values 0..16 scaled to 0..255.

    The split is fixed: rows shuffled by a permutation with seed 0, the last 20% are the test split.
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        raise DataError(f"digits: scikit-learn is not installed ({error}); "
                        "pip install scikit-learn") from error
    bunch = sklearn_digits()
    images = np.rint(np.asarray(bunch.images, dtype=np.float64) * (255.0 / 16.0)).astype(np.uint8)
    order = np.random.default_rng(0).permutation(len(images))
    n_test = int(round(len(images) * DIGITS_TEST_FRACTION))
    return Dataset(
        spec="digits",
        images=images[order][:, None],
        labels=np.asarray(bunch.target, dtype=np.int64)[order],
        class_names=[str(d) for d in range(10)],
        n_train=len(images) - n_test,
        source="scikit-learn (bundled)",
    )
