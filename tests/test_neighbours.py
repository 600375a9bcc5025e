"""trainer.neighbours: exact k nearest rows in latent and pixel space, the row itself left out, ties by row,
chunking that gives the same answer as one pass, and checked arguments."""

import numpy as np
import pytest

from trainer import neighbours as nb
from trainer.errors import ConfigError


def brute(points: np.ndarray, row: int, k: int):
    x = points.reshape(len(points), -1).astype(np.float64)
    if points.dtype == np.uint8:
        x /= 255
    d = np.sqrt(((x - x[row]) ** 2).sum(1))
    d[row] = np.inf
    order = sorted(range(len(x)), key=lambda r: (d[r], r))[:k]
    return np.array(order), d[order]


def test_latent_neighbours_match_a_brute_force_search():
    codes = np.random.default_rng(0).normal(size=(500, 4)).astype(np.float32)
    rows, dist = nb.nearest(codes, 17, 6)
    want_rows, want_dist = brute(codes, 17, 6)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_allclose(dist, want_dist, rtol=1e-5)
    assert 17 not in rows and np.all(np.diff(dist) >= 0)


def test_pixel_neighbours_in_chunks_equal_one_pass(monkeypatch):
    images = np.random.default_rng(1).integers(0, 256, (300, 1, 6, 5), dtype=np.uint8)
    one_pass = nb.nearest(images, 3, 5)
    monkeypatch.setattr(nb, "CHUNK", 7)
    chunked = nb.nearest(images, 3, 5)
    np.testing.assert_array_equal(chunked[0], one_pass[0])
    np.testing.assert_allclose(chunked[1], one_pass[1])
    np.testing.assert_array_equal(one_pass[0], brute(images, 3, 5)[0])
    assert one_pass[1].max() <= np.sqrt(30)  # pixel values in [0, 1]: at most sqrt(C·H·W)


def test_duplicates_come_first_at_distance_zero_and_ties_go_by_row():
    images = np.zeros((6, 1, 2, 2), np.uint8)
    images[[1, 4]] = 200  # rows 1 and 4 equal row 0's twin below
    images[0] = 200
    rows, dist = nb.nearest(images, 0, 3)
    np.testing.assert_array_equal(rows, [1, 4, 2])
    np.testing.assert_allclose(dist[:2], 0.0)


def test_both_spaces_together_and_their_overlap():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (50, 1, 4, 4), dtype=np.uint8)
    codes = images.reshape(50, -1)[:, :3].astype(np.float32)
    found = nb.neighbours(codes, images, 9, k=4)
    assert found.row == 9 and len(found.latent_rows) == len(found.pixel_rows) == 4
    assert set(found.shared) <= set(found.latent_rows) & set(found.pixel_rows)


def test_k_larger_than_the_data_gives_every_other_row():
    rows, _ = nb.nearest(np.arange(4, dtype=np.float32)[:, None], 0, 10)
    np.testing.assert_array_equal(rows, [1, 2, 3])


@pytest.mark.parametrize(("row", "k", "message"),
                         [(-1, 3, "outside"), (10, 3, "outside"), (0, 0, "k must be"),
                          (0, 1000, "k must be")])
def test_bad_arguments_get_one_message(row, k, message):
    with pytest.raises(ConfigError, match=message):
        nb.nearest(np.zeros((10, 2)), row, k)
    with pytest.raises(ConfigError, match="codes for"):
        nb.neighbours(np.zeros((3, 2)), np.zeros((4, 1, 2, 2), np.uint8), 0)
