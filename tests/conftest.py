"""Shared test set-up: offscreen Qt, one torch thread, settings and data dirs in a temp folder."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Point the user data dir and QSettings at temp folders so tests never touch the real ones."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LATENT_EXPLORER_DATA", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    _settings_path(base / "config")
    yield base


@pytest.fixture
def settings_dir(_isolated_dirs):
    """The folder this test's QSettings are written to."""
    return _isolated_dirs / "config"


def _settings_path(folder) -> None:
    """Qt reads XDG_CONFIG_HOME once per process (at the first QSettings): point every test's QSettings at
    its own folder explicitly."""
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # the no-Qt test's subprocess
        return
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    try:
        import torch
    except ImportError:  # the no-Qt test runs trainer in a bare subprocess; torch is always installed here
        yield
        return
    torch.set_num_threads(1)
    yield

