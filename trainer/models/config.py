"""ModelConfig describes a model completely: ``build_model(ModelConfig(**asdict(cfg)))`` rebuilds it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from trainer.errors import ConfigError

FAMILIES = ("ae", "vae", "sparse")  # "denoising" is any family trained with TrainConfig.noise
ARCHS = ("mlp", "conv", "onnx")  # onnx: a graph opened from an ONNX model folder (trainer.onnx_model)
SPARSITY = ("l1", "kl")
MAX_LAYERS = 8


@dataclass(frozen=True)
class ModelConfig:
    family: str = "vae"
    arch: str = "mlp"
    image_shape: tuple[int, int, int] = (1, 28, 28)  # C, H, W
    latent_dim: int = 2
    hidden: tuple[int, ...] = (512,)  # MLP widths, encoder order (decoder mirrors)
    conv_channels: tuple[int, ...] = (32, 64)  # stride-2 conv layers, encoder order
    dense: int = 16  # conv: dense layer between the conv stack and the code (0 = none)
    beta: float = 1.0  # VAE: weight of the KL term (beta-VAE)
    sparsity: str = "l1"  # sparse: "l1" on the code, or "kl" toward target activation rho
    sparsity_weight: float = 1e-3
    sparsity_target: float = 0.05  # rho, for sparsity="kl"
    preset: str = ""  # the preset it came from, for display only

    def __post_init__(self) -> None:
        # JSON turns tuples into lists; normalise so equality and hashing work after a round trip
        try:
            for name in ("image_shape", "hidden", "conv_channels"):
                object.__setattr__(self, name, tuple(_int(v) for v in getattr(self, name)))
            for name in ("latent_dim", "dense"):
                object.__setattr__(self, name, _int(getattr(self, name)))
            for name in ("beta", "sparsity_weight", "sparsity_target"):
                object.__setattr__(self, name, float(getattr(self, name)))
        except (TypeError, ValueError, OverflowError) as e:
            raise ConfigError(f"model setting {name} has the wrong type: {e}") from None
        check(self)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        return config_from_dict(cls, d, "model")

    def with_(self, **changes) -> ModelConfig:
        return replace(self, **changes)


def config_from_dict(cls, d: dict, what: str):
    """``cls(**d)`` for a settings dataclass, with ConfigError for a non-mapping or unknown keys."""
    if not isinstance(d, dict):
        raise ConfigError(f"{what} settings must be a mapping, got {type(d).__name__}")
    unknown = set(d) - set(cls.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown {what} settings: {', '.join(sorted(unknown))}")
    return cls(**d)


def check(cfg: ModelConfig) -> None:
    if not all(isinstance(v, str) for v in (cfg.family, cfg.arch, cfg.sparsity, cfg.preset)):
        raise ConfigError("family, arch, sparsity and preset must be strings")
    if cfg.family not in FAMILIES:
        raise ConfigError(f"unknown family {cfg.family!r}: choose one of {', '.join(FAMILIES)}")
    if cfg.arch not in ARCHS:
        raise ConfigError(f"unknown architecture {cfg.arch!r}: choose mlp or conv")
    if len(cfg.image_shape) != 3 or min(cfg.image_shape) < 1:
        raise ConfigError(f"image_shape must be (C, H, W), got {cfg.image_shape}")
    if cfg.latent_dim < 1:
        raise ConfigError("latent_dim must be at least 1")
    if not (0 <= cfg.beta < math.inf and 0 <= cfg.sparsity_weight < math.inf):
        raise ConfigError("beta and sparsity_weight must be finite and not negative")
    if min(cfg.hidden, default=1) < 1 or min(cfg.conv_channels, default=1) < 1 or cfg.dense < 0:
        raise ConfigError("hidden widths and conv channels must be at least 1, dense at least 0")
    if len(cfg.hidden) > MAX_LAYERS or len(cfg.conv_channels) > MAX_LAYERS:
        raise ConfigError(f"at most {MAX_LAYERS} hidden or conv layers")
    if cfg.sparsity not in SPARSITY:
        raise ConfigError(f"unknown sparsity {cfg.sparsity!r}: choose l1 or kl")
    if not 0 < cfg.sparsity_target < 1:
        raise ConfigError("sparsity_target (rho) must lie strictly between 0 and 1")
    if cfg.arch == "conv":
        c, h, w = cfg.image_shape
        k = 2 ** len(cfg.conv_channels)
        if not cfg.conv_channels or h % k or w % k:
            raise ConfigError(f"a conv body with {len(cfg.conv_channels)} stride-2 layers needs H and W "
                              f"divisible by {k}; got {h}×{w}")


PRESETS: dict[str, dict] = {
    # The Keras "Variational AutoEncoder" example (MNIST), layer for layer.
    "keras-conv": dict(family="vae", arch="conv", image_shape=(1, 28, 28), conv_channels=(32, 64), dense=16),
    "mlp-512": dict(family="vae", arch="mlp", hidden=(512,)),
    "mlp-deep": dict(family="vae", arch="mlp", hidden=(512, 256)),
    "glyph-35-5": dict(family="ae", arch="mlp", image_shape=(1, 7, 5), hidden=(5,)),
    "conv-32": dict(family="vae", arch="conv", image_shape=(3, 32, 32), conv_channels=(32, 64), dense=64),
    "conv-64": dict(family="vae", arch="conv", image_shape=(3, 64, 64), conv_channels=(32, 64, 128),
                    dense=128),
}


def preset(name: str, **overrides) -> ModelConfig:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return ModelConfig(**{**PRESETS[name], "preset": name, **overrides})


def _int(v) -> int:
    """An int from an int-like value; 2.5, "2", True and None are refused (JSON only has numbers)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
        raise ValueError(f"{v!r} is not a whole number")
    return int(v)
