"""``latent-trainer`` / ``python -m trainer``: train, evaluate and inspect models from a terminal.

Subcommands: ``fit``, ``eval``, ``datasets``, ``info`` (and ``sweep``, ``classify``). Bad input prints one
``error: ...`` line to stderr and exits 2 (usage, impossible settings) or 1 (data, model files, outputs,
divergence, non-finite figures); Ctrl-C exits 130; ``--debug`` shows tracebacks. Every number a flag takes is
bounded (``trainer.limits``), and every output is proven writable before the work starts.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from trainer import limits
from trainer.errors import ConfigError, TrainerError
from trainer.files import atomic_file, check_output, write_with_fallback
from trainer.models.config import MAX_LATENT, MAX_LAYERS, MAX_WIDTH

DENOISING_NOISE = "gaussian:0.3"  # --family denoising = family "ae" trained on inputs with this noise
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad command line (argparse's complaint, reworded to one line)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage block and exit; we want one line
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---------------------------------------------------------------------------------------------- arguments

def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers like 512,256, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 512,256, got {text!r}")
    if max(values) > MAX_WIDTH or len(values) > MAX_LAYERS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_LAYERS} widths of at most {MAX_WIDTH:,}, "
                                         f"got {text!r}")
    return values


def _number(kind: type, low: float, strict: bool, high: float | None = None) -> Callable[[str], float]:
    """An argparse type: a number > low (``strict``) or >= low, and <= high when given."""
    def parse(text: str):
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value < low or (strict and value == low):
            raise argparse.ArgumentTypeError(f"must be {'>' if strict else '>='} {low:g}, got {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def bounded(high: int, low: int = 1) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (0 or 1) to ``high``."""
    return _number(int, 0, low > 0, high)


POSITIVE_INT, COUNT = _number(int, 0, True), _number(int, 0, False)
POSITIVE, NON_NEGATIVE = _number(float, 0, True), _number(float, 0, False)
EPOCHS, BATCH, THREADS = bounded(limits.MAX_EPOCHS), bounded(limits.MAX_BATCH), bounded(limits.MAX_THREADS)
SEED, LIMIT = bounded(limits.MAX_SEED, 0), bounded(limits.MAX_LIMIT)
IW_SAMPLES = bounded(limits.MAX_IW_SAMPLES, 0)


def _add_model_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model (a preset, or a family and architecture; flags override the preset)")
    g.add_argument("--preset", help="keras-conv, mlp-512, mlp-deep, glyph-35-5, conv-32, conv-64")
    g.add_argument("--family", choices=["ae", "vae", "sparse", "denoising"],
                   help=f"default vae; denoising = ae trained with --noise {DENOISING_NOISE} unless given")
    g.add_argument("--arch", choices=["mlp", "conv"], help="default mlp")
    g.add_argument("--hidden", type=_int_list, metavar="W,W", help="MLP widths, encoder order (512)")
    g.add_argument("--channels", type=_int_list, metavar="C,C", help="conv channels, stride 2 each (32,64)")
    g.add_argument("--dense", type=bounded(MAX_WIDTH, 0), metavar="N",
                   help="conv: dense layer before the code (16)")
    g.add_argument("--latent-dim", type=bounded(MAX_LATENT), metavar="D", help="size of the code (2)")
    g.add_argument("--beta", type=NON_NEGATIVE, metavar="B", help="VAE: weight of the KL term (1)")
    g.add_argument("--sparsity", choices=["l1", "kl"], help="sparse: penalty on the code (l1)")
    g.add_argument("--sparsity-weight", type=NON_NEGATIVE, metavar="W", help="sparse: penalty weight (1e-3)")
    g.add_argument("--rho", type=POSITIVE, metavar="R", help="sparse kl: target activation (0.05)")


def _add_train_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("training")
    g.add_argument("--noise", metavar="KIND:LEVEL",
                   help="corrupt inputs: none, gaussian:0.3, salt-pepper:0.2, mask:0.25 (none)")
    g.add_argument("--epochs", type=EPOCHS, metavar="E", help="(10)")
    g.add_argument("--batch-size", type=BATCH, metavar="N", help="(128)")
    g.add_argument("--lr", type=POSITIVE, metavar="LR", help="learning rate (1e-3)")
    g.add_argument("--optimizer", choices=["adam", "sgd"], help="(adam)")
    g.add_argument("--momentum", type=NON_NEGATIVE, metavar="M", help="sgd momentum (0.9)")
    g.add_argument("--seed", type=SEED, metavar="S", help="(0)")
    g.add_argument("--threads", type=THREADS, metavar="T", help="torch CPU threads (torch's default)")
    g.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="(auto)")
    g.add_argument("--precision", choices=["auto", "fp32", "bf16"],
                   help="bf16 autocast; auto = bf16 where the CPU has native bf16 (auto)")
    g.add_argument("--limit-train", type=LIMIT, metavar="N", help="use the first N training images")
    g.add_argument("--binarize", action="store_true", default=None,
                   help="dynamic binarization: pixels drawn 0/1 afresh each epoch (MNIST likelihoods)")


def _add_fit(sub, common) -> None:
    p = sub.add_parser("fit", parents=[common], help="train a model and save it",
                       description="Train a model on a data set, evaluate it on the test split, save it.")
    p.add_argument("--data", required=True, metavar="SPEC",
                   help="shapes, digits, mnist, fashion-mnist, idx:PATH... (see the datasets command)")
    _add_model_args(p)
    _add_train_args(p)
    g = p.add_argument_group("output")
    g.add_argument("--out", type=Path, default=Path("model.safetensors"), metavar="FILE",
                   help="checkpoint to write (model.safetensors)")
    g.add_argument("--metrics-json", type=Path, metavar="FILE", help="also write the figures as JSON")
    g.add_argument("--iw-samples", type=IW_SAMPLES, default=0, metavar="K",
                   help="VAE: importance-weighted NLL with K samples on the test split (0 = skip)")
    p.add_argument("--init", type=Path, metavar="CHECKPOINT",
                   help="continue training this checkpoint's model (model flags must match it or be "
                        "left out)")
    p.set_defaults(handler=cmd_fit)


def _add_eval(sub, common) -> None:
    p = sub.add_parser("eval", parents=[common], help="evaluate a model on a test split",
                       description="ELBO terms, PSNR and active units on the test split; IW-NLL with "
                                   "--iw-samples. FILE: a checkpoint, or an ONNX model folder or .zip.")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--data", metavar="SPEC", help="data set (default: the one stored in the checkpoint)")
    p.add_argument("--iw-samples", type=IW_SAMPLES, default=0, metavar="K",
                   help="VAE: importance-weighted NLL with K samples (0 = skip)")
    p.add_argument("--threads", type=THREADS, metavar="T", help="torch CPU threads")
    p.add_argument("--metrics-json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--binarize", action=argparse.BooleanOptionalAction, default=None,
                   help="score the test images binarized once, seeded (default: as the model was trained); "
                        "prints the published binarized-MNIST figure beside ours")
    p.add_argument("--limit-test", type=LIMIT, metavar="N", help="score the first N test images")
    p.set_defaults(handler=cmd_eval)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    common.add_argument("--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no bars")
    parser = _Parser(prog="latent-trainer", description="Train and inspect autoencoders and VAEs.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_fit(sub, common)
    _add_eval(sub, common)
    p = sub.add_parser("datasets", parents=[common], help="list data sets and where they are; --download")
    p.add_argument("--download", metavar="NAME",
                   help="fetch mnist or fashion-mnist to the user data folder")
    p.set_defaults(handler=cmd_datasets)
    p = sub.add_parser("info", parents=[common], help="show a model's metadata (checkpoint or ONNX model)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_info)
    for name in EXTRA_COMMANDS:  # each module: add_parser(sub, common) sets its own handler
        importlib.import_module(f"trainer.{name}").add_parser(sub, common)
    return parser


# modules under trainer/ that add a command
EXTRA_COMMANDS = ("cli_sweep", "cli_classify", "cli_export", "cli_codes")


# ---------------------------------------------------------------------------------------------- configs

MODEL_FLAGS = {"family": "family", "arch": "arch", "hidden": "hidden", "channels": "conv_channels",
               "dense": "dense", "latent_dim": "latent_dim", "beta": "beta", "sparsity": "sparsity",
               "sparsity_weight": "sparsity_weight", "rho": "sparsity_target"}
TRAIN_FLAGS = ("noise", "epochs", "batch_size", "lr", "optimizer", "momentum", "seed", "threads", "device",
               "precision", "limit_train", "binarize")


def model_overrides(args: argparse.Namespace) -> dict:
    """The model settings given on the command line (``--family denoising`` becomes ``ae``)."""
    given = {field: getattr(args, flag) for flag, field in MODEL_FLAGS.items()
             if getattr(args, flag) is not None}
    if given.get("family") == "denoising":
        given["family"] = "ae"
    return given


def model_config(args: argparse.Namespace, image_shape: tuple[int, int, int]):
    """The ModelConfig for ``fit``: preset + flags, with the image shape taken from the data set."""
    from trainer.models import PRESETS, ModelConfig, preset

    overrides = model_overrides(args)
    if not args.preset:
        return ModelConfig(**overrides, image_shape=image_shape)
    cfg = preset(args.preset, **overrides)
    if cfg.image_shape == tuple(image_shape) or "image_shape" not in PRESETS[args.preset]:
        return cfg.with_(image_shape=image_shape)
    shape = "×".join(map(str, image_shape))
    wanted = "×".join(map(str, cfg.image_shape))
    if cfg.arch != "conv":
        raise ConfigError(f"preset {args.preset} expects {wanted} images but the data set has {shape}")
    try:
        return cfg.with_(image_shape=image_shape)
    except ConfigError as e:
        raise ConfigError(f"preset {args.preset} ({wanted}) cannot take {shape} images: {e}") from e


def train_config(args: argparse.Namespace):
    from trainer.train import TrainConfig

    given = {name: getattr(args, name) for name in TRAIN_FLAGS if getattr(args, name) is not None}
    if args.family == "denoising":
        given.setdefault("noise", DENOISING_NOISE)
    return TrainConfig(**given)


# ---------------------------------------------------------------------------------------------- progress

def _show_bars(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


class DownloadBars:
    """A ``progress(what, done, total)`` callback for load_dataset: one tqdm bar per item, on stderr."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar, self.what = enabled, None, None

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if what != self.what:
            self.close()
            self.what = what
            self.bar = tqdm(total=total or None, desc=what, file=sys.stderr, leave=False, unit_scale=True)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None


def load_data(spec: str, args: argparse.Namespace):
    from trainer.data import load_dataset

    bars = DownloadBars(_show_bars(args))
    try:
        return load_dataset(spec, progress=bars)
    finally:
        bars.close()


class StopFlag:
    """``should_stop`` for fit: set by the first Ctrl-C; a second Ctrl-C interrupts at once."""

    def __init__(self):
        self.stop = False

    def __call__(self) -> bool:
        return self.stop

    def on_sigint(self, signum, frame) -> None:
        if self.stop:
            raise KeyboardInterrupt
        self.stop = True
        print("\nstopping after this step (Ctrl-C again to stop at once)...", file=sys.stderr)


@contextmanager
def catch_sigint(flag: StopFlag) -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, flag.on_sigint)
    except ValueError:  # not the main thread: Ctrl-C arrives as KeyboardInterrupt instead
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def train(model, data, cfg, args: argparse.Namespace, history: list | None = None):
    """Run fit with a tqdm bar; return (last Progress or None, interrupted). Appends one ``epoch_record``
    per finished epoch to ``history`` when given."""
    from tqdm import tqdm

    from trainer.train import fit

    flag, last = StopFlag(), None
    bar = tqdm(disable=not _show_bars(args), file=sys.stderr, unit="step", dynamic_ncols=True)
    try:
        with catch_sigint(flag):
            for last in fit(model, data, cfg, should_stop=flag):
                update_bar(bar, last)
                if history is not None and last.kind == "epoch":
                    history.append(epoch_record(last))
    except KeyboardInterrupt:
        flag.stop = True
    finally:
        bar.close()
    return last, flag.stop or (last is not None and last.kind == "stopped")


def epoch_record(p) -> dict:
    """One epoch's losses per image (nats) for the checkpoint's ``metrics["history"]``: ``train`` is the mean
    over the epoch's steps (training mode), ``val`` the test split after the epoch (eval mode; None without
    a test split)."""
    train = {"loss": p.loss, "recon": p.recon, "kl": p.kl}
    val = {k: p.val[k] for k in ("loss", "recon", "kl") if k in p.val} if p.val else None
    return {"epoch": p.epoch, "train": finite_or_none(train), "val": finite_or_none(val) if val else None}


def update_bar(bar, p) -> None:
    total = p.epochs * p.steps_per_epoch
    if bar.total != total:
        bar.total = total
    bar.set_description(f"epoch {p.epoch}/{p.epochs}", refresh=False)
    bar.set_postfix_str(f"loss {p.loss:.2f} recon {p.recon:.2f} kl {p.kl:.2f} {p.images_per_s:,.0f} img/s",
                        refresh=False)
    done = min(total, (p.epoch - 1) * p.steps_per_epoch + p.step)  # epoch counts from 1, step within it
    bar.update(done - bar.n)  # redraws (at most every 0.1 s) with the text above


def throughput(epoch_seconds: list[float], images_per_epoch: int) -> float:
    """Training images per second, the first (warm-up) epoch left out when there are several."""
    seconds = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    total = sum(seconds)
    return images_per_epoch * len(seconds) / total if total > 0 else 0.0


# ---------------------------------------------------------------------------------------------- output

def write_json(path: Path, obj: dict) -> None:
    """Write JSON atomically: a temp file in the same folder, fsync, then rename over ``path``."""
    text = json.dumps(obj, indent=2, allow_nan=False, default=_jsonable) + "\n"
    with atomic_file(Path(path)) as f:
        f.write(text.encode())


def _jsonable(obj):
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-serialisable")


def data_summary(data) -> dict:
    return {"spec": data.spec, "source": data.source, "image_shape": list(data.image_shape),
            "n_train": data.n_train, "n_test": data.n_test, "class_names": list(data.class_names)}


def finite_or_none(d: dict) -> dict:
    """JSON has no NaN/Inf: replace them with null."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def print_metrics(title: str, m: dict | None) -> None:
    """The test figures; a figure that is not finite (stored as null) prints as "not finite"."""
    print(title)
    if m is None:
        print("  (no test split: nothing to evaluate)")
        return
    loss, recon, kl, psnr = (_figure(m.get(k)) for k in ("loss_nats", "recon_nats", "kl_nats", "psnr_db"))
    print(f"  loss  {loss} nats/image  (recon {recon}, kl {kl})")
    print(f"  PSNR  {psnr} dB   active units {m.get('active_units', '?')}   n={m.get('n', '?')}")
    if m.get("nll_iw_nats") is not None:
        print(f"  NLL   {m['nll_iw_nats']:.2f} nats/image (importance-weighted)")


def _figure(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) and math.isfinite(value) else "not finite"


def non_finite_test(model, test: dict | None, where) -> str | None:
    """None when the test loss is finite (or there is no test split), else one line that says why it is not:
    the largest weight, and whether the model's outputs overflow float32."""
    if test is None or test.get("loss_nats") is not None:
        return None
    biggest = max((float(p.detach().abs().max()) for p in model.parameters() if p.numel()), default=0.0)
    why = (f"its largest weight is {biggest:.3g}, so its outputs overflow float32" if biggest > 1e10 else
           "a reconstruction or the KL term overflows float32")
    return f"{where}: the test loss is not finite (Inf or NaN): {why}; retrain it (e.g. with a lower --lr)"


# ---------------------------------------------------------------------------------------------- commands

def cmd_fit(args: argparse.Namespace) -> int:
    import torch

    from trainer.distributed import is_main_process, launched_size
    from trainer.models import build_model, preset

    args.quiet = getattr(args, "quiet", False) or not is_main_process()  # torchrun: bars from rank 0 only
    tcfg = train_config(args)  # first: bad settings fail before any data is loaded
    if args.preset:
        preset(args.preset)  # an unknown name fails now, not after loading the data
    prepare_outputs(args.out, args.metrics_json)
    data = load_data(args.data, args)
    continued = None
    if getattr(args, "init", None) is not None:
        from trainer.fit_init import load_init

        given = args.preset or model_overrides(args)
        model, continued = load_init(args.init, model_config(args, data.image_shape) if given else None,
                                     data.image_shape)
        cfg = model.config
    else:
        cfg = model_config(args, data.image_shape)
    check_iw(cfg.family, args.iw_samples)
    torch.manual_seed(tcfg.seed)  # the initial weights follow --seed too (and match on every rank)
    if continued is None:
        model = build_model(cfg)
    train_images = data.limit_train(tcfg.limit_train).n_train
    history: list[dict] = []
    last, interrupted = train(model, data, tcfg, args, history)
    if not is_main_process():  # torchrun: rank 0 evaluates and writes; every rank holds the same model
        return EXIT_INTERRUPTED if interrupted else 0
    report = fit_report(model, data, cfg, tcfg, last, train_images, args.iw_samples, history)
    report["interrupted"] = interrupted
    if continued is not None:
        report["continued_from"] = continued
    report["processes"] = launched_size()  # images_per_s counts the images of all of them
    stored = {k: v for k, v in report.items() if k not in STORED_APART}
    with hold_sigint("saving") as held:
        save_fit(args, model, tcfg, data, stored, report)
    print_fit_summary(report, args.out)
    if (problem := non_finite_test(model, report["test"], f"{args.out} (saved)")) is not None:
        raise TrainerError(problem)
    return EXIT_INTERRUPTED if interrupted or held else 0


def save_fit(args: argparse.Namespace, model, tcfg, data, stored: dict, report: dict) -> None:
    """The checkpoint and the metrics JSON; one that cannot be written at the end is kept in a recovery file
    (``trainer.files.write_with_fallback``), and the OutputError that says where is raised after both."""
    from trainer.checkpoint import save_checkpoint

    problems = []
    writes = [(args.out, lambda p: save_checkpoint(p, model, train_config=tcfg, dataset=data, metrics=stored),
               "trained model")]
    if args.metrics_json:
        writes.append((args.metrics_json, lambda p: write_json(p, report), "metrics"))
    for dest, write, what in writes:
        try:
            write_with_fallback(dest, write, what)
        except TrainerError as e:
            problems.append(str(e))
    if problems:
        from trainer.errors import OutputError

        raise OutputError("; ".join(problems))


def prepare_outputs(*paths: Path | None) -> None:
    """Prove every output writable before the work starts (``trainer.files.check_output``: a regular file or
    none yet, its folder created and writable, its temporary name not too long), so that a typo, a read-only
    folder or a device fails now rather than after an hour of training."""
    for path in paths:
        if path is not None:
            check_output(path)


@contextmanager
def hold_sigint(what: str) -> Iterator[list]:
    """A Ctrl-C inside the block is held until the block ends (the list it yields is then non-empty), so that
    files are written whole: exit 130 afterwards."""
    held: list = []

    def on_sigint(signum, frame) -> None:
        if not held:
            print(f"\n{what}: Ctrl-C noted, stopping once the files are written...", file=sys.stderr)
        held.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread
        yield held
        return
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


STORED_APART = ("model_config", "train_config", "data")  # the checkpoint keeps these in their own fields


def fit_report(model, data, cfg, tcfg, last, train_images: int, iw_samples: int,
               history: list | None = None) -> dict:
    """What ``fit`` stores and prints; ``history``: per-epoch ``epoch_record`` dicts (loss curves)."""
    seconds = list(last.epoch_seconds) if last is not None else []
    test = evaluate_test(model, data, iw_samples, binarize_seed=tcfg.seed if tcfg.binarize else None)
    return {"images_per_s": throughput(seconds, train_images), "epoch_seconds": seconds,
            "epochs": len(seconds), "train_images": train_images,
            "elapsed_s": last.elapsed_s if last is not None else 0.0, "test": test, "history": history or [],
            "model_config": cfg.to_dict(), "train_config": tcfg.to_dict(), "data": data_summary(data)}


def evaluate_test(model, data, iw_samples: int, binarize_seed: int | None = None,
                  limit: int | None = None) -> dict | None:
    """Metrics.to_dict() on the test split (its first ``limit`` images; binarized with ``binarize_seed`` as
    in training, see trainer.binarize); None when the data set has no test split."""
    from trainer.binarize import binarized_test
    from trainer.metrics import evaluate

    check_iw(model.config.family, iw_samples)
    if data.n_test == 0:
        return None
    test = data.test if binarize_seed is None else binarized_test(data, binarize_seed)
    test = test.subset(slice(0, limit), n_train=0) if limit else test
    return finite_or_none(evaluate(model, test, iw_samples=iw_samples).to_dict())


def check_iw(family: str, iw_samples: int) -> None:
    if iw_samples and family != "vae":
        raise ConfigError(f"--iw-samples needs a VAE; this model is a {family}")


def print_fit_summary(report: dict, out: Path) -> None:
    state = "interrupted after" if report["interrupted"] else "trained"
    print(f"{state} {report['epochs']} epoch(s) on {report['train_images']:,} images, "
          f"{report['images_per_s']:,.0f} images/s")
    print_metrics(f"test split of {report['data']['spec']}:", report["test"])
    print(f"saved {out}")


def cmd_eval(args: argparse.Namespace) -> int:
    from trainer.errors import DataError
    from trainer.model_files import load_model

    _set_threads(args.threads)
    prepare_outputs(args.metrics_json)
    model, info = load_model(args.file, threads=args.threads)
    spec = args.data or info.dataset_spec
    if not spec:
        raise ConfigError(f"{args.file}: no data set stored in the checkpoint; pass --data SPEC")
    data = load_data(spec, args)
    if data.n_test == 0:
        raise DataError(f"{spec}: no test split to evaluate on")
    if tuple(data.image_shape) != tuple(model.config.image_shape):
        raise DataError(f"{spec}: images are {_shape(data.image_shape)} but {args.file} expects "
                        f"{_shape(model.config.image_shape)}")
    trained = info.train_config or {}
    binarize = trained.get("binarize", False) if args.binarize is None else args.binarize
    seed = trained.get("seed", 0) if binarize else None
    test = evaluate_test(model, data, args.iw_samples, seed, args.limit_test)
    if (problem := non_finite_test(model, test, args.file)) is not None:
        raise TrainerError(problem)
    print_metrics(f"{args.file} on the test split of {spec}{' (binarized)' if binarize else ''}:", test)
    if binarize:
        print_published(model, spec, test, args.iw_samples, data.n_test)
    if args.metrics_json:
        report = {"checkpoint": str(args.file), "data": data_summary(data), "test": test,
                  "model_config": model.config.to_dict()}
        write_with_fallback(args.metrics_json, lambda p: write_json(p, report), "metrics")
    return 0


def print_published(model, spec: str, test: dict, k: int, n_test: int) -> None:
    """Our IW-NLL beside the published binarized-MNIST figure for the same code size (trainer.published)."""
    from trainer.data.registry import KINDS, parse_spec
    from trainer.published import beside

    kind = parse_spec(spec, KINDS).kind
    lines = beside(test.get("nll_iw_nats"), model.config.latent_dim, data_kind=kind, binarized=True, k=k,
                   n=test["n"], n_test=n_test)
    print("\n".join(lines))


def _set_threads(n: int | None) -> None:
    if n:
        import torch

        torch.set_num_threads(n)


def _shape(shape) -> str:
    return "×".join(map(str, shape))


def cmd_datasets(args: argparse.Namespace) -> int:
    from trainer.data import list_datasets, load_dataset

    if args.download:
        bars = DownloadBars(_show_bars(args))
        try:
            ds = load_dataset(args.download, progress=bars)
        finally:
            bars.close()
        print(f"{args.download}: {len(ds.images):,} images in {ds.source}")
    rows = [(d.spec, "yes" if d.available else "no", d.where, d.description) for d in list_datasets()]
    print_table(("data set", "available", "where / how to get it", "description"), rows)
    return 0


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, str(row[-1])]).rstrip())


def cmd_info(args: argparse.Namespace) -> int:
    from trainer.model_files import load_model

    model, info = load_model(args.file)
    if getattr(model, "is_onnx", False):
        print(f"{info.path}  (ONNX model: encoder.onnx + decoder.onnx, "
              f"{'a VAE: mean and variance' if model.is_vae else 'codes only, no variance'})")
        print_section("manifest", _manifest_summary(model.manifest))
        exported = model.manifest.origin.get("model_config")
        if isinstance(exported, dict):
            print_section("model (before export)", exported)
    else:
        n_params = sum(p.numel() for p in model.parameters())
        print(f"{info.path}  (format {info.format_version}, {n_params:,} parameters, "
              f"saved {info.created or '?'})")
        print_section("model", info.model_config.to_dict())
    print_section("training", info.train_config or {})
    classes = ", ".join(info.class_names[:12]) + (" ..." if len(info.class_names) > 12 else "")
    print_section("data", {"spec": info.dataset_spec, "classes": classes,
                           "attributes": len(info.attribute_names or [])})
    metrics = dict(info.metrics or {})
    if "history" in metrics:  # per-epoch losses: too long to print
        history = metrics["history"]
        metrics["history"] = (f"{len(history)} epochs of train/val losses" if isinstance(history, list) else
                              f"(not a list: {type(history).__name__}, ignored)")
    print_section("metrics", metrics)
    return 0


def _manifest_summary(m) -> dict:
    variance = f"{m.log_variance} (log σ²)" if m.log_variance else f"{m.std} (σ)" if m.std else "-"
    return {"name": m.name or "-", "family": m.family,
            "image": f"{_shape(m.image_shape)} {m.layout}, pixels scaled to {list(m.input_range)}",
            "latent_dim": m.latent_dim, "encoder": f"{m.encoder_file}: mean {m.mean}, variance {variance}",
            "decoder": f"{m.decoder_file}: {m.returns}" + (f" in {list(m.output_range)}"
                                                           if m.returns == "probabilities" else "")}


def print_section(title: str, d: dict, indent: str = "  ") -> None:
    print(f"{indent[:-2]}{title}:")
    for key, value in d.items():
        if isinstance(value, dict) and len(indent) < 12:
            print_section(_short(key), value, indent + "  ")
        else:
            print(f"{indent}{_short(key):<18} {_short(_fmt(value), 200)}")


def _short(text, width: int = 60) -> str:
    """One line of at most ``width`` characters (metadata is read from files: it may hold anything)."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _fmt(value, depth: int = 0) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)) and depth > 2:
        return f"[... ({len(value)})]"
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return f"[{', '.join(_fmt(v, depth + 1) for v in value[:8])}, ... ({len(value)})]"
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(_fmt(v, depth + 1) for v in value)}]"
    return _short(value, 200)


# ---------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0, 1 (data, files, divergence), 2 (usage, settings), 130 (Ctrl-C)."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as e:
        return fail(str(e), 2)
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else 0
    try:
        return args.handler(args)
    except Exception as e:
        if args.debug:
            traceback.print_exc()
        return fail(*describe(e))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)


def entry() -> None:
    """The program (``latent-trainer``, ``python -m trainer``): ``main()``, then exit with its status. Once
    the command is over, Ctrl-C is ignored: a late one must not interrupt Python's shutdown (its atexit
    callbacks) nor turn the exit status into a signal."""
    code = EXIT_INTERRUPTED
    try:
        try:
            code = main()
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        code = fail("interrupted", EXIT_INTERRUPTED)
    sys.stdout.flush()
    sys.exit(code)


def describe(e: Exception) -> tuple[str, int]:
    """One line and an exit code for an exception."""
    if isinstance(e, ConfigError):
        return str(e), 2
    if isinstance(e, TrainerError):
        return str(e), 1
    if isinstance(e, OSError):
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror or e}", 1
    if isinstance(e, MemoryError):
        return "out of memory (the data set or the model is too large for this computer)", 1
    return f"unexpected {type(e).__name__}: {e} (rerun with --debug to see the traceback)", 1


def fail(message: str, code: int) -> int:
    line = " ".join(str(message).split())
    print(f"error: {line}", file=sys.stderr)
    return code

