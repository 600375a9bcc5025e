"""Read-only home (issue 16): the app starts and works, and says once — in the status bar, dismissable — which
files it cannot keep and why (the settings file and the codes cache failed silently)."""

import errno

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QSettings

from explorer import storage_notice
from explorer.storage_notice import why_not_writable

LOAD_MS = 60_000


@pytest.fixture
def locked_home(tmp_path, monkeypatch):
    """Settings and data folders that cannot be created: a plain file stands where their parent should be
    (root can write anywhere on a writable disk, but not under a file)."""
    blocker = tmp_path / "home"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LATENT_EXPLORER_DATA", str(blocker / "data"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(blocker / "config"))
    return blocker


def test_a_writable_place_is_tried_for_real_and_left_clean(tmp_path):
    assert why_not_writable(tmp_path / "a" / "b") == ""  # can be made
    assert list(tmp_path.iterdir()) == []  # the probe removed what it made
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert why_not_writable(blocker / "sub") == "a file is in the way of the folder"


def test_reasons_are_said_in_words(tmp_path, monkeypatch):
    def refuse(**_kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(storage_notice.tempfile, "mkdtemp", refuse)
    assert why_not_writable(tmp_path) == "the file system is read-only"


def test_nothing_is_said_when_everything_can_be_written(window):
    assert window.storage_notice is None
    assert storage_notice.unwritable() == []


def test_a_locked_home_gets_one_notice_with_details_and_dismiss(locked_home, qtbot, capsys, model_file):
    from explorer.main_window import MainWindow
    from explorer.state import Session

    window = MainWindow(Session())
    qtbot.addWidget(window)
    window.show()
    notice = window.storage_notice
    assert notice is not None and notice.isVisible()
    assert notice.text.text().startswith("Not kept: settings, codes cache, downloads (")
    assert "a file is in the way" in notice.text.text()
    full = notice.text.toolTip()
    for words in ("window layout", "encoded again", str(locked_home / "config"), "LATENT_EXPLORER_DATA"):
        assert words in full
    assert capsys.readouterr().err.count("cannot keep some of its files") == 1
    box = notice.show_details()
    assert box.text() == full
    box.close()
    with qtbot.waitSignal(window.settled, timeout=LOAD_MS):  # the app still works
        window.session.open_model(model_file)
    assert window.session.xy is not None
    notice.dismiss_button.click()
    assert not notice.isVisible()
    window.close()  # saving the settings on close fails quietly: no exception
