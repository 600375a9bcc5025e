"""Real, odd files load the way people's viewers and tools show them (in-process: no memory at stake).

Every Pillow image mode and bit depth; CelebA as Kaggle, Google Drive and torchvision lay it out, with the
attribute-file quirks seen in the wild; specs whose paths hold ``?``, ``&``, ``%``, spaces...; label values
that are not 0…K-1; the engine's small helpers for files, logs and figures.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from trainer.data import load_dataset
from trainer.data.pixels import read_rgb, to_rgb
from trainer.errors import ConfigError, DataError

# ---------------------------------------------------------------- images as a viewer shows them


def png16(path: Path, pixels: np.ndarray, color_type: int) -> Path:
    """A 16-bit PNG written by hand (Pillow writes no 16-bit colour): colour type 0 grey, 2 RGB, 4 grey +
    alpha, 6 RGBA; ``pixels`` uint16 H×W×channels."""
    h, w = pixels.shape[:2]
    rows = b"".join(b"\0" + pixels[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


RAMP16 = (np.arange(64, dtype=np.uint32).reshape(8, 8) * 1040).astype(np.uint16)  # 64 levels over 0…65520
EXPECTED_RAMP = np.rint(RAMP16 / 257.0).astype(np.uint8)


def test_16_bit_grey_png_keeps_its_grey_levels(tmp_path):
    path = png16(tmp_path / "g16.png", RAMP16[..., None], 0)
    assert Image.open(path).mode.startswith("I")
    rgb = read_rgb(path)
    np.testing.assert_array_equal(rgb[..., 0], EXPECTED_RAMP)
    assert len(np.unique(rgb)) == 64  # Pillow's convert("L") clips these to 7 levels, 98 % at 255


def test_a_folder_of_16_bit_pngs_is_read_as_viewers_show_it(tmp_path):
    for c in ("a", "b"):
        for i in range(3):
            (tmp_path / c).mkdir(exist_ok=True)
            png16(tmp_path / c / f"{i}.png", RAMP16[..., None], 0)
    ds = load_dataset(f"folder:{tmp_path}")
    assert ds.image_shape == (1, 8, 8)
    np.testing.assert_array_equal(ds.images[0, 0], EXPECTED_RAMP)


@pytest.mark.parametrize("color_type, channels", [(2, 3), (4, 2), (6, 4)])
def test_16_bit_colour_and_alpha_pngs(tmp_path, color_type, channels):
    pixels = np.stack([RAMP16] * channels, axis=-1)
    if channels in (2, 4):
        pixels[..., -1] = 65535  # opaque
    rgb = read_rgb(png16(tmp_path / "c16.png", pixels, color_type))
    assert np.abs(rgb[..., 0].astype(int) - EXPECTED_RAMP).max() <= 1  # Pillow keeps the high byte


def _modes() -> dict[str, tuple]:
    """mode -> (image in that mode, the RGB a viewer shows)."""
    grey = np.tile(np.arange(0, 256, 32, dtype=np.uint8), (8, 1))
    rgb = np.stack([grey, grey[::-1], np.full_like(grey, 90)], axis=-1)
    half = np.full((8, 8), 128, np.uint8)
    over_white = lambda c, a: np.rint(c * (a / 255.0) + 255 * (1 - a / 255.0))  # noqa: E731
    palette = Image.fromarray(rgb).quantize(8)
    p_transparent = palette.copy()
    p_transparent.info["transparency"] = 0
    p_expected = np.asarray(palette.convert("RGB")).astype(float)
    p_expected[np.asarray(palette) == 0] = 255
    f = Image.fromarray((grey / 255.0).astype(np.float32), mode="F")
    i32 = Image.fromarray(grey.astype(np.int32) * 257, mode="I")
    return {
        "1": (Image.fromarray(grey > 100), np.repeat(np.where(grey > 100, 255, 0)[..., None], 3, -1)),
        "L": (Image.fromarray(grey), np.repeat(grey[..., None], 3, -1)),
        "P": (palette, np.asarray(palette.convert("RGB"))),
        "P+transparency": (p_transparent, p_expected),
        "RGB": (Image.fromarray(rgb), rgb),
        "RGBA": (Image.fromarray(np.dstack([rgb, half])), over_white(rgb, half[..., None])),
        "LA": (
            Image.fromarray(np.dstack([grey, half])).convert("LA"),
            np.repeat(over_white(grey, half)[..., None], 3, -1),
        ),
        "I": (i32, np.repeat(grey[..., None], 3, -1)),
        "F": (f, np.repeat(grey[..., None], 3, -1)),
        "CMYK": (Image.fromarray(rgb).convert("CMYK"), rgb),
        "YCbCr": (
            Image.fromarray(rgb).convert("YCbCr"),
            np.asarray(Image.fromarray(rgb).convert("YCbCr").convert("RGB")),
        ),
        "HSV": (
            Image.fromarray(rgb).convert("HSV"),
            np.asarray(Image.fromarray(rgb).convert("HSV").convert("RGB")),
        ),
        "RGBa": (Image.fromarray(np.dstack([rgb, half])).convert("RGBa"), over_white(rgb, half[..., None])),
    }


MODES = list(_modes())


@pytest.mark.parametrize("mode", MODES)
def test_every_pillow_mode_is_shown_as_a_viewer_shows_it(mode):
    image, expected = _modes()[mode]
    if image is None or image.mode not in mode.split("+")[0]:
        pytest.skip(f"this Pillow cannot make mode {mode}")
    out = np.asarray(to_rgb(image))
    assert out.shape == (8, 8, 3) and out.dtype == np.uint8
    if expected is not None:
        assert np.abs(out.astype(int) - np.asarray(expected, dtype=float)).max() <= 2, mode


@pytest.mark.parametrize(
    "fmt, mode",
    [
        ("PNG", "LA"),
        ("PNG", "P"),
        ("PNG", "I;16"),
        ("TIFF", "F"),
        ("TIFF", "I"),
        ("TIFF", "CMYK"),
        ("JPEG", "CMYK"),
        ("WEBP", "RGBA"),
        ("GIF", "P"),
        ("BMP", "1"),
        ("TIFF", "LAB"),
    ],
)
def test_files_of_each_format_and_mode_read_from_disk(tmp_path, fmt, mode):
    base = Image.fromarray(np.tile(np.arange(0, 256, 16, dtype=np.uint8), (16, 1)))
    image = (
        base.convert(mode) if mode != "I;16" else Image.fromarray(np.asarray(base).astype(np.uint16) * 257)
    )
    path = tmp_path / f"x.{fmt.lower()}"
    try:
        image.save(path, format=fmt)
    except (OSError, KeyError, ValueError):
        pytest.skip(f"Pillow cannot write {mode} as {fmt}")
    out = read_rgb(path)
    assert out.shape == (16, 16, 3)
    if mode in ("LA", "I;16", "I", "F", "P", "1"):
        assert len(np.unique(out)) >= 2


def test_exif_orientation_is_applied_like_a_phone_photo(tmp_path):
    image = Image.new("RGB", (20, 10), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 10, 10))  # left half blue
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    image.save(tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    from trainer.data.pixels import oriented_size

    assert oriented_size(tmp_path / "phone.jpg") == (10, 20)
    shown = read_rgb(tmp_path / "phone.jpg")
    assert shown.shape == (20, 10, 3) and shown[2, 5, 2] > 200  # the blue half is on top


def test_an_animated_gif_shows_its_first_frame(tmp_path):
    frames = [Image.new("L", (6, 6), v) for v in (30, 200)]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    assert abs(int(read_rgb(tmp_path / "a.gif")[0, 0, 0]) - 30) <= 2


# ---------------------------------------------------------------- CelebA as people have it


def celeba(
    root: Path,
    layout: str,
    values: list[list[str]] | None = None,
    names=("Male", "Smiling"),
    files: list[str] | None = None,
) -> Path:
    """A CelebA folder in one of the layouts: "torchvision", "kaggle" (nested images, CSV files) or
    "drive" (Img/, Anno/, Eval/)."""
    files = files or [f"{i + 1:06d}.jpg" for i in range(4)]
    values = values or [["1", "-1"], ["-1", "1"], ["1", "1"], ["-1", "-1"]]
    images = {
        "torchvision": root / "img_align_celeba",
        "kaggle": root / "img_align_celeba" / "img_align_celeba",
        "drive": root / "Img" / "img_align_celeba",
    }[layout]
    images.mkdir(parents=True)
    for name in dict.fromkeys(files):
        Image.new("RGB", (178, 218), (200, 100, 50)).save(images / name)
    anno = root / ("Anno" if layout == "drive" else "")
    evals = root / ("Eval" if layout == "drive" else "")
    anno.mkdir(exist_ok=True)
    evals.mkdir(exist_ok=True)
    if layout == "kaggle":
        rows = [",".join(["image_id", *names])] + [
            ",".join([f, *v]) for f, v in zip(files, values, strict=True)
        ]
        (anno / "list_attr_celeba.csv").write_text("\n".join(rows) + "\n")
        parts = ["image_id,partition"] + [f"{f},{int(i == len(files) - 1) * 2}" for i, f in enumerate(files)]
        (evals / "list_eval_partition.csv").write_text("\n".join(parts) + "\n")
    else:
        rows = [str(len(files)), " ".join(names)] + [
            " ".join([f, *v]) for f, v in zip(files, values, strict=True)
        ]
        (anno / "list_attr_celeba.txt").write_text("\n".join(rows) + "\n")
        parts = [f"{f} {int(i == len(files) - 1) * 2}" for i, f in enumerate(files)]
        (evals / "list_eval_partition.txt").write_text("\n".join(parts) + "\n")
    return root


@pytest.mark.parametrize("layout", ["torchvision", "kaggle", "drive"])
def test_celeba_reads_every_layout_people_have(tmp_path, layout):
    root = celeba(tmp_path / "celeba", layout)
    for spec in (f"celeba:{root}", str(root)):  # a bare path is recognised too
        ds = load_dataset(spec, data_dir=tmp_path / "data")
        assert ds.images.shape == (4, 3, 64, 64) and ds.attribute_names == ["Male", "Smiling"]
        assert ds.n_train == 3 and ds.attributes[:3].tolist() == [[True, False], [False, True], [True, True]]


@pytest.mark.parametrize(
    "values, message",
    [
        ([["1", "-0"], ["-1", "1"], ["1", "1"], ["-1", "-1"]], "line 3 should be a file name and 2 values"),
        (
            [["1", "0"], ["-1", "1"], ["1", "1"], ["-1", "-1"]],
            "line 3 has the value 0 but the file also uses -1",
        ),
        ([["1", "2"], ["-1", "1"], ["1", "1"], ["-1", "-1"]], "line 3 should be"),
        ([["1"], ["-1", "1"], ["1", "1"], ["-1", "-1"]], "line 3 should be"),
    ],
)
def test_celeba_attribute_quirks_are_refused_with_the_line(tmp_path, values, message):
    root = celeba(tmp_path / "c", "torchvision", values)
    with pytest.raises(DataError, match=message):
        load_dataset(f"celeba:{root}", data_dir=tmp_path / "data")


def test_celeba_zero_one_files_are_read_as_zero_one(tmp_path):
    root = celeba(tmp_path / "c", "torchvision", [["1", "0"], ["0", "1"], ["1", "1"], ["0", "0"]])
    ds = load_dataset(f"celeba:{root}", data_dir=tmp_path / "data")
    assert ds.attributes[:3].tolist() == [[True, False], [False, True], [True, True]]


def test_celeba_repeated_names_are_refused(tmp_path):
    files = ["000001.jpg", "000002.jpg", "000001.jpg", "000004.jpg"]
    with pytest.raises(DataError, match=r"line 5: the image '000001.jpg' appears 2 times"):
        load_dataset(f"celeba:{celeba(tmp_path / 'a', 'torchvision', files=files)}", data_dir=tmp_path / "d")
    with pytest.raises(DataError, match=r"the attribute name 'Male' appears 2 times"):
        load_dataset(
            f"celeba:{celeba(tmp_path / 'b', 'kaggle', names=('Male', 'Male'))}", data_dir=tmp_path / "d"
        )


def test_celeba_without_a_writable_cache_still_loads(tmp_path):
    root = celeba(tmp_path / "c", "torchvision")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder would be")  # the cache folder cannot be made in it
    ds = load_dataset(f"celeba:{root}", data_dir=blocked)
    assert ds.images.shape == (4, 3, 64, 64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "not-a-folder"]


# ---------------------------------------------------------------- specs, labels, splits

ODD_NAMES = ["q?", "a&b=c", "100%", "with space", "ünïcödé", "#hash", "colon:x", "semi;colon", "?n=5"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_spec_of_any_existing_path_reads_back(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    np.savez(folder / "set.npz", images=np.zeros((5, 3, 3), np.uint8), labels=np.arange(5) % 2)
    for spec in (str(folder / "set.npz"), f"npz:{folder / 'set.npz'}"):
        ds = load_dataset(spec)
        assert load_dataset(ds.spec).spec == ds.spec and ds.source == str((folder / "set.npz").resolve())
    shapes = load_dataset(f"folder:{_image_folder(folder / 'imgs')}?size=8")
    assert load_dataset(shapes.spec).images.shape == shapes.images.shape == (4, 1, 8, 8)


def _image_folder(root: Path) -> Path:
    for c in ("x", "y"):
        (root / c).mkdir(parents=True)
        for i in range(2):
            Image.new("L", (5, 5), 40 * i).save(root / c / f"{i}.png")
    return root


def test_a_model_trained_on_an_odd_path_evaluates_with_its_stored_spec(tmp_path, capsys):
    from trainer.cli import main

    folder = tmp_path / "q?x=1&y"
    folder.mkdir()
    np.savez(
        folder / "set.npz",
        images=np.random.default_rng(0).integers(0, 255, (20, 4, 4)).astype(np.uint8),
        labels=np.arange(20) % 2,
    )
    out = tmp_path / "m.safetensors"
    assert (
        main(
            [
                "fit",
                "--data",
                str(folder / "set.npz"),
                "--epochs",
                "1",
                "--hidden",
                "4",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert main(["eval", str(out)]) == 0
    assert "on the test split of npz:" in capsys.readouterr().out


def test_the_options_of_a_path_with_a_question_mark_are_still_options(tmp_path):
    root = _image_folder(tmp_path / "pics?")
    assert load_dataset(f"folder:{root}?size=6").image_shape == (1, 6, 6)
    with pytest.raises(DataError, match="unknown option 'nope'"):
        load_dataset(f"folder:{root}?nope=1")


def test_an_npz_with_one_image_trains_and_says_it_has_no_test_split(tmp_path):
    np.savez(tmp_path / "one.npz", images=np.zeros((1, 4, 4), np.uint8))
    ds = load_dataset(str(tmp_path / "one.npz"))
    assert (ds.n_train, ds.n_test) == (1, 0)


def test_no_training_images_says_why(tmp_path):
    from trainer.models import ModelConfig, build_model
    from trainer.train import TrainConfig, fit

    np.savez(tmp_path / "t.npz", images=np.zeros((3, 4, 4), np.uint8), n_train=np.array(0))
    ds = load_dataset(str(tmp_path / "t.npz"))
    with pytest.raises(DataError, match="all 3 images are in the test split"):
        list(fit(build_model(ModelConfig(image_shape=(1, 4, 4), hidden=(4,))), ds, TrainConfig(epochs=1)))


@pytest.mark.parametrize(
    "labels, names",
    [
        ([0, 1, 2, 3], ["0", "1", "2", "3"]),
        ([1, 2, 3], ["0", "1", "2", "3"]),  # about dense: kept as the numbers they are
        ([5, 6, 7], ["5", "6", "7"]),
        ([0, 1000, 2000], ["0", "1000", "2000"]),
        ([3, 2**62], ["3", str(2**62)]),
    ],
)
def test_label_values_name_the_classes_without_a_huge_list(tmp_path, labels, names):
    np.savez(tmp_path / "l.npz", images=np.zeros((len(labels), 2, 2), np.uint8), labels=np.array(labels))
    ds = load_dataset(str(tmp_path / "l.npz"))
    assert ds.class_names == names
    assert [ds.class_names[i] for i in ds.labels] == [str(v) for v in labels]


def test_a_t10k_only_idx_folder_is_read_as_a_test_split(tmp_path):
    from hostile import idx_header

    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_header((3, 2, 2)) + bytes(12))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_header((3,)) + bytes([0, 1, 1]))
    ds = load_dataset(str(tmp_path))
    assert ds.spec.startswith("idx:") and (ds.n_train, ds.n_test) == (0, 3)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte\\[.gz\\] is missing"):
        load_dataset(str(tmp_path))


# ---------------------------------------------------------------- figures and bounds


def test_psnr_takes_the_peak_from_the_dtype():
    from trainer.metrics import psnr

    rng = np.random.default_rng(0)
    clean = rng.integers(0, 256, (4, 1, 6, 6)).astype(np.uint8)
    noisy = np.clip(clean.astype(int) + rng.integers(-9, 10, clean.shape), 0, 255).astype(np.uint8)
    np.testing.assert_allclose(psnr(clean, noisy), psnr(clean / 255.0, noisy / 255.0))
    assert (psnr(clean, noisy) > 25).all()
    with pytest.raises(ConfigError, match="one type"):
        psnr(clean, noisy / 255.0)


@pytest.mark.parametrize(
    "cfg",
    [
        dict(arch="mlp", hidden=(512, 256), latent_dim=16),
        dict(arch="mlp", family="ae", hidden=(5,)),
        dict(arch="conv", conv_channels=(8,), dense=0, image_shape=(3, 16, 16)),
        dict(arch="conv", conv_channels=(4, 8, 16), dense=32, image_shape=(1, 32, 24), family="sparse"),
    ],
)
def test_the_parameter_count_bound_counts_exactly(cfg):
    from trainer.models import ModelConfig, build_model
    from trainer.models.config import parameter_count

    config = ModelConfig(**cfg)
    assert parameter_count(config) == sum(p.numel() for p in build_model(config).parameters())


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(latent_dim=5000), "latent_dim"),
        (dict(hidden=(70_000,)), "layer width"),
        (dict(hidden=(60_000, 60_000)), "parameters"),
        (dict(image_shape=(3, 5000, 5000)), "too large"),
        (dict(arch="conv", conv_channels=(100_000,), image_shape=(1, 8, 8)), "layer width"),
    ],
)
def test_model_settings_are_bounded(settings, message):
    from trainer.models import ModelConfig

    with pytest.raises(ConfigError, match=message):
        ModelConfig(**settings)


@pytest.mark.parametrize(
    "settings",
    [
        dict(seed=2**64),
        dict(seed=-1),
        dict(threads=10**5),
        dict(epochs=10**9),
        dict(batch_size=10**12),
        dict(limit_train=2**63),
    ],
)
def test_training_settings_are_bounded(settings):
    from trainer.train import TrainConfig

    with pytest.raises(ConfigError):
        TrainConfig(**settings)


def test_iw_nll_is_a_running_logsumexp_over_k_samples():
    """Computed sample by sample (memory of one batch, whatever k): the same value as stacking all k."""
    import math

    import torch

    from trainer.metrics import _log_weight, iw_nll
    from trainer.models import ModelConfig, build_model

    torch.manual_seed(0)
    model = build_model(ModelConfig(image_shape=(1, 4, 4), hidden=(4,))).eval()
    x = torch.rand(3, 1, 4, 4)
    streamed = iw_nll(model, x, 20, generator=torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        mu, logvar = model.encode(x)
        stacked = torch.stack([_log_weight(model, x, mu, logvar, gen) for _ in range(20)])
    torch.testing.assert_close(streamed, -(torch.logsumexp(stacked, 0) - math.log(20)))


# ---------------------------------------------------------------- files and logs


def test_temporary_names_fit_any_destination_name(tmp_path):
    from trainer.files import NAME_MAX, atomic_file, temp_name

    for name in ("a" * 255, "ü" * 127, "x"):
        assert len(os.fsencode(temp_name(name))) <= NAME_MAX
    dest = tmp_path / ("b" * 242)
    with atomic_file(dest) as f:
        f.write(b"ok")
    assert dest.read_bytes() == b"ok" and os.listdir(tmp_path) == [dest.name]


def test_writing_through_a_symbolic_link_replaces_its_target(tmp_path):
    from trainer.files import atomic_file

    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "t.json"
    target.write_text("old")
    (tmp_path / "link.json").symlink_to(target)
    with atomic_file(tmp_path / "link.json") as f:
        f.write(b"new")
    assert (tmp_path / "link.json").is_symlink() and target.read_text() == "new"
    assert sorted(os.listdir(tmp_path / "real")) == ["t.json"]


@pytest.mark.parametrize("kind", ["a device", "a folder"])
def test_destinations_that_are_not_files_are_refused(tmp_path, kind):
    from hostile import device

    from trainer.errors import OutputError
    from trainer.files import atomic_file, check_output

    path = tmp_path if kind == "a folder" else device(tmp_path, "null")
    if path is None:
        pytest.skip("no device node can be made here")
    for attempt in (lambda: check_output(path), lambda: atomic_file(path).__enter__()):
        with pytest.raises(OutputError, match=f"is {kind}, not a file"):
            attempt()
    assert path.is_dir() or path.is_char_device()


def test_a_pipe_is_refused(tmp_path):
    from trainer.errors import OutputError
    from trainer.files import check_output

    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OutputError, match="is a pipe"):
        check_output(tmp_path / "fifo")


def test_stale_temporary_files_are_removed_but_not_one_being_written(tmp_path):
    from trainer.files import atomic_file, clean_stale

    stale = tmp_path / ".model.safetensors.0badf00d.lxtmp"
    stale.write_bytes(bytes(1000))  # as a process killed while saving leaves it (nobody holds it)
    with atomic_file(tmp_path / "other.json") as f:  # this save removes the leftover first
        assert not stale.exists()
        f.write(b"{}")
        writing = [p for p in tmp_path.iterdir() if p.name.endswith(".lxtmp")]
        assert len(writing) == 1 and clean_stale(tmp_path) == [] and writing[0].exists()


def test_the_log_falls_back_when_its_folder_cannot_be_written(tmp_path, monkeypatch):
    from trainer import logs

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(logs.LOGS_ENV, str(blocker / "logs"))  # under a file: cannot be made
    monkeypatch.setattr(logs, "fallback_dir", lambda: tmp_path / "fallback")
    try:
        raise ValueError("boom")
    except ValueError as e:
        path = logs.write_report(e, where="test")
    assert path == tmp_path / "fallback" / logs.LOG_NAME
    assert "ValueError: boom" in path.read_text() and "Traceback" in path.read_text()
    monkeypatch.setattr(logs, "fallback_dir", lambda: blocker / "nowhere")
    assert logs.write_report(ValueError("x")) is None  # nowhere to write: no exception


def test_a_folder_lock_names_its_holder(tmp_path):
    from trainer.locks import FolderLock, LockedError

    with FolderLock(tmp_path):
        with pytest.raises(LockedError, match=rf"another sweep is using this folder \(process {os.getpid()}"):
            FolderLock(tmp_path).acquire()
    with FolderLock(tmp_path):  # released: free again
        pass


def test_damaged_sweep_records_read_safely(tmp_path):
    from trainer import sweep

    run = tmp_path / "abcd1234"
    run.mkdir()
    (run / "run.json").write_text('{"test": "x", "curves": [5, {"train": 3, "epoch": "1"}], "seconds": "n"}')
    record = sweep.read_run(run)
    assert "test" not in record and record["curves"] == [{"train": 3, "epoch": "1"}]
    assert sweep.curves(record)["epoch"] == [None] and sweep.curves(record)["train_loss"] == [None]
    (tmp_path / "results.csv").write_bytes(b"\xff\xfe")
    with pytest.raises(DataError, match="not UTF-8"):
        sweep.read_results(tmp_path)
    (tmp_path / "results.csv").write_text("label,lr\nx,1\n")
    with pytest.raises(DataError, match="no id column"):
        sweep.read_results(tmp_path)
    (tmp_path / "results.csv").write_text("id,label\n00012345,x\n")
    assert sweep.read_results(tmp_path)[0]["id"] == "00012345"  # an id of digits stays a string
