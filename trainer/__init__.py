"""Latent Explorer's engine: datasets, autoencoders, training, checkpoints, metrics. Never imports Qt."""

from trainer.errors import CheckpointError, ConfigError, DataError, TrainerError, TrainingDiverged

__all__ = ["TrainerError", "DataError", "CheckpointError", "ConfigError", "TrainingDiverged"]
