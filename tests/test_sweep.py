"""Hyperparameter sweeps: grid parsing, one table row per grid point (best first, figures that match the saved
models), resume skips finished runs, a stop marks the run stopped and resume redoes it, the CLI table."""

import csv
import json

import pytest

import trainer.train
from trainer import sweep
from trainer.checkpoint import load_checkpoint
from trainer.cli import main
from trainer.errors import ConfigError
from trainer.metrics import evaluate
from trainer.models import ModelConfig
from trainer.train import TrainConfig

GRID = "lr=1e-3,3e-3 batch_size=32,64"
MODEL = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2, hidden=(16,))
TRAIN = TrainConfig(epochs=1, limit_train=200, threads=1, device="cpu")


@pytest.fixture(scope="module")
def digits():
    from trainer.data import load_dataset

    return load_dataset("digits")


@pytest.fixture
def fit_calls(monkeypatch):
    """Counts the runs trained (calls of trainer.train.fit)."""
    calls, real = [], trainer.train.fit

    def counting(model, data, cfg, should_stop=lambda: False):
        calls.append(cfg)
        return real(model, data, cfg, should_stop)
    monkeypatch.setattr(trainer.train, "fit", counting)
    return calls


def read_csv(folder):
    with open(folder / "results.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_parse_grid_text_and_files(tmp_path):
    grid = sweep.parse_grid("lr=1e-3,3e-3 bs=64,128 optimizer=adam,sgd momentum=0.9 epochs=5")
    assert grid == {"lr": [0.001, 0.003], "batch_size": [64, 128], "optimizer": ["adam", "sgd"],
                    "momentum": [0.9], "epochs": [5]}
    assert isinstance(grid["batch_size"][0], int) and isinstance(grid["lr"][0], float)
    (tmp_path / "g.json").write_text(json.dumps({"lr": [0.001, 0.01], "batch-size": 32}))
    assert sweep.parse_grid(str(tmp_path / "g.json")) == {"lr": [0.001, 0.01], "batch_size": [32]}
    (tmp_path / "g.toml").write_text('optimizer = ["adam", "sgd"]\nepochs = 2\n')
    assert sweep.parse_grid(str(tmp_path / "g.toml")) == {"optimizer": ["adam", "sgd"], "epochs": [2]}


@pytest.mark.parametrize("text, words", [
    ("lr", "bad grid item 'lr'"), ("lr=", "bad grid item"), ("lr=abc", "lr needs numbers"),
    ("epochs=1.5", "epochs needs whole numbers"), ("width=3", "unknown grid setting 'width'"),
    ("lr=1e-3 lr=2e-3", "given twice"), ("   ", "empty grid"), ("missing.json", "cannot read"),
])
def test_bad_grid_text_is_one_clear_error(text, words):
    with pytest.raises(ConfigError, match=words):
        sweep.parse_grid(text)


def test_impossible_values_fail_before_training():
    with pytest.raises(ConfigError, match="learning rate"):
        sweep.expand(sweep.parse_grid("lr=1e-3,-1"), MODEL, TRAIN)
    with pytest.raises(ConfigError, match="optimizer"):
        sweep.expand(sweep.parse_grid("optimizer=adam,rmsprop"), MODEL, TRAIN)


def test_run_ids_are_stable_and_ignore_threads():
    grid = sweep.parse_grid(GRID)
    one = sweep.expand(grid, MODEL, TRAIN, "digits")
    assert [r.id for r in one] == [r.id for r in sweep.expand(grid, MODEL, TRAIN.with_(threads=2), "digits")]
    assert len({r.id for r in one}) == 4
    assert one[0].id != sweep.expand(grid, MODEL.with_(latent_dim=3), TRAIN, "digits")[0].id
    assert [r.values for r in one][:2] == [{"lr": 0.001, "batch_size": 32}, {"lr": 0.001, "batch_size": 64}]
    assert sweep.run_label({"lr": 0.001, "batch_size": 64, "optimizer": "adam"}) == "adam lr=0.001 bs=64"


def test_sweep_table_has_one_row_per_grid_point_best_first(digits, tmp_path):
    rows = sweep.run_sweep(MODEL, digits, GRID, tmp_path, train=TRAIN)
    table = read_csv(tmp_path)
    assert len(rows) == len(table) == 4
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    losses = [float(r["test_loss"]) for r in table]
    assert losses == sorted(losses)
    assert {(float(r["lr"]), int(r["batch_size"])) for r in table} == {(a, b) for a in (1e-3, 3e-3)
                                                                        for b in (32, 64)}
    for row in table:
        assert row["status"] == "done" and row["epochs_done"] == "1"
        model, info = load_checkpoint(tmp_path / row["id"] / "model.safetensors")  # the figures are its own
        assert evaluate(model, digits.test).loss_nats == pytest.approx(float(row["test_loss"]), rel=1e-4)
        assert info.train_config["lr"] == pytest.approx(float(row["lr"]))
        record = sweep.read_run(tmp_path / row["id"])
        assert record["train_config"]["batch_size"] == int(row["batch_size"])
        assert len(record["curves"]) == 1 and record["curves"][0]["val"]["loss"] > 0


def test_a_run_is_repeatable(digits, tmp_path):
    one = sweep.run_sweep(MODEL, digits, "lr=3e-3", tmp_path / "a", train=TRAIN)
    two = sweep.run_sweep(MODEL, digits, "lr=3e-3", tmp_path / "b", train=TRAIN)
    assert one[0]["id"] == two[0]["id"]
    assert one[0]["test_loss"] == pytest.approx(two[0]["test_loss"], rel=1e-6)


def test_resume_skips_finished_runs(digits, tmp_path, fit_calls):
    sweep.run_sweep(MODEL, digits, GRID, tmp_path, train=TRAIN)
    assert len(fit_calls) == 4
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*/run.json")}
    skipped = []
    rows = sweep.run_sweep(MODEL, digits, GRID, tmp_path, train=TRAIN,
                           progress=lambda e: skipped.append(e.run.id) if e.kind == "skip" else None)
    assert len(fit_calls) == 4 and len(skipped) == 4 and len(rows) == 4
    assert stamps == {p: p.stat().st_mtime_ns for p in tmp_path.glob("*/run.json")}


def test_a_stop_marks_the_run_stopped_and_resume_redoes_it(digits, tmp_path, fit_calls):
    started = []

    def on_event(event):
        if event.kind == "start":
            started.append(event.index)
    rows = sweep.run_sweep(MODEL, digits, GRID, tmp_path, train=TRAIN, progress=on_event,
                           should_stop=lambda: len(started) >= 2)  # stop inside the second run
    assert started == [0, 1] and len(fit_calls) == 2
    by_status = sorted(r["status"] for r in read_csv(tmp_path))
    assert by_status == ["done", "pending", "pending", "stopped"] and len(rows) == 4
    second = sweep.expand(sweep.parse_grid(GRID), MODEL, TRAIN, digits.spec)[1]
    assert sweep.read_run(tmp_path / second.id)["status"] == "stopped"
    assert not (tmp_path / second.id / "model.safetensors").exists()
    rows = sweep.run_sweep(MODEL, digits, GRID, tmp_path, train=TRAIN)
    assert len(fit_calls) == 5 and [c.batch_size for c in fit_calls[2:]] == [64, 32, 64]
    assert {r["status"] for r in rows} == {"done"}


def test_the_cli_prints_each_run_and_the_table(tmp_path, capsys):
    args = ["sweep", "--data", "digits", "--hidden", "16", "--latent-dim", "2", "--epochs", "1",
            "--limit-train", "200", "--threads", "1", "--device", "cpu", "--quiet",
            "--grid", "lr=1e-3,3e-3", "--out", str(tmp_path / "s")]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum("test loss" in line for line in out) == 2
    header = next(i for i, line in enumerate(out) if line.startswith("rank"))
    table = [line.split() for line in out[header + 1:header + 3]]
    assert [t[0] for t in table] == ["1", "2"] and [t[1] for t in table] == [r["id"] for r in
                                                                             read_csv(tmp_path / "s")]
    assert main(args) == 0
    assert sum("skipped" in line for line in capsys.readouterr().out.splitlines()) == 2


def test_the_cli_refuses_a_bad_grid_in_one_line(tmp_path, capsys):
    code = main(["sweep", "--data", "digits", "--grid", "lr=fast", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == ["error: grid setting lr needs numbers, got 'fast'"]
