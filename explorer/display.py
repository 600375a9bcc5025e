"""Is there a screen to show the window on? Asked before Qt starts, because Qt cannot answer it gracefully.

Without a usable display Qt's xcb plugin aborts the process (exit 134, ~0.1 s) with a text about
``libxcb-cursor0`` that suggests reinstalling, even when the library is installed. On Linux and the BSDs Qt
tries Wayland (when ``WAYLAND_DISPLAY`` is set or the session type is Wayland) and X11 (``DISPLAY``). This
module checks both the way Qt will use them: a socket that accepts a connection. ``problem(env)`` returns what
is wrong and what to do, or "" when the window can open; ``choose_platform`` makes ``--screenshot`` render
offscreen by itself. macOS and Windows always have a screen for a desktop session: nothing is checked there.
Plain sockets only: no Qt, no X library, a few milliseconds.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

X11_SOCKETS = Path("/tmp/.X11-unix")
CONNECT_TIMEOUT_S = 1.0
SCREENLESS = {"offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}  # platforms with no desktop


def _connects(address, family: int) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(CONNECT_TIMEOUT_S)
        try:
            s.connect(address)
        except (OSError, ValueError):
            return False
    return True


def x11_answers(display: str) -> bool:
    """Does an X server accept connections at ``display`` (``:0``, ``:1.0``, ``unix:2``, ``host:0``)?"""
    match = re.fullmatch(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", display.strip())
    if match is None:
        return bool(display.strip()) and Path(display.split(":")[0]).exists()  # a launchd path (XQuartz)
    host, number = match["host"], int(match["number"])
    if host in ("", "unix"):
        path = X11_SOCKETS / f"X{number}"
        abstract = f"\0{path}" if sys.platform.startswith("linux") else None
        return (abstract is not None and _connects(abstract, socket.AF_UNIX)) or (
            path.exists() and _connects(str(path), socket.AF_UNIX))
    return _connects((host, 6000 + number), socket.AF_INET)


def wayland_socket(env: Mapping[str, str]) -> Path | None:
    """The Wayland socket Qt would use, or None when Qt would not try Wayland."""
    name = env.get("WAYLAND_DISPLAY", "")
    if not name and env.get("XDG_SESSION_TYPE", "") != "wayland":
        return None
    name = name or "wayland-0"
    return Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "/nonexistent")) / name


def wayland_answers(path: Path) -> bool:
    return path.exists() and _connects(str(path), socket.AF_UNIX)


def checks_display(platform: str = sys.platform) -> bool:
    """Only where Qt's xcb and Wayland plugins are the default (not macOS, not Windows)."""
    return not (platform.startswith("win") or platform == "darwin" or platform == "cygwin")


def problem(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> str:
    """What stops the window from opening, with what to do about it; "" when it can open."""
    env = os.environ if env is None else env
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if not checks_display(platform) or chosen in SCREENLESS:
        return ""
    found, wrong = [], []
    if chosen in ("", "xcb"):
        display = env.get("DISPLAY", "")
        if display and x11_answers(display):
            found.append("x11")
        else:
            wrong.append(f"DISPLAY is {display!r}, but no X server answers there" if display else
                         "DISPLAY is not set (no X server)")
    if chosen in ("", "wayland", "wayland-egl"):
        path = wayland_socket(env) if chosen == "" else (wayland_socket(env) or wayland_socket(
            {**env, "XDG_SESSION_TYPE": "wayland"}))
        if path is not None and wayland_answers(path):
            found.append("wayland")
        elif path is not None:
            wrong.append(f"WAYLAND_DISPLAY points to {path}, but no Wayland compositor answers there")
        elif chosen:
            wrong.append("WAYLAND_DISPLAY is not set (no Wayland compositor)")
    missing = missing_xcb_packages() if found == ["x11"] else []
    if missing:
        names = " ".join(missing)
        return ("Latent Explorer cannot open its window: Qt's X11 support needs libraries that are missing "
                f"here ({names}).\nInstall them (Debian, Ubuntu: sudo apt-get install {names}; "
                f"Fedora: sudo dnf install xcb-util-cursor xcb-util-wm xcb-util-keysyms xcb-util-image "
                f"xcb-util-renderutil libxkbcommon-x11), or {HOW_TO[2]}.")
    if found:
        return ""
    reasons = "".join(f"\n  - {w}" for w in wrong)
    steps = "".join(f"\n  - {step}" for step in HOW_TO)
    return (f"Latent Explorer needs a screen to show its window, and none was found:{reasons}\n"
            f"What to do:{steps}")


HOW_TO = ("start it from a desktop session (a terminal opened in the graphical desktop), or through "
          "ssh -X / ssh -Y from one",
          "run it on a virtual screen: xvfb-run -a python main.py (Debian, Ubuntu: apt-get install xvfb)",
          "for a picture of the window only: python main.py --screenshot window.png (it renders offscreen by "
          "itself); or render without a screen: QT_QPA_PLATFORM=offscreen python main.py")


LIBRARY_DIRS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/usr/lib/i386-linux-gnu")


# The system libraries Qt's xcb platform plugin (plugins/platforms/libqxcb.so and lib/libQt6XcbQpa.so.6 of
# PySide6 6.11, read with ldd) loads that a minimal Debian 12 may lack, with the Debian package of each; Qt's
# "Qt for X11 Requirements" page lists the same xcb libraries.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def missing_xcb_packages() -> list[str]:
    """The Debian packages of the XCB_LIBRARIES not found: a look in the usual folders (fast), else the
    linker's cache (a subprocess); a library counts as present when neither can tell (no ldconfig)."""
    folders = [d for d in (*os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep), *LIBRARY_DIRS) if d]
    return [package for soname, package in XCB_LIBRARIES.items()
            if not any(Path(d, soname).exists() for d in folders) and not _linker_knows(soname)]


def _linker_knows(soname: str) -> bool:
    name = soname.removeprefix("lib").split(".so")[0]
    try:
        return ctypes.util.find_library(name) is not None or ctypes.util.find_library("c") is None
    except OSError:
        return True


def choose_platform(env: dict[str, str] | os._Environ, screenshot: bool) -> None:
    """A screenshot renders offscreen unless a platform is chosen already: it needs no screen, and looks
    the same on every computer."""
    if screenshot and not env.get("QT_QPA_PLATFORM"):
        env["QT_QPA_PLATFORM"] = "offscreen"
