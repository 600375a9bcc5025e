"""``fit --init CHECKPOINT`` continues a saved model: its weights are the start, its earlier training is
recorded, and model flags that describe another model are refused."""

from __future__ import annotations

import torch

from trainer.checkpoint import load_checkpoint
from trainer.cli import main
from trainer.fit_init import earlier_training

TINY = ["--data", "digits", "--hidden", "16", "--batch-size", "256", "--threads", "1", "--device", "cpu",
        "--quiet"]


def test_init_continues_the_checkpoint(tmp_path):
    first, second = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    assert main(["fit", *TINY, "--epochs", "2", "--out", str(first)]) == 0
    assert main(["fit", "--data", "digits", "--init", str(first), "--epochs", "1", "--lr", "1e-9",
                 "--threads", "1", "--quiet", "--out", str(second)]) == 0
    a, a_info = load_checkpoint(first)
    b, b_info = load_checkpoint(second)
    assert b.config == a.config
    for (name, wa), wb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.allclose(wa, wb, atol=1e-5), name  # a tiny step from the checkpoint's weights
    before = b_info.metrics["continued_from"]
    assert before["epochs"] == 2 and before["elapsed_s"] == a_info.metrics["elapsed_s"]
    assert b_info.metrics["epochs"] == 1


def test_earlier_training_adds_up_over_continuations():
    once = {"epochs": 3, "elapsed_s": 10.0, "train_images": 100}
    twice = {"epochs": 2, "elapsed_s": 5.0, "train_images": 100, "continued_from": earlier_training(once)}
    assert earlier_training(twice) == {"epochs": 5, "elapsed_s": 15.0, "train_images": 100}
    assert earlier_training({})["epochs"] == 0


def test_init_refuses_another_model_and_another_image_size(tmp_path, capsys):
    first = tmp_path / "a.safetensors"
    assert main(["fit", *TINY, "--epochs", "1", "--out", str(first)]) == 0
    capsys.readouterr()
    out = str(tmp_path / "b.safetensors")
    assert main(["fit", *TINY, "--hidden", "32", "--init", str(first), "--epochs", "1", "--out", out]) == 2
    assert "another model" in capsys.readouterr().err
    assert main(["fit", "--data", "glyphs", "--init", str(first), "--epochs", "1", "--quiet", "--out",
                 out]) == 2
    assert "the model takes 1×8×8 images" in capsys.readouterr().err
    assert main(["fit", "--data", "digits", "--init", str(tmp_path / "none.safetensors"), "--quiet",
                 "--out", out]) != 0
