"""The Attribute arithmetic panel: choose a direction, morph an image along it, and try analogies.

A passive view of ``explorer.tools.attributes.AttributeTool`` (``panel.tool``) in three groups — Direction,
Morph, Analogy — that also draws on the scatter: the direction as an arrow from the mean of the group
without to the mean of the group with, the morph path, the person's own group, and A, B, C with A − B + C.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.tools.attributes import ALPHA_RANGE, K_RANGE, SOURCES, AttributeTool
from explorer.widgets.lasso import GroupHighlight, LassoSelector
from explorer.widgets.numbers import IntBox, format_number
from explorer.widgets.overlays import BLUE, ORANGE, RED
from explorer.widgets.strip import ImageStrip
from trainer.errors import TrainerError

SOURCE_LABELS = ("Attribute", "From class → to class", "My selection vs the rest", "Saved vector")
PICK_HINTS = ("Click A: the image to change", "Click B: an image without the change",
              "Click C: an image with the change")
NO_BASE = "Click a point on the scatter (or empty space) to choose the image to morph."
NO_FILE_TIP = "Save the model to a file first (File → Save model as…): its vectors are kept beside it."
ALPHA_STEPS = 10  # slider units per 1.0 of α
PATH_DELAY_MS = 150


def _row(*widgets, stretch: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        row.addWidget(w)
    if stretch:
        row.addStretch(1)
    return row


def _page(*widgets) -> QWidget:
    page = QWidget()
    page.setLayout(_row(*widgets, stretch=True))
    return page


def _set_items(combo: QComboBox, items: list[str], current: int) -> None:
    combo.blockSignals(True)
    if [combo.itemText(i) for i in range(combo.count())] != items:
        combo.clear()
        combo.addItems(items)
    combo.setCurrentIndex(current if 0 <= current < len(items) else -1)
    combo.blockSignals(False)


class AttributesPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        self.tool = AttributeTool(session, self)
        self.overlay = scatter.overlay("attributes")
        self.lasso = LassoSelector(scatter, self)
        self.group = GroupHighlight(scatter, self)
        layout = QVBoxLayout(self)
        for box in (self._direction_box(), self._morph_box(), self._analogy_box()):
            layout.addWidget(box)
        layout.addStretch(1)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self,
                                context=Qt.ShortcutContext.WindowShortcut)
        self.escape.setEnabled(False)
        # a scatter of 70k points takes ~25 ms to repaint: while α is dragged only the strip follows each
        # step, and the path on the scatter follows once the drag pauses
        self.path_timer = QTimer(self, singleShot=True, interval=PATH_DELAY_MS)
        self.path_timer.timeout.connect(self._draw_path)
        self._connect()
        self._refresh()

    # ---- building ------------------------------------------------------------------------------------------

    def _direction_box(self) -> QGroupBox:
        self.source_box = QComboBox()
        self.source_box.addItems(SOURCE_LABELS)
        self.attribute_box, self.from_box, self.to_box, self.saved_box = (QComboBox() for _ in range(4))
        for combo in (self.attribute_box, self.from_box, self.to_box, self.saved_box):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.attribute_box.setAccessibleName("Attribute")  # alone on their pages: no label to name them
        self.saved_box.setAccessibleName("Saved vector")
        self.lasso_button, self.box_button = QPushButton("Draw lasso"), QPushButton("Draw box")
        for button in (self.lasso_button, self.box_button):
            button.setCheckable(True)
        self.lasso_button.setToolTip("Drag around points on the scatter: they become the group the arrow "
                                     "points to; all other points are the rest")
        self.box_button.setToolTip("Drag a box on the scatter around the group")
        self.count_label = QLabel("No points selected")
        self.pages = QStackedWidget()
        classes = _page(QLabel("from"), self.from_box, QLabel("to"), self.to_box)
        group = _page(self.lasso_button, self.box_button, self.count_label)
        for page in (_page(self.attribute_box), classes, group, _page(self.saved_box)):
            self.pages.addWidget(page)
        self.info = QLabel(wordWrap=True)
        self.save_button = QPushButton("Save vector…")
        self.save_button.setProperty("advanced", True)  # hidden in presentation mode
        box = QGroupBox("Direction")
        form = QFormLayout(box)
        form.addRow("Made from:", self.source_box)
        form.addRow(self.pages)
        form.addRow(self.info)
        form.addRow(_row(self.save_button, stretch=True))
        return box

    def _morph_box(self) -> QGroupBox:
        lo, hi = (int(round(a * ALPHA_STEPS)) for a in ALPHA_RANGE)
        self.alpha_slider = QSlider(Qt.Orientation.Horizontal, minimum=lo, maximum=hi, singleStep=1,
                                    pageStep=ALPHA_STEPS)
        self.alpha_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.alpha_slider.setTickInterval(ALPHA_STEPS)
        self.alpha_label = QLabel()
        self.alpha_label.setMinimumWidth(60)
        self.k_spin = IntBox(*K_RANGE)
        self.base_label = QLabel(wordWrap=True)
        self.strip = ImageStrip(NO_BASE, min_height=80)
        self.strip_caption = QLabel(wordWrap=True)
        self.strip_caption.setStyleSheet("color: #555;")
        box = QGroupBox("Morph")
        form = QFormLayout(box)
        form.addRow(self.base_label)
        form.addRow("How far (α):", _row(self.alpha_slider, self.alpha_label))
        form.addRow("Images:", _row(self.k_spin, stretch=True))
        form.addRow(self.strip)
        form.addRow(self.strip_caption)
        return box

    def _analogy_box(self) -> QGroupBox:
        self.pick_button = QPushButton("Pick A, B, C")
        self.pick_button.setToolTip("Click three images on the scatter: A, then B and C. The result changes "
                                    "A the way B changes into C: A − B + C")
        self.clear_button = QPushButton("Clear")
        self.analogy_strip = ImageStrip("A − B + C: pick three images on the scatter.", min_height=80)
        self.analogy_label = QLabel(wordWrap=True)
        box = QGroupBox("Analogy")
        layout = QVBoxLayout(box)
        layout.addLayout(_row(self.pick_button, self.clear_button, stretch=True))
        layout.addWidget(self.analogy_strip)
        layout.addWidget(self.analogy_label)
        return box

    def _connect(self) -> None:
        t = self.tool
        t.sourceChanged.connect(self._on_source)
        t.directionChanged.connect(self._on_direction)
        t.morphSettingsChanged.connect(self._on_settings)
        t.baseChanged.connect(self._on_base)
        t.morphChanged.connect(self._on_morph)
        t.analogyChanged.connect(self._on_analogy)
        t.vectorsChanged.connect(self._on_vectors)
        self.session.ready.connect(self._on_source)
        self.source_box.activated.connect(lambda row: t.set_source(SOURCES[row]))
        self.attribute_box.activated.connect(t.set_attribute)
        self.from_box.activated.connect(lambda row: t.set_classes(row, self.to_box.currentIndex()))
        self.to_box.activated.connect(lambda row: t.set_classes(self.from_box.currentIndex(), row))
        self.saved_box.activated.connect(lambda row: t.set_saved(self.saved_box.itemText(row)))
        self.lasso_button.clicked.connect(lambda on: self._draw("lasso", on))
        self.box_button.clicked.connect(lambda on: self._draw("box", on))
        self.lasso.selected.connect(t.set_mask)
        self.lasso.finished.connect(self._on_lasso_done)
        self.save_button.clicked.connect(self._ask_save)
        self.alpha_slider.valueChanged.connect(lambda v: t.set_alpha(v / ALPHA_STEPS))
        self.k_spin.valueChanged.connect(t.set_k)
        self.pick_button.clicked.connect(self._toggle_picking)
        self.clear_button.clicked.connect(t.clear_analogy)
        self.escape.activated.connect(self.cancel)

    def _refresh(self) -> None:
        for slot in (self._on_vectors, self._on_source, self._on_direction, self._on_settings, self._on_base,
                     self._on_morph, self._on_analogy):
            slot()

    # ---- direction -----------------------------------------------------------------------------------------

    def _on_source(self) -> None:
        t, s = self.tool, self.session
        row = SOURCES.index(t.source)
        for k, source in enumerate(SOURCES):  # a choice the open data cannot make is greyed out
            self.source_box.model().item(k).setEnabled(source == t.source or t.can_use(source))
        self.source_box.setCurrentIndex(row)
        self.pages.setCurrentIndex(row)
        names = t.attribute_names
        _set_items(self.attribute_box, names or ["(this data set has no attributes)"], t.attribute)
        self.attribute_box.setEnabled(bool(names))
        _set_items(self.from_box, s.class_names, t.classes[0])
        _set_items(self.to_box, s.class_names, t.classes[1])
        _set_items(self.saved_box, list(t.vectors), list(t.vectors).index(t.saved_name)
                   if t.saved_name in t.vectors else -1)
        mask = t.mask if t.source == "selection" else None
        self.group.show_mask(mask)
        n = 0 if t.mask is None else int(t.mask.sum())
        self.count_label.setText(f"{n:,} points selected" if t.mask is not None else "No points selected")
        for button in (self.lasso_button, self.box_button):
            button.setEnabled(s.is_ready)

    def _on_direction(self) -> None:
        d, t = self.tool.direction, self.tool
        if d is None:
            self.overlay.remove("direction")
            self.info.setText(f"No direction: {t.problem}" if t.problem else self._missing_text())
        else:
            self.overlay.arrow("direction", d.start, d.end, color=RED)
            self.info.setText(self._direction_text(d))
        self._on_save_state()

    def _direction_text(self, d) -> str:
        size = f"Arrow length {format_number(d.norm, 2)}"
        if not (d.n_with or d.n_without):
            return f"{size} · saved: {d.description}"
        return (f"{size} · from {d.n_without:,} images “{d.without_name}” to {d.n_with:,} images "
                f"“{d.with_name}”")

    def _missing_text(self) -> str:
        t = self.tool
        if not self.session.is_ready:
            return "Open a model to make a direction."
        return {"attribute": "This data set has no attributes: try two classes or your own selection.",
                "classes": "Choose two different classes.",
                "selection": "Draw a lasso or a box around a group of points on the scatter.",
                "saved": "No saved vector chosen." if t.vectors else "This model has no saved vectors yet.",
                }[t.source]

    def _draw(self, mode: str, on: bool) -> None:
        self.lasso.stop()
        if on:
            self.tool.cancel_analogy()
            self.lasso.start(mode)
        self._sync_modes()

    def _on_lasso_done(self) -> None:
        self._sync_modes()

    def _sync_modes(self) -> None:
        self.lasso_button.setChecked(self.lasso.mode == "lasso")
        self.box_button.setChecked(self.lasso.mode == "box")
        self.escape.setEnabled(self.lasso.active or self.tool.picking)

    # ---- saved vectors -------------------------------------------------------------------------------------

    def _on_vectors(self) -> None:
        self._on_source()
        self._on_save_state()

    def _on_save_state(self) -> None:
        has_file = self.session.model_path is not None
        self.save_button.setEnabled(self.tool.can_save)
        self.save_button.setToolTip("Keep this direction under a name, in a file beside the model"
                                     if has_file else NO_FILE_TIP)

    def _ask_save(self) -> None:
        d, classes = self.tool.direction, self.tool.source == "classes"
        suggestion = "" if d is None else f"{d.without_name} → {d.with_name}" if classes else d.with_name
        name, ok = QInputDialog.getText(self, "Save vector", "Name of this direction:", text=suggestion)
        if ok and name.strip():
            self.save_vector(name)

    def save_vector(self, name: str) -> None:
        try:
            path = self.tool.save_vector(name)
        except TrainerError as e:
            self.session.error.emit(str(e))
            return
        self.session.status.emit(f"Saved the vector “{name.strip()}” in {path.name}")

    # ---- morph ---------------------------------------------------------------------------------------------

    def _on_settings(self) -> None:
        t = self.tool
        for widget, value in ((self.alpha_slider, int(round(t.alpha * ALPHA_STEPS))), (self.k_spin, t.k)):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        self.alpha_label.setText(f"α = {format_number(t.alpha, 1, sign=True)}")

    def _on_base(self) -> None:
        base = self.tool.base
        self.base_label.setText("Morphing: no image chosen yet" if base is None else f"Morphing: {base[1]}")

    def _on_morph(self) -> None:
        """The strip first (the person watches it while dragging α), then its path on the scatter."""
        t = self.tool
        if t.morph is None:
            self.strip.show_images(None, placeholder=NO_BASE if t.base is None else self._missing_text())
            self.strip_caption.setText("")
            self.path_timer.stop()
            self.overlay.remove("morph")
            return
        self.strip.show_images(t.morph.images)
        alphas = t.morph.alphas
        self.strip_caption.setText(f"α from 0 (left: the plain reconstruction) to {alphas[-1]:+.1f} in "
                                   f"{len(alphas)} steps")
        self.path_timer.start()

    def _draw_path(self) -> None:
        if self.tool.morph is not None:
            self.overlay.path("morph", self.tool.morph.codes, color=ORANGE, width=2.0)

    # ---- analogy -------------------------------------------------------------------------------------------

    def _toggle_picking(self) -> None:
        if self.tool.picking:
            self.cancel()
            return
        self.lasso.stop()
        self.tool.start_analogy()
        self.scatter.claim_clicks(self.tool.pick, PICK_HINTS[0])

    def cancel(self) -> None:
        """Esc: stop drawing a group and stop picking A, B, C."""
        self.lasso.stop()
        if self.tool.picking:
            self.tool.cancel_analogy()

    def _on_analogy(self) -> None:
        t = self.tool
        if t.picking:
            self.scatter.claim_clicks(self.tool.pick, PICK_HINTS[len(t.picks)])
        elif self.scatter.hint.text() in PICK_HINTS:
            self.scatter.release_clicks()
        self.pick_button.setText("Cancel picking" if t.picking else "Pick A, B, C")
        self._sync_modes()
        self._mark_analogy()
        self._show_analogy()

    def _mark_analogy(self) -> None:
        t = self.tool
        picks = t.picks
        if picks:
            codes = np.stack([p.z for p in picks])
            self.overlay.points("analogy", codes, color=BLUE, labels=list("ABC")[:len(picks)])
        else:
            self.overlay.remove("analogy")
        if t.analogy is not None:
            a, b, c, r = t.analogy.codes
            self.overlay.points("analogy-result", r, color=RED, symbol="star", size=18, labels=["A − B + C"])
            self.overlay.path("analogy-bc", np.stack([b, c]), color=BLUE, width=1.5, dashed=True, dots=False)
            self.overlay.path("analogy-ar", np.stack([a, r]), color=RED, width=1.5, dashed=True, dots=False)
        else:
            for key in ("analogy-result", "analogy-bc", "analogy-ar"):
                self.overlay.remove(key)

    def _show_analogy(self) -> None:
        t = self.tool
        if t.analogy is not None:
            self.analogy_strip.show_images(t.analogy.images)
            names = [f"{name}: {p.label}" for name, p in zip("ABC", t.picks, strict=True)]
            self.analogy_label.setText(" · ".join(names) + " · right: A − B + C")
        else:
            chosen = [f"{name}: {p.label}" for name, p in zip("ABC", t.picks, strict=False)]
            self.analogy_strip.show_images(None)
            self.analogy_label.setText(" · ".join(chosen))
