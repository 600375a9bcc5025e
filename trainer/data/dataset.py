"""The one dataset type: uint8 images N×C×H×W, labels with class names, optional binary attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from trainer.errors import DataError
from trainer.limits import MAX_CLASSES


@dataclass(frozen=True)
class Dataset:
    """Images are ordered train first, then test: ``images[:n_train]`` is the training split.

    ``spec`` is the string that loads it again (``"shapes"``, ``"idx:/path"``...); ``source`` says where it
    came from in words (a path, "generated", "scikit-learn").
    """

    spec: str
    images: np.ndarray  # uint8, N×C×H×W
    labels: np.ndarray  # int64, N
    class_names: list[str]
    n_train: int
    attributes: np.ndarray | None = None  # bool, N×A
    attribute_names: list[str] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        validate(self)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    @property
    def n_test(self) -> int:
        return len(self.images) - self.n_train

    def subset(self, index: np.ndarray | slice, n_train: int | None = None) -> Dataset:
        """A dataset of the given rows (all counted as train unless ``n_train`` says otherwise)."""
        images = self.images[index]
        attrs = None if self.attributes is None else self.attributes[index]
        return Dataset(self.spec, images, self.labels[index], self.class_names,
                       len(images) if n_train is None else n_train, attrs, self.attribute_names, self.source)

    @property
    def train(self) -> Dataset:
        return self.subset(slice(0, self.n_train))

    @property
    def test(self) -> Dataset:
        return self.subset(slice(self.n_train, None), n_train=0)

    def limit_train(self, n: int | None) -> Dataset:
        """Keep the first ``n`` training images (all of the test split)."""
        if n is None or n >= self.n_train:
            return self
        keep = np.r_[0:n, self.n_train:len(self.images)]
        return self.subset(keep, n_train=n)


def validate(ds: Dataset) -> None:
    """Raise DataError unless the arrays agree with each other."""
    where = ds.source or ds.spec
    if ds.images.dtype != np.uint8 or ds.images.ndim != 4:
        raise DataError(f"{where}: images must be uint8 N×C×H×W, got {ds.images.dtype} {ds.images.shape}")
    n = len(ds.images)
    if len(ds.class_names) > MAX_CLASSES:
        raise DataError(f"{where}: {len(ds.class_names):,} classes; at most {MAX_CLASSES:,}")
    if ds.labels.shape != (n,):
        raise DataError(f"{where}: {n} images but labels of shape {ds.labels.shape}")
    if n and (ds.labels.min() < 0 or ds.labels.max() >= len(ds.class_names)):
        raise DataError(f"{where}: labels outside 0..{len(ds.class_names) - 1}")
    if not 0 <= ds.n_train <= n:
        raise DataError(f"{where}: n_train={ds.n_train} but only {n} images")
    if ds.attributes is not None:
        if ds.attributes.shape != (n, len(ds.attribute_names)):
            raise DataError(f"{where}: attributes {ds.attributes.shape} do not match {n} images × "
                            f"{len(ds.attribute_names)} names")
