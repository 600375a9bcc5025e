"""The fine-tuning recipe of trainer.classify: a cosine learning-rate schedule, random-shift augmentation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from trainer import cli
from trainer.classify import ClassifierResult, ClassifyConfig, _schedule, random_shift, train_classifier
from trainer.data import load_dataset
from trainer.errors import ConfigError
from trainer.models import ModelConfig, build_model


def test_random_shift_moves_each_image_by_whole_pixels_within_the_bound():
    x = torch.rand(64, 2, 9, 11) + 1  # no zeros inside an image: zeros are only what was shifted in
    y = random_shift(x, 2, torch.Generator().manual_seed(0))
    assert y.shape == x.shape
    seen = set()
    for a, b in zip(x, y, strict=True):
        match = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if torch.equal(b, _shifted(a, dy, dx))]
        assert len(match) == 1
        seen.add(match[0])
    assert len(seen) > 10  # each image its own shift, not one per batch


def _shifted(a: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``a`` (C×H×W) moved down by dy and right by dx, zeros filling in."""
    out = torch.zeros_like(a)
    h, w = a.shape[1:]
    out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        a[:, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def test_random_shift_is_seeded_and_zero_is_the_identity():
    x = torch.rand(8, 1, 6, 6)
    a = random_shift(x, 1, torch.Generator().manual_seed(3))
    assert torch.equal(a, random_shift(x, 1, torch.Generator().manual_seed(3)))
    assert torch.equal(random_shift(x, 0, torch.Generator()), x)


def test_cosine_schedule_decays_to_zero_and_is_the_finetuning_default():
    assert ClassifyConfig(mode="finetune").lr_schedule == "cosine"
    assert ClassifyConfig(mode="frozen").lr_schedule == ClassifyConfig(mode="pca").lr_schedule == "constant"
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=1e-3)
    sched = _schedule(opt, ClassifyConfig(mode="finetune", epochs=2), 5)
    rates = []
    for _ in range(10):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert rates[0] == pytest.approx(1e-3) and np.all(np.diff(rates) < 0)
    assert rates[5] == pytest.approx(0.5e-3 * (1 + np.cos(np.pi / 2)))  # half way: half the rate
    assert opt.param_groups[0]["lr"] == pytest.approx(0, abs=1e-12)
    flat = ClassifyConfig(mode="finetune", epochs=2, schedule="constant")
    opt2 = torch.optim.Adam([p], lr=1e-3)
    s2 = _schedule(opt2, flat, 5)
    for _ in range(10):
        opt2.step()
        s2.step()
    assert opt2.param_groups[0]["lr"] == pytest.approx(1e-3)


def test_bad_recipe_settings():
    for bad in ({"schedule": "step"}, {"shift_px": -1}, {"shift_px": 1.5}, {"mode": "frozen", "shift_px": 2},
                {"mode": "pca", "shift_px": 1}):
        with pytest.raises(ConfigError):
            ClassifyConfig(**{"mode": "finetune", **bad})


def test_finetuning_with_shifts_trains_and_repeats():
    torch.manual_seed(0)
    model = build_model(ModelConfig(family="vae", arch="conv", image_shape=(1, 8, 8), latent_dim=4,
                                    conv_channels=(8,), dense=16)).eval()
    digits = load_dataset("digits")
    cfg = ClassifyConfig(mode="finetune", head="mlp", epochs=2, shift_px=1, lr=3e-3)
    a = list(train_classifier(model, digits, cfg))[-1]
    b = list(train_classifier(model, digits, cfg))[-1]
    plain = list(train_classifier(model, digits, ClassifyConfig(mode="finetune", head="mlp", epochs=2,
                                                                lr=3e-3)))[-1]
    assert isinstance(a, ClassifierResult) and a.history == b.history
    assert a.history != plain.history  # the shifts changed what the encoder saw
    assert a.history[-1]["loss"] < a.history[0]["loss"]  # it learns from shifted images


def test_cli_flags(tmp_path, capsys):
    from trainer.checkpoint import save_checkpoint

    torch.manual_seed(0)
    model = build_model(ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2,
                                    hidden=(16,))).eval()
    path = save_checkpoint(tmp_path / "m.safetensors", model, dataset=load_dataset("digits"))
    args = cli.build_parser().parse_args(["classify", str(path), "--finetune", "--shift", "1", "--schedule",
                                         "constant"])
    from trainer.cli_classify import classify_config

    cfg = classify_config(args)
    assert (cfg.mode, cfg.shift_px, cfg.lr_schedule) == ("finetune", 1, "constant")
    assert cli.main(["classify", str(path), "--shift", "2"]) == 2  # frozen codes cannot be shifted
    assert "fine-tuned" in capsys.readouterr().err
