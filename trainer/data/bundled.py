"""Fashion-MNIST's test split, bundled, so that a first start is the full demo on any computer, offline.

The full Fashion-MNIST (70,000 images) reaches a computer through a Debian package or a 31 MB download; most
laptops lack it. The app ships its 10,000-image test split (``resources/data/fashion-mnist``, 4.4 MB, MIT;
see the LICENSE beside it) as the data set ``fashion-mnist-test``: the same images the bundled Fashion-MNIST
models never saw in training. Within it, the first 8,000 rows count as the training split and the last 2,000
as the test split, so that training and validation work on it too.

``offline_spec(spec)`` is the one place that decides what the app opens when a model or lesson asks for
``fashion-mnist``: the full set where it is found, else this stand-in (never a silent download). Explicit
choices (File → Open data set, the command line) still load or download the full set.
"""

from __future__ import annotations

from pathlib import Path

from trainer.data.dataset import Dataset
from trainer.errors import DataError

SPEC = "fashion-mnist-test"
FULL = "fashion-mnist"
N_TRAIN = 8_000  # of the 10,000 rows; the last 2,000 are the test split
FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
STAND_INS = {FULL: SPEC}  # a full data set -> its bundled stand-in


def bundled_dir() -> Path:
    from trainer.resources import resource_path

    return resource_path("data", "fashion-mnist")


def bundled_present() -> bool:
    try:
        return all((bundled_dir() / name).is_file() for name in FILES)
    except FileNotFoundError:  # no resources at all
        return False


def load_bundled_test() -> Dataset:
    """The bundled split: 10,000 images 1×28×28 uint8, Fashion-MNIST's ten classes, n_train 8,000; the files
    are checked against the official MD5s (DataError names a damaged file)."""
    from trainer.data.download import SOURCES
    from trainer.data.idx import read_split

    source, folder = SOURCES[FULL], bundled_dir()
    if not bundled_present():
        raise DataError(f"{SPEC}: the bundled files are missing from {folder} (reinstall Latent Explorer); "
                        f"the full set: {source.how_to_get(FULL)}")
    images, labels = read_split(folder / FILES[0], folder / FILES[1], source.md5)
    return Dataset(SPEC, images[:, None], labels.astype("int64"), list(source.class_names), N_TRAIN,
                   source=f"Fashion-MNIST's test split, bundled ({folder})")


def full_found(spec: str, data_dir: Path | None = None) -> bool:
    from trainer.data.download import locate
    from trainer.data.registry import user_data_dir

    return locate(spec, Path(data_dir) if data_dir else user_data_dir()) is not None


def offline_spec(spec: str, data_dir: Path | None = None) -> str:
    """``spec``, or its bundled stand-in when ``spec`` is a full set (``fashion-mnist``) not found here."""
    stand_in = STAND_INS.get(spec.strip())
    if stand_in is None or full_found(spec.strip(), data_dir) or not bundled_present():
        return spec
    return stand_in


def available_offline(spec: str, data_dir: Path | None = None) -> bool:
    """Can ``spec`` be opened without a download (found here, bundled, or generated)?"""
    from trainer.data.download import SOURCES

    spec = spec.strip()
    if spec in STAND_INS:
        return full_found(spec, data_dir) or bundled_present()
    return spec not in SOURCES or full_found(spec, data_dir)
