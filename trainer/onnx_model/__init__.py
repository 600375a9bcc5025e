"""Models made anywhere: a folder (or a .zip of it) with ``encoder.onnx``, ``decoder.onnx`` and
``model.json``.

- ``load_onnx_model(path, threads=None) -> (OnnxAutoencoder, CheckpointInfo)``: validated (manifest schema,
  graphs, a probe run) and ready; CheckpointError with one clear message per problem otherwise.
- ``read_onnx_info(path) -> CheckpointInfo``: the manifest only (no ONNX Runtime).
- ``export_onnx(model, out, info=None, dataset=None)`` (``trainer.onnx_model.export``): any of our
  checkpoints as such a folder or zip.
- ``SCHEMA`` / ``docs/onnx-model.schema.json``: the manifest's JSON Schema; ``docs/onnx-models.md``
  explains it.

``trainer.model_files.load_model`` opens either kind of model file; use it rather than these directly.
"""

from __future__ import annotations

import os
from pathlib import Path

from trainer.onnx_model.archive import MANIFEST, ModelFiles, looks_like_onnx_model, model_root
from trainer.onnx_model.manifest import SCHEMA, Manifest, parse_manifest, schema_text

__all__ = ["MANIFEST", "SCHEMA", "Manifest", "fingerprint", "load_onnx_model", "looks_like_onnx_model",
           "model_root", "read_manifest", "read_onnx_info", "schema_text"]


def read_manifest(path: str | os.PathLike) -> Manifest:
    with ModelFiles(path) as files:
        return parse_manifest(files.read(MANIFEST), f"{files.path}: {MANIFEST}")


def read_onnx_info(path: str | os.PathLike):
    """The CheckpointInfo of an ONNX model from its manifest alone (for lists of recent files)."""
    root = model_root(path)
    return _info(root, read_manifest(root))


def load_onnx_model(path: str | os.PathLike, threads: int | None = None):
    """(OnnxAutoencoder in eval mode, CheckpointInfo). ``threads``: ONNX Runtime's threads per call (its
    default: every core)."""
    from trainer.onnx_model.model import OnnxAutoencoder, config_of
    from trainer.onnx_model.runtime import OnnxPair

    with ModelFiles(path) as files:
        manifest = parse_manifest(files.read(MANIFEST), f"{files.path}: {MANIFEST}")
        encoder, decoder = files.read(manifest.encoder_file), files.read(manifest.decoder_file)
        root = files.path
    pair = OnnxPair(manifest, encoder, decoder, str(root), threads)
    return OnnxAutoencoder(pair, config_of(manifest)).eval(), _info(root, manifest)


def fingerprint(path: str | os.PathLike) -> str:
    """A string that changes when any file of the model changes (a cache key)."""
    with ModelFiles(path) as files:
        return files.fingerprint()


def _info(root: Path, manifest: Manifest):
    from trainer.checkpoint import CheckpointInfo
    from trainer.onnx_model.model import config_of

    origin = manifest.origin
    extra = {"format": "onnx", "manifest": manifest.raw, **(origin.get("extra") or {})}
    return CheckpointInfo(
        model_config=config_of(manifest), train_config=dict(origin.get("train_config") or {}),
        dataset_spec=manifest.dataset, class_names=list(manifest.class_names),
        attribute_names=list(manifest.attribute_names), metrics=dict(origin.get("metrics") or {}),
        format_version=manifest.raw.get("format_version", 1), path=root, extra=extra,
        created=str(origin.get("created", "")))
