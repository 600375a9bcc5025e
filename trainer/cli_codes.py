"""``python -m trainer codes [MODEL…]``: regenerate the bundled codes of the bundled models.

For each model (default: every ``*.safetensors`` in ``resources/models``) it encodes the model's own data set
as found here (the full Fashion-MNIST where installed) and, where it differs, the bundled stand-in
(``fashion-mnist-test``), and writes ``resources/codes/<model>.npz`` with the SHA-256 of the model file and
of each data set's images (``trainer/bundled_codes.py``). Run it after retraining a bundled model: the app
ignores codes whose checksums no longer match, so stale codes only cost the first start its head start.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub, common) -> None:
    p = sub.add_parser("codes", parents=[common], help="regenerate the bundled models' codes (first start)",
                       description="Encode each bundled model's data set and write "
                                   "resources/codes/<model>.npz with the checksums of the model file and "
                                   "the data.")
    p.add_argument("files", type=Path, nargs="*", metavar="MODEL",
                   help="checkpoints (default: every .safetensors in resources/models)")
    p.add_argument("--out", type=Path, metavar="DIR", help="where to write (default: resources/codes)")
    p.set_defaults(handler=cmd_codes)


def cmd_codes(args: argparse.Namespace) -> int:
    from trainer.bundled_codes import codes_dir
    from trainer.resources import models_dir

    files = args.files or sorted(models_dir().glob("*.safetensors"))
    out = args.out or codes_dir()
    for path in files:
        print(f"{path.name}: " + ", ".join(regenerate(path, out)))
    return 0


def data_specs(spec: str) -> list[str]:
    """The data sets a model's codes are made for: its own as opened here, and its bundled stand-in."""
    from trainer.data.bundled import STAND_INS, bundled_present, offline_spec

    specs = [offline_spec(spec)]
    if spec in STAND_INS and bundled_present() and STAND_INS[spec] not in specs:
        specs.append(STAND_INS[spec])
    return specs


def regenerate(path: Path, out: Path) -> list[str]:
    """Encode ``path``'s data sets and write its codes file in ``out``; returns a note per data set."""
    from trainer import bundled_codes as bc
    from trainer.data import load_dataset
    from trainer.latent import encode
    from trainer.model_files import load_model

    model, info = load_model(path)
    entries, notes = [], []
    for spec in data_specs(info.dataset_spec) if info.dataset_spec else []:
        data = load_dataset(spec, download=False)
        codes = encode(model, data.images)[0].astype("float32")
        if codes.nbytes > bc.MAX_ENTRY_BYTES:
            notes.append(f"{spec} skipped ({codes.nbytes / 2**20:.1f} MB of codes: encoded at start instead)")
            continue
        entries.append(bc.Entry(spec, bc.data_digest(data.images), codes))
        notes.append(f"{spec} ({len(codes):,} codes)")
    if entries:
        bc.write(bc.codes_file(path, out), bc.file_digest(path), entries)
    return notes or ["no data set: nothing written"]
