"""Binarized-MNIST likelihood figures: dynamic binarization in training, a fixed binarized test split, and
``trainer eval`` printing our IW-NLL beside the published one (and what differs from the published
set-up)."""

import json

import numpy as np
import pytest
import torch

from trainer import binarize
from trainer.checkpoint import load_checkpoint
from trainer.cli import main
from trainer.errors import ConfigError
from trainer.published import PUBLISHED, beside, figures_for
from trainer.train import TrainConfig

TINY = ["--hidden", "32", "--epochs", "1", "--batch-size", "64", "--threads", "1", "--device", "cpu",
        "--quiet"]


def test_sampling_is_bernoulli_in_the_intensity():
    x = torch.full((200_000,), 0.3)
    coins = binarize.generator("cpu", 1)
    b = binarize.sample(x, coins)
    assert set(b.unique().tolist()) == {0.0, 1.0}
    assert b.mean().item() == pytest.approx(0.3, abs=0.005)
    again = binarize.sample(x, binarize.generator("cpu", 1))
    assert torch.equal(b, again)


def test_the_fixed_test_split_is_binary_deterministic_and_keeps_the_intensity():
    images = np.random.default_rng(0).integers(0, 256, (50, 1, 8, 8), dtype=np.uint8)
    a, b, other = binarize.fixed_np(images, 0), binarize.fixed_np(images, 0), binarize.fixed_np(images, 1)
    assert set(np.unique(a)) <= {0, 255} and np.array_equal(a, b) and not np.array_equal(a, other)
    assert (a[images == 0] == 0).all() and (a[images == 255] == 255).all()
    assert a.mean() / 255 == pytest.approx(images.mean() / 255, abs=0.02)


def test_binarize_is_a_training_setting_that_round_trips():
    cfg = TrainConfig(binarize=True)
    assert TrainConfig.from_dict(cfg.to_dict()).binarize is True
    with pytest.raises(ConfigError):
        TrainConfig(binarize="yes")


def test_published_figures_are_the_papers():
    assert figures_for(2)[0].nll_nats == pytest.approx(135.73)
    assert figures_for(20)[0].nll_nats == pytest.approx(88.90)
    assert figures_for(50)[0].nll_nats == pytest.approx(86.76)
    assert all("Davidson" in p.source for p in figures_for(2) + figures_for(20))
    assert "Burda" in figures_for(50)[0].source
    assert figures_for(7) == [] and len(PUBLISHED) == 3


def test_beside_says_what_differs_from_the_published_set_up():
    same = beside(88.5, 20, data_kind="mnist", binarized=True, k=5000, n=10000, n_test=10000)
    assert "88.50" in same[1] and "88.90" in same[2] and not any("not the published" in s for s in same)
    other = beside(90.0, 20, data_kind="fashion-mnist", binarized=True, k=100, n=500, n_test=10000)
    assert "not MNIST" in other[-1] and "k = 100" in other[-1] and "500 of the 10,000" in other[-1]
    assert "no binarized-MNIST figure" in beside(1.0, 3, data_kind="mnist", binarized=True, k=1, n=1,
                                                 n_test=1)[0]


@pytest.fixture(scope="module")
def binarized_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("bin")
    args = ["fit", "--data", "digits", *TINY, "--latent-dim", "2", "--binarize", "--out",
            str(out / "m.safetensors"), "--metrics-json", str(out / "m.json")]
    assert main(args) == 0
    return out


def test_fit_binarize_trains_and_scores_on_binary_images(binarized_model):
    report = json.loads((binarized_model / "m.json").read_text())
    assert report["train_config"]["binarize"] is True
    model, info = load_checkpoint(binarized_model / "m.safetensors")
    assert info.train_config["binarize"] is True
    # the stored test loss is the loss on the binarized test split, not on the grey images
    from trainer.data import load_dataset
    from trainer.metrics import evaluate

    data = load_dataset("digits")
    binary = evaluate(model, binarize.binarized_test(data, 0)).loss_nats
    grey = evaluate(model, data.test).loss_nats
    assert report["test"]["loss_nats"] == pytest.approx(binary, rel=1e-5)
    assert grey != pytest.approx(binary, rel=1e-5)  # (equal in expectation: BCE is linear in the target)


def test_eval_prints_ours_beside_the_published_figure(binarized_model, tmp_path, capsys):
    path = str(binarized_model / "m.safetensors")
    assert main(["eval", path, "--iw-samples", "5", "--limit-test", "40", "--threads", "1",
                 "--metrics-json", str(tmp_path / "e.json")]) == 0
    out = capsys.readouterr().out
    assert "(binarized)" in out and "published   135.73" in out and "Davidson et al. 2018" in out
    assert "the data set is digits, not MNIST" in out and "40 of the 359 test images" in out
    assert json.loads((tmp_path / "e.json").read_text())["test"]["n"] == 40
    assert main(["eval", path, "--no-binarize", "--threads", "1"]) == 0
    assert "published" not in capsys.readouterr().out
