"""Downloading MNIST and Fashion-MNIST from their official locations, verified and written atomically.

Checksums are MD5s of the *decompressed* IDX files: Debian recompressed the .gz files of its
``dataset-fashion-mnist`` package, so only the decompressed bytes compare equal across sources.
Fashion-MNIST values were computed here from the Debian files and equal the upstream README's;
MNIST values are the widely published MD5s of the uncompressed files from yann.lecun.com
(the same files the ossci-datasets mirror serves).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trainer.data.idx import FILES, find_files, verify_md5
from trainer.errors import DataError
from trainer.files import atomic_file

MIRROR_ENV = "LATENT_EXPLORER_MIRROR"  # a base URL; "{name}" in it becomes "mnist" or "fashion-mnist"
Progress = Callable[[str, int, int], None]


SYSTEM_DIRS = [Path("/usr/share/datasets")]  # where Debian's dataset-* packages install
SYSTEM_ENV = "LATENT_EXPLORER_SYSTEM_DATA"  # replaces SYSTEM_DIRS (os.pathsep-separated; "" = none)


@dataclass(frozen=True)
class Source:
    url: str
    md5: dict[str, str]  # IDX file name (no .gz) -> MD5 of the decompressed bytes
    download_mb: int
    class_names: list[str]
    apt: str = ""  # the Debian package that installs it under SYSTEM_DIRS, if any

    def how_to_get(self, name: str) -> str:
        apt = f"`apt-get install {self.apt}`, or " if self.apt else ""
        fetch = f"python -m trainer datasets --download {name}"
        return f"{apt}run `{fetch}` to download it ({self.download_mb} MB)"


# decompressed sizes of the four files (the same for MNIST and Fashion-MNIST): a download stops as soon as it
# inflates to more, so a hostile mirror cannot fill memory or the disk
SIZES = {"train-images-idx3-ubyte": 16 + 60000 * 784, "train-labels-idx1-ubyte": 8 + 60000,
         "t10k-images-idx3-ubyte": 16 + 10000 * 784, "t10k-labels-idx1-ubyte": 8 + 10000}

SOURCES = {
    "mnist": Source("https://ossci-datasets.s3.amazonaws.com/mnist/", {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }, 12, [str(i) for i in range(10)]),
    "fashion-mnist": Source("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }, 31, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
            "Ankle boot"], "dataset-fashion-mnist"),
}


def locate(name: str, data_dir: Path) -> Path | None:
    """The first folder holding all four IDX files of ``name``: the user data dir, then SYSTEM_DIRS."""
    return next((d for d in search_dirs(name, data_dir) if find_files(d)), None)


def search_dirs(name: str, data_dir: Path) -> list[Path]:
    return [data_dir / name, *(d / name for d in system_dirs())]


def system_dirs() -> list[Path]:
    """SYSTEM_DIRS, or the folders in $LATENT_EXPLORER_SYSTEM_DATA when it is set (empty: none; it hides
    an installed package, e.g. to try the app as a computer without it)."""
    if SYSTEM_ENV in os.environ:
        return [Path(p) for p in os.environ[SYSTEM_ENV].split(os.pathsep) if p]
    return list(SYSTEM_DIRS)


def base_url(name: str, mirror: str | None = None) -> str:
    """The URL the files of ``name`` come from: ``mirror``, else $LATENT_EXPLORER_MIRROR, else official."""
    url = mirror or os.environ.get(MIRROR_ENV) or SOURCES[name].url
    url = url.replace("{name}", name)
    return url if url.endswith("/") else url + "/"


def download_dataset(name: str, data_dir: Path, progress: Progress | None = None,
                     mirror: str | None = None) -> Path:
    """Fetch the missing .gz files of ``name`` into ``data_dir/name``; return that folder."""
    if name not in SOURCES:
        raise DataError(f"{name}: no download known (known: {', '.join(SOURCES)})")
    folder = data_dir / name
    for file in FILES:
        if not any((folder / (file + ext)).is_file() for ext in ("", ".gz")):
            try:
                fetch(base_url(name, mirror) + file + ".gz", folder / (file + ".gz"), SOURCES[name].md5,
                      progress)
            except Unreachable as e:
                raise DataError(offline_message(name, folder, e.reason)) from None
    return folder


class Unreachable(DataError):
    """The server could not be reached or did not answer (no network, a proxy, a wrong mirror)."""

    def __init__(self, url: str, reason: object):
        super().__init__(f"{url}: download failed: {reason}")
        self.reason = reason


def offline_message(name: str, folder: Path, reason: object) -> str:
    """What happened and what to do, in words: where to put the files, the Debian package, the command."""
    why = getattr(reason, "strerror", None) or str(reason)
    files = ", ".join(f + ".gz" for f in FILES)
    source = SOURCES[name]
    apt = (f" On Debian or Ubuntu, `sudo apt-get install {source.apt}` installs it for every user."
           if source.apt else "")
    return (f"{name} is not on this computer, and its download failed: this computer could not reach the "
            f"server ({why}). Either copy its four files ({files}) into {folder}, then open {name} "
            f"again.{apt} Or, on a computer with internet, run "
            f"`python -m trainer datasets --download {name}` and copy the folder it makes.")


def fetch(url: str, dest: Path, checksums: dict[str, str], progress: Progress | None) -> None:
    """Download ``url`` to ``dest`` atomically, inflating and hashing it on the way; DataError (and no file)
    on a network failure, a stream that inflates beyond the file's known size, or a checksum mismatch."""
    try:
        with atomic_file(dest) as f:
            _copy(url, f, progress, _Check(dest, checksums))
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise Unreachable(url, getattr(e, "reason", e)) from e


class _Check:
    """The MD5 and size of the decompressed bytes of a .gz download, fed one chunk at a time."""

    def __init__(self, dest: Path, checksums: dict[str, str]):
        self.dest, self.checksums = dest, checksums
        self.name = next(n for n in FILES if dest.name.startswith(n))
        self.limit = SIZES[self.name]
        self.inflate = zlib.decompressobj(wbits=31)  # gzip framing
        self.md5, self.size = hashlib.md5(), 0

    def feed(self, chunk: bytes) -> None:
        try:
            while chunk and not self.inflate.eof:
                out = self.inflate.decompress(chunk, self.limit + 1 - self.size)
                self._add(out)
                chunk = self.inflate.unconsumed_tail
        except zlib.error as e:
            raise self._fail(f"not a gzip file ({e})") from None

    def _add(self, out: bytes) -> None:
        self.size += len(out)
        if self.size > self.limit:
            raise self._fail(f"inflates to more than the {self.limit:,} bytes of {self.name}")
        self.md5.update(out)

    def finish(self) -> None:
        if not self.inflate.eof:
            raise self._fail("the gzip stream is truncated")
        try:
            verify_md5(self.md5.hexdigest(), self.dest, self.checksums)
        except DataError as e:
            raise DataError(f"{e} (downloaded file discarded)") from None

    def _fail(self, why: str) -> DataError:
        return DataError(f"{self.dest}: {why} (downloaded file discarded)")


def _copy(url: str, f: BinaryIO, progress: Progress | None, check: _Check) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        total = int(response.headers.get("Content-Length") or 0)
        if total > check.limit:
            raise check._fail(f"the server announces {total:,} bytes, more than the data set's "
                              f"{check.limit:,}")
        done = 0
        while chunk := response.read(1 << 16):
            check.feed(chunk)
            f.write(chunk)
            done += len(chunk)
            if done > check.limit:  # gzip never grows real IDX data: this is not the file
                raise check._fail(f"more than {check.limit:,} bytes downloaded")
            if progress:
                progress(f"downloading {url.rsplit('/', 1)[-1]}", done, total)
    check.finish()
