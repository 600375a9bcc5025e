"""Studies > Latent classifier: stacked-autoencoder classification on the main window's model.

Train a classifier on the encoder — frozen (the codes are the features, only a softmax or one-hidden-layer
head learns) or fine-tuned (a copy of the encoder learns with the head; the model in the main window is
never changed) — and see its accuracy on the test split, a sortable per-class table (precision, recall, F1,
support) and the confusion matrix (rows: true class, columns: predicted class, cells shaded by their share
of the row). Clicking a confusion cell selects one test image of that cell in the main scatter.

``ClassifierStudy`` holds the state and runs ``trainer.classify.train_classifier`` in a lane of the main
session; ``ClassifierWindow`` is its passive view.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import themes, workers
from explorer.tools.jobs import Jobs
from explorer.widgets.numbers import IntBox

TITLE = "Latent classifier"
MODES = {"frozen": "Frozen encoder (train the head only)", "finetune": "Fine-tuned encoder (a copy)",
         "pca": "Baseline: PCA of the pixels (no encoder)"}
HEADS = {"linear": "Linear (softmax)", "mlp": "MLP (one hidden layer)"}
EMPTY = ("After training, the accuracy on the test images appears here, with precision and recall for each "
         "class and a confusion matrix of which classes are mistaken for which: choose the settings above "
         "and press Train.")
SCORE_COLUMNS = ("class", "precision", "recall", "F1", "support")
CELL_SIZE = (46, 28)  # confusion cells, pixels
CELL_COLOUR = QColor(33, 102, 172)  # a full row share: dark blue; empty cells stay white
# "The report's recipe": fine-tune a copy of the encoder with an MLP head, 15 epochs (the learning rate
# follows a cosine to 0, trainer.classify's default when fine-tuning): 91.1 % on Fashion-MNIST with
# fashion-mnist-vae32 (the README's classification table; 10 epochs: 90.3 %), the course report 93 %.
RECIPE = {"mode": "finetune", "head": "mlp", "epochs": 15}
RECIPE_TIP = ("Fine-tune a copy of the encoder with a one-hidden-layer head for 15 epochs, the learning rate "
              "decaying along a cosine: the README's fine-tuned row (91 % on Fashion-MNIST with "
              "fashion-mnist-vae32, over the 90 % goal; the course report: 93 %). Minutes on a laptop's CPU.")


def classify_job(model, dataset, settings: dict):
    """In the lane: ClassifyProgress records, then the ClassifierResult (all fresh objects)."""
    from trainer.classify import ClassifyConfig, train_classifier

    cfg = ClassifyConfig(**settings, threads=workers.THREADS, device="cpu")
    yield from train_classifier(model, dataset, cfg)


class ClassifierStudy(QObject):
    """State: ``mode``, ``head``, ``epochs``; ``result`` (ClassifierResult | None); ``busy``.

    Signals: ``settingsChanged``, ``progress(float, str)`` (fraction 0…1, what it is doing), ``resultChanged``
    (``result`` replaced or cleared), ``busyChanged(bool)``, ``message(str)`` (a line; "" clears it).
    """

    settingsChanged = Signal()
    progress = Signal(float, str)
    resultChanged = Signal()
    busyChanged = Signal(bool)
    message = Signal(str)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.jobs = Jobs(session, "classifier", self)
        self.mode, self.head, self.epochs = "frozen", "linear", 10
        self.result = None
        self.jobs.busyChanged.connect(self.busyChanged)
        self.jobs.lane.failed.connect(lambda _n, text: self.message.emit(text))
        session.modelChanged.connect(self._on_input_changed)
        session.datasetChanged.connect(self._on_input_changed)

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    @property
    def can_train(self) -> bool:
        return self.session.model is not None and self.session.dataset is not None

    def set_mode(self, mode: str) -> None:
        self._set("mode", mode, MODES)

    def set_head(self, head: str) -> None:
        self._set("head", head, HEADS)

    def set_epochs(self, epochs: int) -> None:
        self._set("epochs", max(1, int(epochs)), None)

    def use_recipe(self) -> None:
        """The settings of the report's recipe (``RECIPE``)."""
        for name, value in RECIPE.items():
            setattr(self, name, value)
        self.settingsChanged.emit()

    def _set(self, name: str, value, allowed) -> None:
        if allowed is not None and value not in allowed:
            raise ValueError(f"unknown {name} {value!r}")
        if getattr(self, name) != value:
            setattr(self, name, value)
            self.settingsChanged.emit()

    def train(self) -> None:
        """Train with the current settings (a run in progress is replaced)."""
        if not self.can_train:
            self.message.emit("Open a model and its data set first.")
            return
        settings = {"mode": self.mode, "head": self.head, "epochs": self.epochs}
        self.message.emit("")
        self.progress.emit(0.0, "Starting…")
        self.jobs.submit(classify_job, self.session.model, self.session.dataset, settings, each=self._on_item)

    def cancel(self) -> None:
        if self.busy:
            self.jobs.cancel()
            self.message.emit("Cancelled.")

    def _on_item(self, item) -> None:
        if hasattr(item, "report"):
            self.result = item
            self.resultChanged.emit()
            return
        text = "Encoding the training images" if item.kind == "encode" else (
            f"Epoch {item.epoch}/{item.epochs} · loss {item.loss:.3f} · train accuracy {item.accuracy:.1%}")
        self.progress.emit(item.fraction, text)

    def _on_input_changed(self) -> None:
        self.jobs.cancel()
        if self.result is not None:
            self.result = None
            self.resultChanged.emit()

    def example(self, true: int, predicted: int) -> int:
        """The data row of the first test image of class ``true`` predicted as ``predicted``, or -1."""
        if self.result is None:
            return -1
        r = self.result.report
        hits = np.flatnonzero((r.labels == true) & (r.predictions == predicted))
        return int(self.result.first_test_row + hits[0]) if len(hits) else -1

    def select_example(self, true: int, predicted: int) -> int:
        row = self.example(true, predicted)
        if row >= 0 and self.session.dataset is not None and row < len(self.session.dataset.images):
            self.session.select(row)
        return row


class ClassifierWindow(QWidget):
    """The study's window: settings, Train / Cancel and progress, accuracy, per-class table, confusion."""

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"{TITLE} — Latent Explorer")
        self.study = ClassifierStudy(session, self)
        self._build()
        self._connect()
        self._on_busy(False)
        self._on_result()

    # ---- building -----------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._controls())
        self.status = QLabel("Choose the settings and press Train.", wordWrap=True)
        self.accuracy = QLabel()
        self.accuracy.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout.addWidget(self.status)
        layout.addWidget(self.accuracy)
        self.tables = QWidget()
        tables = QHBoxLayout(self.tables)
        tables.setContentsMargins(0, 0, 0, 0)
        tables.addLayout(self._scores_box(), 2)
        tables.addLayout(self._confusion_box(), 3)
        self.empty_note = QLabel(EMPTY, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setStyleSheet("color: #444; font-size: 12pt;")
        layout.addWidget(self.empty_note, 1)
        layout.addWidget(self.tables, 1)
        self.tables.hide()

    def _controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.mode = _combo(MODES)
        self.head = _combo(HEADS)
        self.epochs = IntBox(1, 500, self.study.epochs)
        self.recipe_button = QPushButton("Report's recipe")
        self.recipe_button.setToolTip(RECIPE_TIP)
        self.train_button = QPushButton("Train")
        self.cancel_button = QPushButton("Cancel")
        self.bar = QProgressBar(maximum=1000, textVisible=False)
        for label, widget in (("Encoder:", self.mode), ("Head:", self.head), ("Epochs:", self.epochs)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        for widget in (self.recipe_button, self.train_button, self.cancel_button, self.bar):
            row.addWidget(widget)
        return row

    def _scores_box(self) -> QVBoxLayout:
        box = QVBoxLayout()
        self.scores = QTableWidget(0, len(SCORE_COLUMNS))
        self.scores.setHorizontalHeaderLabels(SCORE_COLUMNS)
        self.scores.verticalHeader().hide()
        self.scores.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.scores.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.scores.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.averages = QLabel(wordWrap=True)
        box.addWidget(QLabel("<b>Per class</b> (test split; click a header to sort)"))
        box.addWidget(self.scores, 1)
        box.addWidget(self.averages)
        return box

    def _confusion_box(self) -> QGridLayout:
        grid = QGridLayout()
        self.confusion = QTableWidget(0, 0)
        self.confusion.setAccessibleName("Confusion matrix: rows true class, columns predicted class")
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.confusion.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.confusion.horizontalHeader().setDefaultSectionSize(CELL_SIZE[0])
        self.confusion.verticalHeader().setDefaultSectionSize(CELL_SIZE[1])
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        top = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter
        grid.addWidget(QLabel("<b>Confusion matrix</b> (click a cell: one of its images in the scatter)"),
                       0, 0, 1, 3)
        grid.addWidget(QLabel("predicted →", alignment=Qt.AlignmentFlag.AlignCenter), 1, 1)
        grid.addWidget(QLabel("true\n↓", alignment=top), 2, 0)
        grid.addWidget(self.confusion, 2, 1)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _connect(self) -> None:
        s = self.study
        self.mode.currentIndexChanged.connect(lambda _i: s.set_mode(self.mode.currentData()))
        self.head.currentIndexChanged.connect(lambda _i: s.set_head(self.head.currentData()))
        self.epochs.valueChanged.connect(s.set_epochs)
        self.recipe_button.clicked.connect(s.use_recipe)
        s.settingsChanged.connect(self._on_settings)
        self.train_button.clicked.connect(s.train)
        self.cancel_button.clicked.connect(s.cancel)
        self.confusion.cellClicked.connect(s.select_example)
        s.progress.connect(self._on_progress)
        s.busyChanged.connect(self._on_busy)
        s.resultChanged.connect(self._on_result)
        s.message.connect(self._on_message)

    def closeEvent(self, event) -> None:
        """Closing stops a run (the lane belongs to the session, which stops it at shutdown)."""
        self.study.cancel()
        super().closeEvent(event)

    # ---- updates ------------------------------------------------------------------------------------------

    def _on_settings(self) -> None:
        """Show the study's settings (a preset changes several at once)."""
        for combo, value in ((self.mode, self.study.mode), (self.head, self.study.head)):
            if combo.currentData() != value:
                combo.setCurrentIndex(combo.findData(value))
        if self.epochs.value() != self.study.epochs:
            self.epochs.setValue(self.study.epochs)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.bar.setValue(round(1000 * fraction))
        self.status.setText(text)

    def _on_busy(self, busy: bool) -> None:
        self.train_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.bar.setVisible(busy)

    def _on_message(self, text: str) -> None:
        if text:
            self.status.setText(text)

    def _on_result(self) -> None:
        result = self.study.result
        self.tables.setVisible(result is not None)
        self.empty_note.setVisible(result is None)
        self._fill_scores(result)
        self._fill_confusion(result)
        if result is None:
            self.accuracy.setText("")
            return
        cfg, r = result.config, result.report
        how = {"finetune": "fine-tuned encoder", "pca": "PCA of the pixels"}.get(cfg.mode, "frozen encoder")
        self.accuracy.setText(f"Accuracy {r.accuracy:.1%} on {r.n:,} test images")
        self.status.setText(f"{how} + {HEADS[cfg.head].lower()} head, {result.epochs_done} epoch(s) on "
                            f"{result.n_train:,} training images ({result.elapsed_s:.1f} s)")

    def _fill_scores(self, result) -> None:
        table = self.scores
        table.setSortingEnabled(False)
        rows = [] if result is None else result.report.per_class
        table.setRowCount(len(rows))
        for i, score in enumerate(rows):
            table.setItem(i, 0, _sortable(score.name, i))
            for j, value in enumerate(score[1:], start=1):
                table.setItem(i, j, _number_item(value))
        table.setSortingEnabled(True)
        if result is None:
            self.averages.setText("")
            return
        r = result.report
        self.averages.setText("  ·  ".join(f"{s.name}: P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
                                           for s in (r.macro, r.weighted)))

    def _fill_confusion(self, result) -> None:
        table = self.confusion
        if result is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        r = result.report
        k = len(r.class_names)
        table.setRowCount(k)
        table.setColumnCount(k)
        table.setVerticalHeaderLabels([f"{i} {n}" if n != str(i) else n for i, n in enumerate(r.class_names)])
        table.setHorizontalHeaderLabels([str(j) for j in range(k)])
        for j, name in enumerate(r.class_names):
            table.horizontalHeaderItem(j).setToolTip(name)
        rows = np.maximum(r.confusion.sum(1, keepdims=True), 1)
        for i in range(k):
            for j in range(k):
                table.setItem(i, j, _count_item(int(r.confusion[i, j]), r.confusion[i, j] / rows[i, 0],
                                                r.class_names[i], r.class_names[j]))


def _combo(choices: dict) -> QComboBox:
    combo = QComboBox()
    for key, text in choices.items():
        combo.addItem(text, key)
    return combo


def _number_item(value) -> QTableWidgetItem:
    """A cell that sorts by number and shows 3 decimals (or a count)."""
    item = _sortable(f"{value:.3f}" if isinstance(value, float) else str(value), value)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _sortable(text: str, key) -> QTableWidgetItem:
    item = _Sortable(text)
    item.setData(Qt.ItemDataRole.UserRole, key)
    return item


class _Sortable(QTableWidgetItem):
    """Compares by the number in UserRole, so "10" sorts after "9" and 0.95 after 0.105."""

    def __lt__(self, other) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if mine is None or theirs is None:
            return super().__lt__(other)
        return mine < theirs


def _count_item(count: int, share: float, true: str, predicted: str) -> QTableWidgetItem:
    """A confusion cell: the count, shaded by its share of the true class's images."""
    item = QTableWidgetItem(str(count))
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    white, c = np.array([255, 255, 255]), np.array(CELL_COLOUR.getRgb()[:3])
    rgb = (white + (c - white) * min(max(share, 0.0), 1.0)).round().astype(int)
    item.setBackground(QBrush(QColor(*rgb)))
    # white or black, whichever reads better on the shade (a fixed share of 0.5 gave white on mid blue, 2.3:1)
    item.setForeground(QBrush(QColor("white" if themes.is_dark(QColor(*rgb)) else "black")))
    item.setToolTip(f"{count} image(s) of {true} predicted as {predicted} ({share:.1%} of {true})")
    return item


def open_study(window) -> ClassifierWindow:
    study = ClassifierWindow(window.session)
    study.resize(1300, 620)
    return study
