"""The engine's error types. Every bad input surfaces as one of these, with a message fit for a person."""


class TrainerError(Exception):
    """Base class: the CLI prints str(error) on one line and exits non-zero; the app shows it in a dialog."""


class DataError(TrainerError):
    """A data set is missing, corrupt or inconsistent. The message names the file and the problem."""


class CheckpointError(TrainerError):
    """A model file is not a valid Latent Explorer checkpoint (not safetensors, bad shapes, NaN, version)."""


class ConfigError(TrainerError):
    """A model or training configuration is impossible (unknown family, bad image size, negative beta...)."""


class TrainingDiverged(TrainerError):
    """The loss became NaN or Inf. The model keeps its last good weights."""

    def __init__(self, message: str, epoch: int, step: int):
        super().__init__(message)
        self.epoch = epoch
        self.step = step


class OutputError(TrainerError, OSError):
    """An output cannot be written: not a regular file, a read-only or missing folder, a name too long, a full
    disk. An OSError too, so code that guards writes with ``except OSError`` keeps working."""
