"""The File menu: New model…, Open model…, Save model as…, Open data set…, Recent files (Quit is the
window's). New model… opens the Training panel's choice of data set.

``install(window, session, controller)`` puts the actions above ``window.file_menu_end``. Saving runs
``save_checkpoint`` (atomic) in a ``Task``; data sets load through ``explorer.dialogs.DataLoad`` with a
progress dialog. ``RecentFiles`` keeps the last 8 model files and path data sets in QSettings.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from explorer.dialogs import PATH_KINDS, DataLoad, DataSetDialog
from explorer.training import Task

# an ONNX model is a folder: choosing its model.json (or an .onnx file in it) opens the folder
MODEL_FILTER = ("Models (*.safetensors model.json *.onnx *.zip);;"
                "Latent Explorer checkpoints (*.safetensors);;ONNX model folders (model.json *.onnx);;"
                "Zipped ONNX models (*.zip);;All files (*)")
SAVE_FILTER = "Latent Explorer checkpoints (*.safetensors);;All files (*)"


class RecentFiles:
    """Entries ``model:PATH`` and ``data:SPEC`` (path kinds only), newest first; missing files are pruned."""

    KEY, LIMIT = "recent/files", 8

    def __init__(self, settings: QSettings | None = None):
        from explorer.settings import store  # one settings file for the whole app

        self.settings = settings or store()

    def entries(self) -> list[str]:
        stored = self.settings.value(self.KEY, [], type=list)
        kept = [e for e in stored if isinstance(e, str) and entry_path(e).exists()]
        if kept != stored:
            self._write(kept)
        return kept

    def add(self, entry: str) -> None:
        if not entry_path(entry).exists():
            return
        self._write([entry, *[e for e in self.entries() if e != entry]][:self.LIMIT])

    def clear(self) -> None:
        self._write([])

    def _write(self, entries: list[str]) -> None:
        self.settings.setValue(self.KEY, entries)
        self.settings.sync()


def entry_path(entry: str) -> Path:
    """The file or folder an entry names (``data:idx:/x?opt=1`` -> ``/x``; a path may hold ``?``)."""
    from trainer.data.registry import spec_path

    kind, _, rest = entry.partition(":")
    if kind == "data":
        return spec_path(rest) or Path()
    return Path(rest)


def data_entry(spec: str) -> str | None:
    """A recent-files entry for a data set spec that names a path, else None (built-ins are not files)."""
    from trainer.data.registry import spec_path

    kind = spec.partition(":")[0]
    return f"data:{spec}" if kind in PATH_KINDS and spec_path(spec) else None


def default_name(session) -> str:
    from trainer.data.registry import spec_path

    cfg = session.model.config
    path = spec_path(session.dataset.spec) if session.dataset else None
    spec = session.dataset.spec.split("?")[0] if session.dataset else "model"
    name = path.stem if path is not None else spec
    data = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    return f"{data or 'model'}-{cfg.family}-{cfg.latent_dim}d.safetensors"


def save_model(path: Path, model, train_config: dict, dataset: dict | None, metrics: dict,
               extra: dict) -> Path:
    """Runs in a Task: the checkpoint, written atomically (temp file, fsync, os.replace). When it cannot be
    written at the end (a full disk, a folder gone) the model is kept in a recovery file and the error says
    where (``trainer.files.write_with_fallback``)."""
    from explorer.workers import torch_errors
    from trainer.checkpoint import save_checkpoint
    from trainer.files import write_with_fallback

    def write(dest: Path) -> Path:
        return save_checkpoint(dest, model, train_config=train_config, dataset=dataset, metrics=metrics,
                               extra=extra)

    with torch_errors(f"Saving {path}"):
        return write_with_fallback(path, write, "model")


class FileMenu(QObject):
    def __init__(self, window, session, controller=None, recent: RecentFiles | None = None):
        super().__init__(window)
        self.window, self.session, self.controller = window, session, controller
        self.recent = recent or RecentFiles()
        self.save_task: Task | None = None
        self.load: DataLoad | None = None
        self._actions(window.file_menu, getattr(window, "file_menu_end", None))
        session.modelChanged.connect(self._on_model)
        session.trainingChanged.connect(self._on_model)

    def _actions(self, menu: QMenu, before: QAction | None) -> None:
        self.open_action = self._action("&Open model…", QKeySequence.StandardKey.Open, self.choose_model)
        self.save_action = self._action("&Save model as…", "Ctrl+S", self.choose_save)
        self.data_action = self._action("Open &data set…", "Ctrl+D", self.choose_dataset)
        self.recent_menu = QMenu("Recent &files", menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for action in (self.open_action, self.save_action, self.data_action):
            menu.insertAction(before, action)
        menu.insertMenu(before, self.recent_menu)
        self._on_model()

    def _action(self, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    # ---- models ----------------------------------------------------------------------------------------

    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open model", self.folder(), MODEL_FILTER)
        if path:
            self.session.open_model(path)

    def choose_save(self) -> None:
        if self.session.model is None:
            return
        start = str(Path(self.folder()) / default_name(self.session))
        path, _ = QFileDialog.getSaveFileName(self.window, "Save model as", start, SAVE_FILTER)
        if path:
            self.save_to(path if Path(path).suffix else path + ".safetensors")

    def save_to(self, path: str | Path) -> Task | None:
        """Save the current model in a worker; the status bar says when it is written. A destination that
        cannot be written (a read-only folder, a device, a name too long) is refused at once with one
        message (``trainer.files.check_output``)."""
        from trainer.errors import OutputError
        from trainer.files import check_output

        s = self.session
        if s.model is None or (self.save_task is not None and self.save_task.isRunning()):
            return None
        try:
            check_output(path, make_parents=False)
        except OutputError as e:
            s.error.emit(f"The model was not saved: {e}")
            return None
        info, trained = s.info, self.controller if s.info is None and self.controller else None
        train = info.train_config if info is not None else (trained.train_settings if trained else {})
        metrics = dict(info.metrics) if info else ({"history": list(trained.history)} if trained else {})
        data = None if s.dataset is None else {"spec": s.dataset.spec, "class_names": list(s.class_names),
                                               "attribute_names": list(s.dataset.attribute_names)}
        self.save_task = Task(save_model, Path(path), s.model, dict(train), data,
                              metrics, dict(info.extra) if info else {})
        model = s.model
        self.save_task.done.connect(lambda saved: self._on_saved(saved, model))
        self.save_task.failed.connect(s.error.emit)
        self.save_task.start()
        return self.save_task

    def _on_saved(self, path: Path, model) -> None:
        self.recent.add(f"model:{Path(path).resolve()}")
        if self.session.model is model:  # another model may have opened while this one was written
            self.session.model_saved(path)
        else:
            self.session.status.emit(f"Saved {path}")

    def _on_model(self) -> None:
        onnx = getattr(self.session.model, "is_onnx", False)  # no torch weights: File → Export → as ONNX
        self.save_action.setEnabled(self.session.model is not None and not onnx and not self.session.training)
        self.save_action.setToolTip("An ONNX model has no torch weights to save as a checkpoint" if onnx
                                    else "")
        if self.session.model_path is not None:
            self.recent.add(f"model:{Path(self.session.model_path).resolve()}")

    def folder(self) -> str:
        """Where file dialogs start: the open model's folder, else the home folder."""
        path = self.session.model_path
        return str(Path(path).parent) if path else str(Path.home())

    # ---- data sets ---------------------------------------------------------------------------------------

    def choose_dataset(self) -> None:
        dialog = DataSetDialog(self.window)
        if dialog.exec() and dialog.spec():
            self.open_dataset(dialog.spec())

    def open_dataset(self, spec: str) -> DataLoad:
        """Load ``spec`` with a progress dialog; the session adopts it (or says why not)."""
        if self.load is not None:
            self.load.cancel.set()
        self.load = DataLoad(spec, self.window).start()
        self.load.loaded.connect(self._on_data_loaded)
        self.load.failed.connect(self.session.error.emit)
        return self.load

    def _on_data_loaded(self, dataset) -> None:
        self.load = None
        if self.session.set_dataset(dataset) and (entry := data_entry(dataset.spec)):
            self.recent.add(entry)

    # ---- recent files ------------------------------------------------------------------------------------

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        entries = self.recent.entries()
        for entry in entries:
            kind, _, target = entry.partition(":")
            text = Path(target).name if kind == "model" else f"Data set: {target}"
            action = self.recent_menu.addAction(text, lambda e=entry: self.open_recent(e))
            action.setToolTip(target)
        if not entries:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def open_recent(self, entry: str) -> None:
        kind, _, target = entry.partition(":")
        if kind == "model":
            self.session.open_model(target)
        else:
            self.open_dataset(target)


def install(window, session, dock=None) -> FileMenu:
    """Add Open model…, Save model as…, Open data set… and Recent files to ``window.file_menu``; the
    Training ``dock``'s "Open…" button opens the data set dialog too."""
    menu = FileMenu(window, session, dock.controller if dock is not None else None)
    if dock is not None:
        menu.new_action = menu._action("&New model…", QKeySequence.StandardKey.New, lambda: new_model(dock))
        menu.new_action.setToolTip("Train a new model on any data set (the Training panel)")
        window.file_menu.insertAction(menu.open_action, menu.new_action)
    return menu


def new_model(dock) -> None:
    """File → New model…: the Training panel, and its choice of data set."""
    dock.show()
    dock.raise_()
    dock.choose_data()
