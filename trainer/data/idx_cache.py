"""A decompressed copy of a verified IDX data set (MNIST, Fashion-MNIST) in the user data dir's cache.

Reading Fashion-MNIST's gzip files and checking their MD5s takes 0.5 s of a start (2-3 s on a busy
machine); the copy (an uncompressed ``.npy`` pair) loads in a few tens of milliseconds. It is keyed by the
folder, names, sizes and modification times of the IDX files, so a changed file is read (and checked)
again; a copy that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trainer.data.dataset import Dataset


def cache_key(folder: Path) -> str:
    """Changes when any file in ``folder`` is added, removed, resized or touched."""
    folder = Path(folder).resolve()
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file())
    return hashlib.sha1(json.dumps([str(folder), files]).encode()).hexdigest()[:20]


def load_cached(folder: Path, cache_dir: Path, spec: str, load: Callable[[], Dataset]) -> Dataset:
    """The Dataset ``load()`` gives for ``folder``, from the cache in ``cache_dir`` when it is there."""
    try:
        stem = cache_dir / f"idx-{cache_key(folder)}"
    except OSError:
        return load()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        meta = json.loads(stem.with_suffix(".json").read_text())
        images = np.load(stem.with_suffix(".images.npy"), allow_pickle=False)
        labels = np.load(stem.with_suffix(".labels.npy"), allow_pickle=False)
        return Dataset(spec, images, labels, list(meta["class_names"]), int(meta["n_train"]),
                       source=str(folder))
    data = load()
    _write(stem, data)
    return data


def _write(stem: Path, data: Dataset) -> None:
    from trainer.files import atomic_file

    with contextlib.suppress(OSError):
        for suffix, array in ((".images.npy", data.images), (".labels.npy", data.labels)):
            with atomic_file(stem.with_suffix(suffix)) as f:
                np.save(f, array)
        with atomic_file(stem.with_suffix(".json")) as f:  # last: its presence says the arrays are whole
            f.write(json.dumps({"class_names": list(data.class_names), "n_train": data.n_train}).encode())
