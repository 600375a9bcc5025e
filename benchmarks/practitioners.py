"""What a practitioner waits for: an ONNX model against its checkpoint, a neighbours query, UMAP.

On Fashion-MNIST (70,000 images; ``shapes?n=20000`` when it is missing, said so) with the bundled
``fashion-mnist-vae``, one torch thread and one ONNX Runtime thread:

- export to ONNX (s), open the ONNX folder (s), and encode every image with torch and with ONNX Runtime
  (images/s; goal: ONNX within 2× of torch), decode a 15×15 grid with each (ms);
- one neighbours query of a row over all images, in latent space and in pixel space (ms; goal: under 200 ms,
  a click's worth);
- UMAP of the codes (fit on 10,000 + place the rest) and of the pixels, with ``--umap`` (s; the first in a
  process includes compiling umap-learn's numba code, reported apart as "first call").

    .venv/bin/python benchmarks/practitioners.py [--umap] [--json FILE]

Figures only, no asserts. ``benchmarks/tsne_stall.py --views umap,pixels-umap`` measures the window's
event loop while UMAP runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

GOALS = {"onnx_vs_torch_encode": 2.0, "neighbours_ms": 200.0}


def timed(fn, *args, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--umap", action="store_true", help="also time UMAP (a minute or more)")
    p.add_argument("--json", type=Path, help="write the figures as JSON too")
    args = p.parse_args(argv)
    import numpy as np
    import torch

    torch.set_num_threads(1)
    from trainer.data import load_dataset
    from trainer.errors import DataError
    from trainer.latent import decode_grid, encode
    from trainer.model_files import load_model
    from trainer.neighbours import neighbours
    from trainer.onnx_model.export import export_onnx
    from trainer.resources import models_dir

    try:
        data = load_dataset("fashion-mnist")
    except DataError as e:
        print(f"(Fashion-MNIST missing: {e}; using shapes)")
        data = load_dataset("shapes?n=20000")
    model, info = load_model(models_dir() / "fashion-mnist-vae.safetensors")
    figures: dict = {"images": len(data.images)}
    with tempfile.TemporaryDirectory() as tmp:
        figures["export_s"], _ = timed(export_onnx, model, Path(tmp) / "m", info)
        figures["open_onnx_s"], (onnx_model, _) = timed(load_model, Path(tmp) / "m", "cpu", 1)
        images = data.images if data.image_shape == (1, 28, 28) else data.images[:, :1, :28, :28]
        t_torch, (codes, _) = timed(encode, model, images)
        t_onnx, (onnx_codes, _) = timed(encode, onnx_model, images)
        figures |= {"encode_torch_img_s": len(images) / t_torch, "encode_onnx_img_s": len(images) / t_onnx,
                    "onnx_vs_torch_encode": t_onnx / t_torch,
                    "max_code_difference": float(np.abs(codes - onnx_codes).max())}
        for name, m in (("torch", model), ("onnx", onnx_model)):
            figures[f"grid15_{name}_ms"] = 1000 * timed(decode_grid, m, (-3, 3), (-3, 3), 15, repeat=3)[0]
    t_query, found = timed(neighbours, codes, images, 1234, 8, repeat=3)
    figures |= {"neighbours_ms": 1000 * t_query, "neighbours_shared": int(len(found.shared))}
    if args.umap:
        from trainer.embed_umap import umap_steps

        first, _ = timed(lambda: list(umap_steps(codes[:500])))
        figures["umap_first_call_s"] = first
        figures["umap_codes_s"], _ = timed(lambda: list(umap_steps(codes)))
        figures["umap_pixels_s"], _ = timed(lambda: list(umap_steps(images)))
    for key, value in figures.items():
        goal = GOALS.get(key)
        text = f"{value:,.3g}" if isinstance(value, float) else f"{value:,}"
        print(f"{key:<24} {text:>12}" + (f"   goal ≤ {goal:g}" if goal else ""))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
