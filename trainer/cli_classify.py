"""``python -m trainer classify MODEL``: train a classifier on a model's encoder and print its test report.

Frozen by default (the codes are the features, only the head learns); ``--finetune`` trains a copy of the
encoder with the head. Prints ``trainer.classify.format_report``; ``--json FILE`` also writes the figures.
Ctrl-C stops training and scores the head as far as it got (exit 130).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer import cli, limits
from trainer.errors import ConfigError
from trainer.files import write_with_fallback
from trainer.models.config import MAX_WIDTH


def add_parser(sub, common) -> None:
    p = sub.add_parser("classify", parents=[common], help="train a classifier on a model's encoder",
                       description="Stacked-autoencoder classification: a softmax (or one-hidden-layer) head "
                                   "on the encoder's codes, frozen or fine-tuned; scored on the test split.")
    p.add_argument("file", type=Path, metavar="MODEL")
    p.add_argument("--data", metavar="SPEC", help="data set (default: the one stored in the checkpoint)")
    p.add_argument("--finetune", action="store_true", help="train a copy of the encoder too (default frozen)")
    p.add_argument("--pca-baseline", action="store_true",
                   help="no encoder: the same head on the first D principal components of the pixels "
                        "(D = the model's code size)")
    p.add_argument("--head", choices=["linear", "mlp"], default="linear", help="(linear)")
    p.add_argument("--hidden", type=cli.bounded(MAX_WIDTH), metavar="N", help="mlp head: hidden units (64)")
    p.add_argument("--epochs", type=cli.EPOCHS, metavar="E", help="(10)")
    p.add_argument("--lr", type=cli.POSITIVE, metavar="LR",
                   help="Adam learning rate (1e-2 frozen, 1e-3 fine-tuned)")
    p.add_argument("--schedule", choices=["constant", "cosine"],
                   help="learning rate: constant, or half a cosine down to 0 "
                        "(constant frozen, cosine fine-tuned)")
    p.add_argument("--shift", dest="shift_px", type=cli.bounded(limits.MAX_SHIFT_PX, 0), metavar="PX",
                   help="fine-tuning: shift each training image by up to PX pixels, afresh each time "
                        "(augmentation; 0)")
    p.add_argument("--batch-size", type=cli.BATCH, metavar="N", help="(256)")
    p.add_argument("--seed", type=cli.SEED, metavar="S", help="(0)")
    p.add_argument("--limit-train", type=cli.LIMIT, metavar="N",
                   help="use the first N training images")
    p.add_argument("--threads", type=cli.THREADS, metavar="T", help="torch CPU threads")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="(auto)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the report as JSON")
    p.set_defaults(handler=cmd_classify)


FLAGS = ("hidden", "epochs", "lr", "batch_size", "seed", "limit_train", "threads", "device", "schedule",
         "shift_px")


def classify_config(args: argparse.Namespace):
    from trainer.classify import ClassifyConfig

    given = {name: getattr(args, name) for name in FLAGS if getattr(args, name) is not None}
    if args.finetune and args.pca_baseline:
        raise ConfigError("--finetune and --pca-baseline exclude each other")
    mode = "finetune" if args.finetune else "pca" if args.pca_baseline else "frozen"
    return ClassifyConfig(mode=mode, head=args.head, **given)


def cmd_classify(args: argparse.Namespace) -> int:
    from trainer.model_files import load_model

    cfg = classify_config(args)  # bad settings fail before anything is loaded
    cli.prepare_outputs(args.json)
    model, info = load_model(args.file, threads=args.threads)
    spec = args.data or info.dataset_spec
    if not spec:
        raise ConfigError(f"{args.file}: no data set stored in the checkpoint; pass --data SPEC")
    result = run(model, cli.load_data(spec, args), cfg, args)
    print_result(result, args.file, spec)
    if args.json:  # a write that fails at the end keeps the report in a recovery file, and says where
        report = {"checkpoint": str(args.file), "data": spec, **result.to_dict()}
        write_with_fallback(args.json, lambda p: cli.write_json(p, report), "classifier report")
    return cli.EXIT_INTERRUPTED if result.stopped else 0


def run(model, data, cfg, args: argparse.Namespace):
    """train_classifier with a tqdm bar on stderr; the first Ctrl-C stops training (the head is scored)."""
    from tqdm import tqdm

    from trainer.classify import ClassifierResult, train_classifier

    flag, result = cli.StopFlag(), None
    bar = tqdm(disable=not cli._show_bars(args), file=sys.stderr, total=100, unit="%", dynamic_ncols=True)
    try:
        with cli.catch_sigint(flag):
            for item in train_classifier(model, data, cfg, should_stop=flag):
                if isinstance(item, ClassifierResult):
                    result = item
                else:
                    _update(bar, item)
    finally:
        bar.close()
    return result


def _update(bar, p) -> None:
    if p.kind == "encode":
        bar.set_description("encoding", refresh=False)
    else:
        bar.set_description(f"epoch {p.epoch}/{p.epochs}", refresh=False)
        bar.set_postfix_str(f"loss {p.loss:.3f} train accuracy {p.accuracy:.3f}", refresh=False)
    bar.update(round(100 * p.fraction) - bar.n)


def print_result(result, path: Path, spec: str) -> None:
    from trainer.classify import format_report

    cfg = result.config
    how = {"finetune": "fine-tuned encoder", "frozen": "frozen encoder",
           "pca": "baseline: the pixels' principal components (as many as the code's size)"}[cfg.mode]
    state = "stopped after" if result.stopped else "trained"
    print(f"{path}: {how} + {cfg.head} head, {state} {result.epochs_done} epoch(s) on "
          f"{result.n_train:,} images (encoding {result.encode_s:.1f} s, training {result.train_s:.1f} s)")
    print(f"test split of {spec}: accuracy {result.report.accuracy:.4f} on {result.report.n:,} images\n")
    print(format_report(result.report), end="")
