"""Data sets: one ``Dataset`` type, loaded by spec (``shapes``, ``fashion-mnist``, ``idx:PATH``...)."""

from trainer.data.dataset import Dataset
from trainer.data.registry import DatasetInfo, list_datasets, load_dataset, user_data_dir

__all__ = ["Dataset", "DatasetInfo", "load_dataset", "list_datasets", "user_data_dir"]
