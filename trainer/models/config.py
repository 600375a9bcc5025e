"""ModelConfig describes a model completely: ``build_model(ModelConfig(**asdict(cfg)))`` rebuilds it."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from trainer.errors import ConfigError

FAMILIES = ("ae", "vae", "sparse")  # "denoising" is any family trained with TrainConfig.noise
ARCHS = ("mlp", "conv", "onnx")  # onnx: a graph opened from an ONNX model folder (trainer.onnx_model)
SPARSITY = ("l1", "kl")
MAX_LAYERS = 8
# Bounds on what a model can be, so that no setting (a flag, a sweep grid, a tampered checkpoint) asks for
# more memory than a desktop has: each width, and the whole model (2**28 float32 parameters = 1 GiB; training
# needs about four times that for gradients and Adam's moments).
MAX_LATENT = 4096
MAX_WIDTH = 65536  # hidden widths, conv channels, the dense layer
MAX_SIDE = 4096  # image height and width
MAX_CHANNELS = 4
MAX_PARAMETERS = 2**28


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
    if not 1 <= cfg.latent_dim <= MAX_LATENT:
        raise ConfigError(f"latent_dim must be 1…{MAX_LATENT:,}, got {cfg.latent_dim:,}")
    if not (0 <= cfg.beta < math.inf and 0 <= cfg.sparsity_weight < math.inf):
        raise ConfigError("beta and sparsity_weight must be finite and not negative")
    if min(cfg.hidden, default=1) < 1 or min(cfg.conv_channels, default=1) < 1 or cfg.dense < 0:
        raise ConfigError("hidden widths and conv channels must be at least 1, dense at least 0")
    if len(cfg.hidden) > MAX_LAYERS or len(cfg.conv_channels) > MAX_LAYERS:
        raise ConfigError(f"at most {MAX_LAYERS} hidden or conv layers")
    _check_sizes(cfg)
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


def _check_sizes(cfg: ModelConfig) -> None:
    widest = max((*cfg.hidden, *cfg.conv_channels, cfg.dense), default=0)
    if widest > MAX_WIDTH:
        raise ConfigError(f"layer width {widest:,} is too large: hidden widths, conv channels and dense "
                          f"are at most {MAX_WIDTH:,}")
    c, h, w = cfg.image_shape
    if c > MAX_CHANNELS or max(h, w) > MAX_SIDE:
        raise ConfigError(f"images of {c}×{h}×{w} are too large: at most {MAX_CHANNELS} channels and "
                          f"{MAX_SIDE:,} pixels a side")
    n = parameter_count(cfg)
    if n > MAX_PARAMETERS:
        raise ConfigError(f"this model would have {n:,} parameters ({4 * n / 2**30:,.1f} GiB as float32); "
                          f"the most is {MAX_PARAMETERS:,}: choose smaller layers or images")


def parameter_count(cfg: ModelConfig) -> int:
    """The number of weights ``build_model(cfg)`` has, computed without building it (no torch)."""
    c, h, w = cfg.image_shape
    heads = 2 if cfg.family == "vae" else 1
    if cfg.arch == "onnx":  # a graph run by ONNX Runtime: no torch weights
        return 0
    if cfg.arch == "mlp":
        widths = (c * h * w, *cfg.hidden)
        back = (cfg.latent_dim, *reversed(cfg.hidden), c * h * w)
        return _dense(widths) + heads * _linear(widths[-1], cfg.latent_dim) + _dense(back)
    cc = cfg.conv_channels
    k = 2 ** len(cc)
    flat = (h // k) * (w // k) * cc[-1]
    down = sum(_conv(a, b) for a, b in zip((c, *cc[:-1]), cc, strict=True))
    up_pairs = (cc[-1], *reversed(cc))
    up = sum(_conv(a, b) for a, b in zip(up_pairs[:-1], up_pairs[1:], strict=True)) + _conv(cc[0], c)
    dense = _linear(flat, cfg.dense) if cfg.dense else 0
    code = heads * _linear(cfg.dense or flat, cfg.latent_dim) + _linear(cfg.latent_dim, flat)
    return down + dense + code + up


def _conv(a: int, b: int) -> int:
    return 9 * a * b + b


def _linear(a: int, b: int) -> int:
    return a * b + b


def _dense(widths: tuple[int, ...]) -> int:
    return sum(_linear(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True))


PRESETS: dict[str, dict] = {
    # The Keras "Variational AutoEncoder" example (MNIST), layer for layer.
    "keras-conv": dict(family="vae", arch="conv", image_shape=(1, 28, 28), conv_channels=(32, 64), dense=16),
    "mlp-512": dict(family="vae", arch="mlp", hidden=(512,)),
    "mlp-deep": dict(family="vae", arch="mlp", hidden=(512, 256)),
    # small MLPs for small images: scikit-learn's 8×8 digits, the 5×7 glyphs (trainer.defaults)
    "mlp-256-64": dict(family="vae", arch="mlp", hidden=(256, 64)),
    "mlp-64-16": dict(family="vae", arch="mlp", hidden=(64, 16)),
    "glyph-35-5": dict(family="ae", arch="mlp", image_shape=(1, 7, 5), hidden=(5,)),
    "conv-32": dict(family="vae", arch="conv", image_shape=(3, 32, 32), conv_channels=(32, 64), dense=64),
    "conv-64": dict(family="vae", arch="conv", image_shape=(3, 64, 64), conv_channels=(32, 64, 128),
                    dense=128),
    # a narrow conv body for 64×64 RGB: about a tenth of conv-64's work, for training on one core
    "conv-64-small": dict(family="vae", arch="conv", image_shape=(3, 64, 64), conv_channels=(8, 16, 32),
                          dense=32),
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
