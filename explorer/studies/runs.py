"""Runs (hyperparameter sweep): the runs of a ``python -m trainer sweep`` folder, their curves, their models.

``RunsTool`` holds the state (the folder, its results table, the selected runs) and watches the folder, so a
sweep still running fills the table as its runs finish; ``RunsWindow`` is the passive view: the table (the
sweep's results.csv, sortable by any column), a plot overlaying the selected runs' loss curves (training
solid, validation dashed, one colour per run) and "Load model", which opens the current run's checkpoint in
the main window. Only JSON and CSV are read here; the model is loaded by the session's worker.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import themes
from explorer.settings import store
from explorer.widgets.empty_state import EmptyState
from explorer.widgets.plot_legend import RIGHT, side_legend
from trainer import sweep
from trainer.errors import TrainerError

TITLE = "Runs (hyperparameter sweep)"
FOLDER_KEY = "studies/runs_folder"
COLORS = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499")
HIDDEN = ("label",)  # the label is the first column, the id the last
NO_FOLDER = ("No sweep chosen yet. A sweep trains several models with different settings and keeps each "
             "one's figures and curves in a folder: press Choose folder… to open one (a teacher makes one "
             "with python -m trainer sweep, see the README).")
PLOT_EMPTY = "Choose a sweep's folder, then click runs in the table above: their loss curves appear here."
REFRESH_DELAY_MS = 300  # a sweep rewrites several files per run: read them once it is quiet


class RunsTool(QObject):
    """The Runs study's state. Signals: folderChanged(str), rowsChanged(), selectionChanged()."""

    folderChanged = Signal(str)
    rowsChanged = Signal()
    selectionChanged = Signal()
    problem = Signal(str)  # why the folder's results cannot be read ("" when they can)

    def __init__(self, session, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.folder: Path | None = None
        self.rows: list[dict] = []
        self.selected: list[str] = []  # run ids, in table order
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._later.start())
        self._later = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._later.timeout.connect(self.refresh)

    def set_folder(self, folder: str | Path) -> None:
        """Show the sweep in ``folder`` (remembered for the next time) and watch it for new results."""
        self.folder = Path(folder)
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        if self.folder.is_dir():
            self._watcher.addPath(str(self.folder))
        store().setValue(FOLDER_KEY, str(self.folder))
        self.folderChanged.emit(str(self.folder))
        self.refresh()

    def refresh(self) -> None:
        """Read results.csv again; selected runs that are still there stay selected. A results table that
        cannot be read (not UTF-8, no id column) shows no rows and says why (``problem``)."""
        try:
            self.rows = sweep.read_results(self.folder) if self.folder else []
            self.problem.emit("")
        except TrainerError as e:
            self.rows = []
            self.problem.emit(str(e))
        self.rowsChanged.emit()
        ids = {row["id"] for row in self.rows}
        self.select([i for i in self.selected if i in ids])

    def select(self, ids: list[str]) -> None:
        ids = [str(i) for i in ids]
        if ids != self.selected:
            self.selected = ids
            self.selectionChanged.emit()

    def run(self, run_id: str) -> dict:
        """The run's record (run.json): config, curves, test figures; {} if unreadable."""
        return sweep.read_run(self.folder / run_id) if self.folder else {}

    def curves(self) -> list[tuple[str, dict]]:
        """(label, sweep.curves columns) of each selected run."""
        return [(self.label(i), sweep.curves(self.run(i))) for i in self.selected]

    def label(self, run_id: str) -> str:
        row = next((r for r in self.rows if r["id"] == run_id), {})
        return str(row.get("label") or run_id)

    def model_path(self, run_id: str | None = None) -> Path | None:
        """The checkpoint of ``run_id`` (default: the first selected run), None if it has none."""
        run_id = run_id or (self.selected[0] if self.selected else None)
        if not run_id or not self.folder:
            return None
        path = self.folder / run_id / sweep.MODEL_FILE
        return path if path.is_file() else None

    def load_model(self, run_id: str | None = None) -> bool:
        """Open the run's model in the main window's session; False when the run has no model."""
        path = self.model_path(run_id)
        if path is not None:
            self.session.open_model(path)
        return path is not None


def last_folder() -> Path | None:
    text = store().value(FOLDER_KEY, "", type=str)
    return Path(text) if text and Path(text).is_dir() else None


class NumberItem(QTableWidgetItem):
    """A table cell that sorts numbers as numbers and puts empty cells last."""

    def __init__(self, value):
        super().__init__(_text(value))
        number = isinstance(value, (int, float)) and math.isfinite(value)
        self.key = (0, value, "") if number else (1, 0.0, _text(value))

    def __lt__(self, other):
        return self.key < getattr(other, "key", (1, 0.0, other.text()))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) >= 1 or value == 0 else f"{value:.3g}"
    return str(value)


class RunsWindow(QWidget):
    """The Runs study window (see the module docstring): a view of a RunsTool."""

    def __init__(self, session, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(TITLE)
        self.tool = RunsTool(session, self)
        self._filling = False
        self._build()
        self.tool.folderChanged.connect(self.folder_label.setText)
        self.tool.problem.connect(self._on_problem)
        self.tool.rowsChanged.connect(self._on_rows)
        self.tool.selectionChanged.connect(self._on_selection)
        if (folder := last_folder()) is not None:
            self.tool.set_folder(folder)
        self.resize(1000, 700)

    def _build(self) -> None:
        self.folder_label = QLabel(NO_FOLDER, wordWrap=True)
        choose, refresh = QPushButton("Choose folder…"), QPushButton("Refresh")
        choose.clicked.connect(self.choose_folder)
        refresh.clicked.connect(self.tool.refresh)
        self.load_button = QPushButton("Load model")
        self.load_button.setToolTip("Open the (first) selected run's model in the main window")
        self.load_button.clicked.connect(lambda: self.tool.load_model())
        self.load_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        for button in (choose, refresh, self.load_button):
            top.addWidget(button)
        self.problem_label = QLabel(wordWrap=True)
        self.problem_label.setStyleSheet("color: #b00020")
        self.problem_label.hide()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._make_table())
        split.addWidget(self._make_plot())
        split.setSizes([300, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem_label)
        layout.addWidget(split, 1)

    def _on_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def _make_table(self) -> QTableWidget:
        self.table = QTableWidget(0, 0)
        self.table.setAccessibleName("Runs: one row per run of the sweep")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        return self.table

    def _make_plot(self) -> pg.PlotWidget:
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        item.hideButtons()  # pyqtgraph's "A" (auto-range) button
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setLabel("bottom", "epoch")
        item.setLabel("left", "loss (nats per image)")
        item.setTitle("solid: training · dashed: validation (test split)", size="9pt")
        item.titleLabel.setVisible(False)  # shown with the first curve
        self.legend = side_legend(item, RIGHT)  # beside the curves, never over them
        self.curves: list[pg.PlotDataItem] = []
        self.empty = EmptyState(self.plot, PLOT_EMPTY, "Runs: loss curves")
        return self.plot

    def choose_folder(self) -> None:
        start = str(self.tool.folder or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Sweep folder", start)
        if folder:
            self.tool.set_folder(folder)

    # ---- the table -----------------------------------------------------------------------------------

    def _on_rows(self) -> None:
        rows = self.tool.rows
        columns = ["label", *[k for k in (rows[0] if rows else {}) if k not in ("id", *HIDDEN)], "id"]
        self._filling = True
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setColumnCount(len(columns) if rows else 0)
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(columns)
        for r, row in enumerate(rows):
            for c, key in enumerate(columns):
                item = NumberItem(row.get(key))
                item.setData(Qt.ItemDataRole.UserRole, row["id"])
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._filling = False
        self._show_selection()

    def _show_selection(self) -> None:
        """Select the tool's runs in the table (after it was refilled)."""
        self._filling = True
        self.table.clearSelection()
        model, chosen = self.table.selectionModel(), set(self.tool.selected)
        flags = model.SelectionFlag.Select | model.SelectionFlag.Rows
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) in chosen:
                model.select(self.table.model().index(r, 0), flags)
        self._filling = False

    def _on_table_selection(self) -> None:
        if self._filling:
            return
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        self.tool.select([self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows])

    def select_runs(self, ids: list[str]) -> None:
        """Select these runs (as clicking their rows would)."""
        self.tool.select(ids)
        self._show_selection()

    # ---- the plot ------------------------------------------------------------------------------------

    def _on_selection(self) -> None:
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        for i, (label, columns) in enumerate(self.tool.curves()):
            color = COLORS[i % len(COLORS)]
            dashed = pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine)
            self._curve(columns, "train_loss", label, pg.mkPen(color, width=2), color)
            self._curve(columns, "val_loss", None, dashed, color)
        themes.fit_marks(self.plot.getPlotItem())  # the colours made for white, readable on the theme's plot
        self.empty.set_empty(not self.curves)
        self.plot.getPlotItem().titleLabel.setVisible(bool(self.curves))
        self.load_button.setEnabled(self.tool.model_path() is not None)

    def _curve(self, columns: dict, key: str, name: str | None, pen, color: str) -> None:
        pairs = [(x, y) for x, y in zip(columns["epoch"], columns[key], strict=True)
                 if x is not None and y is not None]
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
        curve = self.plot.plot(xs, ys, pen=pen, name=name, symbol="o", symbolSize=5, symbolBrush=color,
                               symbolPen=None)
        self.curves.append(curve)


def open_study(window) -> RunsWindow:
    """The Runs window for the main window's session (top-level, non-modal)."""
    return RunsWindow(window.session, window)
