"""Same initial weights, other batch orders: how far the test loss after a few epochs moves with the order
alone, for our ``fit`` and for the plain loop of ``train_speed.py`` (issue 12: is a same-seed difference
between the two loops the loop's fault, or the order's?).

    .venv/bin/python benchmarks/batch_order.py [--seed 1] [--orders 1 11 21] [--epochs 3]

Prints one test loss (nats per image, ``trainer.metrics.evaluate``) per loop and order, and each loop's mean.
Figures only, no asserts (benchmarks/README.md records them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_speed as ts  # noqa: E402

from trainer.data import load_dataset  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1, help="the initial weights' seed (1)")
    p.add_argument("--orders", type=int, nargs="+", default=[1, 11, 21], help="batch-order seeds (1 11 21)")
    p.add_argument("--limit-train", type=int, default=20000)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args(argv)
    data = load_dataset("fashion-mnist").limit_train(args.limit_train)
    for name in ("ours", "tutorial"):
        losses = []
        for order in args.orders:
            model = ts.new_model(args.seed)  # the same initial weights every time
            run = ts.parse_args(["--limit-train", str(args.limit_train), "--epochs", str(args.epochs),
                                 "--seed", str(order)])
            loop = ts.ours(model, data, run) if name == "ours" else ts.tutorial(model, data, run)
            torch.manual_seed(order)  # the plain loop's DataLoader shuffles with the global generator
            for _ in range(args.epochs):
                next(loop)
            loop.close()
            losses.append(ts.evaluate(model.cpu().eval(), data.test).loss_nats)
            print(f"{name:9} weights seed {args.seed}, batch order {order}: test loss {losses[-1]:.2f}",
                  flush=True)
        print(f"{name:9} mean {statistics.mean(losses):.2f} nats over {len(losses)} orders", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
