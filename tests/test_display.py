"""No screen (issue 16): no DISPLAY, a DISPLAY with no X server, a Wayland socket with no compositor. The app
says so before Qt starts (Qt aborted with exit 134 and a text about libxcb-cursor0), and --screenshot renders
offscreen by itself."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from app_fixtures import model_file  # noqa: F401

from explorer import display

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not display.checks_display(), reason="X11 / Wayland only")


@pytest.fixture
def listener(tmp_path):
    """A Unix socket that accepts connections (a stand-in for a server), and a stale one that does not."""
    live, stale = tmp_path / "live", tmp_path / "stale"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(live))
    server.listen(4)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(stale))
    dead.close()  # the file stays, nobody listens: what a crashed compositor leaves
    yield live, stale
    server.close()


def test_no_display_at_all():
    text = display.problem({}, platform="linux")
    assert "DISPLAY is not set" in text
    assert "xvfb-run" in text and "QT_QPA_PLATFORM=offscreen" in text and "--screenshot" in text
    assert "reinstall" not in text.lower()


def test_a_display_with_no_server(tmp_path, monkeypatch):
    monkeypatch.setattr(display, "X11_SOCKETS", tmp_path)
    text = display.problem({"DISPLAY": ":97"}, platform="linux")
    assert "DISPLAY is ':97', but no X server answers there" in text
    assert "no X server" in display.problem({"DISPLAY": "127.0.0.1:59"}, platform="linux")


def test_an_x_server_that_answers(listener, tmp_path, monkeypatch):
    live, _ = listener
    monkeypatch.setattr(display, "X11_SOCKETS", tmp_path)
    os.rename(live, tmp_path / "X5")
    monkeypatch.setattr(display, "missing_xcb_packages", lambda: [])
    assert display.problem({"DISPLAY": ":5"}, platform="linux") == ""
    assert display.problem({"DISPLAY": ":5.0"}, platform="linux") == ""
    monkeypatch.setattr(display, "missing_xcb_packages", lambda: ["libxcb-icccm4", "libxcb-keysyms1"])
    text = display.problem({"DISPLAY": ":5"}, platform="linux")
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in text and "missing" in text


def test_every_missing_xcb_library_is_named(monkeypatch, tmp_path):
    """A stock Debian 12 lacked libxcb-icccm4 and libxcb-keysyms1 (not only libxcb-cursor0): each library the
    xcb plugin loads is looked for, and every one missing is named by its package."""
    monkeypatch.setattr(display, "LIBRARY_DIRS", (str(tmp_path),))
    monkeypatch.setenv("LD_LIBRARY_PATH", "")
    monkeypatch.setattr(display, "_linker_knows", lambda soname: False)
    for soname, package in display.XCB_LIBRARIES.items():
        if package not in ("libxcb-icccm4", "libxcb-keysyms1"):
            (tmp_path / soname).touch()
    assert display.missing_xcb_packages() == ["libxcb-icccm4", "libxcb-keysyms1"]
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"} <= set(
        display.XCB_LIBRARIES.values())


def test_the_readme_lists_every_xcb_package():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert all(package in readme for package in display.XCB_LIBRARIES.values())


def test_a_wayland_socket_with_no_compositor(listener, tmp_path):
    live, stale = listener
    env = {"WAYLAND_DISPLAY": stale.name, "XDG_RUNTIME_DIR": str(tmp_path)}
    assert "no Wayland compositor answers" in display.problem(env, platform="linux")
    assert display.problem({**env, "WAYLAND_DISPLAY": live.name}, platform="linux") == ""
    assert display.problem({"WAYLAND_DISPLAY": str(live)}, platform="linux") == ""  # an absolute path


def test_screenless_platforms_and_other_systems_need_nothing():
    assert display.problem({"QT_QPA_PLATFORM": "offscreen"}, platform="linux") == ""
    assert display.problem({}, platform="darwin") == ""
    assert display.problem({}, platform="win32") == ""
    env = {}
    display.choose_platform(env, screenshot=True)
    assert env == {"QT_QPA_PLATFORM": "offscreen"}
    env = {"QT_QPA_PLATFORM": "xcb"}
    display.choose_platform(env, screenshot=True)
    assert env == {"QT_QPA_PLATFORM": "xcb"}  # a platform chosen by hand stays


def screenless_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    return env


def test_main_says_what_to_do_instead_of_aborting(tmp_path):
    out = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=screenless_env(tmp_path),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "needs a screen" in out.stderr and "xvfb-run" in out.stderr
    assert "qt.qpa" not in out.stderr and "Aborted" not in out.stderr  # Qt never started


def test_a_screenshot_needs_no_screen(tmp_path, model_file):  # noqa: F811
    png = tmp_path / "window.png"
    out = subprocess.run([sys.executable, "main.py", str(model_file), "--screenshot", str(png), "--size",
                          "900x600"], cwd=ROOT, env=screenless_env(tmp_path), capture_output=True, text=True,
                         timeout=240)
    assert out.returncode == 0, out.stderr
    assert png.is_file() and png.stat().st_size > 10_000
