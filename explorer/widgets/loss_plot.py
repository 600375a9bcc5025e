"""Live loss curves: total, reconstruction and KL, for the training and the validation split.

The six curve items are made once; each Progress record appends a point and calls ``setData``. x is the
epoch (fractional within an epoch), y the loss in nats per image on a log scale (KL is much smaller than
the reconstruction term). Training points are the running means of the epoch so far; validation points
come at epoch ends.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer import themes
from explorer.widgets.empty_state import EmptyState

EMPTY = ("The loss curves appear here while a model trains: choose the data set and settings above, then "
         "press Start.")
# (key, name, colour on a light plot, colour on a dark plot): each reaches 3:1 against its plot (WCAG 2.1)
TERMS = (("loss", "total", "#332288", "#8877DD"), ("recon", "reconstruction", "#CC6677", "#CC6677"),
         ("kl", "KL", "#117733", "#2A9A4E"))
SPLITS = (("train", Qt.PenStyle.SolidLine), ("val", Qt.PenStyle.DashLine))
FLOOR = 1e-3  # the log axis cannot show 0


class LogAxis(pg.AxisItem):
    """Log-axis labels at 1, 2 and 5 × 10^k only, written plainly ("200", not "2·10²")."""

    def logTickStrings(self, values, scale, spacing):
        strings = []
        for v in values:
            mantissa = 10 ** (v - math.floor(v + 1e-9))
            strings.append(f"{10 ** v:.3g}" if round(mantissa, 3) in (1.0, 2.0, 5.0) else "")
        return strings


class LossPlot(QWidget):
    """A legend line above a pyqtgraph plot (a legend inside the plot would hide the curves)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"left": LogAxis("left")})
        self.plot.setMinimumHeight(200)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)  # fill, not scroll
        item = self.plot.getPlotItem()
        item.setLogMode(x=False, y=True)
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setLabel("bottom", "epoch")
        item.setLabel("left", "nats per image")
        item.setMenuEnabled(False)
        item.hideButtons()  # pyqtgraph's "A" (auto-range) button: the plot follows the curves by itself
        self.plot.on_background = self.set_background  # called by themes.style_plots
        self.background = "w"
        self.legend = QLabel(legend_html(self.background))
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        self._data: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
        self._curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        for split, _style in SPLITS:
            for key, *_ in TERMS:
                self._curves[split, key] = item.plot([], [])
                self._data[split, key] = ([], [])
        self.empty = EmptyState(self.plot, EMPTY, "Training loss per epoch")
        self.set_background(self.background)

    def set_background(self, background) -> None:
        """The curves' and the legend's colours for a plot drawn on ``background`` (light or dark)."""
        self.background = background
        for split, style in SPLITS:
            for key, _, light, dark in TERMS:
                self._curves[split, key].setPen(pg.mkPen(themes.on(background, light, dark), width=2,
                                                         style=style))
        self.legend.setText(legend_html(background))

    def clear_curves(self) -> None:
        for key, curve in self._curves.items():
            self._data[key] = ([], [])
            curve.setData([], [])
        self.empty.set_empty(True)

    def show_history(self, history: list[dict]) -> None:
        """The curves of a stored history (``trainer.cli.epoch_record`` dicts: ``epoch``, ``train`` and
        ``val`` losses per image), one point per epoch; none stored: the plot is empty."""
        self.clear_curves()
        for record in history:
            for split in ("train", "val"):
                values = record.get(split)
                if isinstance(values, dict) and isinstance(record.get("epoch"), (int, float)):
                    self._append(split, float(record["epoch"]), values)

    def add(self, p) -> None:
        """Append a trainer.train.Progress record (step and epoch records; others are ignored)."""
        if p.kind not in ("step", "epoch") or not p.steps_per_epoch:
            return
        x = p.epoch - 1 + p.step / p.steps_per_epoch
        self._append("train", x, {"loss": p.loss, "recon": p.recon, "kl": p.kl})
        if p.kind == "epoch" and p.val:
            self._append("val", x, p.val)

    def points(self, split: str, key: str) -> int:
        """How many points the curve holds (for tests and the status line)."""
        return len(self._data[split, key][0])

    def _append(self, split: str, x: float, values: dict) -> None:
        self.empty.set_empty(False)
        for key, *_ in TERMS:
            y = values.get(key)
            if not isinstance(y, (int, float)) or not y == y or (key == "kl" and y <= 0):  # NaN; no KL: an AE
                continue
            xs, ys = self._data[split, key]
            xs.append(x)
            ys.append(max(float(y), FLOOR))
            self._curves[split, key].setData(xs, ys)


def legend_html(background="w") -> str:
    """Each curve's colour as a bar (a mark) before its name (in the text colour: 4.5:1 needs more than a
    curve's 3:1)."""
    terms = " ".join(f'<span style="color:{themes.on(background, light, dark)}; font-weight:bold">▬</span> '
                     f'{name}&nbsp;' for _, name, light, dark in TERMS)
    return f"{terms}<br><small>solid: training · dashed: validation (test split, at epoch ends)</small>"
