"""File → Export → Model as ONNX…: the open model as an ONNX model folder (or .zip) that any ONNX runtime, and
this app (File → Open model…), can open: ``encoder.onnx``, ``decoder.onnx``, ``model.json``
(``trainer.onnx_model.export``). The export runs in a ``Task`` on a copy of the model; the status bar says
where it went, the window's message box why it failed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from explorer.training import Task

FOLDER_FILTER = "ONNX model folder (*);;Zip of an ONNX model folder (*.zip)"


def export_task(model, out: Path, info, dataset: dict | None) -> Path:
    """Runs in a Task: a copy of the model (the session's may be in use) written as ONNX."""
    import copy

    from explorer.workers import torch_errors
    from trainer.onnx_model.export import export_onnx

    with torch_errors(f"Exporting {out.name} as ONNX"):
        return export_onnx(copy.deepcopy(model), out, info=info, dataset=_Names(dataset) if dataset else None)


class _Names:
    """What export_onnx reads of a data set: its spec and names (no images cross threads)."""

    def __init__(self, d: dict):
        self.spec, self.class_names, self.attribute_names = d["spec"], d["class_names"], d["attribute_names"]


class OnnxExport(QObject):
    def __init__(self, exports):
        super().__init__(exports)
        self.exports, self.window, self.session = exports, exports.window, exports.session
        self.task: Task | None = None
        self.action = exports.menu.addAction("Model as &ONNX…")
        self.action.triggered.connect(lambda _checked=False: self.choose())
        self.session.modelChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        model = self.session.model
        onnx = getattr(model, "is_onnx", False)
        self.action.setEnabled(model is not None and not onnx)
        self.action.setToolTip("This model is an ONNX model already: its folder is what an export writes"
                               if onnx else "encoder.onnx, decoder.onnx and model.json, for ONNX Runtime")

    def choose(self) -> None:
        start = self.exports._start("onnx")
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export the model as ONNX", start,
                                                   FOLDER_FILTER)
        if path:
            if chosen.endswith("(*.zip)") and not path.lower().endswith(".zip"):
                path += ".zip"
            self.export(path)

    def export(self, path: str | Path) -> Task | None:
        """Write the session's model to ``path`` (a folder, or a .zip) in a worker; returns the Task."""
        s = self.session
        if s.model is None or getattr(s.model, "is_onnx", False) or (self.task and self.task.isRunning()):
            return None
        data = None if s.dataset is None else {"spec": s.dataset.spec, "class_names": list(s.class_names),
                                               "attribute_names": list(s.dataset.attribute_names)}
        self.task = Task(export_task, s.model, Path(path), s.info, data)
        self.task.done.connect(self._on_done)
        self.task.failed.connect(lambda message: self.window.show_error(f"Could not export the model as ONNX:"
                                                                        f"\n{message}"))
        self.task.start()
        return self.task

    def _on_done(self, path: Path) -> None:
        self.exports.folder = Path(path).parent
        self.session.status.emit(f"Exported the model as ONNX to {path} (File → Open model… opens it again)")


def install(exports) -> OnnxExport:
    """The action under File → Export, after "Model…"."""
    return OnnxExport(exports)
