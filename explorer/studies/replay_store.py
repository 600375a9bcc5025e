"""The codes of every epoch of a training run in this window, kept for the formation replay.

Fed from the Training dock's existing per-epoch snapshot signal (``TrainingController.snapshot``, kind
"epoch", which carries the codes of the data set shown); it never touches the training worker. Made at
start-up by ``explorer.studies.install`` so that a run is recorded before the replay window is opened.
At most MAX_ROWS images (a seeded choice, the same rows every epoch) and ``trainer.replay.MAX_EPOCHS``
epochs are kept (float32: 5,000 × 32 dimensions × 500 epochs would be 320 MB, so the first epochs are
thinned out beyond that).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

MAX_ROWS = 5000
MAX_EPOCHS = 200


class ReplayStore(QObject):
    """``frames`` (float32 rows×D per epoch), ``epochs`` (their numbers), ``rows`` and ``labels`` of the
    images kept. ``changed`` after every new frame and when a new run starts."""

    changed = Signal()

    def __init__(self, controller, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.frames: list[np.ndarray] = []
        self.epochs: list[int] = []
        self.rows = np.zeros(0, np.int64)
        self.labels = np.zeros(0, np.int64)
        self.class_names: list[str] = []
        self.model_name = ""
        controller.started.connect(self._on_started)
        controller.snapshot.connect(self._on_snapshot)

    def _on_started(self) -> None:
        ds = self.session.dataset
        self.frames, self.epochs = [], []
        n = len(ds.images) if ds is not None else 0
        self.rows = np.sort(np.random.default_rng(0).permutation(n)[:MAX_ROWS])
        self.labels = ds.labels[self.rows].copy() if ds is not None else np.zeros(0, np.int64)
        self.class_names = list(ds.class_names) if ds is not None else []
        self.changed.emit()

    def _on_snapshot(self, snap) -> None:
        codes = snap.codes
        if snap.kind != "epoch" or codes is None or not len(self.rows) or len(codes) <= self.rows[-1]:
            return
        self.record(int(snap.progress.epoch), snap.codes[self.rows])

    def record(self, epoch: int, codes: np.ndarray) -> None:
        """Keep ``codes`` (rows×D) of ``epoch``; beyond MAX_EPOCHS every other early frame is dropped."""
        self.frames.append(np.array(codes, np.float32, copy=True))
        self.epochs.append(int(epoch))
        if len(self.frames) > MAX_EPOCHS:
            keep = [*range(0, len(self.frames) - MAX_EPOCHS // 2, 2),
                    *range(len(self.frames) - MAX_EPOCHS // 2, len(self.frames))]
            self.frames = [self.frames[k] for k in keep]
            self.epochs = [self.epochs[k] for k in keep]
        self.changed.emit()
