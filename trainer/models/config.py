"""ModelConfig describes a model completely: ``build_model(ModelConfig(**asdict(cfg)))`` rebuilds it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from trainer.errors import ConfigError

FAMILIES = ("ae", "vae", "sparse")  # "denoising" is any family trained with TrainConfig.noise
ARCHS = ("mlp", "conv")
SPARSITY = ("l1", "kl")


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
        for name in ("image_shape", "hidden", "conv_channels"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        check(self)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        unknown = set(d) - set(known)
        if unknown:
            raise ConfigError(f"unknown model settings: {', '.join(sorted(unknown))}")
        return cls(**known)

    def with_(self, **changes) -> ModelConfig:
        return replace(self, **changes)


def check(cfg: ModelConfig) -> None:
    if cfg.family not in FAMILIES:
        raise ConfigError(f"unknown family {cfg.family!r}: choose one of {', '.join(FAMILIES)}")
    if cfg.arch not in ARCHS:
        raise ConfigError(f"unknown architecture {cfg.arch!r}: choose mlp or conv")
    if len(cfg.image_shape) != 3 or min(cfg.image_shape) < 1:
        raise ConfigError(f"image_shape must be (C, H, W), got {cfg.image_shape}")
    if cfg.latent_dim < 1:
        raise ConfigError("latent_dim must be at least 1")
    if cfg.beta < 0 or cfg.sparsity_weight < 0:
        raise ConfigError("beta and sparsity_weight must not be negative")
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
    "conv-64": dict(family="vae", arch="conv", image_shape=(3, 64, 64), conv_channels=(32, 64, 128), dense=128),
}


def preset(name: str, **overrides) -> ModelConfig:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
    return ModelConfig(**{**PRESETS[name], "preset": name, **overrides})
