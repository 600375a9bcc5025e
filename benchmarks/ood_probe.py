"""The out-of-distribution probe's figures: each bundled model against every other built-in data set.

For each model in ``resources/models`` (its own data set from the checkpoint's spec), up to ``--images``
test images of its own data and the same number of images of each foreign built-in data set (digits,
glyphs, shapes, faces, Fashion-MNIST where found), resized to the model's image shape
(``trainer.ood.fit_images``), are scored with ``trainer.ood.probe``: the ELBO per image (nats; one sample
z ~ q(z|x); for a plain autoencoder the reconstruction log-likelihood of decode(mu)). Printed per pair: the
median ELBO of both sets, the AUROC of the ELBO as an in/out detector (1 = it always ranks the model's own
images above the foreign ones, 0.5 = chance, below 0.5 = the foreign set looks MORE likely: Nalisnick et al.
2019) and the share of foreign images above the own median. No goal: the figures are the lesson.

    .venv/bin/python benchmarks/ood_probe.py [--images 1000] [--models fashion-mnist-vae digits-vae]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from trainer.checkpoint import load_checkpoint
from trainer.data import load_dataset
from trainer.data.bundled import available_offline
from trainer.errors import TrainerError
from trainer.ood import probe
from trainer.resources import models_dir

FOREIGN = ("digits", "glyphs", "shapes", "faces", "fashion-mnist")


def subset(images: np.ndarray, n: int, seed: int) -> np.ndarray:
    return images[np.sort(np.random.default_rng(seed).permutation(len(images))[:n])]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--images", type=int, default=1000, help="images per set (1000)")
    p.add_argument("--models", nargs="*", default=["fashion-mnist-vae", "digits-vae", "glyphs-vae",
                                                   "shapes-vae", "glyphs-ae"], help="model file stems")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    print("| model | own data | foreign data | median ELBO own (nats) | median ELBO foreign (nats) | AUROC | "
          "foreign above own median |")
    print("|---|---|---|---|---|---|---|")
    for stem in args.models:
        try:
            model, info = load_checkpoint(models_dir() / f"{stem}.safetensors")
            own_data = load_dataset(info.dataset_spec, download=False)
        except TrainerError as e:
            print(f"| {stem} | not available: {e} |||||")
            continue
        own = own_data.images[own_data.n_train:] if own_data.n_test else own_data.images
        own = subset(own, args.images, 1)
        for spec in FOREIGN:
            if spec == own_data.spec or not available_offline(spec):
                continue
            foreign = subset(load_dataset(spec, download=False).images, args.images, 0)
            r = probe(model, own, foreign)
            print(f"| {stem} | {own_data.spec} ({len(r.elbo_in)}) | {spec} ({len(r.elbo_out)}) | "
                  f"{np.median(r.elbo_in):.1f} | {np.median(r.elbo_out):.1f} | {r.auroc:.3f} | "
                  f"{r.share_higher:.0%} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
