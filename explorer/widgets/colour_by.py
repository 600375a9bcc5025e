"""The scatter's "Colour:" box: colour the points by class (the default), by reconstruction error, PSNR or KL
per point (``trainer.point_values``, computed in a lane with a progress bar and Cancel, kept until the codes
change), by any attribute of the data set, or by one latent coordinate; a second box chooses the
colour-blind-safe colormap (viridis, cividis), and the scatter shows a colour bar (``ScatterView.color_by``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from explorer.tools.jobs import Jobs
from explorer.widgets.colour_bar import COLORMAPS
from trainer.point_values import KINDS

MAX_CODE_DIMS = 16  # latent coordinates offered in the box


def values_job(model, images: np.ndarray, codes: np.ndarray, kind: str):
    """Runs in the lane: the per-point values as progress steps."""
    from explorer.workers import _torch, torch_errors
    from trainer.point_values import point_value_steps

    _torch()
    with torch_errors(f"Computing the {KINDS[kind]}"):
        yield from point_value_steps(model, images, codes, kind)


class ColourByBox(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.jobs = Jobs(session, "colour-by", self)
        self.cache: dict[str, np.ndarray] = {}  # kind -> values of the current codes
        self.choices: list[tuple[str, str]] = []  # (label, key): "class", "value:recon", "attr:3", "z:0"
        self.box = QComboBox()
        # a fixed width: a long choice must not widen the scatter (and squeeze the docks); the list shows all
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.box.setMinimumContentsLength(10)
        self.box.setToolTip("What the colour of a point shows")
        self.box.setAccessibleName("Colour the points by")
        self.colormap = QComboBox()
        self.colormap.addItems(COLORMAPS)
        self.colormap.setToolTip("Colormap for values: both are readable with colour-vision deficiencies")
        self.colormap.setAccessibleName("Colormap")
        self.progress = QProgressBar(maximum=1000, textVisible=False, maximumWidth=90)
        self.cancel_button = QPushButton("Cancel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Colour:"))
        for widget in (self.box, self.colormap, self.progress, self.cancel_button):
            layout.addWidget(widget)
        self._busy(False)
        self._show_colormap()
        self.box.activated.connect(lambda row: self.choose(self.choices[row][1]))
        self.colormap.currentTextChanged.connect(scatter.set_colormap)
        self.cancel_button.clicked.connect(self.cancel)
        self.jobs.busyChanged.connect(self._busy)
        session.modelChanged.connect(self._fill)
        session.datasetChanged.connect(self._fill)
        session.codesChanged.connect(self._on_codes)
        session.ready.connect(self._on_ready)
        scatter.coloursChanged.connect(self._sync)
        self._fill()

    @property
    def current(self) -> str:
        row = self.box.currentIndex()
        return self.choices[row][1] if 0 <= row < len(self.choices) else "class"

    def _fill(self) -> None:
        """The choices for the open model and data set."""
        s = self.session
        choices = [("class", "class")]
        if s.model is not None:
            choices += [(KINDS["recon"], "value:recon"), (KINDS["psnr"], "value:psnr")]
            if getattr(s.model, "is_vae", False):
                choices.append((KINDS["kl"], "value:kl"))
        if s.dataset is not None:
            names = s.dataset.attribute_names
            choices += [(f"attribute: {name}", f"attr:{j}") for j, name in enumerate(names)]
        choices += [(f"latent z{k}", f"z:{k}") for k in range(min(s.latent_dim, MAX_CODE_DIMS))]
        keep = self.current
        self.choices = choices
        self.box.blockSignals(True)
        self.box.clear()
        self.box.addItems([label for label, _ in choices])
        keys = [key for _, key in choices]
        self.box.setCurrentIndex(keys.index(keep) if keep in keys else 0)
        self.box.blockSignals(False)
        if keep not in keys:
            self.choose("class")

    # ---- choosing ------------------------------------------------------------------------------------------

    def choose(self, key: str) -> None:
        """Colour by ``key`` ("class", "value:recon", "value:psnr", "value:kl", "attr:J", "z:K")."""
        keys = [k for _, k in self.choices]
        if key not in keys:
            raise ValueError(f"no colour choice {key!r} here")
        self.box.setCurrentIndex(keys.index(key))
        self.jobs.cancel()
        s = self.session
        kind, _, arg = key.partition(":")
        if kind == "class" or s.dataset is None:
            self.scatter.color_by(None)
        elif kind == "attr":
            name = s.dataset.attribute_names[int(arg)]
            self.scatter.color_by(s.dataset.attributes[:, int(arg)].astype(np.float64), f"attribute: {name}")
        elif kind == "z":
            self._codes_by(int(arg))
        elif arg in self.cache:
            self.scatter.color_by(self.cache[arg], KINDS[arg])
        else:
            self._compute(arg)
        self._show_colormap()

    def _codes_by(self, k: int) -> None:
        s = self.session
        if s.codes is not None and s.n_encoded == len(s.dataset.images):
            self.scatter.color_by(s.codes[:, k].astype(np.float64), f"latent z{k}")

    def _compute(self, kind: str) -> None:
        s = self.session
        if s.model is None or not s.is_ready:
            s.status.emit(f"The {KINDS[kind]} can be computed once every image is encoded")
            return
        s.status.emit(f"Computing the {KINDS[kind]} of {len(s.dataset.images):,} images…")
        self.progress.setValue(0)
        self.jobs.submit(values_job, s.model, s.dataset.images, s.codes.copy(), kind, each=self._on_step)

    def _on_step(self, step) -> None:
        self.progress.setValue(round(1000 * step.done / max(step.total, 1)))
        if step.values is not None:
            self.cache[step.kind] = step.values
            if self.current == f"value:{step.kind}":
                self.scatter.color_by(step.values, KINDS[step.kind])
                self.session.status.emit(f"Coloured by the {KINDS[step.kind]}")

    def cancel(self) -> None:
        """Stop computing; the colours shown stay."""
        if self.jobs.busy:
            self.jobs.cancel()
            self.session.status.emit("Cancelled computing the colours")
            self._sync()

    # ---- following the session and the scatter ------------------------------------------------------------

    def _on_codes(self) -> None:
        """New codes: values computed from the old ones are stale."""
        self.cache.clear()
        if self.jobs.busy:
            self.jobs.cancel()

    def _on_ready(self) -> None:
        """Every image is encoded: colour again by what the box says (it is recomputed if need be)."""
        if self.current != "class":
            self.choose(self.current)

    def _sync(self) -> None:
        """Someone else coloured the scatter (a study) or brought back the classes: the box follows."""
        label = self.scatter.value_label
        if self.scatter.values is None and not self.jobs.busy:
            self.box.setCurrentIndex(0)
        elif self.scatter.values is not None:
            mine = [k for k, (text, _) in enumerate(self.choices) if text == label]
            if mine:
                self.box.setCurrentIndex(mine[0])
        self._show_colormap()

    def _show_colormap(self) -> None:
        self.colormap.setVisible(self.scatter.values is not None or self.current != "class")

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
