"""The Training panel as a live demo: each built-in data set trained with the panel's defaults.

For each data set: the settings of ``trainer.defaults`` run through the panel's own training generator
(``explorer.training.train``: epoch-end and mid-epoch encodings included) with one torch thread, as the app
trains on a 2-core laptop (``explorer.workers.THREADS`` = cores - 1). Printed: seconds of training, the
final KL and reconstruction terms (nats per image, test split), the spread of the 2-D test codes, and the
separation of the classes: the accuracy of a 5-nearest-neighbour classifier (scikit-learn) fitted on the
training codes and scored on the test codes, next to the same classifier on the pixels' PCA plane (2
components, fitted on the training images). Goal: 20-60 s and the codes separating the classes at least as
well as the PCA plane.

    nice -n 10 .venv/bin/python benchmarks/training_demo.py [--data digits shapes …] [--threads 1]

Prints figures only; there are no asserts (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from trainer.data import load_dataset
from trainer.defaults import BUILTIN, kind_of

DATA = ("digits", "fashion-mnist-test", "fashion-mnist", "mnist", "shapes", "faces", "glyphs")
KNN_FIT_MOST = 20_000  # training codes the k-NN classifier is fitted on (a seeded subset beyond this)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", nargs="+", default=list(DATA), help="data set specs (every built-in one)")
    p.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - 1),
                   help="torch threads (the app's: cores - 1)")
    p.add_argument("--epochs", type=int, help="instead of the defaults' epochs (to calibrate them)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return p.parse_args(argv)


def train_with_defaults(data, threads: int, epochs: int | None = None):
    """Train the defaults' model through the panel's generator; (model, wall seconds, CPU seconds, last
    Progress). With one thread the CPU seconds are what the training takes on an idle core: on a shared,
    busy machine they are the better estimate of a laptop's wall time."""
    import torch

    from explorer import training
    from trainer.models import build_model, preset

    d = BUILTIN[kind_of(data.spec)]
    settings = d.model_settings()
    cfg = preset(settings.pop("name"), image_shape=data.image_shape, **settings)
    train = {**d.train_settings(), "report_every_s": 0.2, "device": "cpu"}
    if epochs:
        train["epochs"] = epochs
    request = training.TrainRequest(cfg, train, data, data.images)
    torch.set_num_threads(threads)
    training.THREADS = threads  # the generator sets the thread count it is given
    start, cpu, last, weights = time.perf_counter(), time.process_time(), None, None
    for snap in training.train(request, lambda: False):
        last = snap.progress if snap.progress is not None else last
        weights = snap.weights if snap.weights is not None else weights
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    model = build_model(cfg)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    return model.eval(), seconds, cpu, last


def knn_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> float:
    import warnings

    from sklearn.neighbors import KNeighborsClassifier

    warnings.filterwarnings("ignore", message="The number of unique classes")  # the glyphs: 95 classes

    rows = np.random.default_rng(0).permutation(len(train_x))[:KNN_FIT_MOST]
    knn = KNeighborsClassifier(n_neighbors=5).fit(train_x[rows], train_y[rows])
    return float(knn.score(test_x, test_y))


def separation(model, data) -> dict:
    """k-NN accuracy of the 2-D test codes and of the pixels' PCA plane; the codes' spread."""
    from sklearn.decomposition import PCA

    from trainer.latent import encode

    n = data.n_train
    codes = np.asarray(encode(model, data.images)[0], dtype=np.float32)
    spread = float(np.percentile(np.abs(codes - codes.mean(0)), 95))
    if n >= len(data.images):  # no test split (the glyphs): nothing to score
        return {"codes_knn": None, "pca_knn": None, "spread": spread}
    pixels = data.images.reshape(len(data.images), -1).astype(np.float32) / 255
    pca = PCA(n_components=2, random_state=0).fit(pixels[:n])
    plane = pca.transform(pixels)
    y = data.labels
    return {"codes_knn": knn_accuracy(codes[:n], y[:n], codes[n:], y[n:]),
            "pca_knn": knn_accuracy(plane[:n], y[:n], plane[n:], y[n:]), "spread": spread}


def run(spec: str, threads: int, epochs: int | None = None) -> dict | None:
    try:
        data = load_dataset(spec)
    except Exception as e:  # mnist is not installed everywhere
        print(f"{spec}: skipped ({str(e).splitlines()[0][:100]})", flush=True)
        return None
    model, seconds, cpu, last = train_with_defaults(data, threads, epochs)
    val = last.val or {}
    row = {"data": spec, "seconds": seconds, "cpu_seconds": cpu, "epochs": last.epoch,
           "kl": val.get("kl", last.kl), "recon": val.get("recon", last.recon), **separation(model, data),
           "defaults": BUILTIN[kind_of(spec)].to_dict()}
    print(format_row(row), flush=True)
    return row


def format_row(r: dict) -> str:
    knn = ("n/a (no test split)" if r["codes_knn"] is None
           else f"codes {r['codes_knn']:.1%} vs pixel PCA {r['pca_knn']:.1%}")
    time_ = f"{r['cpu_seconds']:5.1f} CPU s, {r['seconds']:5.1f} s wall ({r['epochs']} epochs)"
    return (f"{r['data']:>20}: {time_} · KL {r['kl']:.2f} · recon {r['recon']:.1f} nats · "
            f"95% of codes within ±{r['spread']:.2f} · 5-NN {knn}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"threads {args.threads} · load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores · goal: "
          "20-60 s (CPU s: an idle core's wall time), codes' 5-NN accuracy ≥ pixel PCA's", flush=True)
    rows = [r for spec in args.data if (r := run(spec, args.threads, args.epochs)) is not None]
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
