"""The file-based data readers (IDX, CelebA, image folders, npz) and the spec registry."""

import dataclasses
import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from trainer.data import DatasetInfo, list_datasets, load_dataset, user_data_dir
from trainer.data import download as dl
from trainer.data.idx import FILES
from trainer.data.registry import KINDS, parse_spec
from trainer.errors import DataError

FASHION = Path("/usr/share/datasets/fashion-mnist")


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_folder(folder: Path, n_train=30, n_test=10, shape=(6, 5), gz=True, seed=0) -> dict:
    """Four IDX files of random images and labels 0..3; returns the arrays and decompressed MD5s."""
    rng = np.random.default_rng(seed)
    arrays = {FILES[0]: rng.integers(0, 256, (n_train, *shape)), FILES[1]: np.arange(n_train) % 4,
              FILES[2]: rng.integers(0, 256, (n_test, *shape)), FILES[3]: np.arange(n_test) % 4}
    folder.mkdir(parents=True, exist_ok=True)
    md5 = {}
    for name, array in arrays.items():
        data = idx_bytes(array)
        md5[name] = hashlib.md5(data).hexdigest()
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data) if gz else data)
    return {"arrays": arrays, "md5": md5}


def patch_md5(monkeypatch, name: str, md5: dict) -> None:
    monkeypatch.setitem(dl.SOURCES, name, dataclasses.replace(dl.SOURCES[name], md5=md5))


@pytest.fixture
def no_system_dirs(monkeypatch):
    monkeypatch.setattr(dl, "SYSTEM_DIRS", [])


# ---------------------------------------------------------------- IDX


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_loads_train_then_test(tmp_path, gz):
    made = write_idx_folder(tmp_path / "d", gz=gz)
    ds = load_dataset(f"idx:{tmp_path / 'd'}")
    a = made["arrays"]
    assert ds.images.shape == (40, 1, 6, 5) and ds.images.dtype == np.uint8
    assert ds.n_train == 30 and ds.class_names == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(ds.images[:30, 0], a[FILES[0]])
    np.testing.assert_array_equal(ds.images[30:, 0], a[FILES[2]])
    np.testing.assert_array_equal(ds.labels, np.r_[a[FILES[1]], a[FILES[3]]])
    assert ds.spec == f"idx:{(tmp_path / 'd').resolve()}"
    assert load_dataset(ds.spec).n_train == 30


def test_idx_accepts_dotted_names(tmp_path):
    write_idx_folder(tmp_path, gz=False)
    for name in FILES:
        (tmp_path / name).rename(tmp_path / name.replace("-idx", ".idx"))
    assert load_dataset(f"idx:{tmp_path}").images.shape == (40, 1, 6, 5)


def _damage(path: Path, data: bytes) -> None:
    path.write_bytes(data)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b"\x12\x34" + b[2:], "magic"),
    (lambda b: b[:-7], "truncated"),
    (lambda b: b + b"xx", "trailing"),
    (lambda b: b[:2] + b"\x0d" + b[3:], "unsigned bytes"),
    (lambda b: b[:5], "truncated"),
])
def test_idx_bad_file_is_data_error_naming_it(tmp_path, damage, message):
    write_idx_folder(tmp_path, gz=False)
    path = tmp_path / FILES[0]
    _damage(path, damage(path.read_bytes()))
    with pytest.raises(DataError, match=message) as info:
        load_dataset(f"idx:{tmp_path}")
    assert FILES[0] in str(info.value)


def test_idx_mismatched_counts_and_sizes(tmp_path):
    write_idx_folder(tmp_path, gz=False)
    (tmp_path / FILES[1]).write_bytes(idx_bytes(np.zeros(29)))
    with pytest.raises(DataError, match="30 images but .*29 labels"):
        load_dataset(f"idx:{tmp_path}")
    write_idx_folder(tmp_path, gz=False)
    (tmp_path / FILES[2]).write_bytes(idx_bytes(np.zeros((10, 5, 5))))
    with pytest.raises(DataError, match="test images"):
        load_dataset(f"idx:{tmp_path}")


def test_idx_missing_file_and_corrupt_gzip(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / (FILES[3] + ".gz")).unlink()
    with pytest.raises(DataError, match=FILES[3]):
        load_dataset(f"idx:{tmp_path}")
    write_idx_folder(tmp_path)
    gz = tmp_path / (FILES[0] + ".gz")
    gz.write_bytes(gz.read_bytes()[:100])
    with pytest.raises(DataError, match=FILES[0]):
        load_dataset(f"idx:{tmp_path}")
    with pytest.raises(DataError, match="no IDX data set"):
        load_dataset(f"idx:{tmp_path / 'nowhere'}")


# ---------------------------------------------------------------- MNIST / Fashion-MNIST lookup


def test_mnist_path_is_verified_against_known_md5(tmp_path, monkeypatch, no_system_dirs):
    made = write_idx_folder(tmp_path / "m", n_train=20, shape=(28, 28))
    with pytest.raises(DataError, match="checksum mismatch"):
        load_dataset(f"mnist:{tmp_path / 'm'}")
    patch_md5(monkeypatch, "mnist", made["md5"])
    ds = load_dataset(f"mnist:{tmp_path / 'm'}")
    assert ds.class_names == [str(i) for i in range(10)] and ds.n_train == 20


def test_lookup_order_user_dir_then_system_dir(tmp_path, monkeypatch):
    system = tmp_path / "system"
    made_sys = write_idx_folder(system / "fashion-mnist", n_train=12, shape=(28, 28), seed=1)
    monkeypatch.setattr(dl, "SYSTEM_DIRS", [system])
    patch_md5(monkeypatch, "fashion-mnist", made_sys["md5"])
    ds = load_dataset("fashion-mnist", download=False)
    assert ds.source == str(system / "fashion-mnist") and ds.class_names[-1] == "Ankle boot"
    made_user = write_idx_folder(user_data_dir() / "fashion-mnist", n_train=14, shape=(28, 28), seed=2)
    patch_md5(monkeypatch, "fashion-mnist", made_user["md5"])
    assert load_dataset("fashion-mnist", download=False).n_train == 14


@pytest.mark.parametrize("name, hint", [("fashion-mnist", "apt-get install dataset-fashion-mnist"),
                                        ("mnist", "python -m trainer datasets")])
def test_not_found_without_download_says_how_to_get_it(name, hint, no_system_dirs):
    with pytest.raises(DataError, match="not found") as info:
        load_dataset(name, download=False)
    assert hint in str(info.value) and "MB" in str(info.value)


@pytest.mark.skipif(not (FASHION / "train-images-idx3-ubyte.gz").is_file(),
                    reason="Debian package dataset-fashion-mnist not installed")
def test_real_debian_fashion_mnist():
    ds = load_dataset("fashion-mnist", download=False)
    assert ds.source == str(FASHION)
    assert ds.images.shape == (70000, 1, 28, 28) and ds.n_train == 60000 and ds.n_test == 10000
    np.testing.assert_array_equal(np.bincount(ds.train.labels), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(ds.test.labels), [1000] * 10)
    assert ds.class_names[0] == "T-shirt/top" and ds.class_names[9] == "Ankle boot"


# ---------------------------------------------------------------- registry


def test_list_datasets_covers_every_kind(tmp_path, monkeypatch, no_system_dirs):
    infos = {info.spec.split(":")[0]: info for info in list_datasets()}
    assert set(infos) == {"shapes", "glyphs", "digits", "mnist", "fashion-mnist", "fashion-mnist-test",
                          "faces", "idx", "celeba", "folder", "npz"}
    assert all(isinstance(i, DatasetInfo) and i.description for i in infos.values())
    assert infos["shapes"].available and infos["digits"].available and infos["fashion-mnist-test"].available
    assert not infos["fashion-mnist"].available
    assert "apt-get install dataset-fashion-mnist" in infos["fashion-mnist"].where
    assert infos["mnist"].where == "Not on this computer yet: it downloads when you open it (12 MB)."
    assert infos["fashion-mnist"].where.startswith("Not on this computer yet: it downloads when you open it")
    assert infos["npz"].spec == "npz:PATH" and not infos["npz"].available
    write_idx_folder(tmp_path / "mnist")
    found = {i.spec: i for i in list_datasets(data_dir=tmp_path)}["mnist"]
    assert found.available and found.where == str(tmp_path / "mnist")


@pytest.mark.parametrize("spec, message", [
    ("cifar", "unknown data set"),
    ("idx", "needs a path"),
    ("digits:foo", "takes no path"),
    ("shapes?n=abc", "bad option"),
    ("shapes?n=5", "bad option"),
    ("shapes:lots", "bad option"),
    ("shapes?colour=red", "unknown option"),
    ("shapes?n", "cannot read the options"),
    ("celeba:/x?limit=0", "bad option"),
    ("npz:/no/such/file.npz", "file.npz"),
    ("folder:/no/such/folder", "not a folder"),
])
def test_bad_specs_are_data_errors(spec, message):
    with pytest.raises(DataError, match=message):
        load_dataset(spec)


def test_spec_options_and_bare_path(tmp_path):
    assert load_dataset("shapes:40").spec == "shapes?n=40"
    assert load_dataset("SHAPES?n=40&seed=3").spec == "shapes?n=40&seed=3"
    odd = parse_spec("celeba:/x?label=a%26b", KINDS)
    assert odd.options == {"label": "a&b"} and parse_spec(str(odd), KINDS) == odd
    np.savez(tmp_path / "a.npz", images=np.zeros((5, 4, 4), np.uint8))
    assert load_dataset(str(tmp_path / "a.npz")).spec == f"npz:{(tmp_path / 'a.npz').resolve()}"


# ---------------------------------------------------------------- CelebA


def make_celeba(root: Path, n=12, partition=True) -> np.ndarray:
    """n aligned 178×218 faces: light in (a bit more than) the central 148×148 crop, black around it."""
    (root / "img_align_celeba").mkdir(parents=True)
    im = np.zeros((218, 178, 3), np.uint8)
    im[24:194, 9:169] = (250, 240, 230)
    names = ["Male", "Smiling", "Young"]
    attrs = np.where(np.random.default_rng(0).random((n, 3)) < 0.5, -1, 1)
    lines = [str(n), " ".join(names)]
    for i in range(n):
        name = f"{i + 1:06d}.jpg"
        Image.fromarray(im).save(root / "img_align_celeba" / name, quality=95)
        lines.append(name + "  " + " ".join(f"{v:2d}" for v in attrs[i]))
    (root / "list_attr_celeba.txt").write_text("\n".join(lines) + "\n")
    if partition:
        parts = [0] * (n - 4) + [1, 1, 2, 2]
        parts[0] = 2  # a test image first in the file: the loader must put it after the train rows
        text = "".join(f"{i + 1:06d}.jpg {p}\n" for i, p in enumerate(parts))
        (root / "list_eval_partition.txt").write_text(text)
    return attrs > 0


def test_celeba_crops_resizes_and_splits(tmp_path):
    attrs = make_celeba(tmp_path / "c")
    seen = []
    ds = load_dataset(f"celeba:{tmp_path / 'c'}", progress=lambda *a: seen.append(a))
    assert ds.images.shape == (12, 3, 64, 64) and ds.class_names == ["face"]
    assert ds.images.min() > 200  # only the white face square survives the crop
    assert ds.attribute_names == ["Male", "Smiling", "Young"] and ds.attributes.dtype == bool
    assert ds.n_train == 7  # partition 0 is train; 1 and 2 are test
    order = [1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10, 11]
    np.testing.assert_array_equal(ds.attributes, attrs[order])
    assert seen[-1] == ("decoding CelebA faces", 12, 12)


def test_celeba_label_limit_and_default_split(tmp_path):
    attrs = make_celeba(tmp_path / "c", partition=False)
    ds = load_dataset(f"celeba:{tmp_path / 'c'}?limit=10&label=Male")
    assert len(ds.images) == 10 and ds.n_train == 9
    assert ds.class_names == ["not Male", "Male"]
    np.testing.assert_array_equal(ds.labels, attrs[:10, 0].astype(int))
    with pytest.raises(DataError, match="no attribute 'Bald'"):
        load_dataset(f"celeba:{tmp_path / 'c'}?label=Bald")


def test_celeba_cache_is_reused(tmp_path):
    make_celeba(tmp_path / "c", n=5)
    first = load_dataset(f"celeba:{tmp_path / 'c'}", data_dir=tmp_path / "data")
    assert len(list((tmp_path / "data" / "cache").glob("celeba-*.npz"))) == 1
    for jpg in (tmp_path / "c" / "img_align_celeba").iterdir():
        jpg.unlink()  # only the cache can provide the images now
    again = load_dataset(f"celeba:{tmp_path / 'c'}", data_dir=tmp_path / "data")
    np.testing.assert_array_equal(again.images, first.images)
    with pytest.raises(DataError, match="000001.jpg"):
        load_dataset(f"celeba:{tmp_path / 'c'}?limit=2", data_dir=tmp_path / "data")


def test_celeba_bad_inputs(tmp_path):
    make_celeba(tmp_path / "c", n=4, partition=False)
    (tmp_path / "c" / "img_align_celeba" / "000003.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(DataError, match="000003.jpg: cannot read image"):
        load_dataset(f"celeba:{tmp_path / 'c'}")
    attr = tmp_path / "c" / "list_attr_celeba.txt"
    attr.write_text(attr.read_text().replace("4\n", "5\n", 1))
    with pytest.raises(DataError, match="list_attr_celeba.txt: says 5 images but lists 4"):
        load_dataset(f"celeba:{tmp_path / 'c'}")
    with pytest.raises(DataError, match="img_align_celeba"):
        load_dataset(f"celeba:{tmp_path}")


# ---------------------------------------------------------------- image folders


def save(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_folder_gray_most_common_size_and_split(tmp_path):
    for c in ("cat", "dog"):
        for i in range(5):
            save(tmp_path / c / f"{i}.png", np.full((10, 8), 40 * i + (c == "dog"), np.uint8))
    save(tmp_path / "dog" / "9.bmp", np.full((20, 20), 7, np.uint8))
    (tmp_path / "dog" / "notes.txt").write_text("ignored")
    ds = load_dataset(f"folder:{tmp_path}")
    assert ds.images.shape == (11, 1, 10, 8) and ds.class_names == ["cat", "dog"]
    assert ds.n_train == 4 + 5  # the last 20% of each class (by name) are test
    assert ds.labels.tolist() == [0] * 4 + [1] * 5 + [0, 1]
    assert ds.images[-1].max() == 7  # dog/9.bmp, resized from 20×20
    assert load_dataset(f"folder:{tmp_path}?size=12").image_shape == (1, 12, 12)


def test_folder_rgb_and_train_test_subfolders(tmp_path):
    save(tmp_path / "train" / "a" / "0.png", np.zeros((6, 6), np.uint8))
    save(tmp_path / "train" / "b" / "0.jpg", np.full((6, 6, 3), (200, 10, 10), np.uint8))
    save(tmp_path / "test" / "a" / "1.gif", np.zeros((6, 6), np.uint8))
    ds = load_dataset(f"folder:{tmp_path}")
    assert ds.image_shape == (3, 6, 6) and ds.n_train == 2 and ds.labels.tolist() == [0, 1, 0]


def test_folder_bad_inputs(tmp_path):
    with pytest.raises(DataError, match="no images found"):
        load_dataset(f"folder:{tmp_path}")
    save(tmp_path / "flat.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(DataError, match="one sub-folder per class"):
        load_dataset(f"folder:{tmp_path}")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match="broken.png: cannot read image"):
        load_dataset(f"folder:{tmp_path}")


# ---------------------------------------------------------------- npz


@pytest.mark.parametrize("shape, image_shape", [
    ((10, 5, 7), (1, 5, 7)), ((10, 3, 5, 7), (3, 5, 7)),
    ((10, 5, 7, 3), (3, 5, 7)), ((10, 5, 7, 1), (1, 5, 7)),
])
def test_npz_layouts(tmp_path, shape, image_shape):
    images = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    np.savez(tmp_path / "d.npz", images=images, labels=np.arange(10) % 3)
    ds = load_dataset(f"npz:{tmp_path / 'd.npz'}")
    assert ds.image_shape == image_shape and ds.n_train == 8 and ds.class_names == ["0", "1", "2"]
    if shape[-1] == 3:
        np.testing.assert_array_equal(ds.images, images.transpose(0, 3, 1, 2))


def test_npz_optional_arrays(tmp_path):
    np.savez(tmp_path / "d.npz", images=np.linspace(0, 1, 4 * 9).reshape(4, 3, 3),
             labels=np.array([0, 1, 1, 0]), class_names=np.array(["no", "yes"]),
             attributes=np.array([[1, -1], [-1, 1], [1, 1], [-1, -1]]),
             attribute_names=np.array(["x", "y"]), n_train=np.array(3))
    ds = load_dataset(f"npz:{tmp_path / 'd.npz'}")
    assert ds.images.dtype == np.uint8 and ds.images.max() == 255 and ds.n_train == 3
    assert ds.class_names == ["no", "yes"] and ds.attribute_names == ["x", "y"]
    assert ds.attributes.tolist() == [[True, False], [False, True], [True, True], [False, False]]


@pytest.mark.parametrize("arrays, message", [
    ({"labels": np.zeros(3)}, "no array named 'images'"),
    ({"images": np.zeros((3, 4, 4, 4, 4))}, "expected N×H×W"),
    ({"images": np.zeros((3, 4, 4)), "labels": np.zeros(2, int)}, "labels must be 3 integers"),
    ({"images": np.full((3, 4, 4), 2.0)}, r"\[0, 1\]"),
    ({"images": np.full((3, 4, 4), 300)}, "0..255"),
    ({"images": np.zeros((3, 4, 4)), "labels": np.array([0, 1, 2]), "class_names": np.array(["a"])},
     "class_names"),
    ({"images": np.zeros((3, 4, 4)), "n_train": np.array(9)}, "n_train"),
    ({"images": np.zeros((3, 4, 4)), "attributes": np.full((3, 2), 5)}, "attributes"),
    ({"images": np.array([None, 1], dtype=object)}, "pickled data"),
])
def test_npz_bad_content(tmp_path, arrays, message):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DataError, match=message) as info:
        load_dataset(f"npz:{tmp_path / 'd.npz'}")
    assert "d.npz" in str(info.value)


def test_npz_not_an_archive(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(DataError, match="junk.npz"):
        load_dataset(f"npz:{tmp_path / 'junk.npz'}")
    np.save(tmp_path / "single.npy", np.zeros((2, 3, 3)))
    with pytest.raises(DataError, match="single .npy"):
        load_dataset(f"npz:{tmp_path / 'single.npy'}")
