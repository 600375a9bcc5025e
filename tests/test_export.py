"""trainer/export: tiles of images, PNG strips and grids, animated GIFs (read back with pillow)."""

import numpy as np
import pytest
from PIL import Image, ImageSequence

from trainer.errors import ConfigError
from trainer.export import read_codes_csv, save_codes_csv, save_gif, save_png, tile, to_uint8


def ramp(n: int, c: int = 1, h: int = 5, w: int = 4) -> np.ndarray:
    """n distinct uint8 images N×C×H×W: image k is filled with 20·k + 10 (+ 1 per channel)."""
    values = (20 * np.arange(n)[:, None] + 10 + np.arange(c)[None]).astype(np.uint8)
    return np.broadcast_to(values[:, :, None, None], (n, c, h, w)).copy()


def test_to_uint8_scales_rounds_and_clips_floats():
    out = to_uint8(np.array([-0.5, 0.0, 0.5, 1.0, 1.7], dtype=np.float32))
    np.testing.assert_array_equal(out, [0, 0, 128, 255, 255])
    raw = np.arange(5, dtype=np.uint8)
    assert to_uint8(raw) is raw


def test_tile_one_row_places_each_image_with_gaps():
    images = ramp(3)
    out = tile(images, gap=2, fill=7)
    assert out.shape == (5, 3 * 4 + 2 * 2) and out.dtype == np.uint8
    for k in range(3):
        np.testing.assert_array_equal(out[:, k * 6:k * 6 + 4], images[k, 0])
    np.testing.assert_array_equal(out[:, 4:6], 7)


def test_tile_grid_pads_the_last_row_with_fill():
    images = ramp(5, h=3, w=3)
    out = tile(images, cols=2, gap=1, fill=255)
    assert out.shape == (3 * 3 + 2, 2 * 3 + 1)
    np.testing.assert_array_equal(out[4:7, 4:7], images[3, 0])  # row 1, col 1
    np.testing.assert_array_equal(out[8:11, 0:3], images[4, 0])  # row 2, col 0
    np.testing.assert_array_equal(out[8:11, 4:7], 255)  # the empty cell


def test_tile_colour_is_hwc():
    images = ramp(2, c=3)
    out = tile(images, gap=0)
    assert out.shape == (5, 8, 3)
    np.testing.assert_array_equal(out[0, 0], images[0, :, 0, 0])
    np.testing.assert_array_equal(out[0, 4], images[1, :, 0, 0])


@pytest.mark.parametrize("bad", [np.zeros((0, 1, 4, 4)), np.zeros((4, 4)), np.zeros((2, 4, 4))])
def test_tile_refuses_what_is_not_a_stack(bad):
    with pytest.raises(ConfigError):
        tile(bad)


def test_png_strip_has_the_scaled_size_and_the_pixels(tmp_path):
    images = ramp(9, h=8, w=8)
    path = save_png(images, tmp_path / "strip.png", scale=3, gap=1)
    with Image.open(path) as png:
        assert png.format == "PNG" and png.mode == "L"
        assert png.size == ((9 * 8 + 8) * 3, 8 * 3)
        pixels = np.asarray(png)
    np.testing.assert_array_equal(pixels[::3, ::3], tile(images, gap=1))


def test_png_grid_of_colour_images(tmp_path):
    images = ramp(6, c=3, h=4, w=4)
    with Image.open(save_png(images, tmp_path / "grid.png", cols=3, scale=2, gap=0)) as png:
        assert png.mode == "RGB" and png.size == (3 * 4 * 2, 2 * 4 * 2)
        np.testing.assert_array_equal(np.asarray(png)[0, 0], images[0, :, 0, 0])


def test_png_float_images_and_bad_scale(tmp_path):
    images = np.linspace(0, 1, 2 * 16, dtype=np.float32).reshape(2, 1, 4, 4)
    with Image.open(save_png(images, tmp_path / "f.png", scale=1, gap=0)) as png:
        np.testing.assert_array_equal(np.asarray(png), tile(to_uint8(images), gap=0))
    for scale in (0, 65):
        with pytest.raises(ConfigError):
            save_png(images, tmp_path / "bad.png", scale=scale)
    assert not (tmp_path / "bad.png").exists()


def gif_frames(path):
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        frames = [np.asarray(frame.convert("L")) for frame in ImageSequence.Iterator(gif)]
        return frames, gif.size, gif.info


@pytest.mark.parametrize("n", [2, 3, 9])
def test_gif_bounce_has_2n_minus_2_frames_forward_then_back(tmp_path, n):
    images = ramp(n, h=6, w=5)
    frames, size, info = gif_frames(save_gif(images, tmp_path / "a.gif", scale=4, duration_ms=70))
    assert len(frames) == 2 * n - 2 and size == (5 * 4, 6 * 4)
    order = list(range(n)) + list(range(n - 2, 0, -1))
    assert [int(f[0, 0]) for f in frames] == [int(images[k, 0, 0, 0]) for k in order]
    assert info.get("loop") == 0 and info.get("duration") == 70


def test_gif_without_bounce_and_single_frame(tmp_path):
    frames, size, _ = gif_frames(save_gif(ramp(4), tmp_path / "b.gif", scale=2, bounce=False))
    assert len(frames) == 4 and size == (8, 10)
    frames, size, _ = gif_frames(save_gif(ramp(1), tmp_path / "c.gif", scale=1))
    assert len(frames) == 1 and size == (4, 5)


def test_gif_of_colour_frames_keeps_size(tmp_path):
    frames, size, _ = gif_frames(save_gif(ramp(3, c=3, h=4, w=6), tmp_path / "rgb.gif", scale=3))
    assert len(frames) == 4 and size == (18, 12)


def test_gif_refuses_an_empty_stack(tmp_path):
    with pytest.raises(ConfigError):
        save_gif(np.zeros((0, 1, 4, 4), np.uint8), tmp_path / "e.gif")
    assert not (tmp_path / "e.gif").exists()


# ---- latent codes as CSV ---------------------------------------------------------------------------------


def codes_table(n: int = 7, d: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    codes = (rng.standard_normal((n, d)) * 10.0 ** rng.integers(-8, 8, (n, d))).astype(np.float32)
    codes[0, 0], codes[1, 0] = np.float32(0.1), np.float32(-0.0)  # a value with no short float32 decimal
    return codes, rng.integers(0, 3, n)


def test_codes_csv_round_trips_exactly_with_names_that_need_quoting(tmp_path):
    codes, labels = codes_table()
    names = ['T-shirt, top', 'say "hi"', "two\nlines"]
    xy = codes[:, :2] * 3 + 1
    path = save_codes_csv(tmp_path / "codes.csv", codes, labels, names, n_train=5, xy=xy)
    back = read_codes_csv(path)
    assert back.codes.dtype == np.float32
    np.testing.assert_array_equal(back.codes, codes)  # bit-exact, not approximately
    np.testing.assert_array_equal(back.xy, xy.astype(np.float32))
    np.testing.assert_array_equal(back.labels, labels)
    np.testing.assert_array_equal(back.index, np.arange(7))
    assert back.class_names == [names[k] for k in labels]
    assert back.splits == ["train"] * 5 + ["test"] * 2 and back.n_train == 5


def test_codes_csv_is_a_plain_table_other_programs_read(tmp_path):
    import csv

    codes, labels = codes_table(n=4, d=2)
    path = save_codes_csv(tmp_path / "c.csv", codes, labels, ["a,b", "c", "d"], n_train=4)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["index", "split", "label", "class_name", "z0", "z1"]
    assert [np.float32(r["z1"]) for r in rows] == list(codes[:, 1])
    assert rows[0]["class_name"] == ["a,b", "c", "d"][labels[0]]
    assert not list(tmp_path.glob(".*.part"))


def test_codes_csv_float64_keeps_full_precision(tmp_path):
    codes = np.array([[np.pi, 1 / 3], [1e-300, -2.5e300]])
    back = read_codes_csv(save_codes_csv(tmp_path / "d.csv", codes, np.array([0, 1]), ["x", "y"], 1),
                          dtype=np.float64)
    np.testing.assert_array_equal(back.codes, codes)
    assert back.xy is None


def test_codes_csv_refuses_mismatched_inputs_and_foreign_files(tmp_path):
    codes, labels = codes_table()
    with pytest.raises(ConfigError):
        save_codes_csv(tmp_path / "e.csv", codes, labels[:-1], ["a", "b", "c"], 3)
    with pytest.raises(ConfigError):
        save_codes_csv(tmp_path / "e.csv", codes, labels, ["a", "b", "c"], 3, xy=np.zeros((7, 3)))
    assert not (tmp_path / "e.csv").exists()
    (tmp_path / "other.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ConfigError):
        read_codes_csv(tmp_path / "other.csv")
    (tmp_path / "short.csv").write_text("index,split,label,class_name,z0,z1\n0,train,0,a,1.5\n")
    with pytest.raises(ConfigError):
        read_codes_csv(tmp_path / "short.csv")
