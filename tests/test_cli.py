"""The command line: fit/eval/datasets/info in-process via main([...]), one real `python -m trainer` run,
and one-line errors (never a traceback) on bad input."""

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import trainer.data
import trainer.train
from trainer.checkpoint import load_checkpoint
from trainer.cli import build_parser, main, model_config, throughput
from trainer.errors import ConfigError

DATA = "shapes?n=300"
TINY = ["--hidden", "32", "--latent-dim", "2", "--epochs", "1", "--batch-size", "50", "--limit-train", "200",
        "--threads", "1", "--device", "cpu", "--quiet"]
REQUIRED = {"images_per_s", "epoch_seconds", "epochs", "train_images", "test", "model_config", "train_config",
            "data"}


def fit_args(out: Path, *extra: str) -> list[str]:
    return ["fit", "--data", DATA, *TINY, "--out", str(out / "m.safetensors"),
            "--metrics-json", str(out / "m.json"), *extra]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny VAE trained through the CLI, shared by the tests that only read its files."""
    out = tmp_path_factory.mktemp("fit")
    assert main(fit_args(out)) == 0
    return out


def test_fit_writes_a_loadable_checkpoint_and_metrics(trained):
    report = json.loads((trained / "m.json").read_text())
    assert REQUIRED <= set(report)
    assert report["epochs"] == 1 and len(report["epoch_seconds"]) == 1 and report["train_images"] == 200
    assert report["images_per_s"] > 0 and report["interrupted"] is False
    for key in ("loss_nats", "recon_nats", "kl_nats", "psnr_db"):
        assert math.isfinite(report["test"][key]), key
    assert report["train_config"]["limit_train"] == 200
    model, info = load_checkpoint(trained / "m.safetensors")
    assert info.dataset_spec == DATA and info.class_names == report["data"]["class_names"]
    assert info.model_config.family == "vae" and info.model_config.hidden == (32,)
    assert list(info.model_config.image_shape) == report["data"]["image_shape"]
    assert info.metrics["test"]["loss_nats"] == pytest.approx(report["test"]["loss_nats"])


def test_eval_uses_the_stored_data_and_adds_iw_nll(trained, tmp_path, capsys):
    report = json.loads((trained / "m.json").read_text())
    assert main(["eval", str(trained / "m.safetensors"), "--metrics-json", str(tmp_path / "plain.json")]) == 0
    plain = json.loads((tmp_path / "plain.json").read_text())["test"]
    assert plain["loss_nats"] == pytest.approx(report["test"]["loss_nats"], rel=1e-5)
    assert plain["nll_iw_nats"] is None
    assert main(["eval", str(trained / "m.safetensors"), "--data", DATA, "--iw-samples", "4",
                 "--metrics-json", str(tmp_path / "iw.json")]) == 0
    iw = json.loads((tmp_path / "iw.json").read_text())["test"]
    assert iw["nll_iw_nats"] > 0 and math.isfinite(iw["nll_iw_nats"])
    assert "importance-weighted" in capsys.readouterr().out


def test_info_prints_the_metadata(trained, capsys):
    assert main(["info", str(trained / "m.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "family" in out and "vae" in out and DATA in out and "loss_nats" in out


def test_datasets_lists_shapes_as_available(capsys):
    assert main(["datasets"]) == 0
    rows = capsys.readouterr().out.splitlines()
    shapes = [r for r in rows if r.split() and r.split()[0].startswith("shapes")]
    assert shapes and shapes[0].split()[1] == "yes"


def test_datasets_download_loads_the_named_set(capsys):
    assert main(["datasets", "--download", "digits"]) == 0
    assert capsys.readouterr().out.startswith("digits: 1,797 images")
    assert main(["datasets", "--download", "no-such-set"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "no-such-set" in err[0]


def test_denoising_is_an_ae_trained_on_noisy_inputs(tmp_path):
    assert main(fit_args(tmp_path, "--family", "denoising")) == 0
    report = json.loads((tmp_path / "m.json").read_text())
    assert report["model_config"]["family"] == "ae"
    assert report["train_config"]["noise"] == "gaussian:0.3"
    assert report["test"]["kl_nats"] == 0


def test_ctrl_c_stops_cleanly_saves_and_exits_130(tmp_path, monkeypatch):
    real_fit = trainer.train.fit

    def fit_then_ctrl_c(model, data, cfg, should_stop):
        for p in real_fit(model, data, cfg, should_stop):
            yield p
            if p.kind == "epoch":
                os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(trainer.train, "fit", fit_then_ctrl_c)
    assert main(fit_args(tmp_path, "--epochs", "3")) == 130
    report = json.loads((tmp_path / "m.json").read_text())
    assert report["interrupted"] is True and report["epochs"] == 1
    _, info = load_checkpoint(tmp_path / "m.safetensors")
    assert info.metrics["interrupted"] is True


def test_presets_take_the_data_shape_when_they_can():
    def cfg(name, shape):
        return model_config(build_parser().parse_args(["fit", "--data", "x", "--preset", name]), shape)

    assert cfg("keras-conv", (1, 8, 8)).image_shape == (1, 8, 8)  # conv: compatible, adopted
    assert cfg("conv-32", (1, 28, 28)).image_shape == (1, 28, 28)
    assert cfg("mlp-512", (3, 64, 64)).image_shape == (3, 64, 64)  # the preset names no shape
    with pytest.raises(ConfigError, match="keras-conv"):
        cfg("keras-conv", (1, 30, 30))  # 30 is not divisible by 4
    with pytest.raises(ConfigError, match="expects 1×7×5"):
        cfg("glyph-35-5", (1, 8, 8))


def test_throughput_leaves_out_the_first_epoch():
    assert throughput([10.0, 2.0, 2.0], 100) == pytest.approx(50.0)
    assert throughput([4.0], 100) == pytest.approx(25.0)


def _corrupt(tmp_path: Path) -> str:
    path = tmp_path / "corrupt.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all" + b"\x00" * 64)
    return str(path)


BAD = {
    "unknown data spec": (lambda t: ["fit", "--data", "nonsense-set", *TINY, "--out", str(t / "x")], 1),
    "unknown preset": (lambda t: ["fit", "--data", DATA, "--preset", "nope", "--out", str(t / "x")], 2),
    "negative lr": (lambda t: ["fit", "--data", DATA, "--lr", "-1", "--out", str(t / "x")], 2),
    "bad noise": (lambda t: ["fit", "--data", DATA, "--noise", "fog:2", "--out", str(t / "x")], 2),
    "preset shape mismatch": (lambda t: ["fit", "--data", "digits", "--preset", "glyph-35-5", *TINY,
                                         "--out", str(t / "x")], 2),
    "iw on a non-VAE": (lambda t: ["fit", "--data", DATA, "--family", "ae", "--iw-samples", "3", *TINY,
                                   "--out", str(t / "x")], 2),
    "corrupt checkpoint (eval)": (lambda t: ["eval", _corrupt(t)], 1),
    "corrupt checkpoint (info)": (lambda t: ["info", _corrupt(t)], 1),
    "missing checkpoint": (lambda t: ["info", str(t / "missing.safetensors")], 1),
    "unknown command": (lambda t: ["train"], 2),
    "missing --data": (lambda t: ["fit"], 2),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_error_line(case, tmp_path, capsys):
    argv, code = BAD[case]
    assert main(argv(tmp_path)) == code
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_unexpected_errors_hint_at_debug(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(trainer.data, "list_datasets", boom)
    assert main(["datasets"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "boom" in err and "--debug" in err and "Traceback" not in err
    assert main(["datasets", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_python_dash_m_trainer_runs_fit(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "trainer", *fit_args(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "saved" in proc.stdout and "Traceback" not in proc.stderr
    assert (tmp_path / "m.safetensors").is_file() and (tmp_path / "m.json").is_file()


def test_fit_without_a_test_split_still_saves(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (60, 1, 8, 8), dtype=np.uint8)
    np.savez(tmp_path / "d.npz", images=images, labels=np.zeros(60, dtype=np.int64), n_train=60)
    argv = fit_args(tmp_path)
    argv[argv.index(DATA)] = f"npz:{tmp_path / 'd.npz'}"
    assert main(argv) == 0
    assert json.loads((tmp_path / "m.json").read_text())["test"] is None
    assert load_checkpoint(tmp_path / "m.safetensors")[1].model_config.image_shape == (1, 8, 8)
