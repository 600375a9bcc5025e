"""Readable in every theme: each text reaches 4.5:1 against its background and each plotted mark 3:1 (WCAG
2.1 AA, SC 1.4.3 and 1.4.11), in light and dark, normal and presentation mode, computed from the palettes
(``explorer/themes.py``) and the colours the plots draw with."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from explorer import themes
from explorer.widgets import colour_bar, denoise_panel, loss_plot, overlays, scatter

R = QPalette.ColorRole
TEXT_ON = ((R.WindowText, R.Window), (R.Text, R.Base), (R.Text, R.AlternateBase), (R.ButtonText, R.Button),
           (R.HighlightedText, R.Highlight), (R.ToolTipText, R.ToolTipBase), (R.PlaceholderText, R.Base),
           (R.Link, R.Base), (R.Link, R.Window), (R.WindowText, R.Base))
# (name, theme, dark, presentation): the four looks a person can get (System is the system's own palette)
LOOKS = (("light", "light", False, False), ("dark", "dark", True, False),
         ("light presentation", "light", False, True), ("dark presentation", "dark", True, True))


def _look(theme: str, dark: bool, presentation: bool) -> themes.Look:
    return themes.look(theme, dark, high_contrast=presentation)


pytestmark = pytest.mark.usefixtures("same_look_after")


def test_the_ratio_is_wcags():
    assert themes.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the well-known grey
    assert themes.contrast("#ffffff", "#ffffff") == 1.0
    assert themes.is_dark("#1c1c1c") and not themes.is_dark("w")


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_every_text_reaches_4_5_to_1(qapp, name, theme, dark, presentation):
    look = _look(theme, dark, presentation)
    palette = look.palette or themes.light_palette()
    low = {f"{fg.name} on {bg.name}": round(themes.contrast(palette.color(fg), palette.color(bg)), 2)
           for fg, bg in TEXT_ON}
    assert all(v >= themes.TEXT_RATIO for v in low.values()), (name, low)
    # the panels' own text colours (grey hints, red messages), swapped for lighter ones on a dark theme
    window = palette.color(R.Window)
    for light, on_dark in themes.ON_DARK.items():
        color = on_dark if dark else light
        assert themes.contrast(color, window) >= themes.TEXT_RATIO, (name, color)
    # the plots' axes and their text, and the scatter's legend (its fill is the plot's background)
    assert themes.contrast(look.foreground, look.background) >= themes.TEXT_RATIO, name
    assert themes.contrast(look.ink, look.background) >= themes.TEXT_RATIO, name


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_every_plotted_mark_reaches_3_to_1(name, theme, dark, presentation):
    bg = _look(theme, dark, presentation).background
    classes = themes.on(bg, scatter.PALETTE, scatter.PALETTE_ON_DARK)
    curves = [themes.on(bg, light, on_dark) for _, _, light, on_dark in loss_plot.TERMS]
    marks = [*classes, *curves, overlays.ORANGE, overlays.RED, overlays.BLUE, *denoise_panel.CURVE_COLORS,
             _look(theme, dark, presentation).ink]
    low = {c: round(themes.contrast(c, bg), 2) for c in marks if themes.contrast(c, bg) < themes.MARK_RATIO}
    assert not low, (name, bg, low)


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
@pytest.mark.parametrize("colormap", colour_bar.COLORMAPS)
def test_every_colormap_step_reaches_3_to_1(name, theme, dark, presentation, colormap):
    """Points coloured by a value (viridis' pale yellow end vanished on white, its deep purple on black):
    every step the scatter draws, and the run of the map it is taken from, shows on the theme's plot."""
    bg = _look(theme, dark, presentation).background
    lo, hi = colour_bar.ramp_range(colormap, bg)
    assert hi - lo >= 0.55, (name, lo, hi)  # most of the map stays: the ramp still spans dark to light
    colors = colour_bar.steps(colormap, len(scatter.PALETTE), bg)
    low = [c.name() for c in colors if themes.contrast(c, bg) < themes.MARK_RATIO]
    assert not low, (name, colormap, low)
    lum = [themes.luminance(c) for c in colors]
    assert lum == sorted(lum)  # low values dark, high values light


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("presentation", [False, True])
def test_the_window_draws_with_those_colours(loaded, theme, presentation):
    """What the window shows after a theme change: the points' colours, the legend's text (it stayed black
    on dark grey), the loss curves and their legend (the navy "total" vanished on dark)."""
    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    try:
        sc = loaded.scatter
        bg = sc.plot.backgroundBrush().color()
        for layer in sc.layers:
            assert themes.contrast(layer.opts["brush"].color(), bg) >= themes.MARK_RATIO
        for side in ("left", "bottom"):  # the axes' text (pyqtgraph's grey was 3:1 on white)
            axis = sc.plot.getAxis(side)
            assert themes.contrast(axis.textPen().color(), bg) >= themes.TEXT_RATIO
        fill = themes.blend(sc.legend.opts["brush"].color(), bg, sc.legend.opts["brush"].color().alphaF())
        for _sample, label in sc.legend.items:
            assert themes.contrast(label.opts["color"], fill) >= themes.TEXT_RATIO, label.text
        plots = loaded.findChildren(loss_plot.LossPlot)
        assert plots
        for lp in plots:
            curve_bg = lp.plot.backgroundBrush().color()
            for curve in lp._curves.values():
                assert themes.contrast(curve.opts["pen"].color(), curve_bg) >= themes.MARK_RATIO
            assert lp.legend.text() == loss_plot.legend_html(curve_bg)
            empty = lp.empty.label.styleSheet()  # "The loss curves appear here…" (it was #444 on dark grey)
            color = themes.TEXT_COLOR.search(empty).group(1)
            assert themes.contrast(color, curve_bg) >= themes.TEXT_RATIO, color
    finally:
        show.leave()
        show.set_theme("system")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("presentation", [False, True])
def test_points_coloured_by_a_value_show_in_every_theme(loaded, theme, presentation):
    """Colour by a value, then change the look (and the colormap): the points and the colour bar's steps
    keep 3:1 against the plot."""
    sc = loaded.scatter
    sc.color_by(np.linspace(0.0, 1.0, len(loaded.session.dataset.images)), "test value")
    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    try:
        for colormap in colour_bar.COLORMAPS:
            sc.set_colormap(colormap)
            bg = sc.plot.backgroundBrush().color()
            for layer in sc.layers:
                assert themes.contrast(layer.opts["brush"].color(), bg) >= themes.MARK_RATIO, colormap
            bar = sc.colour_bar.item.colorMap().getColors(mode="qcolor")
            assert all(themes.contrast(c, bg) >= themes.MARK_RATIO for c in bar), colormap
    finally:
        show.leave()
        show.set_theme("system")


# ---- the studies' windows, and every legend ---------------------------------------------------------------

def _views(root) -> list:
    """The pyqtgraph plots under ``root`` (a window), each with its PlotItem."""
    return [v for v in root.findChildren(pg.GraphicsView) if getattr(v, "plotItem", None) is not None]


def _mark_colors(item: pg.PlotItem) -> list:
    """The opaque colours of ``item``'s curves, symbols, bars, lines and points (what a person sees)."""
    paints = []
    for x in item.items:
        if not x.isVisible():  # (the keyboard cursor's ring takes the ink when it shows)
            continue
        if isinstance(x, pg.PlotDataItem):
            paints.append(x.opts["pen"])
            if x.opts.get("symbol") is not None:
                paints.append(pg.mkBrush(x.opts["symbolBrush"]))
        elif isinstance(x, pg.BarGraphItem):
            paints += [pg.mkBrush(b) for b in (x.opts.get("brushes") or [x.opts["brush"]])]
        elif isinstance(x, pg.InfiniteLine):
            paints.append(x.pen)
        elif isinstance(x, pg.ScatterPlotItem):
            paints += [x.opts["brush"], x.opts["pen"]]
    shown = (Qt.PenStyle.NoPen, Qt.BrushStyle.NoBrush)
    drawn = [p for p in paints if p is not None and p.style() not in shown]
    return [p.color() for p in drawn if p.color().alpha() == 255]


def _assert_readable(root, name: str) -> int:
    """Each plot under ``root``: its axes' text, title and legend text 4.5:1, its marks 3:1; how many."""
    views = _views(root)
    for view in views:
        bg, item = view.backgroundBrush().color(), view.plotItem
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            if axis.isVisible():
                assert themes.contrast(axis.textPen().color(), bg) >= themes.TEXT_RATIO, (name, side)
        if item.titleLabel.text:
            assert themes.contrast(item.titleLabel.opts["color"], bg) >= themes.TEXT_RATIO, (name, "title")
        legend = getattr(item, "legend", None)
        if legend is not None:
            fill = themes.blend(legend.opts["brush"].color(), bg, legend.opts["brush"].color().alphaF())
            assert themes.contrast(legend.opts["labelTextColor"], fill) >= themes.TEXT_RATIO, (name, "legend")
        low = [c.name() for c in _mark_colors(item) if themes.contrast(c, bg) < themes.MARK_RATIO]
        assert not low, (name, bg.name(), low)
        for x in item.items:
            if isinstance(x, pg.InfiniteLine) and getattr(x, "label", None) is not None:  # on its own box
                box, words = x.label.fill, x.label.toPlainText()  # (Quality's "mean" lies over the bars)
                assert box.style() != Qt.BrushStyle.NoBrush and box.color() == bg, (name, words)
                assert themes.contrast(x.label.color, bg) >= themes.TEXT_RATIO, (name, x.label.toPlainText())
    return len(views)


def _behind(widget):
    """The colour behind ``widget``'s text: a plot's background (an empty plot's message) or the window's."""
    parent = widget.parent()
    while parent is not None and not isinstance(parent, pg.GraphicsView):
        parent = parent.parent()
    if parent is not None:
        return parent.backgroundBrush().color()
    return QApplication.palette().color(QPalette.ColorRole.Window)


NAVY = "#332288"  # Paul Tol's indigo, which the studies draw with: it vanished on a dark plot


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_the_studies_take_the_theme_when_opened_and_when_it_changes(loaded, qtbot, name, theme, dark,
                                                                    presentation):
    """Every study window opened in a theme has its plots' background, axes, legend and marks in that theme
    (the Runs legend showed dark text on a white box in the dark theme); a window opened before the change
    follows it, marks drawn in colours made for white included."""
    from explorer.studies import STUDIES

    show = loaded.presentation
    opened_before = {n: loaded.studies.open(n) for n in ("runs", "quality")}
    for study in opened_before.values():
        for view in _views(study):
            if not getattr(view, "own_marks", False):
                view.plotItem.plot([0, 1], [0, 1], pen=pg.mkPen(NAVY, width=2), name="a test curve")
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    qtbot.wait(1)  # the palette reaches the widgets in posted events
    try:
        plots = 0
        for study_name in STUDIES:
            study = loaded.studies.open(study_name)
            plots += _assert_readable(study, f"{name}: {study_name}")
            for label in study.findChildren(QLabel):  # the window's own text colours: style sheets, rich text
                colors = themes.TEXT_COLOR.findall(f"{label.styleSheet()} {label.text()}")
                if label.isVisibleTo(study):
                    low = [c for c in colors if themes.contrast(c, _behind(label)) < themes.TEXT_RATIO]
                    assert not low, (name, study_name, label.text(), low)
        assert plots >= 8  # Runs, Compare (its curves and panes), Quality, Dimensions, the probe, the replay
        show.leave()
        show.set_theme("light")  # and back: the colours each view gave come back
        for study_name, study in opened_before.items():
            _assert_readable(study, f"light after {name}: {study_name}")
            curves = [x for v in _views(study) for x in v.plotItem.items if isinstance(x, pg.PlotDataItem)]
            assert any(c.opts["pen"].color().name() == NAVY for c in curves)
    finally:
        show.leave()
        show.set_theme("system")
        loaded.close()  # the studies stop their workers


def test_runs_curves_drawn_after_the_change_follow_the_theme(loaded, qtbot, tmp_path):
    """The Runs window redraws its curves on each selection: they keep 3:1 on the dark plot."""
    from trainer import sweep
    from trainer.data import load_dataset
    from trainer.models import ModelConfig
    from trainer.train import TrainConfig

    model = ModelConfig(family="vae", arch="mlp", image_shape=(1, 8, 8), latent_dim=2, hidden=(8,))
    sweep.run_sweep(model, load_dataset("digits"), "lr=1e-3", tmp_path,
                    train=TrainConfig(epochs=2, limit_train=32, threads=1, device="cpu"))
    loaded.presentation.set_theme("dark")
    try:
        runs = loaded.studies.open("runs")
        runs.tool.set_folder(tmp_path)
        runs.select_runs([r["id"] for r in sweep.read_results(tmp_path)])
        assert len(runs.curves) == 2 and len(runs.legend.items) == 1
        _assert_readable(runs, "runs")
    finally:
        loaded.presentation.set_theme("system")
        loaded.close()


def _legends(view) -> list:
    return [x for x in view.scene().items() if isinstance(x, pg.LegendItem)]


@pytest.mark.parametrize("presentation", [False, True])
def test_no_legend_covers_its_plot(loaded, qtbot, presentation):
    """Every legend of every plot, in the window (the scatter, the noise sweep…) and in each study, lies
    beside or below its plotting area and inside its view, with an entry in it (an empty legend has no
    size)."""
    from explorer.studies import STUDIES

    if presentation:
        loaded.presentation.enter(full_screen=False)
    try:
        roots = [loaded, *(loaded.studies.open(n) for n in STUDIES)]
        for dock in loaded.docks.values():  # the tools' plots are laid out once their dock shows
            dock.show()
            dock.raise_()
        legends = []
        for root in roots:
            for view in _views(root):
                for legend in _legends(view):
                    if not legend.items:
                        legend.addItem(pg.PlotDataItem([0, 1], [0, 1], pen="k"), "a label of some length")
                    legends.append((root, view, legend))
        assert len(legends) >= 6  # the scatter, the sweep, Runs, Compare's curves, the probe, the replay
        for root in roots:
            root.layout().activate() if root.layout() else None
        qtbot.wait(50)
        for root, view, legend in legends:
            if not (view.isVisible() and legend.isVisible()):  # (the scatter's, while points have labels)
                continue
            box = view.plotItem.getViewBox().sceneBoundingRect()
            rect = legend.sceneBoundingRect().adjusted(1, 1, -1, -1)  # (the layout rounds to half pixels)
            where = f"{type(root).__name__}: {[label.text for _, label in legend.items][:2]}"
            assert rect.width() > 0 and not rect.intersects(box), (where, rect, box)
            shown = view.mapToScene(view.viewport().rect()).boundingRect()
            assert shown.contains(rect), (where, rect, shown)
    finally:
        loaded.presentation.leave()
        loaded.close()


BACKGROUND = re.compile(r"background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})\b")


def _text_background(widget):
    """What ``widget``'s text is drawn on: the nearest background a style sheet sets (the scatter's banner,
    the inspector's dark image boxes), a plot's background (an empty plot's message), or the window's."""
    w = widget
    while w is not None:
        if found := BACKGROUND.search(w.styleSheet() or ""):
            return found.group(1)
        if isinstance(w, pg.GraphicsView):
            return w.backgroundBrush().color()
        w = w.parentWidget()
    return QApplication.palette().color(QPalette.ColorRole.Window)


SPAN = re.compile(r"color:\s*(#[0-9a-fA-F]{3,6})\b[^>]*>([^<]*)<")  # a coloured span of rich text


def _low_text(root) -> list:
    """Each label under ``root`` whose style sheet or rich text sets a colour below 4.5:1 on its background
    (shown or not: a hidden message shows later in the same colour); a span of a symbol only (the loss
    legend's ▬ before each word) is a mark: 3:1."""
    low = []
    for label in root.findChildren(QLabel):
        bg = _text_background(label)
        wanted = [(c, themes.TEXT_RATIO) for c in themes.TEXT_COLOR.findall(label.styleSheet() or "")]
        wanted += [(c, themes.TEXT_RATIO if any(ch.isalnum() for ch in inside) else themes.MARK_RATIO)
                   for c, inside in SPAN.findall(label.text())]
        low += [(label.text()[:40], c, round(themes.contrast(c, bg), 2)) for c, ratio in wanted
                if themes.contrast(c, bg) < ratio]
    return low


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_every_coloured_text_in_the_window_reaches_4_5_to_1(loaded, qtbot, name, theme, dark, presentation):
    """The panels' own text colours (hints, messages, notices, the scatter's banner) against what they are
    drawn on, in each look, and the data set dialog's problem line (a dialog opened in the theme)."""
    from explorer.dialogs import DataSetDialog

    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    qtbot.wait(1)  # the palette reaches the widgets in posted events
    try:
        assert not _low_text(loaded), name
        dialog = DataSetDialog(loaded)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.wait(1)
        assert not _low_text(dialog), name
        dialog.close()
    finally:
        show.leave()
        show.set_theme("system")


def test_the_confusion_cells_text_reaches_4_5_to_1(qapp):
    """The classifier's confusion matrix: each cell's count on its shade (white text at a share of 0.5 and a
    little over was 2.3:1 on mid blue)."""
    from explorer.studies.classifier import _count_item

    for share in np.linspace(0.0, 1.0, 41):
        item = _count_item(3, float(share), "a", "b")
        ratio = themes.contrast(item.foreground().color(), item.background().color())
        assert ratio >= themes.TEXT_RATIO, (share, round(ratio, 2))


def _drawn_text_ratio(image, x0: int, x1: int) -> float:
    """The contrast of the text drawn in columns ``x0``…``x1`` of ``image`` against the colour most of those
    pixels have (the bar behind it): its glyphs' strongest pixel."""
    pixels = np.array([[image.pixelColor(x, y).rgb() & 0xFFFFFF for x in range(x0, x1)]
                       for y in range(image.height() // 4, 3 * image.height() // 4)]).ravel()
    values, counts = np.unique(pixels, return_counts=True)
    bg = f"#{values[np.argmax(counts)]:06x}"
    return max(themes.contrast(f"#{v:06x}", bg) for v in values)


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_the_training_progress_text_reaches_4_5_to_1(loaded, qtbot, name, theme, dark, presentation):
    """"Stopped · 57 %" over the bar's filled part and over its empty part, as drawn in each look."""
    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    qtbot.wait(1)
    try:
        bar = loaded.training_dock.progress
        bar.setValue(570)
        bar.setFormat("Stopped · %p% · Stopped · %p%")  # text over both parts of the bar
        image = bar.grab().toImage()
        w = image.width()
        filled, empty = (4, int(0.55 * w)), (int(0.6 * w), w - 4)
        for x0, x1 in (filled, empty):
            assert _drawn_text_ratio(image, x0, x1) >= themes.TEXT_RATIO, (name, x0, x1)
    finally:
        show.leave()
        show.set_theme("system")


# ---- the controls' own marks: check boxes, radio buttons, the docks' buttons ------------------------------

def test_the_edge_of_a_check_box_reaches_3_to_1_in_every_look(qapp):
    """Computed from the palettes: a check box's and radio button's edge against the window around it and the
    field inside it, and the docks' buttons (the text colour) against the window (issue 10: 1.3:1, 1.95:1
    and 2.3:1 on the dark theme)."""
    from explorer import clear_marks

    for name, theme, dark, presentation in LOOKS:
        palette = _look(theme, dark, presentation).palette or themes.light_palette()
        edge = clear_marks.edge(palette)
        for role in (R.Window, R.Base):
            assert themes.contrast(edge, palette.color(role)) >= themes.MARK_RATIO, (name, role.name)
        assert themes.contrast(palette.color(R.WindowText), palette.color(R.Window)) >= themes.MARK_RATIO


def _common(image, rect) -> str:
    """The colour most pixels of ``image`` inside ``rect`` have (what the marks there are drawn on)."""
    pixels = [image.pixelColor(x, y).rgb() & 0xFFFFFF
              for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)]
    values, counts = np.unique(pixels, return_counts=True)
    return f"#{values[np.argmax(counts)]:06x}"


def _strongest(image, rect, against: str) -> float:
    """The contrast of the pixel of ``image`` inside ``rect`` that stands out most from ``against``."""
    return max(themes.contrast(image.pixelColor(x, y), against)
               for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1))


def _indicator(box):
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    element = (QStyle.SubElement.SE_RadioButtonIndicator if isinstance(box, QRadioButton)
               else QStyle.SubElement.SE_CheckBoxIndicator)
    return box.style().subElementRect(element, option, box)


def test_the_drawn_marks_reach_3_to_1_in_every_look(window, qtbot):
    """As drawn, in each look the View menu and presentation mode give: an unchecked check box's and radio
    button's edge against the window, a checked one's mark against its field, and each dock's float and
    close buttons against the title bar."""
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    boxes = [QCheckBox("unchecked"), QCheckBox("checked", checked=True), QRadioButton("unchecked")]
    for box in boxes:
        layout.addWidget(box)
    host.setAutoFillBackground(True)
    host.show()
    qtbot.waitExposed(host)
    show = window.presentation
    try:
        for name, theme, _dark, presentation in LOOKS:
            show.set_theme(theme)
            if presentation:
                show.enter(full_screen=False)
            qtbot.wait(1)  # the palette reaches the widgets in posted events
            image = host.grab().toImage()
            window_color = _common(image, host.rect())
            for box in boxes:
                rect = _indicator(box).translated(box.pos())
                if box.isChecked():  # the tick against the field inside the box
                    inside = rect.adjusted(3, 3, -3, -3)
                    ratio = _strongest(image, inside, _common(image, inside))
                    assert ratio >= themes.MARK_RATIO, (name, "tick", round(ratio, 2))
                    continue
                top, left = QRect(rect.left(), rect.top(), rect.width(), 1), QRect(rect.left(), rect.top(), 1,
                                                                                  rect.height())
                for edge in (top, left):  # (a pixel either side: Fusion draws a circle a pixel lower right)
                    ratio = _strongest(image, edge.adjusted(-1, -1, 1, 1), window_color)
                    assert ratio >= themes.MARK_RATIO, (name, type(box).__name__, round(ratio, 2))
            checked = 0
            for dock in window.docks.values():
                shown = dock.isVisible() and not dock.visibleRegion().isEmpty()
                if not shown or dock.titleBarWidget() is not None:  # (presentation's title bars: words only)
                    continue
                checked += 1
                buttons = [b for b in dock.findChildren(QAbstractButton)
                           if b.objectName().startswith("qt_dockwidget_") and b.isVisible()]
                assert len(buttons) == 2, dock.windowTitle()  # float and close
                for button in buttons:
                    shot = window.grab(QRect(button.mapTo(window, QPoint(0, 0)), button.size())).toImage()
                    ratio = _strongest(shot, shot.rect(), _common(shot, shot.rect()))
                    assert ratio >= themes.MARK_RATIO, (name, dock.windowTitle(), button.objectName(),
                                                        round(ratio, 2))
            assert checked >= 3 or presentation, name  # Training, the grid, the Inspector
            show.leave()
    finally:
        show.leave()
        show.set_theme("system")
