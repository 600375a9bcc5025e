"""File → Export: any panel as a PNG at a chosen resolution, the latent codes as CSV, the morph and
interpolation strips as PNG and GIF, the samples as PNG, and the model (as a checkpoint, or as ONNX:
``explorer/onnx_export.py``).

Each export is a method that takes a path (scripts and tests call them; the menu asks for the path first),
writes the file atomically (``trainer.files.atomic_file``: images are encoded in memory first) and reports a
failure once, in the window's message box. Panels: the pyqtgraph views (the scatter, the decoded grid) are
drawn again by pyqtgraph's ``ImageExporter`` at the size asked for, so points, lines and text stay sharp;
other panels through ``QWidget.render`` into an image with that many pixels per screen pixel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QWidget,
)

from explorer.mnemonics import give_mnemonics
from explorer.widgets.numbers import IntBox
from trainer.errors import TrainerError
from trainer.files import atomic_file

SCALES = (1, 2, 3, 4)
MAX_SIDE = 16384  # pixels: the most either side of an exported image may have
STRIPS = {"morph": ("attributes", "the morph strip"), "interpolation": ("interpolate", "the interpolation"),
          "samples": ("sample", "the samples")}
FILTERS = {"png": "PNG images (*.png)", "gif": "GIF animations (*.gif)", "csv": "CSV tables (*.csv)"}


@dataclass(frozen=True)
class Panel:
    """Something the person can export: ``item`` (a pyqtgraph item drawn again at the new size) or else
    ``widget`` (rendered); ``dock`` is brought forward first so that its layout is current."""

    title: str
    widget: QWidget
    item: object = None
    dock: QWidget | None = None

    def size(self) -> QSize:
        """Its size on screen, in (logical) pixels: what 1× means (bring it forward first: a tab behind
        another has the size it had when last shown)."""
        if self.item is not None:
            rect = self.item.mapRectToDevice(self.item.boundingRect())
            return QSize(round(rect.width()), round(rect.height()))
        return self.widget.size()

    def bring_forward(self) -> None:
        """Show its dock's tab in front and lay it out now."""
        if self.dock is not None and not self.dock.isFloating():
            self.dock.show()
            self.dock.raise_()
        if self.widget.layout() is not None:
            self.widget.layout().activate()


def render_panel(panel: Panel, scale: float = 1.0, width: int | None = None) -> QImage:
    """The panel as an image ``scale`` times its size on screen, or ``width`` pixels wide."""
    panel.bring_forward()
    size = panel.size()
    scale = width / max(size.width(), 1) if width else scale
    target = QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
    if max(target.width(), target.height()) > MAX_SIDE:
        raise TrainerError(f"{target.width()}×{target.height()} pixels is too large: at most {MAX_SIDE} a "
                           "side")
    return render_item(panel.item, target) if panel.item is not None else render_widget(panel.widget, target)


def render_item(item, target: QSize) -> QImage:
    """A pyqtgraph item drawn again at ``target`` pixels (scatter points and pens scale with it)."""
    from pyqtgraph.exporters import ImageExporter

    exporter = ImageExporter(item)
    params = exporter.parameters()
    params["width"] = target.width()  # sets the height from the aspect ratio, rounded down: set it exactly
    params.param("height").setValue(target.height(), blockSignal=exporter.heightChanged)
    return exporter.export(toBytes=True)


def render_widget(widget: QWidget, target: QSize) -> QImage:
    """A widget and its children painted into an image of ``target`` pixels, through a scaled painter (text
    and lines are drawn at that resolution, not enlarged afterwards; image pixels stay square)."""
    image = QImage(target, QImage.Format.Format_ARGB32)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.scale(target.width() / max(widget.width(), 1), target.height() / max(widget.height(), 1))
    widget.render(painter, QPoint())
    painter.end()
    return image


def write_png(image: QImage, path: str | Path) -> Path:
    """Encode in memory, then write atomically (a failed write leaves no partial file)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if image.isNull() or not image.save(buffer, "PNG"):
        raise TrainerError("the image could not be encoded as PNG")
    buffer.close()
    with atomic_file(Path(path)) as f:
        f.write(bytes(data))
    return Path(path)


def ask_path(parent: QWidget, title: str, start: str, kind: str) -> str:
    """A save dialog; the path with its suffix (``.png``, ``.gif``, ``.csv``) added if it has none, or ""."""
    path, _ = QFileDialog.getSaveFileName(parent, title, start, f"{FILTERS[kind]};;All files (*)")
    return path if not path or Path(path).suffix else f"{path}.{kind}"


class Exports(QObject):
    """File → Export. ``panels()`` names what ``export_panel`` can render; every ``export_*`` takes a path
    and returns it, or None after saying why it could not be written."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.session = window, window.session
        self.folder: Path | None = None  # where the last export went: the next dialog starts there
        self.menu = QMenu("&Export", window.file_menu)
        self._actions()
        before = getattr(window, "file_menu_end", None)
        window.file_menu.insertSeparator(before)
        window.file_menu.insertMenu(before, self.menu)
        self._connect()
        self._update()
        from explorer import onnx_export

        self.onnx = onnx_export.install(self)  # "Model as ONNX…"

    def _actions(self) -> None:
        add = self._action
        self.panel_action = add("&Panel as PNG…", self.choose_panel)
        self.codes_action = add("Latent &codes as CSV…", self.choose_codes)
        self.menu.addSeparator()
        self.morph_png_action = add("&Morph strip as PNG…", lambda: self.choose_strip("morph", "png"))
        self.morph_gif_action = add("Morph strip as &GIF…", lambda: self.choose_strip("morph", "gif"))
        self.interpolation_png_action = add("&Interpolation as PNG…",
                                            lambda: self.choose_strip("interpolation", "png"))
        self.interpolation_gif_action = add("Interpolation as GI&F…",
                                            lambda: self.choose_strip("interpolation", "gif"))
        self.samples_action = add("&Samples as PNG…", lambda: self.choose_strip("samples", "png"))
        self.strip_actions = {"morph": (self.morph_png_action, self.morph_gif_action),
                              "interpolation": (self.interpolation_png_action, self.interpolation_gif_action),
                              "samples": (self.samples_action,)}
        self.menu.addSeparator()
        self.model_action = add("M&odel…", lambda: self.window.files.choose_save())

    def _action(self, text: str, slot: Callable[[], object]) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _connect(self) -> None:
        s = self.session
        for signal in (s.modelChanged, s.datasetChanged, s.codesChanged, s.ready):
            signal.connect(self._update)
        tools = [self._tool(name) for name in STRIPS]
        for tool, signal in zip(tools, ("morphChanged", "stripChanged", "samplesChanged"), strict=True):
            if tool is not None and hasattr(tool, signal):
                getattr(tool, signal).connect(self._update)

    def _update(self) -> None:
        """Each action is enabled when it has something to write."""
        self.codes_action.setEnabled(self._codes() is not None)
        for which, actions in self.strip_actions.items():
            for action in actions:
                action.setEnabled(self._strip_images(which) is not None)
        onnx = getattr(self.session.model, "is_onnx", False)  # saved as ONNX only (File → Export → ONNX)
        self.model_action.setEnabled(self.session.model is not None and not onnx)

    # ---- panels ------------------------------------------------------------------------------------------

    def panels(self) -> dict[str, Panel]:
        """Everything that can be exported as a picture, by name: the scatter, the decoded grid, the
        inspector, the Training dock and every tool panel, and the whole window."""
        w = self.window
        found = {"scatter": Panel("Latent scatter", w.scatter.plot, w.scatter.plot.plotItem),
                 "grid": Panel("Decoded grid", w.grid.canvas, w.grid.canvas.ci, w.grid_dock),
                 "inspector": Panel("Inspector", w.inspector, None, w.inspector_dock)}
        for name, dock in w.docks.items():
            if name not in found:
                found[name] = Panel(f"{dock.windowTitle()} panel", _content(dock), None, dock)
        found["window"] = Panel("The whole window", w)
        return found

    def export_panel(self, name: str, path: str | Path, scale: float = 1.0, width: int | None = None
                     ) -> Path | None:
        """Panel ``name`` as a PNG, ``scale`` times its size on screen (or ``width`` pixels wide)."""
        panel = self.panels()[name]
        return self._guard(f"the {panel.title.lower()}", path,
                           lambda: write_png(render_panel(panel, scale, width), path))

    def choose_panel(self) -> None:
        dialog = PanelDialog(self.panels(), self.window)
        if not dialog.exec():
            return
        name, width = dialog.choice()
        path = ask_path(self.window, "Export a panel as PNG", self._start(f"{name}.png"), "png")
        if path:
            self.export_panel(name, path, width=width)

    # ---- latent codes ------------------------------------------------------------------------------------

    def _codes(self):
        s = self.session
        if s.codes is None or s.dataset is None or s.n_encoded == 0:
            return None
        n = s.n_encoded
        xy = s.xy if s.xy is not None and len(s.xy) == n else None
        return s.codes[:n], s.dataset.labels[:n], s.class_names, s.dataset.n_train, xy

    def export_codes(self, path: str | Path) -> Path | None:
        """The session's codes as CSV: index, split, label, class name, z0…, and the current view's x, y."""
        from trainer.export import save_codes_csv

        table = self._codes()
        if table is None:
            self.window.show_error("There are no latent codes to export yet: open a model and a data set.")
            return None
        return self._guard("the latent codes", path, lambda: save_codes_csv(path, *table))

    def choose_codes(self) -> None:
        path = ask_path(self.window, "Export the latent codes", self._start("codes.csv"), "csv")
        if path:
            self.export_codes(path)

    # ---- strips ------------------------------------------------------------------------------------------

    def _tool(self, which: str):
        dock = self.window.docks.get(STRIPS[which][0])
        panel = getattr(dock, "panel", None)
        return getattr(panel, "tool", None)

    def _strip_images(self, which: str):
        tool = self._tool(which)
        shown = {"morph": "morph", "interpolation": "strip", "samples": "samples"}[which]
        return getattr(getattr(tool, shown, None), "images", None)

    def export_strip(self, which: str, path: str | Path, fmt: str = "png", scale: int | None = None
                     ) -> Path | None:
        """``which`` ("morph", "interpolation", "samples") as a PNG strip or a looping GIF, each image pixel
        ``scale``×``scale`` (default: the panel's own export scale, else 4)."""
        tool, what = self._tool(which), STRIPS[which][1]
        if scale is None:
            box = getattr(self.window.docks[STRIPS[which][0]].panel, "scale_box", None)
            scale = box.value() if box is not None else 4
        write = tool.export_gif if fmt == "gif" else tool.export_png
        return self._guard(what, path, lambda: write(path, scale=scale))

    def choose_strip(self, which: str, fmt: str) -> None:
        path = ask_path(self.window, f"Export {STRIPS[which][1]}", self._start(f"{which}.{fmt}"), fmt)
        if path:
            self.export_strip(which, path, fmt)

    # ---- the model ---------------------------------------------------------------------------------------

    def export_model(self, path: str | Path):
        """The current model, as File → Save model as… does (in a worker; returns its Task, or None)."""
        return self.window.files.save_to(path)

    # ---- helpers -----------------------------------------------------------------------------------------

    def _start(self, name: str) -> str:
        """Where a save dialog starts: the last export folder (else the model's) and ``<model>-<name>``."""
        model = self.session.model_path
        folder = self.folder or (Path(model).parent if model else Path.home())
        return str(folder / (f"{Path(model).stem}-{name}" if model else name))

    def _guard(self, what: str, path: str | Path, write: Callable[[], Path]) -> Path | None:
        """Run ``write`` with a busy cursor; one message if it fails (the old file, if any, is untouched)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = Path(write())
        except (OSError, TrainerError) as e:
            self.window.show_error(f"Could not export {what} to {path}:\n{e}")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.folder = written.parent
        self.session.status.emit(f"Exported {what} to {written}")
        return written


def _content(dock) -> QWidget:
    """What a dock shows: its tool panel, or the widget inside its scroll area."""
    panel = getattr(dock, "panel", None)
    if panel is not None:
        return panel
    widget = dock.widget()
    return widget.widget() if isinstance(widget, QScrollArea) and widget.widget() is not None else widget


class PanelDialog(QDialog):
    """Which panel, and how large: 1×–4× its size on screen, or a width in pixels."""

    def __init__(self, panels: dict[str, Panel], parent: QWidget | None = None, name: str = "scatter",
                 scale: int = 2):
        super().__init__(parent)
        self.setWindowTitle("Export a panel as PNG")
        self.panels = panels
        self.panel_box = QComboBox()
        for key, panel in panels.items():
            self.panel_box.addItem(panel.title, key)
        self.scale_box = QComboBox()
        self.scale_box.addItems([f"{k}×" for k in SCALES] + ["Custom width"])
        self.width_box = IntBox(16, MAX_SIDE, suffix=" px", singleStep=100)
        self.result = QLabel()
        self._layout()
        self.panel_box.currentIndexChanged.connect(self._on_panel)
        self.scale_box.currentIndexChanged.connect(self._on_scale)
        self.width_box.valueChanged.connect(self._on_width)
        self.panel_box.setCurrentIndex(max(self.panel_box.findData(name), 0))
        self.scale_box.setCurrentIndex(SCALES.index(scale) if scale in SCALES else 0)
        self._on_scale()

    def _layout(self) -> None:
        form = QFormLayout(self)
        form.addRow("Panel:", self.panel_box)
        form.addRow("Resolution:", self.scale_box)
        form.addRow("Width:", self.width_box)
        form.addRow("", self.result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        give_mnemonics(buttons)
        form.addRow(buttons)

    def _size(self) -> QSize:
        return self.panels[self.panel_box.currentData()].size()

    def _on_panel(self) -> None:
        """The chosen panel comes to the front (behind the dialog): what it shows is what is written."""
        self.panels[self.panel_box.currentData()].bring_forward()
        self._on_scale()

    def _on_scale(self) -> None:
        """A scale sets the width; "Custom width" keeps the width typed."""
        k = self.scale_box.currentIndex()
        if k < len(SCALES):
            self.width_box.blockSignals(True)
            self.width_box.setValue(self._size().width() * SCALES[k])
            self.width_box.blockSignals(False)
        self._show_result()

    def _on_width(self) -> None:
        k = self.scale_box.currentIndex()
        if k < len(SCALES) and self.width_box.value() != self._size().width() * SCALES[k]:
            self.scale_box.blockSignals(True)
            self.scale_box.setCurrentIndex(len(SCALES))
            self.scale_box.blockSignals(False)
        self._show_result()

    def _show_result(self) -> None:
        size, width = self._size(), self.width_box.value()
        height = round(size.height() * width / max(size.width(), 1))
        self.result.setText(f"{width} × {height} pixels (on screen {size.width()} × {size.height()})")

    def choice(self) -> tuple[str, int]:
        """(panel name, width in pixels)."""
        return self.panel_box.currentData(), self.width_box.value()


def install(window) -> Exports:
    """File → Export ▸ (above the Quit separator)."""
    return Exports(window)
