"""Open data set: a dialog that offers every kind the trainer knows, and a loader with a progress dialog.

``DataSetDialog`` lists ``trainer.data.list_datasets()`` (built-ins, MNIST-like sets, path kinds) and builds
a spec such as ``shapes?n=2000`` or ``folder:/home/me/pets?size=32``; path kinds get a file or folder
chooser. ``DataLoad`` loads a spec in a ``Task`` thread with a cancellable QProgressDialog (downloads and
long loads report progress; a cancelled load is stopped at its next report and its result dropped).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer import themes
from explorer.mnemonics import give_mnemonics
from explorer.training import Task
from trainer.errors import TrainerError

PATH_KINDS = {"idx": "folder", "celeba": "folder", "folder": "folder", "npz": "file"}
# an example of each kind's settings, and what they mean in words
OPTION_HINTS = {
    "shapes": ("n=2000&size=28", "n: how many images · seed: which random images · size: pixels per side"),
    "faces": ("n=2000", "n: how many faces · seed: which random faces"),
    "glyphs": ("pad=28", "pad: draw each character on a square this many pixels wide (28 for conv models)"),
    "celeba": ("limit=5000&label=Male",
               "limit: how many photos · label: the attribute that colours the points"),
    "folder": ("size=32", "size: every image resized to this many pixels per side"),
}


class DataSetDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, current: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open data set")
        self.resize(640, 440)
        from trainer.data import list_datasets  # no torch: cheap on the GUI thread

        self.infos = list_datasets()
        self._build()
        self.kinds.currentRowChanged.connect(self._on_kind)
        self.path.textChanged.connect(self._update_spec)
        self.options.textChanged.connect(self._update_spec)
        kinds = [info.spec.split(":")[0] for info in self.infos]
        kind = current.split(":")[0].split("?")[0]
        self.kinds.setCurrentRow(kinds.index(kind) if kind in kinds else 0)  # the open data set's kind
        if current:
            self.spec_edit.setText(current)

    def showEvent(self, event) -> None:
        themes.recolor_for_palette(self)  # its red problem line, lighter on a dark theme
        super().showEvent(event)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.kinds = QListWidget()
        self.kinds.setMinimumHeight(190)
        self.kinds.setAccessibleName("Kind of data set")
        for info in self.infos:
            missing = not info.available and not info.spec.endswith(":PATH")
            note = "   (not on this computer yet)" if missing else ""
            item = QListWidgetItem(info.spec.split(":")[0] + note)
            item.setToolTip(info.description)
            if not info.available and not info.spec.endswith(":PATH"):
                item.setForeground(Qt.GlobalColor.darkGray)
            self.kinds.addItem(item)
        layout.addWidget(self.kinds, 1)
        self.where = QLabel()
        self.where.setWordWrap(True)
        layout.addWidget(self.where)
        layout.addLayout(self._form())
        ok = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(ok.Open | ok.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        give_mnemonics(buttons)
        layout.addWidget(buttons)

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        self.path = QLineEdit()
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._on_browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.options = QLineEdit()
        self.options_help = QLabel(wordWrap=True)
        self.spec_edit = QLineEdit()
        self.spec_edit.setToolTip("The data set as the command line names it "
                                  "(python -m trainer fit --data …); you may type it here too")
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet("color: #b00020;")
        form.addRow("Folder or file:", row)
        form.addRow("Settings (optional):", self.options)
        form.addRow("", self.options_help)
        form.addRow("Opens:", self.spec_edit)
        form.addRow(self.problem)
        return form

    def kind(self) -> str:
        row = self.kinds.currentRow()
        return self.infos[row].spec.split(":")[0] if row >= 0 else ""

    def spec(self) -> str:
        return self.spec_edit.text().strip()

    def _on_kind(self, row: int) -> None:
        info = self.infos[row]
        needs_path = self.kind() in PATH_KINDS
        self.path.setEnabled(needs_path)
        self.browse.setEnabled(needs_path)
        self.path.setPlaceholderText(f"a {PATH_KINDS[self.kind()]}" if needs_path else "no path needed")
        example, words = OPTION_HINTS.get(self.kind(), ("none for this data set", ""))
        self.options.setPlaceholderText(example if not words else f"for example {example}")
        self.options.setEnabled(bool(words))
        self.options_help.setText(words)
        self.options_help.setVisible(bool(words))
        where = (f"Choose a {PATH_KINDS[self.kind()]} below." if needs_path else
                 f"Found: {info.where}" if info.available else info.where)  # a sentence: what to do
        self.where.setText(f"<b>{info.spec}</b>: {info.description}<br>{where}")
        self._update_spec()

    def accept(self) -> None:
        """Open only what can open: a kind that needs a folder or file says so here, and the dialog stays."""
        problem = self.validate()
        self.problem.setText(problem)
        if not problem:
            super().accept()

    def validate(self) -> str:
        """Why the chosen data set cannot be opened as given ("" when it can be tried)."""
        from trainer.data.registry import spec_path

        spec = self.spec()
        if not spec:
            return "Choose a data set in the list."
        kind = spec.partition(":")[0].partition("?")[0]
        what = PATH_KINDS.get(kind)
        if what is None:
            return ""
        found = spec_path(spec)
        if found is None:
            return f"{kind} needs a {what}: press Browse… to choose one."
        if not found.exists():
            return f"There is no {what} {found}: press Browse… to choose one."
        if what == "folder" and not found.is_dir():
            return f"{found} is a file; {kind} needs a folder."
        return ""

    def _update_spec(self) -> None:
        self.problem.setText("")
        kind, path, options = self.kind(), self.path.text().strip(), self.options.text().strip()
        text = f"{kind}:{path}" if kind in PATH_KINDS else kind
        self.spec_edit.setText(text + (f"?{options}" if options else ""))

    def _on_browse(self) -> None:
        if PATH_KINDS.get(self.kind()) == "file":
            path, _ = QFileDialog.getOpenFileName(self, "Choose a .npz file", self.path.text(),
                                                  "NumPy (*.npz)")
        else:
            path = QFileDialog.getExistingDirectory(self, "Choose a folder", self.path.text())
        if path:
            self.path.setText(path)


class Cancelled(TrainerError):
    """Raised from the progress callback of a load the person cancelled."""


class DataLoad(QObject):
    """Load one spec in a thread with a progress dialog. ``loaded(Dataset)`` or ``failed(message)``; a
    cancelled load emits neither."""

    loaded = Signal(object)
    failed = Signal(str)
    progressed = Signal(str, int, int)

    def __init__(self, spec: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.task = Task(self._load, spec)
        self.cancel = self.task.cancel  # set by Cancel, or by closing the window (training.wait_all)
        self._last = 0.0
        self.dialog = QProgressDialog(f"Loading {spec}…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("Open data set")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.canceled.connect(self._on_cancel)
        self.progressed.connect(self._on_progress)
        self.task.done.connect(self._on_done)
        self.task.failed.connect(self._on_failed)

    def start(self) -> DataLoad:
        self.task.start()
        return self

    def _load(self, spec: str):  # runs in the task's thread
        from trainer.data import load_dataset

        return load_dataset(spec, progress=self._report)

    def _report(self, what: str, done: int, total: int) -> None:  # runs in the task's thread
        if self.cancel.is_set():
            raise Cancelled(f"{self.spec}: cancelled")
        if time.monotonic() - self._last >= 0.1 or (total and done >= total):
            self._last = time.monotonic()
            self.progressed.emit(what, int(done), int(total))

    def _on_progress(self, what: str, done: int, total: int) -> None:
        if self.cancel.is_set():
            return
        scale = 1 << 20 if total > 1 << 22 else 1  # large byte counts in MiB (QProgressDialog takes int32)
        self.dialog.setMaximum(total // scale)
        self.dialog.setValue(min(done, total) // scale if total else 0)
        self.dialog.setLabelText(f"{self.spec}: {what}")

    def _on_cancel(self) -> None:
        self.cancel.set()

    def _on_done(self, dataset) -> None:
        self._close()
        if not self.cancel.is_set():
            self.loaded.emit(dataset)

    def _on_failed(self, message: str) -> None:
        self._close()
        if not self.cancel.is_set():
            self.failed.emit(message)

    def _close(self) -> None:
        self.dialog.canceled.disconnect(self._on_cancel)
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        self.deleteLater()
