"""Writing files safely: every file the engine and the app write goes through ``atomic_file``.

- **Atomic**: the bytes go to a temporary file beside the destination (``.NAME.XXXXXXXX.lxtmp``), which is
  flushed, fsynced and renamed over it; on any error the temporary file is removed and an old file is
  untouched.
- **Regular files only**: a destination that exists and is not a regular file (a folder, a device such as
  ``/dev/null`` or a ``mknod`` copy of one, ``/dev/stdout``, a FIFO, a socket) is refused with
  ``OutputError``; nothing replaces a device node.
- **Symbolic links are followed**: writing to a link replaces the file the link points to (in the target's
  folder), and the link keeps pointing at it, as a text editor's save does. A dangling link creates its
  target.
- **Temporary names fit**: they are at most 255 bytes, whatever the destination's name (a 242-character
  name is fine).
- **Stale temporary files are removed**: while a temporary file is written its process holds a lock on it
  (``flock``; on Windows, files older than a day count as stale). A process killed mid-save (``kill -9``)
  loses the lock, and the next save into that folder removes its leftover.
- **Checked first**: ``check_output`` proves a destination writable before long work starts (it creates
  and removes a temporary file of the real name's length); ``write_with_fallback`` keeps the work in a
  recovery file when the final write still fails, and says where.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from trainer.errors import OutputError

TEMP_SUFFIX = ".lxtmp"
NAME_MAX = 255  # bytes in one file name on every common file system
STALE_WITHOUT_LOCKS_S = 24 * 3600  # Windows has no flock: a temporary file this old is a leftover
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))


# ---- destinations ------------------------------------------------------------------------------------

def resolve_destination(dest: str | os.PathLike) -> Path:
    """The file a write to ``dest`` replaces: symbolic links followed; OutputError when it exists and is
    not a regular file (folder, device, pipe, socket)."""
    path = Path(dest).expanduser()
    try:
        st = os.stat(path)  # follows links: /dev/stdout is the terminal or pipe behind it
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write there: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise OutputError(f"{path}: is {kind}, not a file; choose a file name")
    if os.path.islink(path):  # written through: the target is replaced, the link stays
        path = Path(os.path.realpath(path))
    return path


def check_output(dest: str | os.PathLike, make_parents: bool = True) -> Path:
    """Prove ``dest`` writable before the work starts: a regular file (or none yet) whose folder exists (it
    is created when ``make_parents``) and takes a temporary file of the real one's name. Returns the resolved
    path; OutputError with the reason (read-only folder, no permission, name too long, not a file)."""
    path = resolve_destination(dest)
    _make_folder(path.parent, make_parents)
    probe = path.parent / temp_name(path.name)
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise OutputError(f"{dest}: cannot write there: {e.strerror or e}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    clean_stale(path.parent)
    return path


def check_folder(folder: str | os.PathLike) -> Path:
    """Prove ``folder`` usable for output: created if missing, a folder, writable. Returns it."""
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise OutputError(f"{path}: is not a folder")
    check_output(path / "results.csv")
    return path


def _make_folder(folder: Path, make_parents: bool) -> None:
    try:
        if make_parents:
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{folder}: cannot create the folder: {e.strerror or e}") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: no such folder")


# ---- writing -----------------------------------------------------------------------------------------

@contextlib.contextmanager
def atomic_file(dest: str | os.PathLike, make_parents: bool = True) -> Iterator[BinaryIO]:
    """Write to a temp file beside ``dest``; on success flush, fsync, rename it over ``dest`` and fsync the
    folder (where the OS allows). On any error the temp file is removed and an old ``dest`` is untouched.
    OutputError (an OSError) when ``dest`` is not a regular file or its folder cannot be made."""
    dest = resolve_destination(dest)
    if make_parents:
        _make_folder(dest.parent, True)
    clean_stale(dest.parent)
    tmp, f = _open_temp(dest)
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(dest.parent)


def _open_temp(dest: Path) -> tuple[Path, BinaryIO]:
    """A new temporary file beside ``dest``, locked (held until closed: a file that nobody holds is a
    leftover, see clean_stale). Another process's clean_stale may remove it between its creation and the
    lock: then a new one is made."""
    for _ in range(10):
        tmp = dest.parent / temp_name(dest.name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        f = os.fdopen(fd, "wb")
        _lock(f)
        if os.fstat(f.fileno()).st_nlink > 0:
            return tmp, f
        f.close()
    raise OutputError(f"{dest}: cannot keep a temporary file in {dest.parent}")


def temp_name(name: str) -> str:
    """``.NAME.XXXXXXXX.lxtmp``, NAME cut so that the whole name stays within NAME_MAX bytes."""
    room = NAME_MAX - len(f"..{'0' * 8}{TEMP_SUFFIX}")
    head = os.fsencode(name)[:room].decode(sys.getfilesystemencoding(), "ignore")
    while len(os.fsencode(head)) > room:  # surrogate-escaped bytes can grow when encoded again
        head = head[:-1]
    return f".{head}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def _lock(f: BinaryIO) -> None:
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def clean_stale(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files in ``folder`` that no running process is writing (left by a crash or
    ``kill -9``); returns them. Never raises."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and _stale(entry.path):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _stale(path: str) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        with contextlib.suppress(OSError):
            return time.time() - os.stat(path).st_mtime > STALE_WITHOUT_LOCKS_S
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True  # nobody holds it
    except OSError:
        return False
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the OS allows opening a directory (not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- when the final write fails ----------------------------------------------------------------------

def recovery_dirs() -> list[Path]:
    """Where work is kept when its own destination fails: the user data folder's ``recovered/``, then the
    system's temporary folder."""
    from trainer.data.registry import user_data_dir

    return [user_data_dir() / "recovered", Path(tempfile.gettempdir())]


def write_with_fallback(dest: str | os.PathLike, write: Callable[[Path], object], what: str) -> Path:
    """``write(dest)``; if that fails with an OSError (or OutputError), ``write`` a recovery file in the first
    of ``recovery_dirs`` that takes it and raise OutputError naming both: "cannot write X (reason); the
    {what} is kept in Y". Returns ``dest`` on success."""
    try:
        write(Path(dest))
        return Path(dest)
    except OSError as e:
        reason = str(e) if isinstance(e, OutputError) else f"{dest}: {e.strerror or e}"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = Path(dest).name or "output"
    stem, dot, suffix = name[:100].rpartition(".") if "." in name[1:] else (name[:100], "", "")
    for folder in recovery_dirs():
        fallback = folder / f"{stem}-recovered-{stamp}{dot}{suffix}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write(fallback)
        except OSError:
            continue
        raise OutputError(f"{reason}; the {what} is kept in {fallback}")
    raise OutputError(f"{reason}; the {what} could not be kept anywhere else either")
