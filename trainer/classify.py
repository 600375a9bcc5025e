"""Stacked-autoencoder classification: a classifier on top of an autoencoder's encoder.

Two ways, as in the classic recipe (pretrain an autoencoder without labels, then put a softmax layer on its
code):

- ``"frozen"``: the encoder's latent means are the features; only a small head is trained (``"linear"`` =
  softmax regression, ``"mlp"`` = one hidden ReLU layer). The autoencoder is only read.
- ``"finetune"``: a *copy* of the encoder (its body and mean layer) with the head on top is trained end to
  end; the autoencoder itself is never touched.
- ``"pca"``: the baseline without an encoder: the same head on the first D principal components of the pixels
  (D = the model's code size; scikit-learn's PCA fitted on the training split), so a class sees what the
  encoder adds over a linear projection of the same size.

Training: minibatch Adam on cross-entropy. The learning rate stays constant, or (``schedule="cosine"``, the
default when fine-tuning) follows half a cosine from ``lr`` to 0 over the run (Loshchilov & Hutter 2017,
SGDR without restarts).
Fine-tuning can augment the training images: each is shifted by a random whole number of pixels, up to
``shift_px`` in each direction (zeros fill in), drawn afresh every time it is used (Simard et al. 2003).

The codes are standardised with the training split's mean and standard deviation before the head (an AE's
codes can be far from unit scale), and that scaling stays fixed while fine-tuning. The test split is used
once, at the end: ``ClassifierReport`` holds accuracy, per-class precision / recall / F1 / support, their
macro and weighted averages and the confusion matrix, all computed by ``sklearn.metrics``.

``train_classifier`` is a generator like ``trainer.train.fit``: ``ClassifyProgress`` records while encoding
and training, then one ``ClassifierResult`` (the last item). Seeded: the same settings give the same result.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from trainer.data.dataset import Dataset
from trainer.errors import ConfigError, DataError, TrainerError, TrainingDiverged

MODES = ("frozen", "finetune", "pca")
HEADS = ("linear", "mlp")
SCHEDULES = ("constant", "cosine")
DEVICES = ("auto", "cpu", "cuda", "mps")
# lr=None picks these: fine-tuning wants gentle steps
DEFAULT_LR = {"frozen": 1e-2, "finetune": 1e-3, "pca": 1e-2}
# schedule=None picks these: a small head on fixed features converges in few steps at a constant rate; a
# fine-tuned encoder ends better when the rate decays (Fashion-MNIST, 10 epochs: see the README's table)
DEFAULT_SCHEDULE = {"frozen": "constant", "finetune": "cosine", "pca": "constant"}
ENCODE_CHUNK = 4096  # rows per encoding step (a progress record after each)


@dataclass(frozen=True)
class ClassifyConfig:
    mode: str = "frozen"  # frozen | finetune | pca
    head: str = "linear"  # linear | mlp (one hidden layer of ``hidden`` ReLU units)
    hidden: int = 64
    epochs: int = 10
    batch_size: int = 256
    lr: float | None = None  # Adam's learning rate; None = DEFAULT_LR[mode]
    seed: int = 0
    threads: int | None = None  # torch.set_num_threads in the running thread; None leaves it alone
    device: str = "auto"  # auto | cpu | cuda | mps
    limit_train: int | None = None  # keep the first N training images
    report_every_s: float = 0.1  # at most one "step" record per this many seconds
    schedule: str | None = None  # constant | cosine (lr decays to 0 over the run); None = DEFAULT_SCHEDULE
    shift_px: int = 0  # finetune: shift each training image by up to this many pixels (augmentation)

    def __post_init__(self) -> None:
        _check_config(self)

    @property
    def learning_rate(self) -> float:
        return DEFAULT_LR[self.mode] if self.lr is None else self.lr

    @property
    def lr_schedule(self) -> str:
        return DEFAULT_SCHEDULE[self.mode] if self.schedule is None else self.schedule

    def to_dict(self) -> dict:
        return asdict(self)


def _check_bounds(cfg: ClassifyConfig) -> None:
    from trainer import limits
    from trainer.models.config import MAX_WIDTH

    for name, high in (("seed", limits.MAX_SEED), ("epochs", limits.MAX_EPOCHS), ("hidden", MAX_WIDTH),
                       ("batch_size", limits.MAX_BATCH), ("threads", limits.MAX_THREADS),
                       ("limit_train", limits.MAX_LIMIT), ("shift_px", limits.MAX_SHIFT_PX)):
        value = getattr(cfg, name)
        if value is not None:
            low = 0 if name in ("seed", "shift_px") else 1
            limits.check_int(f"classifier setting {name}", value, low, high)


def _check_config(cfg: ClassifyConfig) -> None:
    if cfg.mode not in MODES:
        raise ConfigError(f"unknown classifier mode {cfg.mode!r}: choose frozen, finetune or pca")
    if cfg.head not in HEADS:
        raise ConfigError(f"unknown classifier head {cfg.head!r}: choose linear or mlp")
    if cfg.device not in DEVICES:
        raise ConfigError(f"unknown device {cfg.device!r}: choose one of {', '.join(DEVICES)}")
    if cfg.schedule is not None and cfg.schedule not in SCHEDULES:
        raise ConfigError(f"unknown learning-rate schedule {cfg.schedule!r}: choose constant or cosine")
    for name in ("hidden", "epochs", "batch_size", "threads", "limit_train", "seed", "shift_px"):
        value, low = getattr(cfg, name), 0 if name in ("seed", "shift_px") else 1
        if value is None and name in ("threads", "limit_train"):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"classifier setting {name} must be a whole number ≥ {low}, got {value!r}")
    _check_bounds(cfg)
    if cfg.lr is not None and not (isinstance(cfg.lr, (int, float)) and 0 < cfg.lr < math.inf):
        raise ConfigError(f"learning rate must be a positive number, got {cfg.lr!r}")
    if not cfg.report_every_s >= 0:
        raise ConfigError("report_every_s must not be negative")
    if cfg.shift_px and cfg.mode != "finetune":
        raise ConfigError("shifting the images (augmentation) needs a fine-tuned encoder: frozen codes and "
                          "principal components are computed once, from the images as they are")


# ---- the report ------------------------------------------------------------------------------------------

class ClassScore(NamedTuple):
    """One row of the report: a class (or "macro avg" / "weighted avg") and its scores."""

    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, eq=False)
class ClassifierReport:
    """Scores on the test split. ``confusion[i, j]`` counts images of true class i predicted as j;
    ``labels`` (true) and ``predictions`` are per test image, in data order."""

    accuracy: float
    per_class: list[ClassScore]
    macro: ClassScore
    weighted: ClassScore
    confusion: np.ndarray  # int64 K×K, rows = true class, columns = predicted class
    predictions: np.ndarray  # int64 N
    labels: np.ndarray  # int64 N
    class_names: list[str]

    @property
    def n(self) -> int:
        return len(self.labels)

    def to_dict(self) -> dict:
        """JSON-safe: the scores and the confusion matrix (not the per-image arrays)."""
        return {"accuracy": self.accuracy, "n": self.n, "class_names": list(self.class_names),
                "per_class": [s._asdict() for s in self.per_class], "macro_avg": self.macro._asdict(),
                "weighted_avg": self.weighted._asdict(), "confusion": self.confusion.tolist()}


def make_report(labels: np.ndarray, predictions: np.ndarray, class_names: list[str]) -> ClassifierReport:
    """The report for true ``labels`` and ``predictions`` (ints in 0..K-1, K = len(class_names)), computed by
    scikit-learn over every class (a class with no images or no predictions scores 0, not a warning)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    y, p = np.asarray(labels, dtype=np.int64), np.asarray(predictions, dtype=np.int64)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise DataError(f"need as many predictions as labels (one or more), got {p.shape} and {y.shape}")
    ks = list(range(len(class_names)))
    scores = precision_recall_fscore_support(y, p, labels=ks, zero_division=0)
    rows = [ClassScore(name, *(float(s[k]) for s in scores[:3]), int(scores[3][k]))
            for k, name in enumerate(class_names)]
    averages = [_average(y, p, ks, how) for how in ("macro", "weighted")]
    return ClassifierReport(float(accuracy_score(y, p)), rows, *averages,
                            confusion_matrix(y, p, labels=ks).astype(np.int64), p.copy(), y.copy(),
                            list(class_names))


def _average(y, p, ks, how: str) -> ClassScore:
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(y, p, labels=ks, average=how, zero_division=0)
    return ClassScore(f"{how} avg", float(precision), float(recall), float(f1), len(y))


def format_report(report: ClassifierReport, digits: int = 3) -> str:
    """A plain-text table laid out like scikit-learn's ``classification_report``, then the confusion
    matrix (rows: true class, columns: predicted class, numbered as in the table)."""
    return _score_table(report, digits) + "\n" + _confusion_table(report)


def _score_table(r: ClassifierReport, digits: int) -> str:
    names = [_numbered(k, s.name) for k, s in enumerate(r.per_class)]
    width = max(len("weighted avg"), digits, *map(len, names))
    head = " " * width + "".join(f" {h:>9}" for h in ("precision", "recall", "f1-score", "support"))
    row = "{:>{w}s}" + " {:>9.{d}f}" * 3 + " {:>9}"
    lines = [head, ""] + [row.format(n, *s[1:], w=width, d=digits) for n, s in zip(names, r.per_class,
                                                                                    strict=True)]
    acc = "{:>{w}s}" + " {:>9}" * 2 + " {:>9.{d}f} {:>9}"
    lines += ["", acc.format("accuracy", "", "", r.accuracy, r.n, w=width, d=digits)]
    lines += [row.format(s.name, *s[1:], w=width, d=digits) for s in (r.macro, r.weighted)]
    return "\n".join(lines) + "\n"


def _confusion_table(r: ClassifierReport) -> str:
    k = len(r.class_names)
    width = max(4, len(str(int(r.confusion.max(initial=0)))) + 1)
    corner = "true \\ predicted"
    label = max(len(corner), *(len(_numbered(i, n)) for i, n in enumerate(r.class_names)))
    lines = ["confusion matrix (rows: true class, columns: predicted class)",
             f"{corner:<{label}}" + "".join(f"{j:>{width}}" for j in range(k))]
    for i, name in enumerate(r.class_names):
        lines.append(f"{_numbered(i, name):<{label}}" + "".join(f"{c:>{width}}" for c in r.confusion[i]))
    return "\n".join(lines) + "\n"


def _numbered(k: int, name: str) -> str:
    """"3 Dress" (the confusion matrix's columns are numbered); a class named by its number stays "3"."""
    return name if name == str(k) else f"{k} {name}"


# ---- training ---------------------------------------------------------------------------------------------

@dataclass
class ClassifyProgress:
    """One report. ``kind`` "encode": ``fraction`` of the training images encoded so far; "step" / "epoch":
    ``epoch`` counts from 1, ``step`` is the steps done in it, ``loss`` (cross-entropy, nats) and
    ``accuracy`` are means over the training images of the epoch so far; ``fraction`` of all training."""

    kind: str  # encode | step | epoch
    fraction: float
    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps_per_epoch: int = 0
    loss: float = math.nan
    accuracy: float = math.nan
    elapsed_s: float = 0.0


@dataclass
class ClassifierResult:
    """The last item ``train_classifier`` yields. ``history``: one ``{"epoch", "loss", "accuracy"}`` per
    finished epoch (training split); ``stopped`` when ``should_stop`` ended training early (the report then
    scores the head as far as it got). Test image i is dataset row ``first_test_row + i``."""

    report: ClassifierReport
    config: ClassifyConfig
    n_train: int
    first_test_row: int
    epochs_done: int
    stopped: bool
    history: list[dict] = field(default_factory=list)
    encode_s: float = 0.0
    train_s: float = 0.0
    elapsed_s: float = 0.0

    def to_dict(self) -> dict:
        return {"report": self.report.to_dict(), "config": self.config.to_dict(), "n_train": self.n_train,
                "epochs_done": self.epochs_done, "stopped": self.stopped, "history": self.history,
                "encode_s": self.encode_s, "train_s": self.train_s, "elapsed_s": self.elapsed_s}


def train_classifier(model, data: Dataset, cfg: ClassifyConfig,
                     should_stop: Callable[[], bool] = lambda: False
                     ) -> Iterator[ClassifyProgress | ClassifierResult]:
    """Train a classifier on ``model``'s encoder (see the module docstring); ``model`` is left as it was.
    ``should_stop()`` is asked between steps: True ends training and scores what was trained so far."""
    try:
        yield from _train(model, data, cfg, should_stop)
    except TrainerError:
        raise
    except RuntimeError as e:  # torch reports most failures as RuntimeError
        raise TrainerError(f"training the classifier failed: {e}") from e


def _check_data(model, data: Dataset) -> None:
    where = data.source or data.spec
    if tuple(data.image_shape) != tuple(model.config.image_shape):
        raise DataError(f"{where}: images are {data.image_shape} but the model expects "
                        f"{tuple(model.config.image_shape)}")
    if len(data.class_names) < 2:
        raise DataError(f"{where}: a classifier needs two or more classes")
    if data.n_train < 1 or data.n_test < 1:
        raise DataError(f"{where}: a classifier needs a training and a test split "
                        f"({data.n_train} and {data.n_test} images)")


def _train(model, data: Dataset, cfg: ClassifyConfig, should_stop) -> Iterator:
    from trainer.train import resolve_device

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    data = data.limit_train(cfg.limit_train)
    _check_data(model, data)
    if cfg.mode == "finetune" and getattr(model, "is_onnx", False):
        raise ConfigError("an ONNX encoder cannot be fine-tuned (ONNX Runtime runs it; it has no torch "
                          "weights): use the frozen encoder")
    device, start = resolve_device(cfg.device), time.monotonic()
    features = PixelPCA(model.config.latent_dim) if cfg.mode == "pca" else _Codes(model)
    codes = yield from features.fit(data.images[:data.n_train], start)
    _check_codes(codes)
    encode_s = time.monotonic() - start
    net = _classifier(model, cfg, codes, len(data.class_names), device)
    x = data.images[:data.n_train] if cfg.mode == "finetune" else codes
    loop = _Loop(cfg, _tensor(x, device), _tensor(data.labels[:data.n_train], device), start)
    yield from loop.run(net, should_stop)
    train_s = time.monotonic() - loop.started
    predictions = _predict(net, features, data.images[data.n_train:], cfg.mode, device)
    report = make_report(data.labels[data.n_train:], predictions, data.class_names)
    elapsed = time.monotonic() - start
    yield ClassifierResult(report, cfg, data.n_train, data.n_train, len(loop.history), loop.stopped,
                           loop.history, encode_s, train_s, elapsed)


def _check_codes(codes: np.ndarray) -> None:
    bad = int((~np.isfinite(codes).all(axis=1)).sum())
    if bad:
        raise TrainerError(f"the encoder's codes of {bad:,} of {len(codes):,} training images are not finite "
                           "(NaN or Inf): the model's weights overflow float32, so no classifier can learn "
                           "from them; retrain the model")


class _Codes:
    """The features of the frozen and fine-tuned modes: the encoder's latent means (float32 N×D)."""

    def __init__(self, model):
        self.model = model

    def fit(self, images: np.ndarray, start: float) -> Iterator[ClassifyProgress]:
        """The codes of the training images, encoded in chunks with a record after each."""
        parts = []
        for i in range(0, len(images), ENCODE_CHUNK):
            parts.append(self(images[i:i + ENCODE_CHUNK]))
            done = min(i + ENCODE_CHUNK, len(images))
            yield ClassifyProgress("encode", done / len(images), elapsed_s=time.monotonic() - start)
        return np.concatenate(parts)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        from trainer.latent import encode

        return encode(self.model, images)[0]


class PixelPCA:
    """The baseline's features: the first ``d`` principal components of the pixels (in [0, 1]), float32 N×d,
    fitted on the training images by scikit-learn's PCA (randomized SVD, seed 0)."""

    def __init__(self, d: int):
        self.d, self.pca = d, None

    def fit(self, images: np.ndarray, start: float) -> Iterator[ClassifyProgress]:
        from sklearn.decomposition import PCA

        x = _flat(images)
        d = min(self.d, *x.shape)
        self.pca = PCA(n_components=d, svd_solver="randomized", random_state=0).fit(x)
        yield ClassifyProgress("encode", 1.0, elapsed_s=time.monotonic() - start)
        return self(images)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self.pca.transform(_flat(images)).astype(np.float32)


def _flat(images: np.ndarray) -> np.ndarray:
    return np.asarray(images, dtype=np.float32).reshape(len(images), -1) / 255


def _tensor(array: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.array(array, copy=True)).to(device)


# ---- the networks -----------------------------------------------------------------------------------------

class Standardize(nn.Module):
    """(z - mean) / std with fixed statistics (of the training codes)."""

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z - self.mean) / self.std


class EncoderClassifier(nn.Module):
    """Images (float in [0, 1]) -> class logits: a copy of an autoencoder's encoder body and mean layer,
    the fixed standardisation, the head."""

    def __init__(self, model, scale: Standardize, head: nn.Module):
        super().__init__()
        self.encoder, self.mu = copy.deepcopy(model.encoder), copy.deepcopy(model.mu)
        self.scale, self.head = scale, head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.scale(self.mu(self.encoder(x))))


def _classifier(model, cfg: ClassifyConfig, codes: np.ndarray, k: int, device: torch.device) -> nn.Module:
    """Frozen and pca: standardisation + head (on features). Finetune: EncoderClassifier (on images).
    Seeded init."""
    mean, std = codes.mean(0, dtype=np.float64), codes.std(0, dtype=np.float64)
    scale = Standardize(mean, np.maximum(std, 1e-6))
    head = _head(codes.shape[1], k, cfg, torch.Generator().manual_seed(cfg.seed))
    net = EncoderClassifier(model, scale, head) if cfg.mode == "finetune" else nn.Sequential(scale, head)
    net = net.to(device=device, memory_format=torch.contiguous_format)
    for p in net.parameters():
        p.requires_grad_(True)
    return net.train()


def _head(d: int, k: int, cfg: ClassifyConfig, gen: torch.Generator) -> nn.Module:
    layers = [nn.Linear(d, k)] if cfg.head == "linear" else [nn.Linear(d, cfg.hidden), nn.ReLU(),
                                                              nn.Linear(cfg.hidden, k)]
    for layer in layers:
        if isinstance(layer, nn.Linear):
            _init_linear(layer, gen)
    return nn.Sequential(*layers)


def _init_linear(layer: nn.Linear, gen: torch.Generator) -> None:
    """PyTorch's default Linear init (uniform ±1/sqrt(fan_in)), drawn from ``gen``: the global RNG, which
    other threads may use, is left alone."""
    bound = 1 / math.sqrt(layer.in_features)
    with torch.no_grad():
        for p in (layer.weight, layer.bias):
            p.copy_(torch.rand(p.shape, generator=gen) * 2 * bound - bound)


@torch.inference_mode()
def _predict(net: nn.Module, features, images: np.ndarray, mode: str, device: torch.device) -> np.ndarray:
    """Predicted classes (int64) of uint8 images: ``features(chunk)`` feed the head, except when fine-tuning
    (the network takes the pixels)."""
    net.eval()
    out = []
    for i in range(0, len(images), ENCODE_CHUNK):
        chunk = images[i:i + ENCODE_CHUNK]
        x = np.asarray(chunk, np.float32) / 255 if mode == "finetune" else features(chunk)
        out.append(net(torch.from_numpy(np.ascontiguousarray(x)).to(device)).argmax(1).cpu().numpy())
    return np.concatenate(out).astype(np.int64)


# ---- the loop ---------------------------------------------------------------------------------------------

class _Loop:
    """Minibatch Adam on cross-entropy (the learning rate scheduled per step); epoch sums are tensors, read
    only when a record is made."""

    def __init__(self, cfg: ClassifyConfig, x: torch.Tensor, y: torch.Tensor, start: float):
        self.cfg, self.x, self.y, self.start = cfg, x, y, start
        self.steps = math.ceil(len(x) / cfg.batch_size)
        self.history: list[dict] = []
        self.stopped = False
        self.started = start
        self.sums = torch.zeros(2, device=x.device)  # loss summed over images, correct predictions
        self.seen = 0
        cpu_images = x.dim() == 4 and x.device.type == "cpu"  # conv encoders step ~1.2× faster channels_last
        self.fmt = torch.channels_last if cpu_images else torch.contiguous_format

    def run(self, net: nn.Module, should_stop) -> Iterator[ClassifyProgress]:
        self.started = time.monotonic()
        net.to(memory_format=self.fmt)
        opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=self.cfg.learning_rate)
        self.schedule = _schedule(opt, self.cfg, self.steps)
        order = torch.Generator().manual_seed(self.cfg.seed)
        self.shifts = torch.Generator().manual_seed(self.cfg.seed + 1)
        last = time.monotonic()
        for epoch in range(1, self.cfg.epochs + 1):
            perm = torch.randperm(len(self.x), generator=order).to(self.x.device)
            self.sums.zero_()
            self.seen = 0
            for step in range(1, self.steps + 1):
                if should_stop():
                    self.stopped = True
                    return
                self._step(net, opt, perm[(step - 1) * self.cfg.batch_size:step * self.cfg.batch_size])
                if time.monotonic() - last >= self.cfg.report_every_s:
                    last = time.monotonic()
                    yield self.record("step", epoch, step)
            record = self.record("epoch", epoch, self.steps)
            self._check_finite(record)
            self.history.append({"epoch": epoch, "loss": record.loss, "accuracy": record.accuracy})
            yield record

    def _step(self, net: nn.Module, opt, rows: torch.Tensor) -> None:
        x = self.x[rows]
        if x.dtype == torch.uint8:
            x = x.float().div_(255)
            if self.cfg.shift_px:
                x = random_shift(x, self.cfg.shift_px, self.shifts)
            x = x.contiguous(memory_format=self.fmt)
        logits = net(x)
        loss = F.cross_entropy(logits, self.y[rows])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.schedule.step()
        with torch.no_grad():
            correct = (logits.argmax(1) == self.y[rows]).sum()
            self.sums += torch.stack([loss.detach() * len(rows), correct.float()])
        self.seen += len(rows)

    def record(self, kind: str, epoch: int, step: int) -> ClassifyProgress:
        loss, correct = (self.sums / max(self.seen, 1)).tolist()
        fraction = ((epoch - 1) * self.steps + step) / (self.cfg.epochs * self.steps)
        return ClassifyProgress(kind, fraction, epoch, self.cfg.epochs, step, self.steps, loss, correct,
                                time.monotonic() - self.start)

    def _check_finite(self, record: ClassifyProgress) -> None:
        if not math.isfinite(record.loss):
            raise TrainingDiverged(f"the classifier's loss became {record.loss} in epoch {record.epoch}: "
                                   f"try a lower learning rate", record.epoch, record.step)


def _schedule(opt, cfg: ClassifyConfig, steps_per_epoch: int):
    """Per-step learning rate: constant, or half a cosine from lr to 0 over all the run's steps."""
    if cfg.lr_schedule == "constant":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda _t: 1.0)
    return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, cfg.epochs * steps_per_epoch))


def random_shift(x: torch.Tensor, shift_px: int, gen: torch.Generator) -> torch.Tensor:
    """Each image of ``x`` (N×C×H×W float) moved by its own random (dy, dx), whole pixels in
    [-shift_px, shift_px] each (drawn from ``gen``, a CPU generator); the pixels moved in are 0."""
    n, _, h, w = x.shape
    s = int(shift_px)
    d = torch.randint(0, 2 * s + 1, (2, n), generator=gen).to(x.device)
    padded = F.pad(x, (s, s, s, s))
    rows = (d[0][:, None] + torch.arange(h, device=x.device))[:, :, None]  # N×H×1
    cols = (d[1][:, None] + torch.arange(w, device=x.device))[:, None, :]  # N×1×W
    picked = padded.permute(0, 2, 3, 1)[torch.arange(n, device=x.device)[:, None, None], rows, cols]
    return picked.permute(0, 3, 1, 2)
