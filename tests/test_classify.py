"""trainer.classify: the report equals scikit-learn's, the autoencoder is left alone, runs repeat, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    precision_recall_fscore_support,
)

from trainer import cli
from trainer.classify import (
    ClassifierResult,
    ClassifyConfig,
    ClassifyProgress,
    format_report,
    make_report,
    train_classifier,
)
from trainer.data import load_dataset
from trainer.errors import ConfigError, DataError
from trainer.models import ModelConfig, build_model


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture
def model():
    torch.manual_seed(0)
    cfg = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2, hidden=(16,))
    return build_model(cfg).eval()


def run(model, data, **settings) -> tuple[list[ClassifyProgress], ClassifierResult]:
    items = list(train_classifier(model, data, ClassifyConfig(**{"epochs": 3, **settings})))
    assert isinstance(items[-1], ClassifierResult)
    assert all(isinstance(i, ClassifyProgress) for i in items[:-1])
    return items[:-1], items[-1]


def snapshot(model) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_same_weights(model, before: dict) -> None:
    after = model.state_dict()
    assert after.keys() == before.keys()
    assert all(torch.equal(after[k], before[k]) for k in before)


def test_report_equals_sklearn_on_the_same_predictions(model, digits):
    _, result = run(model, digits, head="mlp")
    r = result.report
    y, p = r.labels, r.predictions
    np.testing.assert_array_equal(y, digits.labels[digits.n_train:])
    assert r.accuracy == accuracy_score(y, p) == np.mean(y == p)
    prec, rec, f1, support = precision_recall_fscore_support(y, p, labels=range(10), zero_division=0)
    np.testing.assert_array_equal([s.precision for s in r.per_class], prec)
    np.testing.assert_array_equal([s.recall for s in r.per_class], rec)
    np.testing.assert_array_equal([s.f1 for s in r.per_class], f1)
    np.testing.assert_array_equal([s.support for s in r.per_class], support)
    np.testing.assert_array_equal(r.confusion, confusion_matrix(y, p, labels=range(10)))
    for avg, mine in (("macro", r.macro), ("weighted", r.weighted)):
        expected = precision_recall_fscore_support(y, p, average=avg, labels=range(10), zero_division=0)
        assert (mine.precision, mine.recall, mine.f1) == pytest.approx(expected[:3], abs=1e-12)
        assert mine.support == len(y)


def test_report_agrees_with_its_confusion_matrix():
    y = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, 2])
    p = np.array([0, 1, 1, 1, 0, 2, 1, 0, 1, 1])
    r = make_report(y, p, ["a", "b", "c", "d"])  # class d has no images and no predictions
    c = r.confusion
    assert c.sum() == len(y) and c.dtype == np.int64
    diag = np.diag(c)
    np.testing.assert_allclose([s.precision for s in r.per_class][:3], diag[:3] / c.sum(0)[:3])
    np.testing.assert_allclose([s.recall for s in r.per_class][:3], diag[:3] / c.sum(1)[:3])
    assert r.per_class[3] == ("d", 0.0, 0.0, 0.0, 0)
    assert r.macro.recall == pytest.approx(np.mean(np.r_[diag[:3] / c.sum(1)[:3], 0]))


def test_format_report_shows_sklearn_numbers(model, digits):
    _, result = run(model, digits, head="mlp")
    r = result.report
    names = [f"digit {k}" for k in range(10)]
    text = format_report(make_report(r.labels, r.predictions, names))
    theirs = classification_report(r.labels, r.predictions, labels=range(10), target_names=names, digits=3,
                                   zero_division=0)
    table = text.split("confusion matrix")[0]
    mine_rows = {" ".join(line.split()[:-4]): line.split()[-4:] for line in table.splitlines()[2:]
                 if len(line.split()) >= 5}
    for line in theirs.splitlines():
        words = line.split()
        if len(words) >= 5:  # a class or an average row: name, precision, recall, f1, support
            name = " ".join(words[:-4])
            key = next(k for k in mine_rows if k.endswith(name))
            assert mine_rows[key] == words[-4:], name
    assert f"{r.accuracy:.3f}" in text
    assert "confusion matrix" in text and "true \\ predicted" in text
    row3 = next(line for line in text.splitlines() if line.startswith("3 digit 3"))
    assert [int(v) for v in row3.split()[3:]] == r.confusion[3].tolist()


def test_frozen_leaves_the_autoencoder_unchanged(model, digits):
    before = snapshot(model)
    progress, result = run(model, digits, mode="frozen")
    assert_same_weights(model, before)
    assert not model.training
    assert progress[0].kind == "encode" and progress[-1].kind == "epoch"
    assert [h["epoch"] for h in result.history] == [1, 2, 3] and result.epochs_done == 3


def test_finetune_trains_a_copy_and_leaves_the_model_unchanged(model, digits):
    before = snapshot(model)
    _, frozen = run(model, digits, mode="frozen", lr=1e-2)
    _, tuned = run(model, digits, mode="finetune", lr=1e-2)
    assert_same_weights(model, before)
    assert not np.array_equal(frozen.report.predictions, tuned.report.predictions)  # the encoder moved


def test_seeded_runs_repeat(model, digits):
    _, a = run(model, digits, head="mlp", mode="finetune", seed=3)
    _, b = run(model, digits, head="mlp", mode="finetune", seed=3)
    _, c = run(model, digits, head="mlp", mode="finetune", seed=4)
    np.testing.assert_array_equal(a.report.predictions, b.report.predictions)
    assert a.history == b.history
    assert a.history != c.history


def test_should_stop_scores_what_was_trained(model, digits):
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 8  # 1,438 images / 256 = 6 steps an epoch: stops in epoch 2

    items = list(train_classifier(model, digits, ClassifyConfig(epochs=5), should_stop=stop))
    result = items[-1]
    assert result.stopped and result.epochs_done == 1
    assert result.report.n == digits.n_test


def test_bad_settings_and_data(model, digits):
    for bad in ({"mode": "thaw"}, {"head": "cnn"}, {"epochs": 0}, {"lr": -1.0}, {"batch_size": 2.5},
                {"device": "tpu"}, {"seed": -1}):
        with pytest.raises(ConfigError):
            ClassifyConfig(**bad)
    with pytest.raises(DataError, match="test split"):
        list(train_classifier(model, digits.train, ClassifyConfig()))
    with pytest.raises(DataError, match="expects"):
        list(train_classifier(model, load_dataset("glyphs"), ClassifyConfig()))


def test_cli_prints_the_table_and_writes_json(model, digits, tmp_path, capsys):
    from trainer.checkpoint import save_checkpoint

    path = save_checkpoint(tmp_path / "tiny.safetensors", model, dataset=digits)
    out = tmp_path / "report.json"
    code = cli.main(["classify", str(path), "--epochs", "2", "--head", "mlp", "--threads", "1",
                     "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    saved = json.loads(out.read_text())
    assert "precision    recall  f1-score   support" in text and "confusion matrix" in text
    assert f"accuracy {saved['report']['accuracy']:.4f} on 359 images" in text
    assert sum(row["support"] for row in saved["report"]["per_class"]) == 359
    assert np.sum(saved["report"]["confusion"]) == 359 and saved["epochs_done"] == 2
    assert saved["config"]["head"] == "mlp" and saved["config"]["mode"] == "frozen"
    assert cli.main(["classify", str(path), "--head", "cnn"]) == 2
    assert "error:" in capsys.readouterr().err
