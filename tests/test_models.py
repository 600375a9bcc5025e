"""The autoencoder family: layer sizes (Keras example), shapes, losses, modes, sampling."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from trainer.errors import ConfigError
from trainer.models import PRESETS, Autoencoder, Losses, ModelConfig, Output, build_model, preset

FAMILIES = ("ae", "vae", "sparse")
SMALL = {  # one small config per body, for quick tests of every family
    "mlp": dict(arch="mlp", image_shape=(1, 12, 10), hidden=(16, 8), latent_dim=3),
    "conv": dict(arch="conv", image_shape=(3, 16, 16), conv_channels=(4, 8), dense=8, latent_dim=3),
}


def param_layers(model: nn.Module) -> list[tuple[str, int]]:
    """(layer type, parameter count) of each module with its own parameters, in registration order."""
    return [(type(m).__name__, sum(p.numel() for p in m.parameters(recurse=False)))
            for m in model.modules() if any(True for _ in m.parameters(recurse=False))]


def test_keras_conv_matches_the_keras_vae_example_layer_for_layer():
    model = build_model(preset("keras-conv"))
    encoder = [("Conv2d", 320), ("Conv2d", 18496), ("Linear", 50192), ("Linear", 34), ("Linear", 34)]
    decoder = [("Linear", 9408), ("ConvTranspose2d", 36928), ("ConvTranspose2d", 18464),
               ("ConvTranspose2d", 289)]
    assert param_layers(model) == encoder + decoder
    assert sum(n for _, n in encoder) == 69_076 and sum(n for _, n in decoder) == 65_089
    assert sum(p.numel() for p in model.parameters()) == 69_076 + 65_089


def feature_shapes(layers: nn.Sequential, x: torch.Tensor) -> list[tuple[int, ...]]:
    shapes = []
    for layer in layers:
        x = layer(x)
        shapes.append(tuple(x.shape))
    return shapes


def test_keras_conv_feature_map_sizes_halve_then_double():
    model = build_model(preset("keras-conv"))
    encoder = feature_shapes(model.encoder, torch.rand(2, 1, 28, 28))
    assert encoder == [(2, 32, 14, 14)] * 2 + [(2, 64, 7, 7)] * 2 + [(2, 3136), (2, 16), (2, 16)]
    decoder = feature_shapes(model.decoder, torch.zeros(2, 2))
    assert decoder == [(2, 3136)] * 2 + [(2, 64, 7, 7), (2, 64, 14, 14), (2, 64, 14, 14), (2, 32, 28, 28),
                                         (2, 32, 28, 28), (2, 1, 28, 28)]
    mu, logvar = model.encode(torch.rand(5, 1, 28, 28))
    assert mu.shape == logvar.shape == (5, 2)


@pytest.mark.parametrize("name, widths", [("mlp-512", [784, 512, 2, 512, 784]),
                                          ("glyph-35-5", [35, 5, 2, 5, 35])])
def test_mlp_layer_widths_mirror(name, widths):
    model = build_model(preset(name, family="ae"))
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [linears[0].in_features] + [m.out_features for m in linears] == widths


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_builds_and_reconstructs_its_shape(name):
    model = build_model(preset(name))
    assert model.config.preset == name and isinstance(model, Autoencoder)
    x = torch.rand(3, *model.config.image_shape)
    out = model(x)
    assert out.logits.shape == x.shape and out.z.shape == (3, model.config.latent_dim)


@pytest.mark.parametrize("arch", SMALL)
@pytest.mark.parametrize("family", FAMILIES)
def test_forward_and_loss_contract(family, arch):
    cfg = ModelConfig(family=family, beta=2.0, sparsity_weight=0.5, **SMALL[arch])
    model = build_model(cfg)
    assert model.config is cfg
    x = torch.rand(4, *cfg.image_shape)
    out = model(x)
    assert isinstance(out, Output) and out.logits.shape == x.shape
    assert (out.logvar is None) == (family != "vae")
    losses = model.loss(x, out)
    assert isinstance(losses, Losses) and all(v.shape == () and torch.isfinite(v) for v in losses)
    assert torch.allclose(losses.total, losses.recon + 2.0 * losses.kl + 0.5 * losses.sparsity)
    assert (losses.kl > 0) == (family == "vae") and (losses.sparsity > 0) == (family == "sparse")
    losses.total.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_recon_is_bce_summed_over_pixels_and_averaged_over_images():
    model = build_model(ModelConfig(family="ae", **SMALL["mlp"]))
    x = torch.rand(4, 1, 12, 10)
    out = model(x)
    per_image = [F.binary_cross_entropy_with_logits(out.logits[i], x[i], reduction="sum") for i in range(4)]
    assert torch.allclose(model.loss(x, out).recon, torch.stack(per_image).mean())


def test_kl_is_the_analytic_gaussian_kl_per_image():
    model = build_model(ModelConfig(family="vae", **SMALL["mlp"]))
    mu, logvar = torch.randn(6, 3), torch.randn(6, 3)
    out = Output(torch.zeros(6, 1, 12, 10), mu, logvar, mu)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    expected = torch.distributions.kl_divergence(q, p).sum(1).mean()
    assert torch.allclose(model.loss(torch.zeros(6, 1, 12, 10), out).kl, expected, atol=1e-5)


def test_l1_sparsity_is_batch_mean_of_summed_absolute_code():
    model = build_model(ModelConfig(family="sparse", sparsity="l1", **SMALL["mlp"]))
    z = torch.tensor([[1.0, -2.0, 0.0], [0.5, 0.5, -1.0]])
    out = Output(torch.zeros(2, 1, 12, 10), z, None, z)
    assert model.loss(torch.zeros(2, 1, 12, 10), out).sparsity.item() == pytest.approx(2.5)


def test_kl_sparsity_vanishes_at_the_target_and_grows_away_from_it():
    cfg = ModelConfig(family="sparse", sparsity="kl", sparsity_target=0.1, **SMALL["mlp"])
    model, x = build_model(cfg), torch.zeros(2, 1, 12, 10)
    at_target = torch.full((2, 3), math.log(0.1 / 0.9))  # sigmoid(z) = rho exactly
    loss = model.loss(x, Output(torch.zeros_like(x), at_target, None, at_target)).sparsity
    assert loss.item() == pytest.approx(0.0, abs=1e-5)
    half = torch.zeros(2, 3)  # rho_hat = 0.5 in each of 3 units
    expected = 3 * (0.1 * math.log(0.1 / 0.5) + 0.9 * math.log(0.9 / 0.5))
    loss = model.loss(x, Output(torch.zeros_like(x), half, None, half)).sparsity
    assert loss.item() == pytest.approx(expected)


def test_vae_samples_z_in_train_mode_and_uses_mu_in_eval_mode():
    model = build_model(ModelConfig(family="vae", **SMALL["conv"]))
    x = torch.rand(4, 3, 16, 16)
    model.train()
    out = model(x)
    assert not torch.allclose(out.z, out.mu)
    model.eval()
    out = model(x)
    assert torch.equal(out.z, out.mu)
    assert torch.equal(model(x).logits, out.logits)


@pytest.mark.parametrize("family", ["ae", "sparse"])
def test_deterministic_families_return_no_logvar_and_z_equals_mu(family):
    model = build_model(ModelConfig(family=family, **SMALL["mlp"])).train()
    x = torch.rand(4, 1, 12, 10)
    mu, logvar = model.encode(x)
    assert logvar is None
    out = model(x)
    assert torch.equal(out.z, mu) and torch.equal(model(x).logits, out.logits)


def test_reconstruct_is_the_sigmoid_of_decoding_mu_in_any_mode():
    model = build_model(ModelConfig(family="vae", **SMALL["mlp"])).train()
    x = torch.rand(4, 1, 12, 10)
    probs = model.reconstruct(x)
    assert torch.allclose(probs, torch.sigmoid(model.decode(model.encode(x)[0])))
    assert torch.equal(probs, model.reconstruct(x)) and not probs.requires_grad


def test_sample_draws_from_a_scaled_normal_and_is_reproducible():
    model = build_model(ModelConfig(family="vae", **SMALL["conv"])).eval()
    a = model.sample(5, generator=torch.Generator().manual_seed(3))
    b = model.sample(5, generator=torch.Generator().manual_seed(3))
    assert a.shape == (5, 3, 16, 16) and torch.equal(a, b) and 0 <= a.min() and a.max() <= 1
    z = torch.randn(5, 3, generator=torch.Generator().manual_seed(3)) * 0.5
    warm = model.sample(5, temperature=0.5, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(warm, torch.sigmoid(model.decode(z)))
    cold = model.sample(2, temperature=0.0)
    assert torch.allclose(cold, torch.sigmoid(model.decode(torch.zeros(2, 3))).detach())


def test_a_few_adam_steps_lower_the_loss():
    torch.manual_seed(0)
    model = build_model(preset("glyph-35-5", family="vae"))
    x = (torch.rand(64, 1, 7, 5) > 0.5).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = model.loss(x, model(x)).total.item()
    for _ in range(30):
        opt.zero_grad()
        model.loss(x, model(x)).total.backward()
        opt.step()
    assert model.loss(x, model(x)).total.item() < first - 1.0


@pytest.mark.parametrize("bad", [dict(family="pca"), dict(arch="conv", image_shape=(1, 30, 30)),
                                 dict(latent_dim=0), dict(latent_dim=2.5), dict(image_shape="1x28x28"),
                                 dict(beta=float("nan")), dict(hidden=[0]), dict(dense=-1),
                                 dict(sparsity_target=1.0), dict(family=["vae"])])
def test_impossible_configs_raise_config_error(bad):
    with pytest.raises(ConfigError):
        ModelConfig.from_dict(bad)


def test_config_round_trips_through_a_json_dict():
    import json

    cfg = preset("conv-64", family="sparse", sparsity="kl")
    assert ModelConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
