"""``python -m trainer export MODEL --format onnx --out DIR``: a checkpoint as an ONNX model folder (or .zip).

The folder holds ``encoder.onnx``, ``decoder.onnx`` and ``model.json`` (docs/onnx-models.md): ONNX Runtime,
or any framework that reads ONNX, runs it without our code, and ``main.py DIR`` opens it again. ``--check``
(on by default) opens the result and compares both graphs with torch on test images.
"""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("onnx",)
TOLERANCE = 1e-4  # largest difference allowed between torch and ONNX Runtime (codes, logits)


def add_parser(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="write a model as ONNX (encoder, decoder, manifest)",
                       description="Write a checkpoint as an ONNX model folder (encoder.onnx, decoder.onnx, "
                                   "model.json) or, with --out NAME.zip, a zip of one.")
    p.add_argument("file", type=Path, metavar="MODEL", help="a .safetensors checkpoint")
    p.add_argument("--format", choices=FORMATS, default="onnx", help="(onnx)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="the folder to write (replaced if it is an earlier export), or a .zip file")
    p.add_argument("--no-check", dest="check", action="store_false",
                   help="skip opening the result and comparing it with torch")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from trainer.model_files import load_model
    from trainer.onnx_model.export import export_onnx

    model, info = load_model(args.file)
    out = export_onnx(model, args.out, info=info)
    print(f"wrote {out} (encoder.onnx, decoder.onnx, model.json)")
    if args.check:
        print(f"checked: ONNX Runtime matches torch within {check_export(model, out):.2g} (at most "
              f"{TOLERANCE:g} allowed)")
    return 0


def check_export(model, out: Path, n: int = 16) -> float:
    """Open ``out`` and compare codes and logits with ``model`` on ``n`` random images and codes; returns
    the largest absolute difference. CheckpointError when it exceeds TOLERANCE."""
    import torch

    from trainer.errors import CheckpointError
    from trainer.model_files import load_model

    onnx_model, _ = load_model(out)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(n, *model.config.image_shape, generator=gen)
    z = torch.randn(n, model.config.latent_dim, generator=gen)
    with torch.inference_mode():
        pairs = [*zip(model.encode(x), onnx_model.encode(x), strict=True),
                 (model.decode(z), onnx_model.decode(z))]
    worst = max(float((a - b).abs().max()) for a, b in pairs if a is not None)
    if not worst <= TOLERANCE:
        raise CheckpointError(f"{out}: ONNX Runtime differs from torch by {worst:.3g} "
                              f"(more than {TOLERANCE:g})")
    return worst
