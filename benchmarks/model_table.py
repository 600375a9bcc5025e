"""The README's table of bundled models: test ELBO, IW-NLL, PSNR, active units and training time of each.

For every ``*.safetensors`` in ``resources/models`` (``trainer.resources.models_dir()``): its data set is
loaded from the spec stored in the checkpoint (a model whose data set is not on this machine is listed
with "data not found"), and ``trainer.metrics.evaluate`` scores the test split:

- ELBO (nats per image, one sample z ~ q(z|x) per image; VAEs only: an autoencoder has no posterior),
  over the whole test split;
- IW-NLL: the importance-weighted estimate of -log p(x) (Burda et al. 2015) with ``--k`` samples on the
  first ``--iw-images`` test images (VAEs only);
- PSNR (dB, peak 1) of the deterministic reconstruction sigmoid(decode(mu)), mean over the test split;
- active units: code dimensions whose mean varies across the test images by more than 0.01 (Burda et al.);
- training time: ``elapsed_s`` that ``python -m trainer fit`` stored in the checkpoint (the machine it
  trained on: resources/models/train_all.sh, 2 shared CPU cores), with the epochs and training images; a
  model continued with ``fit --init`` adds the runs before (``continued_from``), shown as "3 + 4 epochs".

Images are scored as the model was trained: binarized (trainer.binarize) when its training settings say so.

    .venv/bin/python benchmarks/model_table.py [--k 100] [--iw-images 1000] [--threads 2] [--json FILE]
        [--models NAME ...]

Prints a Markdown table (the README's "Pretrained models" table is its output).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from trainer.binarize import binarized_test
from trainer.checkpoint import load_checkpoint
from trainer.data import load_dataset
from trainer.errors import TrainerError
from trainer.metrics import evaluate
from trainer.resources import models_dir

HEADER = ("model", "data", "code", "test ELBO (nats)", "IW-NLL (nats)", "PSNR (dB)", "active units",
          "training")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--k", type=int, default=100, help="importance samples for the IW-NLL (100)")
    p.add_argument("--iw-images", type=int, default=1000, help="test images for the IW-NLL (1000)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (2)")
    p.add_argument("--models", nargs="*", metavar="NAME", help="file stems to score (default: all)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    return p.parse_args(argv)


def score(path: Path, k: int, iw_images: int) -> dict:
    """The figures of one bundled model (see the module docstring); ``error`` says why one is missing."""
    model, info = load_checkpoint(path)
    trained = info.metrics or {}
    before = trained.get("continued_from") or {}
    row = {"model": path.stem, "data": info.dataset_spec, "family": model.config.family,
           "latent_dim": model.config.latent_dim,
           "training_s": (trained.get("elapsed_s") or 0) + (before.get("elapsed_s") or 0) or None,
           "epochs": trained.get("epochs"), "epochs_before": before.get("epochs"),
           "train_images": trained.get("train_images")}
    try:
        data = load_dataset(info.dataset_spec, download=False)
    except TrainerError as e:
        return {**row, "error": f"data not found ({e})"}
    binarize = (info.train_config or {}).get("binarize", False)
    test = binarized_test(data, info.train_config.get("seed", 0)) if binarize else data.test
    start = time.perf_counter()
    m = evaluate(model, test)
    row.update(elbo_nats=m.elbo_nats if model.is_vae else None, recon_nats=m.recon_nats, psnr_db=m.psnr_db,
               active_units=m.active_units, n_test=m.n, binarized=binarize)
    if model.is_vae and k > 0:
        subset = test.subset(slice(0, iw_images), n_train=0)
        nll = evaluate(model, subset, iw_samples=k).nll_iw_nats
        row.update(nll_iw_nats=nll, iw_k=k, iw_n=len(subset.images))
    row["eval_s"] = time.perf_counter() - start
    return row


def markdown(rows: list[dict], k: int, iw_images: int) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
    for r in rows:
        lines.append("| " + " | ".join(_cells(r)) + " |")
    lines.append("")
    lines.append(f"ELBO, PSNR and active units over each test split; IW-NLL with k = {k} on the first "
                 f"{iw_images:,} test images (an upper bound on -log p(x); lower is better). "
                 "Autoencoders have no posterior: no ELBO or IW-NLL. Training time as stored by `fit` "
                 "(2 shared CPU cores; on a GPU: not measured, none was lent to us).")
    return "\n".join(lines)


def _cells(r: dict) -> list[str]:
    code = f"{r['latent_dim']}-D {_FAMILY.get(r['family'], r['family'])}"
    if "error" in r:
        return [f"`{r['model']}`", r["data"], code, r["error"], "", "", "", _training(r)]
    elbo = f"{r['elbo_nats']:.1f}" if r.get("elbo_nats") is not None else "—"
    nll = f"{r['nll_iw_nats']:.1f}" if r.get("nll_iw_nats") is not None else "—"
    data = r["data"] + (" (binarized)" if r.get("binarized") else "")
    return [f"`{r['model']}`", data, code, elbo, nll, f"{r['psnr_db']:.1f}", str(r["active_units"]),
            _training(r)]


_FAMILY = {"vae": "VAE", "ae": "AE", "sparse": "sparse AE"}


def _training(r: dict) -> str:
    seconds = r.get("training_s")
    if not seconds:
        return "?"
    minutes = f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"
    epochs = f"{r['epochs_before']} + {r['epochs']}" if r.get("epochs_before") else f"{r['epochs']}"
    return f"{minutes} ({epochs} epochs × {r['train_images']:,} images)"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    paths = sorted(models_dir().glob("*.safetensors"))
    if args.models:
        paths = [p for p in paths if p.stem in args.models]
    rows = []
    for path in paths:
        rows.append(score(path, args.k, args.iw_images))
        print(f"scored {path.stem} ({rows[-1].get('eval_s', 0):.0f} s)", file=sys.stderr, flush=True)
    print(markdown(rows, args.k, args.iw_images))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
