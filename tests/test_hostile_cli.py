"""Hostile and odd input against the command line and the readers, in one subprocess under memory and time
limits (tests/hostile.py): each input ends in its exit status and one ``error:`` line (or loads as it should),
never a traceback, never memory out of proportion to the file, never a stray file.

The inputs: checkpoints whose header declares a model far larger than the file; label values of 10^9 and
2^62; gzip and zip bombs; images whose header declares billions of pixels; device nodes, pipes, folders and
read-only places as outputs; names too long for a temporary file; a full disk at the end of training; models
whose weights overflow; every number flag beyond what it can mean; damaged sweep records; a locked sweep.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from hostile import (
    Case,
    MiB,
    check,
    device,
    gzip_bomb,
    idx_header,
    mlp_config,
    mlp_entries,
    npz_bomb,
    png_header_only,
    raw_checkpoint,
    run_batch,
)
from PIL import Image

FIT = ["fit", "--data", "digits", "--hidden", "8", "--epochs", "1", "--limit-train", "200", "--quiet"]
SWEEP = ["sweep", "--data", "digits", "--hidden", "8", "--epochs", "1", "--limit-train", "100", "--quiet"]
BIG = str(2**64)


class Make:
    """Builds the inputs under ``home`` (``create=True``), or only names them (for collecting the ids)."""

    def __init__(self, home: Path, create: bool):
        self.home, self.create = home, create

    def dir(self, *parts: str) -> Path:
        path = self.home.joinpath(*parts)
        if self.create:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def file(self, path: Path, write) -> Path:
        if self.create:
            write(path)
        return path

    def npz(self, path: Path, **arrays) -> Path:
        return self.file(path, lambda p: np.savez(p, **{k: v() for k, v in arrays.items()}))


def read_only_folder(home: Path, create: bool) -> Path | None:
    """A folder this process cannot create files in: a chmod 555 folder, or (as root, who ignores modes) a
    sysfs folder; None when there is none."""
    if os.geteuid() != 0:
        folder = home / "read-only"
        if create:
            folder.mkdir()
            folder.chmod(0o555)
        return folder
    for candidate in (Path("/sys/kernel"), Path("/sys")):
        try:
            (candidate / "probe").touch()
        except OSError:
            return candidate
    return None


def models(mk: Make) -> dict[str, Path]:
    """A tiny digits VAE, the same with weights that overflow float32 (3e38), and a checkpoint whose
    metrics.history is not a list."""
    paths = {name: mk.home / f"{name}.safetensors" for name in ("ok", "huge", "odd")}
    if not mk.create:
        return paths
    import torch

    from trainer.checkpoint import save_checkpoint
    from trainer.models import ModelConfig, build_model

    cfg = ModelConfig(image_shape=(1, 8, 8), hidden=(8,))
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    save_checkpoint(paths["ok"], model, dataset={"spec": "digits"})
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(1e37).clamp_(-3e38, 3e38)
    save_checkpoint(paths["huge"], model, dataset={"spec": "digits"})
    save_checkpoint(
        paths["odd"],
        build_model(cfg),
        dataset={"spec": "digits"},
        metrics={"history": 5, "deep": {"a": [[1] * 50] * 3}, "long": "x" * 5000},
    )
    return paths


def load(id_: str, spec, code: int = 0, message: str = "", out: str | None = None) -> Case:
    case = Case(id_, kind="load", spec=str(spec), code=code, message=message)
    case.expect_stdout = out  # type: ignore[attr-defined]
    return case


def data_inputs(mk: Make) -> list[Case]:
    d = mk.dir("data-inputs")
    imgs = lambda: np.zeros((6, 4, 4), np.uint8)  # noqa: E731
    big_labels = mk.npz(d / "labels-1e9.npz", images=imgs, labels=lambda: np.array([0, 10**9] * 3))
    huge_labels = mk.npz(d / "labels-2e62.npz", images=imgs, labels=lambda: np.array([0, 2**62, 5] * 2))
    sparse = mk.npz(d / "labels-sparse.npz", images=imgs, labels=lambda: np.array([0, 1000, 2000] * 2))
    ids = mk.npz(
        d / "ids.npz", images=lambda: np.zeros((10_001, 1, 1), np.uint8), labels=lambda: np.arange(10_001) * 3
    )
    one = mk.npz(d / "one.npz", images=lambda: np.zeros((1, 4, 4), np.uint8))
    bomb = mk.file(d / "bomb.npz", lambda p: npz_bomb(p, (40, 1000, 1000)))  # 320 MB of zeros in ~0.3 MB
    text = mk.file(d / "text.npz", lambda p: p.write_text("images,labels\n0,1\n"))
    single = mk.file(d / "single.npz", lambda p: p.write_bytes(_npy_bytes(np.zeros((6, 4, 4), np.uint8))))
    pickled = mk.npz(d / "pickled.npz", images=lambda: np.array([{"a": 1}, None], dtype=object))
    notes = mk.file(d / "notes.npz", _zip_of_text)
    gz = mk.dir("data-inputs", "gzbomb")
    mk.file(gz / "train-images-idx3-ubyte.gz", lambda p: gzip_bomb(p, (2000, 300, 300), 180 * MiB))
    mk.file(gz / "train-labels-idx1-ubyte", lambda p: p.write_bytes(idx_header((2000,)) + bytes(2000)))
    raw = mk.dir("data-inputs", "truncated")
    mk.file(raw / "t10k-images-idx3-ubyte", lambda p: p.write_bytes(idx_header((10**6, 28, 28)) + bytes(100)))
    mk.file(raw / "t10k-labels-idx1-ubyte", lambda p: p.write_bytes(idx_header((10**6,)) + bytes(100)))
    t10k = mk.dir("data-inputs", "t10k-only")
    mk.file(t10k / "t10k-images-idx3-ubyte", lambda p: p.write_bytes(idx_header((5, 4, 4)) + bytes(80)))
    mk.file(
        t10k / "t10k-labels-idx1-ubyte", lambda p: p.write_bytes(idx_header((5,)) + bytes([0, 1, 2, 1, 0]))
    )
    blank = mk.dir("data-inputs", "blank-pngs", "blank")
    for i in range(12):
        mk.file(blank / f"{i}.png", lambda p: Image.new("L", (3000, 3000)).save(p))
    giant = mk.dir("data-inputs", "giant-png", "one")
    mk.file(giant / "giant.png", lambda p: png_header_only(p, 100_000, 100_000))
    mk.file(giant / "small.png", lambda p: Image.new("L", (8, 8)).save(p))
    wide = mk.dir("data-inputs", "wide-png", "one")
    mk.file(wide / "wide.png", lambda p: png_header_only(p, 10_000, 10_000))
    odd = mk.dir("data-inputs", "odd?name&x=1")
    question = mk.npz(odd / "set.npz", images=imgs, labels=lambda: np.arange(6) % 2)
    return [
        load("npz labels 10^9: two classes", big_labels, out=r'"class_names": \["0", "1000000000"\]'),
        load(
            "npz label 2^62: three classes",
            huge_labels,
            out=r'"class_names": \["0", "5", "4611686018427387904"\]',
        ),
        load(
            "npz labels 0,1000,2000: a legend of three", sparse, out=r'"class_names": \["0", "1000", "2000"\]'
        ),
        load("npz of 10,001 label values", ids, 1, r"10,001 different values; at most 10,000 classes"),
        load("npz of one image trains", one, out=r'"n_train": 1'),
        load("npz zip bomb", bomb, 1, r"bomb.npz: images.npy declares .* decompression bomb"),
        load("text file given as npz", text, 1, r"text.npz: not a .npz file"),
        load("single .npy given as npz", f"npz:{single}", 1, r"a single .npy array"),
        load("npz of pickled objects", pickled, 1, r"pickled data.*never loaded"),
        load("npz member not .npy", notes, 1, r"no array named 'images' \(found: readme.txt \(not .npy\)\)"),
        load("IDX gzip bomb", f"idx:{gz}", 1, r"header says .* decompression bomb"),
        load("IDX header declares more than the file", raw, 1, r"truncated: header says"),
        load("t10k-only IDX folder as a bare path", t10k, out=r'"spec": "idx:.*"n_train": 0'),
        load("12 blank 3000x3000 PNGs", blank.parent, 1, r"3000×3000 pixels.*add \?size=N"),
        load(
            "PNG declaring 10^10 pixels",
            giant.parent,
            1,
            r"giant.png: the image is too large .* at most 64,000,000 pixels",
        ),
        load(
            "PNG declaring 10^8 pixels", wide.parent, 1, r"wide.png: the image is 10,000×10,000 = .* at most"
        ),
        load("path with ? and &", question, out=r'"n_train": 4'),
        load(
            "spec of a path with ? reads back",
            f"npz:{question}",
            out=r'"spec": "npz:.*odd\?name&x=1/set.npz"',
        ),
    ]


def _npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _zip_of_text(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")


def checkpoint_inputs(mk: Make, m: dict[str, Path]) -> list[Case]:
    d = mk.dir("checkpoints")
    wide = mk.file(
        d / "wide-8000.safetensors",
        lambda p: raw_checkpoint(  # 197 million weights, 790 MB
            p, mlp_config(8000, (3, 64, 64)), mlp_entries(8000, pixels=3 * 64 * 64)
        ),
    )
    wider = mk.file(
        d / "wide-5e6.safetensors", lambda p: raw_checkpoint(p, mlp_config(5_000_000), mlp_entries(5_000_000))
    )
    widest = mk.file(
        d / "wide-1e8.safetensors", lambda p: raw_checkpoint(p, mlp_config(10**8), mlp_entries(10**8))
    )
    entries = mlp_entries(8)
    entries["mu.bias"]["data_offsets"] = [0, 10**12]
    lying = mk.file(
        d / "offsets.safetensors", lambda p: raw_checkpoint(p, mlp_config(8), entries, bytes(8000))
    )
    claims = r"claims [\d,]+ bytes .* file holds"
    return [
        Case(
            "info: 2 KB checkpoint declaring 790 MB of weights",
            ["info", wide],
            message=claims,
            folder=d,
            keep=("*.safetensors",),
        ),
        Case("eval: 2 KB checkpoint declaring 790 MB of weights", ["eval", wide], message=claims),
        Case("classify: 2 KB checkpoint declaring 790 MB of weights", ["classify", wide], message=claims),
        Case("info: checkpoint declaring width 5*10^6", ["info", wider], message=r"layer width 5,000,000"),
        Case("info: checkpoint declaring width 10^8", ["info", widest], message=r"layer width 100,000,000"),
        Case(
            "info: tensor offsets beyond the file", ["info", lying], message=r"'mu.bias' claims .* at 0..10"
        ),
        Case("info: metrics.history not a list", ["info", m["odd"]], code=0),
        Case(
            "eval: weights of 3e38 (inf loss)",
            ["eval", m["huge"]],
            message=r"test loss is not finite.*weight",
        ),
        Case(
            "classify: weights of 3e38 (NaN codes)",
            ["classify", m["huge"], "--epochs", "1"],
            message=r"codes .* are not finite",
        ),
    ]


def output_inputs(mk: Make, m: dict[str, Path]) -> list[Case]:
    out, home = mk.dir("outputs"), mk.home
    long_name = "a" * 230 + ".safetensors"
    keep = (long_name, "inf.safetensors", "m.safetensors")
    cases = [
        Case("fit --out a folder", [*FIT, "--out", out], message=r"is a folder, not a file"),
        Case(
            "fit --out a 256-character name",
            [*FIT, "--out", out / ("n" * 256)],
            message=r"cannot write there: File name too long",
        ),
        Case(
            "fit --out a 242-character name", [*FIT, "--out", out / long_name], code=0, folder=out, keep=keep
        ),
    ]
    devices = mk.dir("devices")
    null, full, stdout = (device(devices, name, mk.create) for name in ("null", "full", "stdout"))
    if null is not None:  # as root: mknod copies (a regression must never replace the machine's /dev/null)
        cases += [
            Case("fit --out /dev/null", [*FIT, "--out", null], message=r"null: is a device, not a file"),
            Case(
                "classify --json /dev/null",
                ["classify", m["ok"], "--json", null],
                message=r"null: is a device",
            ),
            Case(
                "sweep --out /dev/null",
                [*SWEEP, "--grid", "lr=1e-3", "--out", null],
                message=r"null: is not a folder",
            ),
        ]
    if full is not None:
        cases += [
            Case("fit --out /dev/full", [*FIT, "--out", full], message=r"full: is a device"),
            Case(
                "eval --metrics-json /dev/full",
                ["eval", m["ok"], "--metrics-json", full],
                message=r"full: is a device",
            ),
        ]
    cases.append(
        Case(
            "fit --metrics-json /dev/stdout",
            [*FIT, "--out", out / "m.safetensors", "--metrics-json", stdout],
            message=r"stdout: is a (pipe|device)",
        )
    )
    ro = read_only_folder(home, mk.create)
    if ro is not None:
        cases += [
            Case(
                "fit --out in a read-only folder",
                [*FIT, "--out", ro / "m.safetensors"],
                message=r"cannot write there",
            ),
            Case(
                "fit --metrics-json in a read-only folder",
                [*FIT, "--out", out / "x.safetensors", "--metrics-json", ro / "m.json"],
                message=r"m.json: cannot write there",
            ),
            Case(
                "eval --metrics-json in a read-only folder",
                ["eval", m["ok"], "--metrics-json", ro / "m.json"],
                message=r"cannot write there",
            ),
            Case(
                "classify --json in a read-only folder",
                ["classify", m["ok"], "--json", ro / "c.json"],
                message=r"cannot write there",
            ),
            Case(
                "sweep --out in a read-only folder",
                [*SWEEP, "--grid", "lr=1e-3", "--out", ro / "sweep"],
                message=r"cannot (write there|create the folder)",
            ),
        ]
    links, targets = mk.dir("links"), mk.dir("targets")
    mk.file(targets / "model.safetensors", lambda p: p.write_bytes(b"old"))
    mk.file(links / "link.safetensors", lambda p: p.symlink_to(targets / "model.safetensors"))
    cases.append(
        Case(
            "fit --out a symbolic link (written through)",
            [*FIT, "--out", links / "link.safetensors"],
            code=0,
            folder=targets,
            keep=("model.safetensors",),
        )
    )
    full = mk.dir("full-disk")
    setup = (
        "import errno, trainer.files as f\nreal = f.os.replace\n"
        f"def replace(a, b):\n    if str(b).startswith({str(full)!r}):\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n    return real(a, b)\n"
        "f.os.replace = replace\nundo.append(lambda: setattr(f.os, 'replace', real))\n"
    )
    cases.append(
        Case(
            "fit: disk full at the end keeps the model",
            [*FIT, "--out", full / "m.safetensors"],
            setup=setup,
            message=r"No space left on device; the trained model is kept in .*recovered",
            folder=full,
        )
    )
    cases.append(
        Case(
            "classify: disk full at the end keeps the report",
            ["classify", m["ok"], "--epochs", "1", "--json", full / "report.json"],
            setup=setup,
            message=r"No space left on device; the classifier report is kept in .*recovered",
            folder=full,
        )
    )
    scale = (
        "import torch, trainer.cli as c\nreal = c.train\n"
        "def train(model, *a, **k):\n    out = real(model, *a, **k)\n    with torch.no_grad():\n"
        "        [p.mul_(1e37).clamp_(-3e38, 3e38) for p in model.parameters()]\n    return out\n"
        "c.train = train\nundo.append(lambda: setattr(c, 'train', real))\n"
    )
    cases.append(
        Case(
            "fit: weights overflow after training (inf test loss)",
            [*FIT, "--out", out / "inf.safetensors"],
            setup=scale,
            message=r"inf.safetensors \(saved\): the test loss is not finite",
            folder=out,
            keep=keep,
        )
    )
    return cases


def number_inputs(mk: Make, m: dict[str, Path]) -> list[Case]:
    grid_out, never = mk.home / "grid-sweep", mk.home / "never.safetensors"
    many = " ".join(
        f"{k}={','.join(str(i + 1) for i in range(30))}" for k in ("epochs", "batch_size", "seed")
    )
    flags = [
        ("--latent-dim", "100000"),
        ("--hidden", "100000000"),
        ("--dense", "100000000"),
        ("--channels", "100000"),
        ("--threads", "100000"),
        ("--iw-samples", "1000000000"),
        ("--seed", BIG),
        ("--epochs", "1000000000"),
        ("--batch-size", str(10**12)),
        ("--limit-train", str(2**63)),
        ("--lr", "nan"),
        ("--beta", "1e309"),
        ("--latent-dim", "0"),
    ]
    cases = [
        Case(f"fit {flag} {value}", [*FIT, flag, value, "--out", never], code=2, message=rf"argument {flag}")
        for flag, value in flags
    ]
    return [
        *cases,
        Case(
            "fit --hidden 60000,60000 (1.7 GB of weights)",
            [*FIT, "--hidden", "60000,60000", "--out", never],
            code=2,
            message=r"would have [\d,]+ parameters",
        ),
        Case(
            "eval --iw-samples 10^9",
            ["eval", m["ok"], "--iw-samples", "1000000000"],
            code=2,
            message=r"argument --iw-samples",
        ),
        Case("eval --threads 100000", ["eval", m["ok"], "--threads", "100000"], code=2, message="--threads"),
        Case("classify --seed 2^64", ["classify", m["ok"], "--seed", BIG], code=2, message="--seed"),
        Case(
            "classify --hidden 10^8",
            ["classify", m["ok"], "--hidden", "100000000"],
            code=2,
            message="--hidden",
        ),
        Case(
            "sweep grid seed=2^64",
            [*SWEEP, "--grid", f"seed=1,{BIG}", "--out", grid_out],
            code=2,
            message=r"seed must be a whole number",
            folder=grid_out,
        ),
        Case(
            "sweep grid of 27,000 runs",
            [*SWEEP, "--grid", many, "--out", grid_out],
            code=2,
            message=r"27,000 runs; at most 10,000",
            folder=grid_out,
        ),
    ]


def sweep_inputs(mk: Make) -> list[Case]:
    out = mk.home / "sweep"
    stale = out / ".results.csv.deadbeef.lxtmp"
    damage = (
        f"import json, pathlib\nfor p in pathlib.Path({str(out)!r}).glob('*/run.json'):\n"
        "    r = json.loads(p.read_text()); r['test'] = 'not an object'; r['curves'] = [5, {'train': 3}]\n"
        "    p.write_text(json.dumps(r))\n"
        f"pathlib.Path({str(out / 'results.csv')!r}).write_bytes(b'\\xff\\xfe not utf-8')\n"
        f"pathlib.Path({str(stale)!r}).write_bytes(bytes(4096))\n"
    )
    keep = ("sweep.json", "results.csv", ".lock", "[0-9a-f]" * 8)
    return [
        Case(
            "sweep: a first run", [*SWEEP, "--grid", "lr=1e-3", "--out", out], code=0, folder=out, keep=keep
        ),
        Case(
            "sweep: resume over a damaged run.json and results.csv, and a stale temp file",
            [*SWEEP, "--grid", "lr=1e-3", "--out", out],
            code=0,
            setup=damage,
            folder=out,
            keep=keep,
        ),
        Case(
            "sweep: a folder another sweep holds",
            [*SWEEP, "--grid", "lr=1e-3", "--out", mk.home / "locked"],
            message=rf"another sweep is using this folder \(process {os.getpid()} on ",
        ),
    ]


def all_cases(mk: Make) -> list[Case]:
    m = models(mk)
    return [
        *data_inputs(mk),
        *checkpoint_inputs(mk, m),
        *output_inputs(mk, m),
        *number_inputs(mk, m),
        *sweep_inputs(mk),
    ]


IDS = [case.id for case in all_cases(Make(Path("/nonexistent"), create=False))]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from trainer.locks import FolderLock

    home = tmp_path_factory.mktemp("hostile")
    cases = all_cases(Make(home, create=True))
    with FolderLock(home / "locked"):
        results = run_batch(cases, home)
    return home, {c.id: c for c in cases}, results


def test_the_suite_holds_every_input(batch):
    _, cases, results = batch
    assert list(cases) == IDS and set(results) == set(cases) and len(IDS) == len(set(IDS))


@pytest.mark.parametrize("case_id", IDS)
def test_hostile_input(batch, case_id):
    import re

    _, cases, results = batch
    case, result = cases[case_id], results[case_id]
    check(case, result)
    if getattr(case, "expect_stdout", None):
        assert re.search(case.expect_stdout, result["stdout"]), result["stdout"]


def test_what_the_outputs_hold_afterwards(batch):
    home, cases, results = batch
    assert (home / "targets" / "model.safetensors").stat().st_size > 1000  # the link's target was replaced
    assert (home / "links" / "link.safetensors").is_symlink()
    recovered = list((home / "data" / "recovered").glob("m-recovered-*.safetensors"))
    assert len(recovered) == 1 and recovered[0].stat().st_size > 1000
    report = list((home / "data" / "recovered").glob("report-recovered-*.json"))
    assert len(report) == 1 and json.loads(report[0].read_text())["report"]["accuracy"] >= 0
    assert (home / "outputs" / "inf.safetensors").is_file()  # saved before the error was raised
    assert not (home / "never.safetensors").exists()
    for name in ("null", "full"):
        node = home / "devices" / f"dev-{name}"
        if node.exists():
            assert stat.S_ISCHR(node.lstat().st_mode)  # the device node is still a device node
    assert Path("/dev/null").is_char_device() and Path("/dev/full").is_char_device()
    header = (home / "sweep" / "results.csv").read_text().splitlines()[0]
    assert header.startswith("id,label,lr,")  # rewritten over the damaged one
    assert "(not a list: int, ignored)" in results["info: metrics.history not a list"]["stdout"]
    assert not (home / "grid-sweep").exists() or not any((home / "grid-sweep").iterdir())
