"""A first start worth showing on any computer (issue 16): without the Fashion-MNIST package the window opens
the bundled 10,000 test images with the Fashion-MNIST model (it showed 8×8 digits), says so, and offers the
whole set in one click: a checked download with progress, or the package's name when offline."""

import shutil
from pathlib import Path

import pytest
from app_fixtures import *  # noqa: F403

from explorer.app import default_model

LOAD_MS = 180_000
SYSTEM = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def hidden_package(monkeypatch, tmp_path):
    monkeypatch.setenv("LATENT_EXPLORER_SYSTEM_DATA", "")
    monkeypatch.setenv("LATENT_EXPLORER_DATA", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
def first_start(hidden_package, window, qtbot):
    """The window as ``python main.py`` opens it on a computer without the package."""
    with qtbot.waitSignal(window.session.ready, timeout=LOAD_MS):
        window.session.open_model(default_model())
    yield window
    window.session.shutdown()


def test_the_bundled_split_opens_with_the_fashion_model(first_start):
    window = first_start
    s = window.session
    assert s.model_path.name == "fashion-mnist-vae.safetensors"
    assert s.dataset.spec == "fashion-mnist-test" and len(s.xy) == 10_000
    offer = window.data_offer
    assert offer.widget.isVisible() and "10,000" in offer.label.text()
    text = offer.offer().text()
    assert "31 MB" in text and "apt-get install dataset-fashion-mnist" in text
    offer.box.close()


def test_offline_the_message_names_the_other_ways(first_start, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("LATENT_EXPLORER_MIRROR", (tmp_path / "nowhere").as_uri())
    window = first_start
    with qtbot.waitSignal(window.session.error, timeout=LOAD_MS) as blocker:
        window.data_offer.download()
    message = blocker.args[0]
    assert "download failed" in message and "apt-get install dataset-fashion-mnist" in message
    assert window.session.dataset.spec == "fashion-mnist-test"  # nothing lost
    qtbot.waitUntil(lambda: window.data_offer.load is None, timeout=LOAD_MS)
    assert window.data_offer.widget.isVisible()  # offered again


@pytest.mark.skipif(not SYSTEM.is_dir(), reason="a local copy of the full set serves as the 'internet'")
def test_one_click_downloads_checks_and_shows_the_whole_set(first_start, qtbot, monkeypatch, hidden_package):
    mirror = hidden_package / "mirror"
    shutil.copytree(SYSTEM, mirror)
    monkeypatch.setenv("LATENT_EXPLORER_MIRROR", mirror.as_uri())
    window = first_start
    seen = []
    load = window.data_offer.download()
    load.progressed.connect(lambda what, done, total: seen.append((what, done, total)))
    assert not window.data_offer.widget.isVisible()  # while it downloads
    with qtbot.waitSignal(window.session.datasetChanged, timeout=LOAD_MS):
        pass
    assert window.session.dataset.spec == "fashion-mnist" and len(window.session.dataset.images) == 70_000
    assert any("downloading train-images" in what for what, _, _ in seen)
    assert sorted(p.name for p in (hidden_package / "data" / "fashion-mnist").iterdir()) == sorted(
        p.name for p in SYSTEM.iterdir())
    qtbot.waitUntil(lambda: window.data_offer.load is None, timeout=LOAD_MS)
    assert not window.data_offer.widget.isVisible()
