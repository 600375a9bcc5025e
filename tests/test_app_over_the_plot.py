"""Nothing covers the data on the scatter, and nothing stays on it that does not belong to what is shown
(issue 10): the banner of a view being computed fits the plotting area (never over the axis or the legend,
Cancel whole) and is gone once the view is shown, the note of a view that is not invertible is under the
plot, the Holes tool's meter is in its own tab, and the holes map shows only while that tab is in front."""

from __future__ import annotations

import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, click_view, empty_spot
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget
from test_app_layout import SCREENS, _lay_out, _settle, cut_controls

from explorer.state import Projection

pytestmark = pytest.mark.usefixtures("same_look_after")

PIXELS_PCA, TSNE = Projection("pixels-pca"), Projection("tsne")
LONG_STEP = "Computing the t-SNE of the codes: iteration 250 of 750 (early exaggeration), KL 3.21"


def plotting_area(window) -> QRect:
    """The plotting area (the view box: inside the axes, left of the legend) in the plot widget's pixels."""
    sc = window.scatter
    return sc.plot.mapFromScene(sc.view.sceneBoundingRect()).boundingRect()


def over_the_plot(window) -> list[str]:
    """Every widget of the window in view drawn over the scatter's plotting area (a child of the plot, or
    anything else that overlaps it), other than the plot's own drawing surface. (Windows of their own, such
    as the hover thumbnail, are left out.)"""
    plot = window.scatter.plot
    area = QRect(plot.mapToGlobal(plotting_area(window).topLeft()), plotting_area(window).size())
    found = []
    for widget in window.findChildren(QWidget):
        if (not widget.isVisible() or widget.window() is not window or widget is plot.viewport()
                or widget.isAncestorOf(plot) or widget is plot):
            continue
        rect = QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())
        if rect.intersects(area):
            found.append(f"{type(widget).__name__} {widget.objectName()!r} at {rect}")
    return found


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_the_banner_fits_the_plotting_area_and_nothing_stays_over_the_points(loaded, qtbot, presentation):
    """At 1280×720 the banner (the last view's note, progress and Cancel) was wider than the plot: Cancel was
    cut to "Car", and once the view was shown its note stayed over the legend's first entry and the points
    at the top."""
    s, sc = loaded.session, loaded.scatter
    _lay_out(loaded, SCREENS["1280x720"], presentation)
    try:
        s.set_projection(PIXELS_PCA)
        qtbot.waitUntil(lambda: s.projection == PIXELS_PCA and s.computing is None, timeout=LOAD_TIMEOUT_MS)
        _settle()
        assert not over_the_plot(loaded), over_the_plot(loaded)
        note = sc.note
        assert note.isVisible() and "not invertible" in note.text()
        assert note.fontInfo().pointSizeF() == pytest.approx(QApplication.font().pointSizeF(), abs=0.5)
        assert note.height() >= note.heightForWidth(note.width())  # every wrapped line shown
        assert not QRect(note.mapTo(loaded, note.rect().topLeft()), note.size()).intersects(
            QRect(sc.plot.mapTo(loaded, sc.plot.rect().topLeft()), sc.plot.size()))
        s.projectionComputing.emit(TSNE)  # a view being computed (without minutes of t-SNE)
        s.projectionProgress.emit(0.3, LONG_STEP)
        _settle()
        banner = sc.banner
        assert banner.isVisible() and banner.cancel_button.isVisible()
        assert plotting_area(loaded).contains(banner.geometry()), (banner.geometry(), plotting_area(loaded))
        legend = sc.plot.mapFromScene(sc.legend.sceneBoundingRect()).boundingRect()
        assert sc.legend.isVisible() and not legend.intersects(banner.geometry())
        cancel = banner.cancel_button
        assert cancel.width() >= cancel.sizeHint().width()
        assert not cut_controls(loaded), cut_controls(loaded)
        text = banner.progress_text
        assert text.height() >= text.heightForWidth(text.width())  # wrapped, not cut
        s.projectionComputing.emit(None)
        _settle()
        assert not over_the_plot(loaded), over_the_plot(loaded)
    finally:
        loaded.presentation.leave()


def test_the_meter_is_in_the_holes_tab_and_the_map_shows_only_while_it_is_in_front(loaded, qtbot):
    """The meter sat over the bottom of the scatter, whichever tab was in front (even after View → Reset
    layout); the holes map too stayed behind the points."""
    s = loaded.session
    _lay_out(loaded, SCREENS["1280x720"], presentation=False)
    holes = loaded.docks["holes"]
    holes.raise_()
    panel = holes.panel
    qtbot.waitUntil(lambda: panel.tool.mixture is not None, timeout=LOAD_TIMEOUT_MS)
    panel.map_box.setChecked(True)
    qtbot.waitUntil(lambda: panel.image.isVisible(), timeout=LOAD_TIMEOUT_MS)
    x, y = empty_spot(loaded)
    click_view(qtbot, loaded, x, y)
    qtbot.waitUntil(lambda: panel.tool.reading is not None and panel.meter.isVisible(),
                    timeout=LOAD_TIMEOUT_MS)
    assert "OFF THE MAP" in panel.meter.label.text() and panel.isAncestorOf(panel.meter)
    assert not over_the_plot(loaded), over_the_plot(loaded)
    for other in (loaded.docks["inspector"].raise_, loaded.settings.reset_layout):
        holes.raise_()
        _settle()
        assert panel.image.isVisible() and panel.meter.isVisible()
        other()  # another tab in front, or the first layout (the Inspector in front)
        _settle()
        assert holes.visibleRegion().isEmpty()
        assert panel.meter.visibleRegion().isEmpty() and not panel.image.isVisible()
        assert not any(ring.isVisible() for ring in panel.rings)
        assert not over_the_plot(loaded), over_the_plot(loaded)
    holes.raise_()
    _settle()
    s.select(0)
    assert "#0" in panel.meter.label.text()
