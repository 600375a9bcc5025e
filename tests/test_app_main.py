"""The entry point: arguments, the default model, the screenshot mode, and no torch before the window."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtGui import QImage

from explorer import app
from explorer.widgets.scatter import EMPTY_TEXT

ROOT = Path(__file__).resolve().parent.parent


def test_parse_args():
    args = app.parse_args(["m.safetensors", "--data", "digits", "--screenshot", "x.png", "--size", "800x600"])
    assert args.model == Path("m.safetensors") and args.data == "digits"
    assert args.screenshot == Path("x.png") and args.size == (800, 600)
    with pytest.raises(SystemExit):
        app.parse_args(["--size", "big"])


def test_default_model(tmp_path):
    assert app.default_model(tmp_path) is None
    (tmp_path / "b.safetensors").write_bytes(b"")
    (tmp_path / "a.safetensors").write_bytes(b"")
    assert app.default_model(tmp_path) == tmp_path / "a.safetensors"
    (tmp_path / "shapes-vae.safetensors").write_bytes(b"")
    assert app.default_model(tmp_path) == tmp_path / "shapes-vae.safetensors"
    (tmp_path / "digits-vae.safetensors").write_bytes(b"")
    (tmp_path / "fashion-mnist-vae.safetensors").write_bytes(b"")
    # Fashion-MNIST opens first, but only where its data set is found
    assert app.default_model(tmp_path, has_data=lambda name: False) == tmp_path / "digits-vae.safetensors"
    assert app.default_model(tmp_path, has_data=lambda name: name == "fashion-mnist") == \
        tmp_path / "fashion-mnist-vae.safetensors"


GUARD = """
import sys, threading
class NoTorchOnGuiThread:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" and threading.current_thread() is threading.main_thread():
            raise AssertionError("torch imported on the GUI thread")
sys.meta_path.insert(0, NoTorchOnGuiThread())
"""


def test_window_is_built_without_torch_on_the_gui_thread():
    # workers may import torch (the device probe does); the GUI thread never does
    code = GUARD + ("from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
                    "from explorer.main_window import MainWindow\nfrom explorer.state import Session\n"
                    "w = MainWindow(Session()); w.show(); app.processEvents()\n"
                    "w.close(); app.processEvents()\nprint('ok')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_empty_state_without_a_model(window):
    assert window.scatter.empty.isVisible() and window.scatter.empty.text() == EMPTY_TEXT


def test_screenshot_without_model(tmp_path, monkeypatch, qapp):
    monkeypatch.setattr(app, "default_model", lambda: None)
    png = tmp_path / "empty.png"
    assert app.main(["--screenshot", str(png), "--size", "1600x900"]) == 0
    assert QImage(str(png)).size().toTuple() == (1600, 900)


def test_screenshot_of_a_loaded_model(model_file, tmp_path):
    png = tmp_path / "shot.png"
    out = _run_main(str(model_file), "--data", "digits", "--screenshot", str(png), "--size", "1600x900")
    assert out.returncode == 0, out.stderr
    image = QImage(str(png))
    assert image.size().toTuple() == (1600, 900)
    assert len({image.pixel(x, 450) for x in range(0, 1600, 5)}) > 10  # points and grid drawn, not blank


def test_screenshot_of_a_corrupt_model_exits_non_zero(tmp_path):
    bad, png = tmp_path / "bad.safetensors", tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    out = _run_main(str(bad), "--screenshot", str(png))
    assert out.returncode == 1 and png.exists()


def _run_main(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=240, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_work_that_imports_torch_starts_after_the_first_paint(qtbot):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from explorer.main_window import MainWindow
    from explorer.state import Session

    events = []

    class Watch(QObject):
        def eventFilter(self, _obj, event) -> bool:
            if event.type() == QEvent.Type.Paint and not events:
                events.append("paint")
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    win = MainWindow(Session())
    qtbot.addWidget(win)
    win.after_first_paint(lambda: events.append("work"))
    closed = []
    win.after_first_paint(lambda: closed.append("work"), fallback_ms=50)
    win.show()
    qtbot.waitUntil(lambda: "work" in events)
    QApplication.instance().removeEventFilter(watch)
    assert events == ["paint", "work"] and closed == ["work"]

    hidden = MainWindow(Session())  # never shown (or closed first): the work is dropped, nothing is started
    qtbot.addWidget(hidden)
    dropped = []
    hidden.after_first_paint(lambda: dropped.append("work"), fallback_ms=10)
    from explorer.main_window import _AfterFirstPaint

    # the fallback timer has run
    qtbot.waitUntil(lambda: not any(o.pending for o in hidden.findChildren(_AfterFirstPaint)))
    assert dropped == []
    for w in (win, hidden):
        w.close()
