"""Settings: the window's layout, theme, last model and data set survive a restart; bad values are ignored.

conftest points QSettings at each test's temp folder (and XDG_CONFIG_HOME, which a new process reads)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import QByteArray, QSettings

from explorer import app, settings
from explorer.main_window import MainWindow
from explorer.state import Session

ROOT = Path(__file__).resolve().parent.parent
DATA = "glyphs?pad=8"  # not the model's own data set (digits): 95 glyphs, 8×8 like the model

# a new process builds the window from the same settings file and reports what it restored
RESTART = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from explorer.main_window import MainWindow
from explorer.state import Session
w = MainWindow(Session())
w.show()
app.processEvents()
last = w.settings.last_session()
front = [name for name, dock in w.docks.items() if dock.isVisible() and not dock.visibleRegion().isEmpty()]
print(json.dumps({"size": [w.width(), w.height()], "theme": w.presentation.theme, "front": front,
                  "inspector": w.docks["inspector"].isVisible(),
                  "last": [str(last.model), last.data] if last else None}))
w.close()
"""


pytestmark = pytest.mark.usefixtures("same_look_after")


def _window(qtbot) -> MainWindow:
    win = MainWindow(Session())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _arrange(win) -> None:
    """A layout unlike the default one: smaller, the Sample tab in front, the inspector closed, dark."""
    win.presentation.set_theme("dark")
    win.resize(960, 700)
    win.docks["sample"].raise_()
    win.docks["inspector"].hide()
    for key in ("neighbours", "posterior", "holes"):  # a tab would come forward in the inspector's place
        win.docks[key].hide()


def _in_front(win) -> list[str]:
    """The docks one can see (of tabbed docks, the tab in front)."""
    return [name for name, d in win.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()]


def test_settings_persist_across_a_restart(qtbot, model_file, tmp_path):
    first = _window(qtbot)
    with qtbot.waitSignal(first.settled, timeout=LOAD_TIMEOUT_MS):
        first.session.open_model(model_file, DATA)
    _arrange(first)
    qtbot.waitUntil(lambda: "sample" in _in_front(first))
    front, size = _in_front(first), [first.width(), first.height()]
    first.close()

    # offscreen's screen is 800×800, narrower than the window can be: the new process gets a screen the
    # saved window fits on (a layout that does not fit is not restored)
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "w", "x": 0, "y": 0, "width": 1300, "height": 800}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}"}
    restarted = subprocess.run([sys.executable, "-c", RESTART], cwd=ROOT, capture_output=True, text=True,
                               timeout=120, env=env)
    assert restarted.returncode == 0, restarted.stderr
    shown = json.loads(restarted.stdout.strip().splitlines()[-1])
    assert size[0] < 1400 and size[1] == 700
    assert shown == {"size": size, "theme": "dark", "front": front, "inspector": False,
                     "last": [str(model_file.absolute()), DATA]}
    assert "training" not in front and "sample" in front

    # in this process the screen (800 px) is narrower than the saved window: its layout is not restored (the
    # window fits the screen as far as it can), the theme and the last model and data set are
    second = _window(qtbot)
    assert second.presentation.theme == "dark"
    assert second.height() < 800 and second.width() == second.minimumSizeHint().width()
    assert "training" in _in_front(second) and second.docks["inspector"].isVisible()
    last = app._last_session(second, app.parse_args([]))
    assert last == settings.LastSession(model_file.absolute(), DATA)
    with qtbot.waitSignal(second.settled, timeout=LOAD_TIMEOUT_MS):
        second.settings.reopen(last)
    assert second.session.model_path == model_file.absolute() and second.session.dataset.spec == DATA
    second.close()


def test_a_named_model_or_a_screenshot_ignores_the_last_session(qtbot, model_file, tmp_path):
    first = _window(qtbot)
    with qtbot.waitSignal(first.settled, timeout=LOAD_TIMEOUT_MS):
        first.session.open_model(model_file)
    _arrange(first)
    first.close()
    win = _window(qtbot)
    assert app._last_session(win, app.parse_args([str(model_file)])) is None
    assert app._last_session(win, app.parse_args(["--screenshot", str(tmp_path / "x.png")])) is None
    assert (win.width(), win.height()) == (1400, 900)  # the default layout for screenshots
    assert _in_front(win)[0] == "training" and win.docks["inspector"].isVisible()
    assert win.presentation.theme == "system"
    win.close()  # saves nothing: the next window has the remembered layout still
    again = _window(qtbot)  # (its layout does not fit this 800 px screen: the theme tells)
    assert again.presentation.theme == "dark"
    again.close()


def test_a_missing_data_set_reopens_the_model_with_its_own(qtbot, model_file):
    win = _window(qtbot)
    errors = []
    win.session.error.connect(errors.append)
    with qtbot.waitSignal(win.settled, timeout=LOAD_TIMEOUT_MS):
        win.settings.reopen(settings.LastSession(model_file, "idx:/nonexistent/folder"))
    assert len(errors) == 1 and "nonexistent" in errors[0]
    assert win.session.model_path == model_file and win.session.dataset.spec == "digits"
    win.close()


def test_the_last_model_is_forgotten_when_its_file_is_gone(qtbot, model_file, tmp_path):
    copy = tmp_path / "copy.safetensors"
    copy.write_bytes(model_file.read_bytes())
    first = _window(qtbot)
    with qtbot.waitSignal(first.settled, timeout=LOAD_TIMEOUT_MS):
        first.session.open_model(copy)
    first.close()
    copy.unlink()
    win = _window(qtbot)
    assert win.settings.last_session() is None
    win.close()


def test_corrupt_and_foreign_values_are_ignored(qtbot):
    default = _window(qtbot)
    size, front = (default.width(), default.height()), _in_front(default)
    default.settings.saving = False
    default.close()
    store = QSettings(settings.ORGANIZATION, settings.APPLICATION)
    for key, value in [(settings.GEOMETRY, "garbage"), (settings.STATE, QByteArray(b"\x00\xff" * 40)),
                       (settings.THEME, "neon"), (settings.MODEL, 42), (settings.DATA, ["a", "b"])]:
        store.setValue(key, value)
    store.sync()
    win = _window(qtbot)
    assert ((win.width(), win.height()), _in_front(win)) == (size, front)
    assert win.presentation.theme == "system" and win.settings.last_session() is None
    for key, value in [(settings.THEME, ["dark"]), (settings.STATE, 3.5), (settings.MODEL, str(ROOT))]:
        store.setValue(key, value)  # a folder is no model file
    store.sync()
    win.settings.restore()
    assert win.presentation.theme == "system" and win.settings.last_session() is None
    win.close()


def test_a_hand_edited_settings_file_is_read_or_ignored(qtbot, tmp_path):
    folder = tmp_path / "edited"
    (folder / settings.ORGANIZATION).mkdir(parents=True)
    (folder / settings.ORGANIZATION / f"{settings.APPLICATION}.conf").write_text(
        "[window]\ngeometry=@ByteArray(\\x1\\x2\\x3)\nstate=@Variant(\\0\\0\\0\\x7f\\0\\0\\0)\ntheme=light\n"
        "[session]\nmodel=\ndata=@Invalid()\n[other]\n\\xff=1\n")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(folder))
    win = _window(qtbot)
    assert win.presentation.theme == "light"
    assert win.settings.last_session() is None
    win.close()
