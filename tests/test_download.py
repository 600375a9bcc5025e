"""Downloading MNIST-like data from a real local HTTP server: progress, MD5 verification, atomic files."""

import dataclasses
import functools
import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from trainer.data import download as dl
from trainer.data import load_dataset, user_data_dir
from trainer.data.idx import FILES
from trainer.errors import DataError


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """(folder served, base URL) of a ThreadingHTTPServer on 127.0.0.1, stopped after the test."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def fixture_md5(monkeypatch):
    """Serve-able .gz IDX payloads; the known MD5 table of mnist is patched to their decompressed bytes."""
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, (20, 28, 28)), np.arange(20) % 10, rng.integers(0, 256, (10, 28, 28)),
              np.arange(10) % 10]
    payloads = {}
    for name, a in zip(FILES, arrays, strict=True):
        header = bytes([0, 0, 8, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
        payloads[name] = header + a.astype(np.uint8).tobytes()
    md5 = {name: hashlib.md5(data).hexdigest() for name, data in payloads.items()}
    monkeypatch.setitem(dl.SOURCES, "mnist", dataclasses.replace(dl.SOURCES["mnist"], md5=md5))
    monkeypatch.setattr(dl, "SYSTEM_DIRS", [])
    return payloads


def publish(folder: Path, payloads: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in payloads.items():
        (folder / (name + ".gz")).write_bytes(gzip.compress(data))


def test_download_lands_verified_with_progress(server, fixture_md5, monkeypatch):
    root, url = server
    publish(root, fixture_md5)
    monkeypatch.setenv(dl.MIRROR_ENV, url)
    seen = []
    ds = load_dataset("mnist", progress=lambda *a: seen.append(a))
    assert ds.images.shape == (30, 1, 28, 28) and ds.n_train == 20
    folder = user_data_dir() / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f + ".gz" for f in FILES)
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    finals = [a for a in seen if a[1] == a[2]]
    assert {w.split()[-1] for w, _, _ in finals} == set(sizes)
    assert all(done == sizes[w.split()[-1]] for w, done, _ in finals)
    assert load_dataset("mnist", download=False).n_train == 20  # now found in the user data dir


def test_mirror_parameter_with_name_placeholder(server, fixture_md5, tmp_path):
    root, url = server
    publish(root / "mnist", fixture_md5)
    folder = dl.download_dataset("mnist", tmp_path / "data", mirror=url + "{name}")
    assert folder == tmp_path / "data" / "mnist" and len(list(folder.iterdir())) == 4


@pytest.mark.parametrize("corrupt", ["other bytes", "not gzip", "missing"])
def test_bad_download_is_data_error_and_leaves_no_file(server, fixture_md5, monkeypatch, corrupt):
    root, url = server
    publish(root, fixture_md5)
    victim = root / (FILES[0] + ".gz")
    if corrupt == "other bytes":
        data = bytearray(fixture_md5[FILES[0]])
        data[100] ^= 0xFF
        victim.write_bytes(gzip.compress(bytes(data)))
    elif corrupt == "not gzip":
        victim.write_bytes(b"<html>mirror says hello</html>")
    else:
        victim.unlink()
    monkeypatch.setenv(dl.MIRROR_ENV, url)
    with pytest.raises(DataError, match=FILES[0]):
        load_dataset("mnist")
    folder = user_data_dir() / "mnist"
    assert not any(p.name.startswith(FILES[0]) for p in folder.iterdir())
    assert not list(folder.glob("*.part"))


def test_checksum_failure_message(server, fixture_md5, tmp_path):
    root, url = server
    publish(root, {name: data + b"\0" for name, data in fixture_md5.items()})
    with pytest.raises(DataError, match="checksum mismatch.*discarded"):
        dl.download_dataset("mnist", tmp_path, mirror=url)


def test_unreachable_server_is_data_error(tmp_path, fixture_md5):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError, match="download failed"):
        dl.download_dataset("mnist", tmp_path, mirror=f"http://127.0.0.1:{port}/")
    assert not list((tmp_path / "mnist").iterdir())


def test_official_base_urls(monkeypatch):
    monkeypatch.delenv(dl.MIRROR_ENV, raising=False)
    assert dl.base_url("mnist") == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert dl.base_url("fashion-mnist") == "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    assert dl.SOURCES["fashion-mnist"].md5["train-images-idx3-ubyte"] == "f4a8712d7a061bf5bd6d2ca38dc4d50a"


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_offline_the_message_says_what_happened_and_what_to_do(tmp_path, name):
    """No raw URL or "[Errno -2]": what happened, where to put the files, the Debian package, the command."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError) as caught:
        dl.download_dataset(name, tmp_path, mirror=f"http://127.0.0.1:{port}/")
    message = str(caught.value)
    assert "http" not in message and "Errno" not in message and "127.0.0.1" not in message
    assert "could not reach" in message and "download failed" in message
    assert str(tmp_path / name) in message and "train-images-idx3-ubyte.gz" in message
    assert f"python -m trainer datasets --download {name}" in message
    assert ("apt-get install dataset-fashion-mnist" in message) == (name == "fashion-mnist")
