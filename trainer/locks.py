"""A lock on an output folder, so that two processes never write one sweep at once.

``FolderLock(folder)`` holds an exclusive ``flock`` on ``folder/.lock`` (``msvcrt.locking`` on Windows) and
writes who holds it into that file (process id, host, command, start time). A second process gets
``LockedError`` with those words. The operating system drops the lock when its process ends in any way
(``kill -9`` included), so a stale ``.lock`` file never blocks anyone; the file itself stays (removing it
would race with the next holder).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path

from trainer.errors import OutputError

LOCK_FILE = ".lock"


class LockedError(OutputError):
    """Another process holds the folder. ``holder`` is what it wrote about itself ({} if unreadable)."""

    def __init__(self, message: str, holder: dict):
        super().__init__(message)
        self.holder = holder


class FolderLock:
    """A context manager: ``with FolderLock(out): ...``; ``acquire()`` / ``release()`` by hand also work."""

    def __init__(self, folder: str | os.PathLike, what: str = "sweep"):
        self.path = Path(folder) / LOCK_FILE
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"{self.path.parent}: cannot lock the folder: {e.strerror or e}") from None
        if not _try_lock(fd):
            holder = _read(fd)
            os.close(fd)
            raise LockedError(f"{self.path.parent}: another {self.what} is using this folder "
                              f"({describe(holder)}); wait for it to end or stop it", holder)
        self._fd = fd
        _write(fd, {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv)[:300],
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        return self

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _unlock(self._fd)
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def describe(holder: dict) -> str:
    """"process 1234 on host, started 2025-01-01T10:00:00+00:00: python -m trainer sweep ..." """
    if not holder:
        return "its details are unreadable"
    started = f", started {holder['started']}" if holder.get("started") else ""
    command = f": {holder['command']}" if holder.get("command") else ""
    return f"process {holder.get('pid', '?')} on {holder.get('host', '?')}{started}{command}"


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(fd: int) -> None:
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _read(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        value = json.loads(os.read(fd, 4096).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write(fd: int, holder: dict) -> None:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode("utf-8"))
