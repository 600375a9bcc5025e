"""Hyperparameter sweeps: train one model per point of a grid, record each run, rank them in a table.

A grid maps training settings to the values to try (``parse_grid("lr=1e-3,3e-3 batch_size=64,128")``, or a
JSON/TOML file of ``{"lr": [0.001, 0.003], ...}``); ``expand`` turns it into runs, each with a stable id (a
short hash of the model config, the training config and the data set). ``run_sweep`` trains the runs one
after another with ``trainer.train.fit`` and writes, under ``out_dir``::

    sweep.json              the grid, the base configs and the data set
    <run_id>/run.json       config, per-epoch curves, test metrics, status, timings
    <run_id>/model.safetensors   the trained model (finished runs only)
    results.csv             one row per grid point, best (lowest test loss) first; rewritten after each run

Running the same sweep again resumes it: runs whose run.json says "done" are skipped, a stopped, failed or
partial run starts over. The folder is locked while a sweep runs (``.lock``: a second sweep is refused and
told which process holds it). Every run starts from the same seed (``TrainConfig.seed``, or the swept one),
so a run is repeatable. Nothing here imports torch until a run is trained (the app reads sweep folders with
it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from trainer.errors import ConfigError, DataError, TrainerError, TrainingDiverged
from trainer.files import atomic_file, check_folder
from trainer.locks import FolderLock

SWEEPABLE = {"epochs": int, "batch_size": int, "optimizer": str, "lr": float, "momentum": float,
             "seed": int, "noise": str}
ALIASES = {"bs": "batch_size", "learning_rate": "lr", "opt": "optimizer"}
SHORT = {"batch_size": "bs", "momentum": "mom", "epochs": "ep"}  # run labels: "adam lr=0.001 bs=64"
NOT_IN_ID = ("threads", "device", "report_every_s")  # how a run is computed, not what it computes
RUN_FILE, MODEL_FILE, RESULTS_FILE, SWEEP_FILE = "run.json", "model.safetensors", "results.csv", "sweep.json"
METRIC_COLUMNS = ("test_loss", "test_recon", "test_kl", "test_psnr_db", "epochs_done", "seconds", "status")

Grid = dict[str, list]  # setting -> values, in the order given
MAX_RUNS = 10_000  # runs in one grid


@dataclass(frozen=True)
class RunSpec:
    """One grid point: ``values`` are its swept settings, ``train`` the whole TrainConfig."""

    id: str
    values: dict
    train: object  # TrainConfig
    label: str


@dataclass
class SweepEvent:
    """What ``run_sweep`` reports. kind: "start" (a run begins), "skip" (done before), "progress" (a fit
    Progress record in ``record``), "finish" (``row`` is the run's table row)."""

    kind: str
    index: int  # 0-based position of the run in the grid
    total: int
    run: RunSpec
    record: object = None
    row: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- grids

def parse_grid(text: str) -> Grid:
    """``"lr=1e-3,3e-3 optimizer=adam,sgd"`` or the path of a .json/.toml file -> ``{"lr": [...], ...}``.
    Bad text is a ConfigError naming the item and what was expected."""
    text = str(text).strip()
    if text.endswith((".json", ".toml")):
        return _grid_file(Path(text))
    if not text:
        raise ConfigError("empty grid: write KEY=V1,V2 items such as lr=1e-3,3e-3 batch_size=64,128")
    grid: Grid = {}
    for item in text.split():
        key, eq, values = item.partition("=")
        if not eq or not key or not values:
            raise ConfigError(f"bad grid item {item!r}: write KEY=V1,V2 (e.g. lr=1e-3,3e-3)")
        _put(grid, key, [v for v in values.split(",") if v])
    return grid


def _grid_file(path: Path) -> Grid:
    try:
        raw = path.read_bytes()
        table = json.loads(raw) if path.suffix == ".json" else _toml().loads(raw.decode())
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the grid file ({e.strerror or e})") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not a valid {path.suffix[1:].upper()} grid ({e})") from e
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{path}: a grid file holds a table of settings, e.g. {{\"lr\": [0.001, 0.003]}}")
    grid: Grid = {}
    for key, values in table.items():
        _put(grid, key, values if isinstance(values, list) else [values])
    return grid


def _toml():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        raise ConfigError("TOML grid files need Python 3.11 or later: write the grid as JSON") from None
    return tomllib


def _put(grid: Grid, key: str, values: list) -> None:
    name = ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
    if name not in SWEEPABLE:
        raise ConfigError(f"unknown grid setting {key!r}: choose from {', '.join(SWEEPABLE)}")
    if name in grid:
        raise ConfigError(f"grid setting {name} is given twice")
    if not values:
        raise ConfigError(f"grid setting {name} has no values")
    grid[name] = [_value(name, v) for v in values]


def _value(name: str, v):
    kind = SWEEPABLE[name]
    try:
        if kind is str:
            return str(v)
        number = float(v)
        if kind is int and number != int(number):
            raise ValueError
        return kind(number)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"grid setting {name} needs {'whole numbers' if kind is int else 'numbers'}, "
                          f"got {v!r}") from None


def expand(grid: Grid, model_config, train=None, data_spec: str = "") -> list[RunSpec]:
    """Every combination of the grid's values (the first setting varies slowest), each a checked
    TrainConfig; a value TrainConfig refuses (lr=-1, optimizer=rmsprop) is a ConfigError now."""
    from trainer.train import TrainConfig

    train = train or TrainConfig()
    check_size(grid)
    points: list[dict] = [{}]
    for key, values in grid.items():
        points = [{**p, key: v} for p in points for v in values]
    runs = []
    for values in points:
        cfg = train.with_(**values)
        runs.append(RunSpec(run_id(model_config, cfg, data_spec), values, cfg, run_label(values)))
    if len({r.id for r in runs}) < len(runs):
        raise ConfigError("the grid repeats a point (the same value twice for one setting)")
    return runs


def check_size(grid: Grid) -> int:
    """The number of runs the grid makes; ConfigError beyond MAX_RUNS (before any is built)."""
    count = math.prod(len(values) for values in grid.values())
    if count > MAX_RUNS:
        raise ConfigError(f"the grid makes {count:,} runs; at most {MAX_RUNS:,}")
    return count


def run_id(model_config, train, data_spec: str = "") -> str:
    """8 hex digits of a hash of what the run computes (threads and device left out)."""
    t = {k: v for k, v in train.to_dict().items() if k not in NOT_IN_ID}
    text = json.dumps({"model": model_config.to_dict(), "train": t, "data": data_spec}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def run_label(values: dict) -> str:
    """A short name for a run from its swept values: optimizer first, then ``lr=0.001 bs=64``."""
    parts = [str(values["optimizer"])] if "optimizer" in values else []
    parts += [f"{SHORT.get(k, k)}={_short(v)}" for k, v in values.items() if k != "optimizer"]
    return " ".join(parts) or "run"


def _short(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


# ---------------------------------------------------------------------------------------------- running

def run_sweep(base_model_config, data, grid: Grid | str, out_dir: str | Path, train=None,
              should_stop: Callable[[], bool] = lambda: False,
              progress: Callable[[SweepEvent], None] = lambda event: None, lock: bool = True) -> list[dict]:
    """Train every run of ``grid`` not finished before; return the results table (best first).

    ``train`` is the TrainConfig the grid's values override (threads, limit_train, seed...). When
    ``should_stop()`` turns true the current run stops after its step, is recorded as "stopped" and no
    further run starts. A run whose loss diverges is recorded as "diverged" and the sweep goes on. The
    folder is locked while the sweep runs (``trainer.locks.FolderLock``: a second sweep on it gets
    ``LockedError`` naming the holder); pass ``lock=False`` when the caller holds that lock already.
    """
    grid = parse_grid(grid) if isinstance(grid, str) else grid
    runs = expand(grid, base_model_config, train, data.spec)
    if not lock:
        return _run_all(runs, grid, base_model_config, data, Path(out_dir), should_stop, progress)
    check_folder(out_dir)
    with FolderLock(out_dir):
        return _run_all(runs, grid, base_model_config, data, Path(out_dir), should_stop, progress)


def _run_all(runs: list[RunSpec], grid: Grid, base_model_config, data, out: Path, should_stop,
             progress) -> list[dict]:
    _write_json(out / SWEEP_FILE, {"grid": grid, "model_config": base_model_config.to_dict(),
                                   "train_config": runs[0].train.to_dict(), "data": data.spec})
    for index, run in enumerate(runs):
        if finished(out / run.id):
            progress(SweepEvent("skip", index, len(runs), run, row=table_row(run, read_run(out / run.id))))
            continue
        if should_stop():
            break
        progress(SweepEvent("start", index, len(runs), run))
        def report(record, i=index, r=run):
            progress(SweepEvent("progress", i, len(runs), r, record))

        try:
            record = _train_run(run, base_model_config, data, out / run.id, should_stop, report)
        finally:  # a second Ctrl-C (KeyboardInterrupt) still leaves the table up to date
            rows = write_results(out, runs)
        progress(SweepEvent("finish", index, len(runs), run, row=table_row(run, record)))
        if record["status"] == "stopped":
            return rows
    return write_results(out, runs)


def finished(run_dir: Path) -> bool:
    """A run is finished when its run.json says "done" (or "diverged") and, if done, its model exists."""
    record = read_run(run_dir)
    if record.get("status") == "diverged":
        return True
    return record.get("status") == "done" and (run_dir / MODEL_FILE).is_file()


def _train_run(run: RunSpec, model_config, data, run_dir: Path, should_stop, on_progress) -> dict:
    import torch

    from trainer.models import build_model

    record = {"id": run.id, "label": run.label, "values": run.values, "status": "running",
              "started": _now(), "model_config": model_config.to_dict(), "train_config": run.train.to_dict(),
              "data": data.spec, "curves": [], "test": None, "seconds": 0.0}
    _write_json(run_dir / RUN_FILE, record)
    start = time.monotonic()
    try:
        torch.manual_seed(run.train.seed)  # the initial weights too: the same run gives the same model
        model = build_model(model_config)
        last = _fit(model, data, run, record, should_stop, on_progress)
        _finish_run(model, data, run, record, last, run_dir)
    except TrainingDiverged as e:
        record.update(status="diverged", error=str(e))
    except KeyboardInterrupt:
        _close(record, "stopped", start, run_dir)
        raise
    except Exception as e:  # never leave a run marked "running": say why it failed, then stop the sweep
        _close({**record, "error": f"{type(e).__name__}: {e}"}, "failed", start, run_dir)
        raise
    return _close(record, record["status"], start, run_dir)


def _fit(model, data, run: RunSpec, record: dict, should_stop, on_progress):
    from trainer.train import fit

    last = None
    for last in fit(model, data, run.train, should_stop=should_stop):
        if last.kind == "epoch":
            record["curves"].append(_epoch_point(last))
        on_progress(last)
    return last


def _epoch_point(p) -> dict:
    train = {"loss": p.loss, "recon": p.recon, "kl": p.kl}
    val = {k: p.val.get(k) for k in ("loss", "recon", "kl")} if p.val else None
    return {"epoch": p.epoch, "train": _finite(train), "val": _finite(val) if val else None,
            "seconds": p.epoch_seconds[-1] if p.epoch_seconds else None}


def _finish_run(model, data, run: RunSpec, record: dict, last, run_dir: Path) -> None:
    """Evaluate on the test split and save the checkpoint, as ``fit`` on the command line does."""
    from trainer.checkpoint import save_checkpoint
    from trainer.cli import STORED_APART, fit_report

    if last is None or last.kind == "stopped":
        record["status"] = "stopped"
        return
    train_images = data.limit_train(run.train.limit_train).n_train
    report = fit_report(model, data, model.config, run.train, last, train_images, 0)
    record.update(status="done", test=report["test"], epoch_seconds=report["epoch_seconds"],
                  images_per_s=report["images_per_s"], train_images=train_images)
    stored = {k: v for k, v in report.items() if k not in STORED_APART}
    save_checkpoint(run_dir / MODEL_FILE, model, train_config=run.train, dataset=data,
                    metrics={**stored, "sweep_run": run.id})


def _close(record: dict, status: str, start: float, run_dir: Path) -> dict:
    record.update(status=status, seconds=time.monotonic() - start, finished=_now())
    _write_json(run_dir / RUN_FILE, record)
    return record


# ---------------------------------------------------------------------------------------------- records

def read_run(run_dir: str | Path) -> dict:
    """A run's run.json, or {} when it is missing or unreadable (a run never started, a torn write). Fields
    of the wrong type (edited or damaged by hand) read as missing: ``test`` a dict or None, ``curves`` a list
    of dicts, ``status`` a string, ``seconds`` a finite number."""
    try:
        record = json.loads((Path(run_dir) / RUN_FILE).read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(record, dict):
        return {}
    kinds = {"test": dict, "curves": list, "status": str, "label": str, "values": dict}
    clean = {k: v for k, v in record.items() if k not in kinds or isinstance(v, kinds[k])}
    if "curves" in clean:
        clean["curves"] = [p for p in clean["curves"] if isinstance(p, dict)]
    if not _number(clean.get("seconds")):
        clean.pop("seconds", None)
    return clean


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def table_row(run: RunSpec, record: dict) -> dict:
    """The results-table row of a run: id, label, its swept values, test figures, epochs, seconds, status."""
    test = record.get("test") if isinstance(record.get("test"), dict) else {}
    status = record.get("status") if isinstance(record.get("status"), str) else "pending"
    curves = record.get("curves") if isinstance(record.get("curves"), list) else []
    figure = {k: (v if _number(v) else None) for k, v in test.items()}
    return {"id": run.id, "label": run.label, **run.values,
            "test_loss": figure.get("loss_nats"), "test_recon": figure.get("recon_nats"),
            "test_kl": figure.get("kl_nats"), "test_psnr_db": figure.get("psnr_db"),
            "epochs_done": len(curves),
            "seconds": record.get("seconds") if _number(record.get("seconds")) else None,
            "status": "stopped" if status == "running" else status}


def rank(rows: list[dict]) -> list[dict]:
    """Best first: finished runs by test loss, then the others in grid order."""
    def key(row):
        loss = row.get("test_loss")
        ok = isinstance(loss, (int, float)) and math.isfinite(loss)
        return (0, loss) if ok else (1, 0.0)
    return sorted(rows, key=key)


def write_results(out_dir: Path, runs: list[RunSpec]) -> list[dict]:
    """Rewrite results.csv (atomically) from the runs' records; return its rows, best first."""
    rows = rank([table_row(run, read_run(Path(out_dir) / run.id)) for run in runs])
    columns = ["id", "label", *runs[0].values.keys(), *METRIC_COLUMNS]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    with atomic_file(Path(out_dir) / RESULTS_FILE) as f:
        f.write(buffer.getvalue().encode())
    return rows


def read_results(out_dir: str | Path) -> list[dict]:
    """results.csv as dicts, numbers as ints or floats (empty cells None); [] when there is none. Rows without
    an id are left out; DataError when the file is not UTF-8 text, not CSV or has no ``id`` column."""
    path = Path(out_dir) / RESULTS_FILE
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a results table (not UTF-8 text)") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as e:
        raise DataError(f"{path}: not a results table ({e})") from None
    if rows and "id" not in rows[0]:
        raise DataError(f"{path}: not a results table (no id column)")
    text_columns = ("id", "label", "status")  # an id of eight digits stays the string it is
    return [{str(k): (v if k in text_columns else _parse_cell(v if isinstance(v, str) else None))
             for k, v in row.items() if k is not None} for row in rows if row.get("id")]


def curves(record: dict) -> dict[str, list[float]]:
    """A run record's curves as columns: epoch, train_loss, train_recon, train_kl, val_loss, val_recon,
    val_kl (None where a value is missing or not a finite number)."""
    points = [p for p in (record.get("curves") or []) if isinstance(p, dict)]
    out = {"epoch": [p.get("epoch") if _number(p.get("epoch")) else None for p in points]}
    for split in ("train", "val"):
        for term in ("loss", "recon", "kl"):
            values = [p.get(split) if isinstance(p.get(split), dict) else {} for p in points]
            out[f"{split}_{term}"] = [v.get(term) if _number(v.get(term)) else None for v in values]
    return out


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _parse_cell(v: str | None):
    if v is None or v == "":
        return None
    for kind in (int, float):
        try:
            return kind(v)
        except ValueError:
            pass
    return v


def _finite(d: dict) -> dict:
    return {k: (v if isinstance(v, (int, float)) and math.isfinite(v) else None) for k, v in d.items()}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _write_json(path: Path, obj: dict) -> None:
    try:
        text = json.dumps(obj, indent=2, allow_nan=False, default=str) + "\n"
    except ValueError as e:
        raise TrainerError(f"{path}: cannot record the run ({e})") from e
    with atomic_file(path) as f:
        f.write(text.encode())
