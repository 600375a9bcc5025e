"""The classifier's PCA baseline: the same head on the first D principal components of the pixels."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from trainer import cli
from trainer.classify import ClassifierResult, ClassifyConfig, PixelPCA, train_classifier
from trainer.data import load_dataset
from trainer.models import ModelConfig, build_model


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture
def model():
    torch.manual_seed(0)
    cfg = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=5, hidden=(16,))
    return build_model(cfg).eval()


def test_features_are_sklearns_principal_components(digits):
    features = PixelPCA(5)
    gen = features.fit(digits.train.images, 0.0)
    with pytest.raises(StopIteration) as done:
        while True:
            next(gen)
    train = done.value.value
    x = digits.train.images.reshape(digits.n_train, -1).astype(np.float64) / 255
    expected = PCA(5, svd_solver="full").fit_transform(x)
    assert train.shape == (digits.n_train, 5) and train.dtype == np.float32
    for j in range(5):  # equal up to each component's sign
        assert abs(np.corrcoef(train[:, j], expected[:, j])[0, 1]) > 0.999


def test_the_baseline_ignores_the_encoder(model, digits):
    """An untrained encoder gives poor codes; the pixels' principal components do not depend on it."""
    results = {}
    for mode in ("frozen", "pca"):
        items = list(train_classifier(model, digits, ClassifyConfig(mode=mode, epochs=10, head="mlp")))
        assert isinstance(items[-1], ClassifierResult)
        results[mode] = items[-1].report.accuracy
    torch.manual_seed(1)
    other = build_model(model.config).eval()
    again = list(train_classifier(other, digits, ClassifyConfig(mode="pca", epochs=10, head="mlp")))[-1]
    assert again.report.accuracy == results["pca"]
    assert results["pca"] > 0.85 > results["frozen"]


def test_cli_pca_baseline(model, digits, tmp_path, capsys):
    from trainer.checkpoint import save_checkpoint

    path = save_checkpoint(tmp_path / "tiny.safetensors", model, dataset=digits)
    out = tmp_path / "report.json"
    assert cli.main(["classify", str(path), "--pca-baseline", "--epochs", "2", "--threads", "1",
                     "--json", str(out)]) == 0
    assert "principal components (as many as the code's size)" in capsys.readouterr().out
    assert json.loads(out.read_text())["config"]["mode"] == "pca"
    assert cli.main(["classify", str(path), "--pca-baseline", "--finetune"]) == 2
