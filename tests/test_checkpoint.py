"""Checkpoints: round trips, metadata, atomic saves, and every way a file can be wrong -> CheckpointError."""

import functools
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trainer.checkpoint as ckpt
from trainer.checkpoint import CheckpointInfo, load_checkpoint, read_checkpoint_info, save_checkpoint
from trainer.data.dataset import Dataset
from trainer.errors import CheckpointError
from trainer.models import ModelConfig, build_model, preset

SMALL = {
    "mlp": dict(arch="mlp", image_shape=(1, 12, 10), hidden=(16,), latent_dim=3),
    "conv": dict(arch="conv", image_shape=(3, 16, 16), conv_channels=(4, 8), dense=8, latent_dim=3),
}
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def small_model(family="vae", arch="mlp", seed=0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(family=family, **SMALL[arch])).eval()


def write_raw(path: Path, tensors: dict, **meta_changes) -> Path:
    """A safetensors file written directly, with valid metadata unless changed (None drops a key)."""
    model_config = json.dumps(ModelConfig(family="vae", **SMALL["mlp"]).to_dict())
    meta = {"format": "latent-explorer", "format_version": "1", "model_config": model_config, **meta_changes}
    safetensors.torch.save_file(tensors, str(path), {k: v for k, v in meta.items() if v is not None})
    return path


def weights(model) -> dict:
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("arch", SMALL)
@pytest.mark.parametrize("family", ["ae", "vae", "sparse"])
def test_round_trip_gives_identical_outputs(tmp_path, family, arch):
    model = small_model(family, arch)
    path = save_checkpoint(tmp_path / "m.safetensors", model)
    loaded, info = load_checkpoint(path)
    assert not loaded.training and loaded.config == model.config == info.model_config
    x = torch.rand(4, *model.config.image_shape)
    assert torch.equal(loaded(x).logits, model(x).logits)
    assert torch.equal(loaded.encode(x)[0], model.encode(x)[0])
    assert all(p.requires_grad and p.dtype == torch.float32 for p in loaded.parameters())


def test_keras_preset_round_trip_keeps_the_preset_name(tmp_path):
    model = build_model(preset("keras-conv")).eval()
    loaded, info = load_checkpoint(save_checkpoint(tmp_path / "k.safetensors", model))
    assert info.model_config.preset == "keras-conv"
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(loaded(x).logits, model(x).logits)


class FakeTrainConfig:
    def to_dict(self):
        return {"epochs": 3, "lr": 1e-3, "noise": "gaussian:0.3"}


def test_metadata_round_trip(tmp_path):
    ds = Dataset("shapes?n=10", np.zeros((4, 1, 12, 10), np.uint8), np.array([0, 1, 2, 0]),
                 ["circle", "square", "triangle"], 3, np.zeros((4, 2), bool), ["big", "filled"], "generated")
    metrics = {"psnr_db": np.float32(21.5), "active_units": np.int64(2), "nll_iw_nats": None}
    path = save_checkpoint(tmp_path / "m.safetensors", small_model(), train_config=FakeTrainConfig(),
                           dataset=ds, metrics=metrics, extra={"note": "ünïcode", "xs": (1, 2)})
    for info in (load_checkpoint(path)[1], read_checkpoint_info(path)):
        assert isinstance(info, CheckpointInfo) and info.path == path and info.format_version == 1
        assert info.train_config == {"epochs": 3, "lr": 1e-3, "noise": "gaussian:0.3"}
        assert (info.dataset_spec, info.class_names) == ("shapes?n=10", ["circle", "square", "triangle"])
        assert info.attribute_names == ["big", "filled"]
        assert info.metrics == {"psnr_db": 21.5, "active_units": 2, "nll_iw_nats": None}
        assert info.extra == {"note": "ünïcode", "xs": [1, 2]} and info.created.endswith("+00:00")
    with safetensors.safe_open(str(path), "pt") as f:
        meta = f.metadata()
    assert json.loads(meta["dataset"])["image_shape"] == [1, 12, 10] and meta["format"] == "latent-explorer"


def test_read_checkpoint_info_builds_no_model(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "m.safetensors", small_model(), dataset={"spec": "glyphs"})

    def refuse(cfg):
        raise AssertionError("read_checkpoint_info must not build a model")

    monkeypatch.setattr(ckpt, "build_model", refuse)
    assert read_checkpoint_info(path).dataset_spec == "glyphs"


def test_failed_replace_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = save_checkpoint(tmp_path / "m.safetensors", small_model(seed=1))
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(CheckpointError, match="m.safetensors"):
        save_checkpoint(path, small_model(seed=2))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.safetensors"]


def test_non_finite_weights_are_refused_and_the_old_file_kept(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", small_model(seed=1))
    before = path.read_bytes()
    model = small_model(seed=2)
    with torch.no_grad():
        model.mu.bias[0] = float("nan")
    with pytest.raises(CheckpointError, match="NaN"):
        save_checkpoint(path, model)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.safetensors"]


def test_saving_into_a_missing_folder_is_a_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointError, match="nowhere"):
        save_checkpoint(tmp_path / "nowhere" / "m.safetensors", small_model())


def test_saving_overwrites_an_existing_checkpoint(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", small_model(seed=1))
    save_checkpoint(path, small_model(seed=2))
    assert torch.equal(load_checkpoint(path)[0].mu.weight, small_model(seed=2).mu.weight)


def _pt_zip(path):
    torch.save(small_model().state_dict(), path)


def _pickle(path):
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))


def _truncated(path):
    save_checkpoint(path, small_model())
    path.write_bytes(path.read_bytes()[:-100])


def _header_cut(path):
    save_checkpoint(path, small_model())
    path.write_bytes(path.read_bytes()[:50])


NOT_SAFETENSORS = {
    "missing file": (lambda p: None, "no such file"),
    "empty file": (lambda p: p.write_bytes(b""), "header length"),
    "random bytes": (lambda p: p.write_bytes(os.urandom(4096)), "not a safetensors file|pickle"),
    "torch .pt zip": (_pt_zip, "pickle"),
    "raw pickle": (_pickle, "pickle"),
    "truncated data": (_truncated, "corrupt|truncated"),
    "truncated header": (_header_cut, "header length"),
    "huge header length": (lambda p: p.write_bytes((10**15).to_bytes(8, "little") + b"{}"), "header length"),
    "header not JSON": (lambda p: p.write_bytes((5).to_bytes(8, "little") + b"{oops"), "not JSON"),
    "header a JSON list": (lambda p: p.write_bytes((2).to_bytes(8, "little") + b"[]"), "JSON object"),
}


@pytest.mark.parametrize("case", NOT_SAFETENSORS)
def test_not_a_safetensors_checkpoint_is_rejected(tmp_path, case):
    make, message = NOT_SAFETENSORS[case]
    path = tmp_path / "bad.safetensors"
    make(path)
    with pytest.raises(CheckpointError, match=message) as error:
        load_checkpoint(path)
    assert "bad.safetensors" in str(error.value)


def _valid():
    return weights(small_model())


def _without(name):
    return {k: v for k, v in weights(small_model()).items() if k != name}


WRONG_CONTENT = {
    "plain safetensors": (_valid, dict(format=None), "not a Latent Explorer"),
    "other format": (_valid, dict(format="diffusers"), "not a Latent Explorer"),
    "unknown version": (_valid, dict(format_version="2"), "version '2'"),
    "no version": (_valid, dict(format_version=None), "version None"),
    "no model config": (_valid, dict(model_config=None), "no model_config"),
    "config not JSON": (_valid, dict(model_config="{family: vae"), "not valid JSON"),
    "config a list": (_valid, dict(model_config="[1, 2]"), "should be a dict"),
    "config error": (_valid, dict(model_config='{"family": "pca"}'), "bad model_con"),
    "unknown setting": (_valid, dict(model_config='{"depth": 3}'), "depth"),
    "metrics not JSON": (_valid, dict(metrics="nan nan"), "metrics is not valid JSON"),
    "class names": (_valid, dict(dataset='{"class_names": [1]}'), "list of strings"),
    "missing tensor": (lambda: _without("mu.bias"), {}, r"missing \['mu.bias'\]"),
    "unexpected tensor": (lambda: {**_valid(), "extra.w": torch.ones(2)}, {}, "extra.w"),
    "wrong shape": (lambda: {**_valid(), "mu.bias": torch.zeros(4)}, {}, "wrong tensor shapes"),
    "integer tensor": (lambda: {**_valid(), "mu.bias": torch.zeros(3, dtype=torch.int32)}, {},
                       "not a float"),
    "NaN": (lambda: {**_valid(), "mu.bias": torch.tensor([0, float("nan"), 0])}, {}, "NaN"),
    "Inf": (lambda: {**_valid(), "mu.bias": torch.tensor([0, 0, float("-inf")])}, {}, "Inf"),
    "too big for float32": (lambda: {**_valid(), "mu.bias": torch.tensor([0, 1e300, 0], dtype=torch.float64)},
                            {}, "Inf"),
}


@pytest.mark.parametrize("case", WRONG_CONTENT)
def test_wrong_content_is_rejected(tmp_path, case):
    tensors, meta, message = WRONG_CONTENT[case]
    path = write_raw(tmp_path / "wrong.safetensors", tensors(), **meta)
    with pytest.raises(CheckpointError, match=message) as error:
        load_checkpoint(path)
    assert "wrong.safetensors" in str(error.value)


def test_a_valid_raw_file_loads_so_the_rejections_above_are_meaningful(tmp_path):
    model = small_model()
    loaded, info = load_checkpoint(write_raw(tmp_path / "ok.safetensors", weights(model)))
    assert torch.equal(loaded.mu.weight, model.mu.weight) and info.metrics == {} and info.class_names == []


def test_a_header_length_that_starts_like_a_pickle_still_loads(tmp_path):
    path = tmp_path / "m.safetensors"
    for pad in range(300):  # grow the header until its length's first byte is 0x80, a pickle's magic
        save_checkpoint(path, small_model(), extra={"pad": "x" * pad})
        if path.read_bytes()[0] == 0x80:
            break
    assert path.read_bytes()[0] == 0x80
    assert load_checkpoint(path)[1].extra["pad"] == "x" * pad


def test_half_precision_weights_load_as_float32(tmp_path):
    model = small_model()
    half = {k: v.half() for k, v in weights(model).items()}
    loaded, _ = load_checkpoint(write_raw(tmp_path / "h.safetensors", half))
    assert loaded.mu.weight.dtype == torch.float32
    assert torch.allclose(loaded.mu.weight, model.mu.weight, atol=1e-2)


def test_a_tampered_config_asking_for_a_huge_model_is_rejected_without_allocating_it(tmp_path):
    huge = json.dumps({**ModelConfig(family="vae", arch="mlp").to_dict(), "hidden": [10**7, 10**7]})
    path = write_raw(tmp_path / "huge.safetensors", weights(small_model()), model_config=huge)
    with pytest.raises(CheckpointError, match="layer width 10,000,000 is too large"):
        load_checkpoint(path)


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_only_raise_checkpoint_error(tmp_path, data):
    path = tmp_path / "fuzz.safetensors"
    path.write_bytes(data)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)
    with pytest.raises(CheckpointError):
        read_checkpoint_info(path)


@functools.cache
def valid_bytes() -> bytes:
    folder = Path(tempfile.mkdtemp())
    path = save_checkpoint(folder / "m.safetensors", small_model(), dataset={"spec": "glyphs"})
    data = path.read_bytes()
    shutil.rmtree(folder)
    return data


@FUZZ
@given(st.data())
def test_fuzz_mutated_valid_files_only_raise_checkpoint_error(tmp_path, data):
    blob = bytearray(valid_bytes())
    header_end = 8 + int.from_bytes(blob[:8], "little")
    for _ in range(data.draw(st.integers(1, 4))):
        if not blob:
            break
        i = data.draw(st.integers(0, header_end + 64))  # mostly the header, some weights
        op = data.draw(st.sampled_from(["set", "delete", "insert", "cut"]))
        if op == "set":
            blob[i % len(blob)] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del blob[i % len(blob)]
        elif op == "insert":
            blob.insert(i, data.draw(st.integers(0, 255)))
        else:
            del blob[i:]
    path = tmp_path / "mutant.safetensors"
    path.write_bytes(bytes(blob))
    try:
        model, info = load_checkpoint(path)
    except CheckpointError:
        return
    assert isinstance(info, CheckpointInfo) and all(torch.isfinite(p).all() for p in model.parameters())
