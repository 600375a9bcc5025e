"""Atomic file writes: every file the engine and the app write goes through ``atomic_file``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(dest: Path, make_parents: bool = True) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``dest``; on success flush, fsync, rename it over ``dest`` and fsync the
    folder (where the OS allows). On any error the temp file is removed and an old ``dest`` is untouched."""
    dest = Path(dest)
    if make_parents:
        dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    try:
        with open(tmp, "wb") as f:  # by name, so f.name is the temp file's path
            yield f
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(dest.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the OS allows opening a directory (not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
