"""What the Training panel's fields show: the open model's settings, or a data set's defaults.

``show_model(dock, model, info)`` fills the fields from the model's ``ModelConfig`` and the training
settings its file stores (an architecture that is no preset is added to the list as "custom: …", so Start
trains the same architecture again); ``apply_defaults(dock, defaults)`` fills them from
``trainer.defaults``. ``history_of(info)`` is the per-epoch history a checkpoint stores
(``metrics["history"]``, one ``trainer.cli.epoch_record`` per epoch), drawn by ``LossPlot.show_history``.
"""

from __future__ import annotations

from trainer.errors import ConfigError
from trainer.models.config import PRESETS, ModelConfig, preset

CUSTOM_PREFIX = "custom: "


def custom_config(box, row: int | None = None) -> ModelConfig | None:
    """The architecture a "custom: …" item carries (None for a preset)."""
    data = box.itemData(box.currentIndex() if row is None else row)
    return data if isinstance(data, ModelConfig) else None


def history_of(info) -> list[dict]:
    """The per-epoch losses a checkpoint stores, or [] (none stored, or not a list of records)."""
    metrics = getattr(info, "metrics", None)
    history = metrics.get("history") if isinstance(metrics, dict) else None
    return [h for h in history if isinstance(h, dict) and "epoch" in h] if isinstance(history, list) else []


def preset_of(cfg: ModelConfig) -> str:
    """The preset whose architecture ``cfg`` has (family, latent size, β and image shape aside), or ""."""
    keep = dict(family=cfg.family, latent_dim=cfg.latent_dim, beta=cfg.beta, image_shape=cfg.image_shape,
                sparsity=cfg.sparsity, sparsity_weight=cfg.sparsity_weight,
                sparsity_target=cfg.sparsity_target)
    for name in ([cfg.preset] if cfg.preset in PRESETS else []) + list(PRESETS):
        try:
            if preset(name, **keep).with_(preset="") == cfg.with_(preset=""):
                return name
        except ConfigError:
            continue
    return ""


def describe(cfg: ModelConfig) -> str:
    if cfg.arch == "conv":
        return f"conv {','.join(map(str, cfg.conv_channels))} · dense {cfg.dense}"
    return f"MLP {','.join(map(str, cfg.hidden))}"


def choose_architecture(box, cfg: ModelConfig) -> None:
    """Select ``cfg``'s preset in the architecture box, or a "custom: …" item that carries ``cfg``."""
    name = preset_of(cfg)
    for row in range(box.count() - 1, -1, -1):  # one custom item at a time: the open model's
        if isinstance(box.itemData(row), ModelConfig):
            box.removeItem(row)
    if name:
        box.setCurrentText(name)
        return
    box.addItem(CUSTOM_PREFIX + describe(cfg), cfg)
    box.setCurrentIndex(box.count() - 1)


def show_model(dock, model, info) -> None:
    """The fields as the open model was made and trained (what its file stores; the rest stays)."""
    cfg = model.config
    if cfg.arch == "onnx":  # no torch architecture to train again
        return
    family = "denoising" if _noise(info) != "none" and cfg.family == "ae" else cfg.family
    _set_combo(dock.family, family)
    choose_architecture(dock.arch, cfg)
    dock.latent.setValue(cfg.latent_dim)
    dock.beta.setValue(cfg.beta)
    train = getattr(info, "train_config", None)
    train = train if isinstance(train, dict) else {}
    for key, box in (("epochs", dock.epochs), ("batch_size", dock.batch)):
        if isinstance(train.get(key), (int, float)) and train[key] >= 1:
            box.setValue(int(train[key]))
    if isinstance(train.get("lr"), (int, float)) and train["lr"] > 0:
        dock.lr.setValue(float(train["lr"]))
    if train.get("optimizer") in ("adam", "sgd"):
        dock.optimizer.setCurrentText(train["optimizer"])
    kind, _, level = _noise(info).partition(":")
    dock.noise.setCurrentText(kind if dock.noise.findText(kind) >= 0 else "none")
    try:
        dock.noise_level.setValue(float(level or dock.noise_level.value()))
    except ValueError:
        pass


def apply_defaults(dock, d) -> None:
    """The fields from a data set's ``trainer.defaults.Defaults``."""
    _set_combo(dock.family, d.family)
    choose_architecture(dock.arch, preset(d.preset))
    dock.arch.setCurrentText(d.preset)
    dock.latent.setValue(d.latent_dim)
    dock.beta.setValue(d.beta)
    dock.epochs.setValue(d.epochs)
    dock.batch.setValue(d.batch_size)
    dock.lr.setValue(d.lr)
    dock.optimizer.setCurrentText("adam")
    dock.noise.setCurrentText("none")


def _noise(info) -> str:
    train = getattr(info, "train_config", None)
    train = train if isinstance(train, dict) else {}
    noise = train.get("noise", "none")
    return noise if isinstance(noise, str) else "none"


def _set_combo(box, data) -> None:
    row = box.findData(data)
    if row >= 0:
        box.setCurrentIndex(row)
