"""trainer.replay: epochs aligned by Procrustes, the frames drawn, and the GIF."""

import numpy as np
import pytest
from PIL import Image

from trainer.errors import ConfigError
from trainer.replay import align, frame_range, render, save_gif


def rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def test_align_undoes_a_rotation_and_a_shift_but_not_a_scale():
    rng = np.random.default_rng(0)
    last = rng.normal(size=(100, 2))
    spun = last @ rotation(1.1).T + [5.0, -2.0]
    mirrored = 0.5 * last * [-1, 1]
    aligned = align([spun, mirrored, last])
    np.testing.assert_allclose(aligned[0], last, atol=1e-5)
    centre = last.mean(0)  # mirrored back and moved onto the last frame's centre, still half the size
    np.testing.assert_allclose(aligned[1], 0.5 * (last - centre) + centre, atol=1e-5)
    np.testing.assert_array_equal(aligned[2], last.astype(np.float32))


def test_align_chains_from_the_last_epoch():
    rng = np.random.default_rng(1)
    c = rng.normal(size=(50, 3))
    r = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    b = c @ r + 0.01 * rng.normal(size=c.shape)
    a = b @ r
    aligned = align([a, b, c])
    assert np.abs(aligned[0] - c).max() < 0.1 and np.abs(aligned[1] - c).max() < 0.1


def test_align_keeps_nan_rows_out_of_the_fit():
    rng = np.random.default_rng(2)
    last = rng.normal(size=(30, 2))
    first = last @ rotation(0.4).T
    first[3] = np.nan
    aligned = align([first, last])
    keep = np.arange(30) != 3
    np.testing.assert_allclose(aligned[0][keep], last[keep], atol=1e-5)
    assert np.isnan(aligned[0][3]).all()
    with pytest.raises(ConfigError):
        align([np.zeros((3, 2)), np.zeros((4, 2))])
    assert align([]) == []


def test_render_puts_each_point_in_its_colour():
    picture = render(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), ["#FF0000", "#0000FF"],
                     (0, 1), (0, 1), size=11, dot=0)
    assert picture[10, 0].tolist() == [255, 0, 0]  # (0, 0): bottom left
    assert picture[0, 10].tolist() == [0, 0, 255]  # (1, 1): top right
    assert (picture[5, 5] == 255).all()


def test_frame_range_holds_every_frame():
    (x0, x1), (y0, y1) = frame_range([np.array([[0.0, 0.0]]), np.array([[10.0, -4.0], [np.nan, 99.0]])])
    assert x0 < 0 < 10 < x1 and y0 < -4 < 0 < y1 < 99


def test_save_gif_writes_every_frame(tmp_path):
    pictures = [np.full((8, 8, 3), v, np.uint8) for v in (0, 128, 255)]
    path = save_gif(pictures, tmp_path / "replay.gif", ms_per_frame=100)
    with Image.open(path) as gif:
        assert gif.n_frames == 3
        gif.seek(2)
        assert np.asarray(gif.convert("RGB"))[0, 0].tolist() == [255, 255, 255]
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(ConfigError):
        save_gif([], tmp_path / "none.gif")
