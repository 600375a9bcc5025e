"""The hostile-input suite's tools: builders of bad and odd files, and a runner that executes many commands in
ONE subprocess under a memory limit (RLIMIT_AS) and a time limit (RLIMIT_CPU and a wall-clock timeout).

Starting Python and torch costs seconds, so the cases of a test module are batched: ``run_batch(cases)``
starts ``tests/hostile_runner.py`` once; it runs each case (a ``python -m trainer`` command line through
``trainer.cli.main``, or a ``load_dataset`` call) in turn, capturing its stdout, stderr, exit status and the
growth of its peak resident memory (Linux: ``/proc/self/clear_refs`` resets the peak between cases).
A case that needs a real process (signals, ``kill -9``, atexit) runs alone with ``run_process``.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "hostile_runner.py"
MEMORY_LIMIT = 3 * 2**30  # address space of the runner: torch itself maps ~0.7 GiB
CPU_LIMIT_S = 600
MiB = 2**20


@dataclass
class Case:
    """One hostile input and what must happen: ``argv`` for ``python -m trainer`` (kind "cli") or a data set
    ``spec`` (kind "load"); ``setup`` is Python run in the runner first (fault injection)."""

    id: str
    argv: list[str] = field(default_factory=list)
    kind: str = "cli"
    spec: str = ""
    setup: str = ""
    code: int = 1  # the exit status expected
    message: str = ""  # a regular expression the one error line must match ("" = no error line expected)
    folder: Path | None = None  # checked for stray files afterwards
    keep: tuple[str, ...] = ()  # the files that may be in ``folder`` afterwards (glob patterns)
    max_memory_mb: int = 200  # growth of the peak resident memory while the case runs

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "argv": [str(a) for a in self.argv],
            "spec": self.spec,
            "setup": self.setup,
        }


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))


def environment(home: Path) -> dict[str, str]:
    """A quiet, isolated environment: its own data, log and temp folders under ``home``."""
    env = dict(
        os.environ,
        LATENT_EXPLORER_DATA=str(home / "data"),
        LATENT_EXPLORER_LOGS=str(home / "logs"),
        TMPDIR=str(home / "tmp"),
        PYTHONPATH=str(ROOT),
        OMP_NUM_THREADS="1",
        PYTHONWARNINGS="ignore",
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def run_batch(cases: list[Case], home: Path, timeout_s: float = 400) -> dict[str, dict]:
    """Run ``cases`` in one limited subprocess; results by case id (code, stdout, stderr, peak_mb)."""
    spec = home / "cases.json"
    spec.write_text(json.dumps([c.to_json() for c in cases]))
    out = home / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(spec), str(out)],
        cwd=ROOT,
        env=environment(home),
        preexec_fn=_limits,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    assert out.exists(), f"the runner died (status {proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(out.read_text())


def run_process(args: list[str], home: Path, timeout_s: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """One limited subprocess (``python ARGS``)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(home),
        preexec_fn=_limits,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        **kwargs,
    )


def check(case: Case, result: dict) -> None:
    """The rules every hostile input obeys: the expected exit status; on failure exactly one line on stderr,
    ``error: ...`` matching ``message``; never a traceback; memory in proportion; no stray file."""
    import re

    err = result["stderr"]
    assert "Traceback" not in err and "Traceback" not in result["stdout"], err
    assert result["code"] == case.code, f"exit {result['code']} (wanted {case.code}); stderr: {err}"
    lines = [line for line in err.splitlines() if line.strip()]
    if case.message:
        assert len(lines) == 1 and lines[0].startswith("error: "), f"not one error line: {err!r}"
        assert re.search(case.message, lines[0]), f"{lines[0]!r} does not match {case.message!r}"
        assert "unexpected" not in lines[0]
    else:
        assert not any(line.startswith("error:") for line in lines), err
    if result.get("peak_mb") is not None:
        assert result["peak_mb"] <= case.max_memory_mb, f"peak memory grew by {result['peak_mb']:.0f} MB"
    if case.folder is not None:
        assert_no_stray_files(case.folder, case.keep)


def assert_no_stray_files(folder: Path, keep: tuple[str, ...] = ()) -> None:
    """Nothing in ``folder`` but what ``keep`` allows (glob patterns): no temporary file, no half output."""
    import fnmatch

    found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    stray = [name for name in found if not any(fnmatch.fnmatch(name, pattern) for pattern in keep)]
    assert not stray, f"stray files in {folder}: {stray}"


# ---- builders -------------------------------------------------------------------------------------------


def raw_checkpoint(
    path: Path,
    model_config: dict,
    entries: dict,
    data: bytes = b"",
    metadata: dict | None = None,
    dataset: dict | None = None,
) -> Path:
    """A safetensors file written by hand: any header entries (shapes, dtypes, offsets), any data bytes."""
    meta = {
        "format": "latent-explorer",
        "format_version": "1",
        "model_config": json.dumps(model_config),
        "dataset": json.dumps(dataset or {}),
        **(metadata or {}),
    }
    header = json.dumps({"__metadata__": meta, **entries}).encode()
    header += b" " * (-len(header) % 8)
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)
    return path


def mlp_entries(hidden: int, pixels: int = 64, latent: int = 2, vae: bool = True) -> dict:
    """Header entries of an MLP VAE whose shapes and byte ranges agree with its config (the data itself may
    be missing)."""
    shapes = {
        "encoder.1.weight": [hidden, pixels],
        "encoder.1.bias": [hidden],
        "mu.weight": [latent, hidden],
        "mu.bias": [latent],
        "decoder.0.weight": [hidden, latent],
        "decoder.0.bias": [hidden],
        "decoder.2.weight": [pixels, hidden],
        "decoder.2.bias": [pixels],
    }
    if vae:
        shapes.update({"logvar.weight": [latent, hidden], "logvar.bias": [latent]})
    entries, at = {}, 0
    for name, shape in shapes.items():
        size = 4 * int(np.prod(shape))
        entries[name] = {"dtype": "F32", "shape": shape, "data_offsets": [at, at + size]}
        at += size
    return entries


def mlp_config(hidden: int, image_shape=(1, 8, 8)) -> dict:
    return {
        "family": "vae",
        "arch": "mlp",
        "image_shape": list(image_shape),
        "latent_dim": 2,
        "hidden": [hidden],
    }


def idx_header(shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def gzip_bomb(path: Path, shape: tuple[int, ...], zeros: int) -> Path:
    """An IDX .gz whose header declares ``shape`` and whose stream inflates to ``zeros`` zero bytes after it,
    written in chunks (the test never holds it inflated)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as gz:
        gz.write(idx_header(shape))
        chunk = bytes(MiB)
        for _ in range(zeros // MiB):
            gz.write(chunk)
    return path


def npz_bomb(path: Path, shape: tuple[int, ...], dtype: str = "<f8") -> Path:
    """An npz whose ``images`` member declares ``shape`` (zeros, deflated while written)."""
    header = {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("images.npy", "w", force_zip64=True) as f,
    ):
        np.lib.format.write_array_header_1_0(f, header)
        left = int(np.prod(shape)) * np.dtype(dtype).itemsize
        chunk = bytes(4 * MiB)
        while left > 0:
            f.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG that declares width × height (8-bit grey) and holds one empty data chunk: Pillow reads its size
    from the header without decoding anything."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )
    return path


DEVICES = {"null": (1, 3), "full": (1, 7)}


def device(folder: Path, name: str, create: bool = True) -> Path | None:
    """A device to give as an output, safe even if the code under test regressed. As root: a ``mknod`` copy
    of /dev/NAME in ``folder`` ("stdout": a link to /proc/self/fd/1 there), never the real one (root may
    replace /dev/null for the whole machine); None when mknod is not allowed. Otherwise the real /dev/NAME,
    which no other user can replace."""
    import stat

    if os.geteuid() != 0:
        return Path("/dev") / name
    path = folder / f"dev-{name}"
    if not create:
        return path if name == "stdout" or _mknod_allowed() else None
    if name == "stdout":
        path.symlink_to("/proc/self/fd/1")
        return path
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(*DEVICES[name]))
    except OSError:
        return None
    return path


def _mknod_allowed() -> bool:
    import stat
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        try:
            os.mknod(Path(d) / "n", stat.S_IFCHR | 0o666, os.makedev(1, 3))
            return True
        except OSError:
            return False
