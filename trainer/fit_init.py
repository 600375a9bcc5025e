"""``fit --init CHECKPOINT``: continue training a saved model instead of starting from random weights.

The model is the checkpoint's (its ``ModelConfig``); model flags given beside ``--init`` must describe the
same model (``--preset`` and flags that merely repeat it are fine), so that a typo cannot silently train
something else. The optimizer starts afresh (Adam's moments are not stored in checkpoints). What the earlier
training did (its epochs, images and seconds, and the epochs before it when it was itself continued) is kept
under ``"continued_from"`` in the new checkpoint's metrics, so a table can report the whole training time.
"""

from __future__ import annotations

from pathlib import Path

from trainer.errors import ConfigError


def load_init(path: Path, cfg_from_flags, data_shape: tuple[int, int, int]):
    """(model, continued_from): the checkpoint's model in train-ready form, and its earlier training.

    ``cfg_from_flags``: the ModelConfig the command's flags would build, or None when no model flag was
    given. ConfigError when it differs from the checkpoint's model, or the images do not fit the model;
    CheckpointError (from ``load_checkpoint``) when the file is not a checkpoint."""
    from trainer.checkpoint import load_checkpoint

    model, info = load_checkpoint(path)
    have = model.config
    if tuple(have.image_shape) != tuple(data_shape):
        raise ConfigError(f"--init {path}: the model takes {_shape(have.image_shape)} images, the data set "
                          f"has {_shape(data_shape)}")
    if cfg_from_flags is not None and cfg_from_flags.with_(preset=have.preset) != have:
        raise ConfigError(f"--init {path}: the model flags describe another model than the checkpoint's; "
                          "leave them out to continue the checkpoint's own model")
    return model, earlier_training(info.metrics or {})


def earlier_training(metrics: dict) -> dict:
    """The training a checkpoint already had: epochs, images per epoch and seconds, summed over every run
    it was continued from (``{"epochs": 0, ...}`` for a checkpoint without metrics)."""
    before = metrics.get("continued_from") or {}
    return {"epochs": int(metrics.get("epochs") or 0) + int(before.get("epochs") or 0),
            "elapsed_s": float(metrics.get("elapsed_s") or 0.0) + float(before.get("elapsed_s") or 0.0),
            "train_images": metrics.get("train_images")}


def _shape(shape) -> str:
    return "×".join(map(str, shape))
