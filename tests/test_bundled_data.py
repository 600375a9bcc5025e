"""The bundled Fashion-MNIST test split (issue 16): a first start is the full demo offline on a computer
without the data set package, and the full set still wins where it is found."""

from pathlib import Path

import numpy as np
import pytest

from trainer.data import list_datasets, load_dataset
from trainer.data.bundled import SPEC, available_offline, bundled_dir, offline_spec
from trainer.data.idx import FILES


@pytest.fixture
def hidden_package(monkeypatch, tmp_path):
    """A computer without dataset-fashion-mnist: no system folders, an empty user data folder."""
    monkeypatch.setenv("LATENT_EXPLORER_SYSTEM_DATA", "")
    monkeypatch.setenv("LATENT_EXPLORER_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_bundled_split_loads_checked_and_split():
    data = load_dataset(SPEC)
    assert data.images.shape == (10_000, 1, 28, 28) and data.images.dtype == np.uint8
    assert data.n_train == 8_000 and data.n_test == 2_000
    assert data.class_names[9] == "Ankle boot"
    assert np.bincount(data.labels).tolist() == [1_000] * 10  # the official test split is balanced
    assert (bundled_dir() / "LICENSE").read_text().count("MIT License") == 1


def test_it_stands_in_only_where_the_full_set_is_missing(hidden_package):
    assert offline_spec("fashion-mnist") == SPEC
    assert available_offline("fashion-mnist") and not available_offline("mnist")
    assert offline_spec("digits") == "digits" and offline_spec("mnist") == "mnist"
    folder = hidden_package / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in FILES:
        (folder / f"{name}.gz").write_bytes(b"")  # found (loading would check the checksums)
    assert offline_spec("fashion-mnist") == "fashion-mnist"


def test_the_catalogue_lists_it_as_here(hidden_package):
    info = {i.spec: i for i in list_datasets()}
    assert info[SPEC].available and "bundled" in info[SPEC].where
    assert not info["fashion-mnist"].available


def test_the_system_folder_can_be_hidden_or_moved(monkeypatch, tmp_path):
    from trainer.data.download import system_dirs

    monkeypatch.setenv("LATENT_EXPLORER_SYSTEM_DATA", "")
    assert system_dirs() == []
    monkeypatch.setenv("LATENT_EXPLORER_SYSTEM_DATA", f"{tmp_path}:/srv/data")
    assert system_dirs() == [tmp_path, Path("/srv/data")]
    monkeypatch.delenv("LATENT_EXPLORER_SYSTEM_DATA")
    assert system_dirs() == [Path("/usr/share/datasets")]


def test_the_first_start_opens_fashion_mnist_without_the_package(hidden_package):
    from explorer.app import default_model

    assert default_model().name == "fashion-mnist-vae.safetensors"
