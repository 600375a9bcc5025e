"""Training speed: the engine's ``fit`` against a plain PyTorch tutorial loop, same model, data and epochs.

Both train the Keras-example conv VAE (preset ``keras-conv``, latent 2) with Adam 1e-3 and batch 128 on
Fashion-MNIST from the same initial weights, one epoch of each in turn; both are scored by the same
``evaluate`` on the test split. The baseline is what a tutorial writes: a float TensorDataset +
DataLoader(shuffle=True), BCE-with-logits summed over pixels + analytic KL, and ``loss.item()`` every batch
for logging. Throughput leaves out the first (warm-up) epoch.

    .venv/bin/python benchmarks/train_speed.py [--epochs 3] [--threads N] [--limit-train N] [--json FILE]

Prints figures only; there are no asserts (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from trainer.data import load_dataset
from trainer.metrics import evaluate
from trainer.models import build_model, preset
from trainer.train import TrainConfig, autocast_dtype, fit, resolve_device

BATCH, LR, PRESET = 128, 1e-3, "keras-conv"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default="fashion-mnist", help="data set spec (fashion-mnist)")
    p.add_argument("--epochs", type=int, default=3, help="epochs for each loop (3)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (all cores)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"], help="(cpu)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"],
                   help="ours only (auto: bf16 autocast where the CPU has native bf16); tutorial: fp32")
    p.add_argument("--limit-train", type=int, help="train on the first N images only")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return p.parse_args(argv)


def throughput(epoch_seconds: list[float], images_per_epoch: int) -> float:
    """Images per second with the first epoch left out (when there are several)."""
    seconds = epoch_seconds[1:] if len(epoch_seconds) > 1 else epoch_seconds
    return images_per_epoch * len(seconds) / sum(seconds)


def new_model(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)  # both loops start from the same weights
    return build_model(preset(PRESET))


def ours(model, data, args) -> Iterator[float]:
    """The engine's fit; yields each epoch's seconds (fit's own clock, validation not counted)."""
    cfg = TrainConfig(epochs=args.epochs, batch_size=BATCH, lr=LR, optimizer="adam", seed=args.seed,
                      threads=args.threads, device=args.device, precision=args.precision, report_every_s=1.0)
    for p in fit(model, data, cfg):
        if p.kind == "epoch":
            print(f"  ours      epoch {p.epoch}: {p.epoch_seconds[-1]:6.1f} s, train loss {p.loss:.2f}")
            yield p.epoch_seconds[-1]


def tutorial(model, data, args) -> Iterator[float]:
    """The straightforward loop: DataLoader over a float TensorDataset, per-batch .item(); yields seconds."""
    device = resolve_device(args.device)
    model.to(device).train()
    x = torch.from_numpy(data.images[:data.n_train]).float() / 255
    loader = DataLoader(TensorDataset(x), batch_size=BATCH, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for epoch in range(1, args.epochs + 1):
        start, running = time.perf_counter(), 0.0
        for (xb,) in loader:
            xb = xb.to(device)
            out = model(xb)
            bce = F.binary_cross_entropy_with_logits(out.logits, xb, reduction="sum")
            kl = -0.5 * torch.sum(1 + out.logvar - out.mu.pow(2) - out.logvar.exp())
            loss = (bce + kl) / len(xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
        seconds = time.perf_counter() - start
        print(f"  tutorial  epoch {epoch}: {seconds:6.1f} s, train loss {running / len(x):.2f}")
        yield seconds


def race(data, args) -> dict[str, dict]:
    """Alternate epochs between the two loops, so that load from other programs hits both alike."""
    models = {name: new_model(args.seed) for name in ("ours", "tutorial")}
    loops = {"ours": ours(models["ours"], data, args), "tutorial": tutorial(models["tutorial"], data, args)}
    seconds: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(args.epochs):
        for name, loop in loops.items():
            torch.manual_seed(args.seed + len(seconds[name]))  # each loop's noise independent of the other
            seconds[name].append(next(loop))
    for loop in loops.values():
        loop.close()
    return {name: score(name, models[name].cpu().eval(), seconds[name], data) for name in loops}


def score(name: str, model, seconds: list[float], data) -> dict:
    m = evaluate(model, data.test)
    return {"name": name, "epoch_seconds": seconds, "s_per_epoch": sum(seconds) / len(seconds),
            "images_per_s": throughput(seconds, data.n_train), "test_loss_nats": m.loss_nats,
            "test_recon_nats": m.recon_nats, "test_kl_nats": m.kl_nats}


def report(results: dict) -> None:
    print(f"\n{'':10} {'images/s':>10} {'s/epoch':>9} {'test loss':>10}   "
          f"(nats/image after {results['epochs']} epochs)")
    for r in (results["ours"], results["tutorial"]):
        print(f"{r['name']:10} {r['images_per_s']:>10,.0f} {r['s_per_epoch']:>9.2f} "
              f"{r['test_loss_nats']:>10.2f}")
    print(f"speed ratio (ours / tutorial, first epoch excluded): {results['speed_ratio']:.2f}x; "
          f"test loss difference (ours - tutorial): {results['loss_difference_nats']:+.2f} nats")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    data = load_dataset(args.data).limit_train(args.limit_train)
    print(f"{data.spec}: {data.n_train:,} train / {data.n_test:,} test images, {args.epochs} epochs, "
          f"batch {BATCH}, {args.threads} threads, device {args.device}, torch {torch.__version__}, ours "
          f"autocast {autocast_dtype(args.precision, resolve_device(args.device))}")
    scores = race(data, args)
    results = {"data": data.spec, "train_images": data.n_train, "epochs": args.epochs, "batch_size": BATCH,
               "threads": args.threads, "device": args.device, "torch": torch.__version__,
               "ours_autocast": str(autocast_dtype(args.precision, resolve_device(args.device))),
               "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
               **scores}
    ours, tutorial = scores["ours"], scores["tutorial"]
    results["speed_ratio"] = ours["images_per_s"] / tutorial["images_per_s"]
    results["loss_difference_nats"] = ours["test_loss_nats"] - tutorial["test_loss_nats"]
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
