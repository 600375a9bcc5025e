"""Training as a generator: ``fit`` yields Progress records; the CLI prints them, the GUI plots them.

The training split lives on the device as one uint8 tensor; each epoch draws a seeded permutation and
slices batches out of it (no DataLoader, no per-sample Python). Losses are summed as tensors and read only
when a record is yielded, so the one host sync per step is the finiteness check of the loss.

Under ``torchrun`` (see trainer/distributed.py) the same loop runs on every rank: each steps on its shard of
the global batch inside DistributedDataParallel, and the losses, stop requests and validation are summed over
the ranks, so every rank reports the same numbers and ends with the same weights.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from trainer import binarize, distributed, limits
from trainer.data.dataset import Dataset
from trainer.errors import ConfigError, DataError, TrainerError, TrainingDiverged
from trainer.models.config import config_from_dict
from trainer.threads import ThreadTuner

OPTIMIZERS = ("adam", "sgd")
DEVICES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "bf16")
NOISES = ("none", "gaussian", "salt-pepper", "mask")
LOSS_NAMES = ("loss", "recon", "kl", "sparsity")


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    optimizer: str = "adam"  # adam | sgd
    momentum: float = 0.9  # sgd only
    seed: int = 0
    threads: int | None = None  # the most torch threads in the training thread (fewer while the CPU is busy:
    # trainer/threads.py); None: torch's own count
    device: str = "auto"  # auto | cpu | cuda | mps
    noise: str = "none"  # denoising: "gaussian:0.3", "salt-pepper:0.2", "mask:0.25"
    limit_train: int | None = None  # keep the first N training images
    report_every_s: float = 0.1  # at most one "step" record per this many seconds
    precision: str = "auto"  # auto | fp32 | bf16 (autocast; auto = bf16 on CPUs with native bf16 support)
    binarize: bool = False  # dynamic binarization: see trainer.binarize

    def __post_init__(self) -> None:
        _coerce(self)
        check(self)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        return config_from_dict(cls, d, "training")

    def with_(self, **changes) -> TrainConfig:
        return replace(self, **changes)


_TYPES = {"epochs": int, "batch_size": int, "lr": float, "optimizer": str, "momentum": float, "seed": int,
          "threads": int, "device": str, "noise": str, "limit_train": int, "report_every_s": float,
          "precision": str, "binarize": bool}


def _coerce(cfg: TrainConfig) -> None:
    """Normalise JSON-ish values (2.0 -> 2 for counts); refuse wrong types with ConfigError."""
    for name, kind in _TYPES.items():
        v = getattr(cfg, name)
        if v is None and name in ("threads", "limit_train"):
            continue
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        ok = isinstance(v, kind) if kind in (bool, str) else number
        if ok and kind is int and not (math.isfinite(v) and v == int(v)):
            ok = False
        if not ok:
            raise ConfigError(f"training setting {name} must be {kind.__name__}, got {v!r}")
        object.__setattr__(cfg, name, kind(v))


def check(cfg: TrainConfig) -> None:
    if cfg.epochs < 1 or cfg.batch_size < 1:
        raise ConfigError(f"epochs and batch_size must be at least 1, got {cfg.epochs} and {cfg.batch_size}")
    if not cfg.lr > 0 or not math.isfinite(cfg.lr):
        raise ConfigError(f"learning rate must be a positive number, got {cfg.lr}")
    if cfg.optimizer not in OPTIMIZERS:
        raise ConfigError(f"unknown optimizer {cfg.optimizer!r}: choose adam or sgd")
    if not 0 <= cfg.momentum < 1:
        raise ConfigError(f"momentum must lie in [0, 1), got {cfg.momentum}")
    if cfg.device not in DEVICES:
        raise ConfigError(f"unknown device {cfg.device!r}: choose one of {', '.join(DEVICES)}")
    if cfg.precision not in PRECISIONS:
        raise ConfigError(f"unknown precision {cfg.precision!r}: choose one of {', '.join(PRECISIONS)}")
    if cfg.threads is not None and cfg.threads < 1:
        raise ConfigError(f"threads must be at least 1 (or None), got {cfg.threads}")
    limits.check_train(cfg)
    if cfg.limit_train is not None and cfg.limit_train < 1:
        raise ConfigError(f"limit_train must be at least 1 (or None), got {cfg.limit_train}")
    if cfg.report_every_s < 0:
        raise ConfigError("report_every_s must not be negative")
    parse_noise(cfg.noise)


def parse_noise(noise: str) -> tuple[str, float]:
    """``"gaussian:0.3"`` -> ``("gaussian", 0.3)``, ``"none"`` -> ``("none", 0.0)``; ConfigError if bad."""
    kind, _, level_text = str(noise).partition(":")
    if kind == "none" and not level_text:
        return "none", 0.0
    try:
        level = float(level_text)
    except ValueError:
        level = math.nan
    if kind not in NOISES[1:] or not math.isfinite(level):
        raise ConfigError(f"bad noise {noise!r}: use none, gaussian:SIGMA, salt-pepper:P or mask:P")
    if level < 0 or (kind != "gaussian" and level > 1):
        raise ConfigError(f"bad noise {noise!r}: the level must be ≥ 0 (and ≤ 1 for {kind})")
    return kind, level


@dataclass
class Progress:
    """One report. ``epoch`` counts from 1; ``step`` is the number of steps done in that epoch.

    The losses are means per image over the current epoch so far (nats). ``val`` is set on "epoch" records
    when the data set has a test split (the model in eval mode: codes at the mean).
    """

    kind: str  # step | epoch | done | stopped
    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    loss: float = math.nan
    recon: float = math.nan
    kl: float = math.nan
    sparsity: float = math.nan
    val: dict | None = None
    images_per_s: float = 0.0
    eta_s: float = math.nan
    elapsed_s: float = 0.0
    epoch_seconds: list[float] = field(default_factory=list)


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" picks cuda, then mps, then cpu; a named device that is missing raises ConfigError."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name not in DEVICES or (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise ConfigError(f"device {name!r} is not available here: use auto or cpu")
    return torch.device(name)


# --- noise for denoising autoencoders ---------------------------------------------------------------

def corrupt(x: torch.Tensor, noise: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """A noisy copy of ``x`` (float in [0, 1], N×C×H×W). ``generator`` must live on x's device."""
    kind, level = parse_noise(noise)
    if kind == "none" or level == 0:
        return x.clone()
    if kind == "gaussian":
        eps = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return (x + level * eps).clamp_(0, 1)
    n, _, h, w = x.shape
    if kind == "salt-pepper":
        hit = torch.rand((n, 1, h, w), generator=generator, device=x.device) < level
        salt = torch.rand((n, 1, h, w), generator=generator, device=x.device) < 0.5
        return torch.where(hit, salt.to(x.dtype), x)
    return x.masked_fill(_block_mask(n, h, w, level, generator, x.device), 0.0)


def _block_mask(n: int, h: int, w: int, p: float, generator, device) -> torch.Tensor:
    """Erase square blocks (about a seventh of the image side) of a randomly shifted grid, each with
    probability ``p``, so that about a fraction ``p`` of the pixels is covered."""
    s = max(1, min(h, w) // 7)
    gh, gw = h // s + 2, w // s + 2
    cells = torch.rand((n, 1, gh, gw), generator=generator, device=device) < p
    full = cells.repeat_interleave(s, dim=2).repeat_interleave(s, dim=3)
    dy, dx = torch.randint(0, s, (2,), generator=generator, device=device).tolist()
    return full[:, :, dy:dy + h, dx:dx + w]


def corrupt_np(x: np.ndarray, kind: str, level: float, seed: int = 0) -> np.ndarray:
    """The numpy twin of ``corrupt`` for previews: float images in [0, 1] (N×C×H×W or C×H×W)."""
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    single = t.ndim == 3
    gen = torch.Generator().manual_seed(int(seed))
    noise = "none" if kind == "none" else f"{kind}:{level}"
    out = corrupt(t[None] if single else t, noise, gen)
    return (out[0] if single else out).numpy()


# --- the training loop ------------------------------------------------------------------------------

def fit(model, data: Dataset, cfg: TrainConfig,
        should_stop: Callable[[], bool] = lambda: False) -> Iterator[Progress]:
    """Train ``model`` in place; yield "step" records (throttled), an "epoch" record at each epoch end,
    then "done" (or "stopped" when ``should_stop()`` turned true; it is checked between steps)."""
    try:
        yield from _fit(model, data, cfg, should_stop)
    except TrainerError:
        raise
    except RuntimeError as e:  # torch errors are RuntimeErrors, which superqt workers swallow
        raise TrainerError(f"training failed: {e}") from e


@dataclass
class _Run:
    """The loop's bookkeeping: clock, epoch sums (a tensor, read only when reporting)."""

    cfg: TrainConfig
    n: int
    steps: int
    start: float = field(default_factory=time.monotonic)
    epoch_start: float = 0.0
    epoch_end: float | None = None  # set when the epoch's steps are done (validation is not counted)
    seen: int = 0  # images this epoch
    sums: torch.Tensor | None = None  # loss, recon, kl, sparsity summed over the images of this epoch
    epoch_seconds: list[float] = field(default_factory=list)

    def start_epoch(self, device: torch.device) -> None:
        self.epoch_start, self.epoch_end, self.seen = time.monotonic(), None, 0
        self.sums = torch.zeros(4, device=device)

    def add(self, losses: torch.Tensor, count: int) -> None:
        self.sums += losses * count
        self.seen += count

    def end_epoch(self) -> None:
        self.epoch_end = time.monotonic()
        self.epoch_seconds.append(self.epoch_end - self.epoch_start)

    def record(self, kind: str, epoch: int, step: int, val: dict | None = None) -> Progress:
        now = time.monotonic()
        means = (self.sums / self.seen).tolist() if self.seen else [math.nan] * 4
        rate = self.seen / max((self.epoch_end or now) - self.epoch_start, 1e-9)
        left = (self.cfg.epochs - epoch + 1) * self.n - self.seen
        eta = left / rate if rate else math.nan
        if kind == "done" or (kind == "epoch" and epoch == self.cfg.epochs):
            eta = 0.0
        return Progress(kind, epoch, self.cfg.epochs, step, self.steps, *means, val=val, images_per_s=rate,
                        eta_s=eta, elapsed_s=now - self.start, epoch_seconds=list(self.epoch_seconds))


def _fit(model, data: Dataset, cfg: TrainConfig, should_stop) -> Iterator[Progress]:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    device = resolve_device(cfg.device)
    with distributed.world(device) as where:  # None outside torchrun
        yield from _train(model, data, cfg, should_stop, where.device if where else device, where)


def _train(model, data: Dataset, cfg: TrainConfig, should_stop, device: torch.device,
           where: distributed.World | None) -> Iterator[Progress]:
    data = data.limit_train(cfg.limit_train)
    _check_data(model, data)
    torch.manual_seed(cfg.seed)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed batch shapes: let cuDNN pick its fastest kernels
    model.to(device).train()
    x_train = _tensor(data.images[:data.n_train], device)  # uint8: made float one batch at a time
    x_test = _tensor(data.images[data.n_train:], device)
    if cfg.binarize:  # trainer/binarize.py: the test split binarized once, the training batches afresh
        x_test = binarize.fixed(x_test, cfg.seed)
    fmt = _memory_format(model, device)
    try:
        model.to(memory_format=fmt)
        lane = _OneProcess(model, should_stop) if where is None else _Shards(model, where, should_stop)
        yield from _epochs(model, x_train, x_test, cfg, lane, fmt)
    finally:  # errors and abandoned generators; _finish already ran before "done" and "stopped"
        _finish(model)


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The dtype to autocast the forward pass to, or None for plain fp32.

    On a CPU with native bf16 (AVX512-BF16 / AMX) bf16 autocast trains keras-conv ~1.8× faster than fp32;
    weights, optimizer state and the loss stay fp32. Elsewhere bf16 would be emulated, so auto = fp32.
    """
    if precision == "fp32" or device.type not in ("cpu", "cuda"):
        return None
    if precision == "bf16":
        return torch.bfloat16
    return torch.bfloat16 if device.type == "cpu" and _native_cpu_bf16() else None


@functools.cache
def _native_cpu_bf16() -> bool:
    """AVX512-BF16 or AMX. oneDNN's own test (``_is_mkldnn_bf16_supported``) also says yes on plain AVX512,
    where it emulates bf16: slower than fp32 there, and the loss is worse (issue 12)."""
    cpu = torch.cpu
    native = any(getattr(cpu, name, lambda: False)() for name in ("_is_avx512_bf16_supported",
                                                                 "_is_amx_tile_supported"))
    return bool(native and torch.backends.mkldnn.is_available())


def _tensor(images: np.ndarray, device: torch.device) -> torch.Tensor:
    """Share the array's memory when torch may (a read-only or strided array is copied once)."""
    images = np.ascontiguousarray(images)
    return torch.from_numpy(images if images.flags.writeable else images.copy()).to(device)


def _finish(model) -> None:
    """Leave the model ready to save and use: contiguous weights (safetensors wants them), eval mode."""
    model.to(memory_format=torch.contiguous_format)
    model.eval()


def _epochs(model, x_train, x_test, cfg: TrainConfig, lane, fmt) -> Iterator[Progress]:
    order = torch.Generator().manual_seed(cfg.seed)
    coins = binarize.generator(x_train.device, cfg.seed) if cfg.binarize else None
    opt = _optimizer(model, cfg, x_train.device)
    n, bs = len(x_train), cfg.batch_size
    run = _Run(cfg, n, math.ceil(n / bs))
    tuner = _thread_tuner(cfg, x_train.device, lane)
    last_report = time.monotonic()
    for epoch in range(1, cfg.epochs + 1):
        good = {k: v.detach().clone() for k, v in model.state_dict().items()}
        perm = torch.randperm(n, generator=order).to(x_train.device)
        run.start_epoch(x_train.device)
        for step in range(1, run.steps + 1):
            if lane.stopping():
                _finish(model)
                yield run.record("stopped", epoch, step - 1)
                return
            x = x_train[perm[(step - 1) * bs:step * bs]].float().div_(255).contiguous(memory_format=fmt)
            x = binarize.sample(x, coins) if coins is not None else x
            if tuner is not None:
                tuner.started()
            run.add(lane.step(opt, x, cfg, good, epoch, step), len(x))
            if tuner is not None:
                tuner.ended()
            if time.monotonic() - last_report >= cfg.report_every_s:
                last_report = time.monotonic()
                yield run.record("step", epoch, step)
        run.end_epoch()
        yield run.record("epoch", epoch, run.steps, val=lane.validate(x_test, max(bs, 512)))
    lane.finish()
    _finish(model)
    yield run.record("done", cfg.epochs, run.steps)


def _thread_tuner(cfg: TrainConfig, device: torch.device, lane) -> ThreadTuner | None:
    """On the CPU in one process with more than one thread allowed: a ThreadTuner (trainer/threads.py) that
    uses fewer threads while other programs keep the cores busy; ``cfg.threads`` is then the most."""
    most = cfg.threads or torch.get_num_threads()
    if device.type != "cpu" or most < 2 or not isinstance(lane, _OneProcess):
        return None
    return ThreadTuner(most, torch.set_num_threads)


def _memory_format(model, device: torch.device) -> torch.memory_format:
    """channels_last for conv models on the CPU: 1.2-1.3× faster per step on keras-conv (one thread, x86)."""
    conv = any(p.dim() == 4 for p in model.parameters())
    return torch.channels_last if conv and device.type == "cpu" else torch.contiguous_format


def _check_data(model, data: Dataset) -> None:
    if getattr(model, "is_onnx", False):
        raise ConfigError("an ONNX model cannot be trained: it has no torch weights (train a new model, or "
                          "train yours where it was made and export it again)")
    where = data.source or data.spec
    if data.n_train < 1:
        raise DataError(f"{where}: no training images: all {len(data.images):,} images are in the test split "
                        "(a data set needs a training split to train on)")
    want = tuple(model.config.image_shape)
    if data.image_shape != want:
        raise ConfigError(f"{where}: images are {'×'.join(map(str, data.image_shape))} but the model expects "
                          f"{'×'.join(map(str, want))}")


def _optimizer(model, cfg: TrainConfig, device: torch.device) -> torch.optim.Optimizer:
    params = list(model.parameters())
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum)
    return torch.optim.Adam(params, lr=cfg.lr, fused=device.type == "cuda" or None)


def _step(model, opt, x: torch.Tensor, cfg: TrainConfig, good: dict, epoch: int, step: int) -> torch.Tensor:
    """One optimizer step on the clean batch ``x``; returns the detached (loss, recon, kl, sparsity)."""
    losses = model.loss(x, _forward(model, _noisy(x, cfg), cfg))
    _check_finite(losses.total, model, good, cfg, epoch, step)
    _update(opt, losses.total)
    return _stack(losses)


def _noisy(x: torch.Tensor, cfg: TrainConfig) -> torch.Tensor:
    return corrupt(x, cfg.noise) if cfg.noise != "none" else x


def _forward(model, x_in: torch.Tensor, cfg: TrainConfig, **kwargs):
    """``model(x_in, **kwargs)`` under the configured autocast; the outputs come back in fp32."""
    dtype = autocast_dtype(cfg.precision, x_in.device)
    with torch.autocast(x_in.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
        out = model(x_in, **kwargs)
    if dtype is not None:  # the loss in fp32: BCE and KL sums lose too much in bf16
        out = type(out)(*(None if t is None else t.float() for t in out))
    return out


def _check_finite(total: torch.Tensor, model, good: dict, cfg: TrainConfig, epoch: int, step: int) -> None:
    """Restore the weights of the epoch's start and raise TrainingDiverged when ``total`` is NaN or ±inf."""
    if not torch.isfinite(total):
        model.load_state_dict(good)
        what = "NaN" if torch.isnan(total) else "infinite"
        raise TrainingDiverged(f"loss became {what} at epoch {epoch}, step {step}: try a lower learning rate "
                               f"(now {cfg.lr})", epoch, step)


def _update(opt, objective: torch.Tensor) -> None:
    opt.zero_grad(set_to_none=True)
    objective.backward()
    opt.step()


class _OneProcess:
    """Steps on the whole batch in this process (the usual case)."""

    def __init__(self, model, should_stop: Callable[[], bool]):
        self.model, self.should_stop = model, should_stop

    def stopping(self) -> bool:
        return self.should_stop()

    def step(self, opt, x, cfg: TrainConfig, good: dict, epoch: int, step: int) -> torch.Tensor:
        return _step(self.model, opt, x, cfg, good, epoch, step)

    def validate(self, x_test: torch.Tensor, batch_size: int) -> dict | None:
        return validate(self.model, x_test, batch_size)

    def finish(self) -> None:
        pass


class _Shards:
    """One rank of data-parallel training: steps on its shard of every global batch in DDP.

    Each rank's loss is its shard's mean scaled by ``shard × ranks / batch``, so DDP's average of the
    gradients over ranks is the gradient of the mean loss over the global batch, as in one process. One
    all-reduce per step sums the shards' losses (the records and the finiteness check then agree on every
    rank) and the stop requests: a stop asked on any rank is obeyed by all at the next step.
    """

    def __init__(self, model, where: distributed.World, should_stop: Callable[[], bool]):
        self.model, self.where, self.should_stop = model, where, should_stop
        self.ddp = distributed.wrap(model, where)
        self.stop = False

    def stopping(self) -> bool:
        return self.stop

    def step(self, opt, x, cfg: TrainConfig, good: dict, epoch: int, step: int) -> torch.Tensor:
        n = len(x)
        lo, hi = self.where.bounds(n)
        out = _forward(self.ddp, _noisy(x, cfg)[lo:hi], cfg, n=n, lo=lo)  # noise drawn for the global batch
        if hi > lo:
            losses = self.model.loss(x[lo:hi], out)
            objective, sums = losses.total * ((hi - lo) * self.where.size / n), _stack(losses) * (hi - lo)
        else:  # an empty shard still joins DDP's gradient all-reduce, with zero gradients
            objective = sum(t.sum() for t in out if t is not None) * 0.0
            sums = torch.zeros(4, device=x.device)
        flags = torch.tensor([float(self.should_stop())], device=x.device)
        totals = distributed.all_sum(torch.cat([sums.detach().float(), flags]))
        self.stop = bool(totals[4] > 0)
        means = totals[:4] / n
        _check_finite(means[0], self.model, good, cfg, epoch, step)
        _update(opt, objective)
        return means

    def validate(self, x_test: torch.Tensor, batch_size: int) -> dict | None:
        """The mean losses over the whole test split: each rank evaluates its shard, the sums are added."""
        if len(x_test) == 0:
            return None
        lo, hi = self.where.bounds(len(x_test))
        part = validate(self.model, x_test[lo:hi], batch_size) or dict.fromkeys(LOSS_NAMES, 0.0)
        sums = torch.tensor([part[k] * (hi - lo) for k in LOSS_NAMES], dtype=torch.float64,
                            device=x_test.device)
        return dict(zip(LOSS_NAMES, (distributed.all_sum(sums) / len(x_test)).tolist(), strict=True))

    def finish(self) -> None:
        distributed.check_in_sync(self.model)


def _stack(losses) -> torch.Tensor:
    total = losses.total.detach()
    return torch.stack([torch.as_tensor(v, dtype=total.dtype, device=total.device).detach()
                        for v in (total, losses.recon, losses.kl, losses.sparsity)])


def validate(model, x_uint8: torch.Tensor, batch_size: int = 512) -> dict | None:
    """Mean loss/recon/kl/sparsity per image over ``x_uint8`` (on the model's device), eval mode, no grad.
    None when there are no images."""
    if len(x_uint8) == 0:
        return None
    was_training = model.training
    model.eval()
    sums = torch.zeros(4, device=x_uint8.device)
    with torch.inference_mode():
        for i in range(0, len(x_uint8), batch_size):
            x = x_uint8[i:i + batch_size].float().div_(255)
            sums += _stack(model.loss(x, model(x))) * len(x)
    model.train(was_training)
    return dict(zip(LOSS_NAMES, (sums / len(x_uint8)).tolist(), strict=True))
