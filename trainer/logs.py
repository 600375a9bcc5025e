"""Where Latent Explorer keeps its log file, and writing an error report into it (no Qt: the CLI may use it).

The log lives in the per-user state folder: ``$XDG_STATE_HOME/latent-explorer`` (default
``~/.local/state/latent-explorer``) on Linux, ``~/Library/Logs/Latent Explorer`` on macOS,
``%LOCALAPPDATA%\\latent-explorer\\logs`` on Windows; ``$LATENT_EXPLORER_LOGS`` overrides it. When that folder
cannot be written (a read-only or missing home, a locked-down classroom machine) the log goes to the system's
temporary folder (``latent-explorer-<user>``), and when nothing can be written ``write_report`` returns None:
logging never raises. The file is kept under ``MAX_BYTES`` by moving it to ``.1`` (one old copy).

``first_writable(folders)`` is the shared helper for any per-user folder with a fallback (settings, cache).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

LOG_NAME = "latent-explorer.log"
LOGS_ENV = "LATENT_EXPLORER_LOGS"
MAX_BYTES = 1 << 20


def state_dir() -> Path:
    """The platform's per-user folder for logs (may not exist yet, may not be writable)."""
    if os.environ.get(LOGS_ENV):
        return Path(os.environ[LOGS_ENV]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "latent-explorer" / "logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "Latent Explorer"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "latent-explorer"


def fallback_dir() -> Path:
    """A per-user folder in the system's temporary folder."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name (a container without /etc/passwd entry)
        user = str(getattr(os, "getuid", lambda: "user")())
    return Path(tempfile.gettempdir()) / f"latent-explorer-{user}"


def first_writable(folders: list[Path]) -> Path | None:
    """The first of ``folders`` that exists or can be made and takes a new file; None if none does."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
            return folder
        except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
            continue
    return None


def log_path() -> Path | None:
    """The log file to write to now (its folder made), or None when no folder can be written."""
    with contextlib.suppress(RuntimeError):
        folders = [state_dir(), fallback_dir()]
        folder = first_writable(folders)
        return None if folder is None else folder / LOG_NAME
    folder = first_writable([fallback_dir()])
    return None if folder is None else folder / LOG_NAME


def write_report(error: BaseException | None = None, text: str = "", where: str = "") -> Path | None:
    """Append a dated report (``where`` it happened, ``text``, and the traceback of ``error``) to the log;
    the log's path, or None when it could not be written."""
    path = log_path()
    if path is None:
        return None
    lines = [f"=== {datetime.now().isoformat(timespec='seconds')} {where}".rstrip()]
    if text:
        lines.append(text)
    if error is not None:
        lines.append("".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip())
    try:
        _rotate(path)
        with open(path, "a", encoding="utf-8", errors="replace") as f:
            f.write("\n".join(lines) + "\n")
    except OSError:
        return None
    return path


def _rotate(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
