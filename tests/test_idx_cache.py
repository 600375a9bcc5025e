"""The decompressed copy of an IDX data set (trainer/data/idx_cache.py): used while the files are the
same, read again when one changes or the copy is damaged."""

import os

import numpy as np

from trainer.data.dataset import Dataset
from trainer.data.idx_cache import load_cached


def make_loader(calls: list):
    def load() -> Dataset:
        calls.append(1)
        images = np.arange(5 * 4 * 4, dtype=np.uint8).reshape(5, 1, 4, 4)
        return Dataset("toy", images, np.array([0, 1, 0, 1, 1]), ["a", "b"], 3)
    return load


def test_the_copy_is_used_until_a_file_changes(tmp_path):
    folder, cache, calls = tmp_path / "idx", tmp_path / "cache", []
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"one")
    first = load_cached(folder, cache, "toy", make_loader(calls))
    again = load_cached(folder, cache, "toy", make_loader(calls))
    assert len(calls) == 1
    np.testing.assert_array_equal(again.images, first.images)
    np.testing.assert_array_equal(again.labels, first.labels)
    assert (again.class_names, again.n_train, again.spec) == (["a", "b"], 3, "toy")
    os.utime(folder / "train-images-idx3-ubyte.gz", ns=(1, 1))  # replaced by another file
    load_cached(folder, cache, "toy", make_loader(calls))
    assert len(calls) == 2


def test_a_damaged_copy_is_read_again(tmp_path):
    folder, cache, calls = tmp_path / "idx", tmp_path / "cache", []
    folder.mkdir()
    (folder / "t10k-images-idx3-ubyte").write_bytes(b"two")
    load_cached(folder, cache, "toy", make_loader(calls))
    for f in cache.glob("*.images.npy"):
        f.write_bytes(b"garbage")
    data = load_cached(folder, cache, "toy", make_loader(calls))
    assert len(calls) == 2 and data.images.shape == (5, 1, 4, 4)
