"""fit as a generator: records, determinism, stopping, divergence, denoising; TrainConfig; corrupt."""

import math

import numpy as np
import pytest
import torch
from toy_data import SHAPE, bars

from trainer.errors import ConfigError, TrainerError, TrainingDiverged
from trainer.models import ModelConfig, build_model
from trainer.train import TrainConfig, corrupt, corrupt_np, fit, parse_noise, resolve_device


def mlp(family: str = "vae", seed: int = 0):
    torch.manual_seed(seed)
    return build_model(ModelConfig(family=family, arch="mlp", image_shape=SHAPE, hidden=(32,), latent_dim=2))


def conv():
    torch.manual_seed(0)
    return build_model(ModelConfig(arch="conv", image_shape=SHAPE, conv_channels=(4, 8), dense=8))


def run(model, data, **kw):
    cfg = TrainConfig(**{"epochs": 2, "batch_size": 32, "lr": 3e-3, "report_every_s": 0, **kw})
    return list(fit(model, data, cfg))


# --- TrainConfig ------------------------------------------------------------------------------------

def test_config_round_trips_through_a_dict():
    cfg = TrainConfig(epochs=3, optimizer="sgd", noise="mask:0.25", threads=1, limit_train=100)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    assert TrainConfig.from_dict({"epochs": 4.0}).epochs == 4


def test_config_rejects_unknown_keys():
    with pytest.raises(ConfigError, match="unknown training settings: colour"):
        TrainConfig.from_dict({"epochs": 2, "colour": "red"})


@pytest.mark.parametrize("bad", [
    dict(epochs=0), dict(batch_size=0), dict(lr=0.0), dict(lr=-1e-3), dict(lr=math.nan),
    dict(optimizer="rmsprop"), dict(device="tpu"), dict(threads=0), dict(limit_train=0), dict(momentum=1.0),
    dict(epochs=2.5), dict(epochs=math.inf),
    dict(epochs="3"), dict(batch_size=True), dict(noise="gaussian"), dict(noise="gaussian:abc"),
    dict(noise="blur:0.1"), dict(noise="mask:1.5"), dict(noise="salt-pepper:-0.1"), dict(noise="none:0.3"),
])
def test_config_rejects_nonsense(bad):
    with pytest.raises(ConfigError):
        TrainConfig(**bad)


def test_parse_noise():
    assert parse_noise("none") == ("none", 0.0)
    assert parse_noise("gaussian:0.3") == ("gaussian", 0.3)
    assert parse_noise("salt-pepper:0.2") == ("salt-pepper", 0.2)
    assert parse_noise("mask:1") == ("mask", 1.0)


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        assert resolve_device("auto").type != "cuda"
        with pytest.raises(ConfigError, match="not available"):
            resolve_device("cuda")


# --- fit --------------------------------------------------------------------------------------------

def test_fit_yields_steps_epochs_and_done():
    records = run(mlp(), bars(120, n_train=100), epochs=2)
    kinds = [r.kind for r in records]
    assert kinds == ["step"] * 4 + ["epoch"] + ["step"] * 4 + ["epoch", "done"]
    epochs = [r for r in records if r.kind == "epoch"]
    assert [r.epoch for r in epochs] == [1, 2] and all(r.steps_per_epoch == 4 for r in records)
    assert set(epochs[0].val) == {"loss", "recon", "kl", "sparsity"}
    assert all(math.isfinite(v) for v in epochs[0].val.values())
    assert len(records[-1].epoch_seconds) == 2 and records[-1].eta_s == 0
    assert records[-1].images_per_s > 0 and records[-1].elapsed_s >= sum(records[-1].epoch_seconds)
    assert records[0].step == 1 and records[0].eta_s > 0


def test_step_records_are_throttled():
    records = list(fit(mlp(), bars(100), TrainConfig(epochs=2, batch_size=10, report_every_s=1e6)))
    assert [r.kind for r in records] == ["epoch", "epoch", "done"]


def test_val_is_none_without_a_test_split():
    records = run(mlp(), bars(64), epochs=1)
    assert records[-2].kind == "epoch" and records[-2].val is None


def test_fit_learns():
    records = run(mlp(), bars(256, n_train=200), epochs=6, lr=1e-2)
    epochs = [r for r in records if r.kind == "epoch"]
    assert epochs[-1].loss < 0.8 * epochs[0].loss
    assert epochs[-1].val["loss"] < epochs[0].val["loss"]
    # the epoch loss is the mean over the epoch: loss = recon + beta*kl for a VAE
    assert epochs[-1].loss == pytest.approx(epochs[-1].recon + epochs[-1].kl, rel=1e-4)


@pytest.mark.parametrize("make", [mlp, conv])
def test_same_seed_gives_identical_weights(make):
    data = bars(96)
    a, b, c = make(), make(), make()
    run(a, data, seed=3)
    run(b, data, seed=3)
    run(c, data, seed=4)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_model_is_left_contiguous_and_in_eval_mode():
    model = conv()
    run(model, bars(64), epochs=1)
    assert not model.training
    assert all(p.is_contiguous() for p in model.parameters())


def test_should_stop_ends_with_stopped():
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 3

    model = conv()
    records = list(fit(model, bars(200), TrainConfig(epochs=5, batch_size=10, report_every_s=0), stop))
    assert [r.kind for r in records] == ["step"] * 3 + ["stopped"]
    assert records[-1].step == 3 and records[-1].epoch == 1 and math.isfinite(records[-1].loss)
    assert all(p.is_contiguous() for p in model.parameters()) and not model.training


def test_stopping_at_an_epoch_start_reports_no_loss():
    records = []
    for record in fit(mlp(), bars(20), TrainConfig(epochs=3, batch_size=10, report_every_s=1e6),
                      lambda: len(records) == 2):
        records.append(record)
    assert [r.kind for r in records] == ["epoch", "epoch", "stopped"]
    assert records[-1].epoch == 3 and records[-1].step == 0 and math.isnan(records[-1].loss)


def test_limit_train_and_batch_count():
    records = run(mlp(), bars(300, n_train=250), limit_train=64, batch_size=20, epochs=1)
    assert records[-1].steps_per_epoch == 4


def test_threads_are_set(monkeypatch):
    seen = []
    monkeypatch.setattr(torch, "set_num_threads", seen.append)
    run(mlp(), bars(32), epochs=1, threads=1)
    assert seen == [1]


def test_wrong_image_shape_is_a_config_error():
    model = build_model(ModelConfig(arch="mlp", image_shape=(1, 7, 5), hidden=(8,)))
    with pytest.raises(ConfigError, match="8×8 but the model expects 1×7×5"):
        run(model, bars(32))


def test_nan_restores_the_last_good_weights():
    model = mlp()
    loss = model.loss
    calls = []

    def poisoned(x, out):
        calls.append(1)
        losses = loss(x, out)
        return losses._replace(total=losses.total * math.nan) if len(calls) == 6 else losses

    model.loss = poisoned
    snapshot = {}
    gen = fit(model, bars(128), TrainConfig(epochs=3, batch_size=32, report_every_s=1e6, lr=5e-3))
    with pytest.raises(TrainingDiverged, match="NaN at epoch 2, step 2.*lower learning rate") as info:
        for record in gen:
            if record.kind == "epoch":
                snapshot = {k: v.clone() for k, v in model.state_dict().items()}
    assert (info.value.epoch, info.value.step) == (2, 2)
    assert all(torch.equal(v, snapshot[k]) for k, v in model.state_dict().items())


def test_torch_runtime_errors_become_trainer_errors():
    model = mlp()

    def broken(x):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    model.forward = broken
    with pytest.raises(TrainerError, match="mat1 and mat2") as info:
        run(model, bars(32))
    assert not isinstance(info.value, RuntimeError)


def test_denoising_feeds_noisy_input_and_targets_clean_images():
    model = mlp("ae")
    forward, loss = model.forward, model.loss
    inputs, targets = [], []
    model.forward = lambda x: inputs.append(x.clone()) or forward(x)
    model.loss = lambda x, out: targets.append(x.clone()) or loss(x, out)
    data = bars(64)
    run(model, data, epochs=1, noise="mask:0.5")
    x, t = inputs[0], targets[0]
    clean = {bytes(row) for row in data.images.reshape(64, -1)}
    assert all(bytes((r * 255).round().to(torch.uint8).numpy()) in clean for r in t.flatten(1))
    assert (x <= t).all() and (x < t).any()  # masking only darkens: bars lost pixels


# --- corrupt ----------------------------------------------------------------------------------------

def test_gaussian_noise_stays_in_range_with_the_right_spread():
    x = torch.full((64, 1, 16, 16), 0.5)
    y = corrupt(x, "gaussian:0.1", torch.Generator().manual_seed(0))
    assert y.min() >= 0 and y.max() <= 1
    assert (y - x).std().item() == pytest.approx(0.1, rel=0.05)
    assert torch.equal(corrupt(x, "none"), x)


def test_salt_pepper_sets_a_fraction_of_pixels_to_0_or_1_in_every_channel():
    x = torch.full((64, 3, 16, 16), 0.5)
    y = corrupt(x, "salt-pepper:0.2", torch.Generator().manual_seed(0))
    hit = y != 0.5
    assert hit.float().mean().item() == pytest.approx(0.2, abs=0.02)
    assert set(y[hit].unique().tolist()) == {0.0, 1.0}
    assert (hit.all(1) == hit.any(1)).all()  # all channels of a pixel together


def test_mask_erases_square_blocks_of_about_the_fraction():
    x = torch.ones(200, 1, 28, 28)
    y = corrupt(x, "mask:0.25", torch.Generator().manual_seed(0))
    assert set(y.unique().tolist()) == {0.0, 1.0}
    assert (y == 0).float().mean().item() == pytest.approx(0.25, abs=0.03)
    # blocks, not scattered pixels: most erased pixels have an erased right or lower neighbour
    erased = y[:, 0, :-1, :-1] == 0
    block = erased & ((y[:, 0, 1:, :-1] == 0) | (y[:, 0, :-1, 1:] == 0))
    assert block.sum() > 0.8 * erased.sum()


def test_corrupt_np_is_reproducible_and_keeps_the_shape():
    x = np.random.default_rng(0).random((3, 1, 8, 8), dtype=np.float32)
    a = corrupt_np(x, "gaussian", 0.3, seed=1)
    assert a.shape == x.shape and a.dtype == np.float32
    assert np.array_equal(a, corrupt_np(x, "gaussian", 0.3, seed=1))
    assert not np.array_equal(a, corrupt_np(x, "gaussian", 0.3, seed=2))
    assert corrupt_np(x[0], "salt-pepper", 0.5, seed=0).shape == x[0].shape
    assert np.array_equal(corrupt_np(x, "none", 0, seed=0), x)
    with pytest.raises(ConfigError):
        corrupt_np(x, "blur", 0.3)


# --- precision --------------------------------------------------------------------------------------

@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_both_precisions_learn_and_keep_fp32_weights(precision):
    model = conv()
    records = run(model, bars(256, n_train=200), epochs=4, lr=1e-2, precision=precision)
    epochs = [r for r in records if r.kind == "epoch"]
    assert epochs[-1].loss < 0.8 * epochs[0].loss
    assert all(p.dtype == torch.float32 for p in model.parameters())


def test_autocast_choice():
    from trainer.train import autocast_dtype

    cpu = torch.device("cpu")
    assert autocast_dtype("fp32", cpu) is None
    assert autocast_dtype("bf16", cpu) is torch.bfloat16
    assert autocast_dtype("auto", cpu) in (None, torch.bfloat16)
    assert autocast_dtype("bf16", torch.device("mps")) is None  # no bf16 autocast there: plain fp32
    with pytest.raises(ConfigError):
        TrainConfig(precision="fp16")


def test_auto_precision_is_fp32_where_bf16_would_be_emulated(monkeypatch):
    """Plain AVX512 (no AVX512-BF16, no AMX): oneDNN emulates bf16 there, so "auto" must mean fp32."""
    from trainer import train

    train._native_cpu_bf16.cache_clear()
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True, raising=False)
    try:
        assert train.autocast_dtype("auto", torch.device("cpu")) is None
        train._native_cpu_bf16.cache_clear()
        monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
        assert train.autocast_dtype("auto", torch.device("cpu")) is torch.bfloat16
    finally:
        train._native_cpu_bf16.cache_clear()
