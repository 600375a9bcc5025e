"""The main window: builds the docks and menus and wires the views to the session; nothing else."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from explorer import (
    accessibility,
    data_offer,
    export_menu,
    file_menu,
    help,
    presentation,
    scatter_extras,
    settings,
    shortcuts,
    storage_notice,
    studies,
    unsaved,
    wheel_guard,
    window_fit,
)
from explorer.state import Session
from explorer.widgets import tool_docks, training_dock
from explorer.widgets.grid import GridView
from explorer.widgets.inspector import Inspector
from explorer.widgets.scatter import ScatterView


class MainWindow(QMainWindow):
    settled = Signal()  # after ``ready``: the grid is drawn too (screenshots wait for this)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Latent Explorer")
        self.scatter = ScatterView(session)
        self.setCentralWidget(self.scatter)
        self.grid = GridView(session)
        self.inspector = Inspector(session)
        self.grid_dock = self._dock("Decoded grid", self.grid, Qt.DockWidgetArea.RightDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setTabPosition(Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.North)
        self.training_dock = training_dock.install(self, session)  # left area; stops training on close
        self.tool_docks = tool_docks.install(self, session, self.scatter, beside=self.training_dock)
        self.training_dock.raise_()
        self.fit = window_fit.install(self)  # fits the screen; tab titles whole, every tab in view
        window_fit.share_room(self, self.training_dock, self.grid_dock, self.inspector_dock)
        self.docks = {"training": self.training_dock, **{t.lower(): d for t, d in self.tool_docks.items()},
                      "grid": self.grid_dock, "inspector": self.inspector_dock}
        self._menus()
        self._status_bar()
        self._features()
        self._message: QMessageBox | None = None
        session.error.connect(self.show_error)
        session.modelChanged.connect(self._on_model)
        session.modelSaved.connect(self._on_model)
        session.trainingChanged.connect(self._on_model)
        session.ready.connect(self._on_ready)
        self._waiting_for_grid = False
        self.grid.updated.connect(self._on_grid)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        self.file_menu_end = self.file_menu.addSeparator()
        self.files = file_menu.install(self, self.session, self.training_dock)  # above file_menu_end
        self.quit_action = self.file_menu.addAction("&Quit", self.close)
        self.quit_action.setShortcuts(QKeySequence.StandardKey.Quit)  # none on some platforms: see shortcuts
        self.view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.help_menu = self.menuBar().addMenu("&Help")

    def after_first_paint(self, fn: Callable[[], object], fallback_ms: int = 1000) -> None:
        """Call ``fn`` once the window has painted for the first time (or after ``fallback_ms``). Workers that
        import torch (loading a model, the device probe) hold the GIL in stretches: started at once, they
        delayed the first paint by about 0.35 s."""
        _AfterFirstPaint(self, fn, fallback_ms)

    def _features(self) -> None:
        """The desktop features, each one module: File → Export, presentation mode and themes (View), help and
        lessons (Help), keyboard shortcuts, and the settings that restore the last session (last: it
        restores what the others made)."""
        self.exports = export_menu.install(self)
        self.extras = scatter_extras.install(self)  # Colour by, Find, Neighbours
        self.studies = studies.install(self)
        self.presentation = presentation.install(self)
        self.help = help.install(self)
        self.shortcuts = shortcuts.install(self)
        self.accessibility = accessibility.install(self)  # names from labels, Tab in visual order
        self.settings = settings.install(self)
        self.data_offer = data_offer.install(self)  # "Get all 70,000…" beside the bundled Fashion-MNIST
        self.storage_notice = storage_notice.install(self)  # None unless settings or caches cannot be written
        self.unsaved = unsaved.install(self)  # Save / Discard / Cancel before an unsaved model is lost
        self.wheel_guard = wheel_guard.install(self)  # the wheel scrolls panels, not their settings

    def _status_bar(self) -> None:
        self.busy_label = QLabel()
        self.progress = QProgressBar(maximumWidth=160, maximum=0, textVisible=False)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.cancel_button = QPushButton("Cancel", toolTip="Stop loading, encoding and computing the view")
        self.cancel_button.clicked.connect(self.session.cancel_work)
        self.cancel_button.hide()
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.session.status.connect(self.statusBar().showMessage)
        self.session.busyChanged.connect(self._on_busy)
        self.session.encodeProgress.connect(self._on_encode_progress)

    def _on_busy(self, text: str) -> None:
        """The busy text, a progress bar (counting images while encoding, else just moving) and Cancel."""
        self.busy_label.setText(text)
        if not self.session.encoding:
            self.progress.setRange(0, 0)
        self.progress.setVisible(bool(text))
        self.cancel_button.setVisible(bool(text))

    def _on_encode_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _on_model(self) -> None:
        self.setWindowTitle(f"Latent Explorer — {self.session.model_name()}")

    def _on_ready(self) -> None:
        self._waiting_for_grid = True

    def _on_grid(self, _grid) -> None:
        if self._waiting_for_grid and self.session.is_ready:
            self._waiting_for_grid = False
            self.settled.emit()

    def show_error(self, message: str) -> None:
        """One non-modal message box at a time (a newer message replaces the text)."""
        self.statusBar().showMessage(message.splitlines()[0], 10000)
        if self._message is None:
            self._message = QMessageBox(QMessageBox.Icon.Warning, "Latent Explorer", "", parent=self)
            self._message.setModal(False)
        self._message.setText(message)
        self._message.show()

    def closeEvent(self, event) -> None:
        for study in self.studies.windows.values():  # each study stops its own workers when it closes
            study.close()
        self.session.shutdown()
        super().closeEvent(event)


class _AfterFirstPaint(QObject):
    def __init__(self, window: QWidget, fn: Callable[[], object], fallback_ms: int):
        super().__init__(window)
        self.fn, self.pending = fn, True
        QApplication.instance().installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self.run)

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.pending:
            QTimer.singleShot(0, self, self.run)  # after this paint and the others of the same pass
        return False

    def run(self) -> None:
        if self.pending:
            self.pending = False
            QApplication.instance().removeEventFilter(self)
            if self.parent().isVisible():  # not for a window closed (or never shown) meanwhile
                self.fn()
