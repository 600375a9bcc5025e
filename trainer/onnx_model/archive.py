"""The files of an ONNX model: read from a folder or straight out of a .zip, never extracted.

A zip member is found by its base name at the top of the archive or in its one top-level folder (a zip of
the folder). Sizes are bounded before and while reading: a member may not claim or inflate to more than
``MAX_MEMBER_BYTES``, nor to more than ``MAX_RATIO`` times its compressed size (a zip bomb stops after
reading that much, and nothing is written to disk). Nothing is extracted, so no member name can point
outside a folder.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from trainer.errors import CheckpointError

MANIFEST = "model.json"
MAX_MEMBER_BYTES = 2 << 30  # protobuf's own limit for one ONNX file
MAX_RATIO = 200  # inflated / compressed; ONNX weights compress ~1.1×, a manifest ~4×
SMALL = 1 << 20  # members this small may inflate more (a manifest of repeated names)
_CHUNK = 1 << 20


def model_root(path: str | os.PathLike) -> Path:
    """The folder or .zip a path means: a folder or zip as given, and ``model.json`` / ``*.onnx`` inside a
    folder mean the folder (a file dialog can pick them)."""
    path = Path(path)
    if path.is_file() and (path.name == MANIFEST or path.suffix == ".onnx"):
        return path.parent
    return path


def looks_like_onnx_model(path: str | os.PathLike) -> bool:
    """True for a folder with ``model.json``, such a file itself or an .onnx file beside one, or a .zip
    (cheap: no file is read)."""
    root = model_root(path)
    if root.is_dir():
        return (root / MANIFEST).is_file()
    return root.suffix.lower() == ".zip" and root.is_file()


class ModelFiles:
    """Read the members of a model folder or zip: ``read(name, limit)`` returns bytes. Use as a context
    manager (a zip stays open while in use)."""

    def __init__(self, path: str | os.PathLike):
        self.path = model_root(path)
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, zipfile.ZipInfo] = {}
        if self.path.is_dir():
            return
        if not self.path.exists():
            raise CheckpointError(f"{self.path}: no such file or folder")
        try:
            self._zip = zipfile.ZipFile(self.path)
            self._names = _members(self._zip)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise CheckpointError(f"{self.path}: not a model folder, nor a readable .zip of one "
                                  f"({e})") from None

    def __enter__(self) -> ModelFiles:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def exists(self, name: str) -> bool:
        return name in self._names if self._zip is not None else (self.path / name).is_file()

    def read(self, name: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """The bytes of member ``name``; CheckpointError if it is missing or larger than ``limit``."""
        if not _plain_name(name):
            raise CheckpointError(f"{self.path}: {name!r} must be a plain file name (no folders)")
        if self._zip is not None:
            return self._read_zip(name, limit)
        file = self.path / name
        try:
            size = file.stat().st_size
            if size > limit:
                raise CheckpointError(f"{file}: {size:,} bytes is more than the {limit:,} allowed")
            with open(file, "rb") as f:
                return f.read(limit + 1)
        except FileNotFoundError:
            raise CheckpointError(f"{self.path}: {name} is missing (a model folder holds encoder.onnx, "
                                  "decoder.onnx and model.json)") from None
        except OSError as e:
            raise CheckpointError(f"{file}: cannot read: {e.strerror or e}") from None

    def _read_zip(self, name: str, limit: int) -> bytes:
        info = self._names.get(name)
        if info is None:
            raise CheckpointError(f"{self.path}: {name} is missing from the zip (it should hold "
                                  "encoder.onnx, decoder.onnx and model.json, at the top or in one folder)")
        bound = min(limit, max(SMALL, MAX_RATIO * info.compress_size))
        if info.file_size > bound:
            raise CheckpointError(f"{self.path}: {name} would inflate to {info.file_size:,} bytes, more than "
                                  f"the {bound:,} allowed")
        parts, total = [], 0
        try:
            with self._zip.open(info) as f:
                while chunk := f.read(_CHUNK):
                    total += len(chunk)
                    if total > bound:  # the header lied about the size
                        raise CheckpointError(f"{self.path}: {name} inflates to more than {bound:,} bytes "
                                              "(a zip bomb?); not read")
                    parts.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as e:  # RuntimeError: encrypted
            raise CheckpointError(f"{self.path}: cannot read {name} from the zip: {e}") from None
        return b"".join(parts)

    def fingerprint(self) -> str:
        """Changes whenever a member changes (sizes and modification times): for caches keyed by model."""
        if self._zip is not None:
            st = self.path.stat()
            return f"{self.path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        parts = [str(self.path.resolve())]
        for child in sorted(self.path.iterdir()):
            if child.is_file():
                st = child.stat()
                parts.append(f"{child.name}|{st.st_size}|{st.st_mtime_ns}")
        return "|".join(parts)


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Base name -> member, for the files at the top of the archive or all in one top-level folder."""
    files = [i for i in archive.infolist() if not i.is_dir() and not _hidden(i.filename)]
    tops = {PurePosixPath(i.filename).parts[0] for i in files if len(PurePosixPath(i.filename).parts) > 1}
    top_level = [i for i in files if len(PurePosixPath(i.filename).parts) == 1]
    if not top_level and len(tops) == 1:  # a zip of the folder
        folder = tops.pop()
        chosen = [i for i in files if PurePosixPath(i.filename).parts[:1] == (folder,)
                  and len(PurePosixPath(i.filename).parts) == 2]
    else:
        chosen = top_level
    return {PurePosixPath(i.filename).name: i for i in chosen}


def _hidden(name: str) -> bool:
    """macOS's Finder adds __MACOSX/ and ._ files to the zips it makes."""
    parts = PurePosixPath(name).parts
    return not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._")
