"""Nothing a person does breaks the layout, and nothing that matters is hidden: the window fits the screen,
every panel shows whole at 1280×720 and 1920×1080 (normal and presentation mode), the tab titles are whole,
the class legend never covers a point, a hint or message never changes a dock's width, a saved layout that
does not fit the screen is not restored, and View → Reset layout puts the first layout back."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from explorer import settings, themes, window_fit
from explorer.main_window import MainWindow
from explorer.state import Projection, Session

# the window inside a window manager's frame on each screen, and presentation mode's full screen
SCREENS = {"1280x720": QSize(1280, 720), "1920x1080": QSize(1920, 1080)}
PANELS = ("training", "denoise", "attributes", "interpolate", "sample", "draw", "posterior", "holes",
          "neighbours", "grid", "inspector")


pytestmark = pytest.mark.usefixtures("same_look_after")


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _lay_out(window, screen: QSize, presentation: bool) -> None:
    """The window as it is on ``screen``: inside its frame, or full screen in presentation mode."""
    window.resize(screen if presentation else window_fit.first_size(screen))
    window.settings.reset_layout()
    if presentation:
        window.presentation.enter(full_screen=False)
    _settle()


def _widths(window) -> dict[str, int]:
    """The widths of the docks in view (of tabbed docks, the one in front)."""
    return {key: dock.width() for key, dock in window.docks.items()
            if dock.isVisible() and not dock.visibleRegion().isEmpty()}


def test_the_first_window_fits_the_screen(qtbot):
    """A new window takes the screen's available area less the frame (it was 1400×900 on every screen), and
    the window can be that small on a 1280×720 screen."""
    win = MainWindow(Session())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    area = window_fit.available(win)  # (offscreen: 800×800, less than the window needs)
    assert win.size() == window_fit.first_size(area).expandedTo(win.minimumSizeHint())
    assert window_fit.first_size(QSize(1280, 720)) == QSize(1264, 672)
    assert window_fit.first_size(QSize(2560, 1440)) == window_fit.DEFAULT_SIZE
    room = window_fit.first_size(SCREENS["1280x720"])
    assert win.minimumSizeHint().width() <= room.width() and win.minimumSizeHint().height() <= room.height()
    win.settings.saving = False


def test_presentation_mode_fits_1280_by_720(window):
    window.presentation.enter(full_screen=False)
    try:
        _settle()
        need = window.minimumSizeHint()
        assert need.width() <= 1280 and need.height() <= 720, need
    finally:
        window.presentation.leave()


def cut_controls(window) -> list[str]:
    """Combo boxes, check boxes and buttons in view whose text is drawn narrower than it is (cut off)."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox

    cut = []
    for widget in window.findChildren(QComboBox) + window.findChildren(QAbstractButton):
        if not widget.isVisible() or widget.visibleRegion().isEmpty():
            continue
        text = widget.currentText() if isinstance(widget, QComboBox) else widget.text()
        text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
        if not text or "\n" in text:
            continue
        extra = 28 if isinstance(widget, QComboBox) else 0  # the combo's arrow and frame
        needed = widget.fontMetrics().horizontalAdvance(text) + extra
        if widget.width() < needed and widget.sizeHint().width() > widget.width():
            cut.append(f"{type(widget).__name__} {text!r}: {widget.width()} < {needed} px")
    return cut


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_panel_shows_whole(loaded, screen, presentation):
    """Each panel in front in turn: no horizontal scroll bar, every tab title whole and in view, and the class
    legend beside the plotting area, never over a point."""
    _lay_out(loaded, SCREENS[screen], presentation)
    try:
        room = SCREENS[screen] if presentation else window_fit.first_size(SCREENS[screen])
        assert loaded.width() <= room.width() and loaded.height() <= room.height()  # not widened to fit
        for key in PANELS:
            loaded.docks[key].raise_()
            _settle()
            assert not window_fit.scrolled_docks(loaded), (key, window_fit.scrolled_docks(loaded))
            assert not window_fit.cut_tabs(loaded), window_fit.cut_tabs(loaded)
            assert not cut_controls(loaded), (key, cut_controls(loaded))
        sc = loaded.scatter
        assert sc.legend.isVisible() and len(sc.legend.items) == 10
        plotting_area = sc.view.sceneBoundingRect()
        assert not sc.legend.sceneBoundingRect().intersects(plotting_area)
        loaded.session.busyChanged.emit("Encoding… 14,336 of 70,000 images")  # the status bar's text
        _settle()
        label = loaded.busy_label
        assert label.isVisible() and label.width() >= label.fontMetrics().horizontalAdvance(label.text())
        loaded.session.busyChanged.emit("")
    finally:
        loaded.presentation.leave()


def test_a_hint_or_message_leaves_the_docks_alone(loaded, qtbot):
    """Attributes → Pick A, B, C and Draw lasso write what the next click does: the scatter widened to the
    hint's length and squeezed both docks. Nor may the projection's banner or the busy text move them."""
    _lay_out(loaded, SCREENS["1280x720"], presentation=False)
    panel = loaded.docks["attributes"].panel
    loaded.docks["attributes"].raise_()
    _settle()
    before = _widths(loaded)
    panel.pick_button.click()
    _settle()
    assert loaded.scatter.hint.isVisible() and loaded.scatter.hint.text()
    assert _widths(loaded) == before
    panel.cancel()
    panel.lasso.start("lasso")
    loaded.scatter.hint.setText(loaded.scatter.hint.text() * 8)  # however long it gets
    _settle()
    assert _widths(loaded) == before
    panel.lasso.stop()
    loaded.scatter.note.setText("A note as long as a sentence can be, written under the plot " * 3)
    loaded.session.projectionComputing.emit(Projection("tsne"))  # the banner over the plot
    loaded.session.busyChanged.emit("Encoding… 14,336 of 70,000 images")
    _settle()
    assert _widths(loaded) == before
    label = loaded.busy_label  # the busy text shows whole in the status bar
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    loaded.session.busyChanged.emit("")
    loaded.session.projectionComputing.emit(None)


def _save_a_layout_without_the_inspector(qtbot, size: QSize, theme: str | None = None) -> None:
    """Store the layout of a window whose Inspector is closed, saved at ``size`` (and ``theme``), as a
    closing window would."""
    first = MainWindow(Session())
    qtbot.addWidget(first)
    first.docks["inspector"].hide()
    store = settings.store()
    store.setValue(settings.GEOMETRY, first.saveGeometry())
    store.setValue(settings.STATE, first.saveState(settings.STATE_VERSION))
    store.setValue(settings.SIZE, size)
    if theme is not None:
        store.setValue(settings.THEME, theme)
    store.sync()
    first.settings.saving = False
    first.close()


def test_a_saved_layout_that_does_not_fit_the_screen_is_not_restored(qtbot):
    """A window saved on a larger screen (here: wider and higher than this one) comes back with the first
    layout; the theme still comes back."""
    big = QGuiApplication.primaryScreen().availableGeometry().size() + QSize(600, 400)
    _save_a_layout_without_the_inspector(qtbot, big, theme="dark")
    win = MainWindow(Session())
    qtbot.addWidget(win)
    win.show()
    assert win.presentation.theme == "dark"
    assert win.docks["inspector"].isVisible()  # the saved state (inspector closed) was not restored
    assert win.size() != big
    win.settings.saving = False
    win.close()


def test_a_saved_layout_that_fits_is_restored(qtbot):
    _save_a_layout_without_the_inspector(qtbot, QSize(400, 300))
    win = MainWindow(Session())
    qtbot.addWidget(win)
    win.show()
    assert not win.docks["inspector"].isVisible()
    win.settings.saving = False


def test_reset_layout_puts_the_first_layout_back(loaded, qtbot):
    """View → Reset layout: every dock back in its place, open, and sized for the window."""
    _lay_out(loaded, SCREENS["1920x1080"], presentation=False)
    first = _widths(loaded)
    loaded.docks["inspector"].hide()
    loaded.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, loaded.docks["training"])
    loaded.resizeDocks([loaded.docks["grid"]], [900], Qt.Orientation.Horizontal)
    _settle()
    assert _widths(loaded) != first
    action = loaded.settings.reset_action
    assert action in loaded.view_menu.actions()
    action.trigger()
    _settle()
    assert loaded.docks["inspector"].isVisible()
    assert loaded.dockWidgetArea(loaded.docks["training"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert _widths(loaded) == first


def test_no_plot_shows_the_auto_range_button(loaded):
    """pyqtgraph's stray "A" button (it appears on hover in a plot's corner)."""
    items = [v.getPlotItem() for v in loaded.findChildren(pg.PlotWidget)]
    assert len(items) >= 3
    assert all(item.buttonsHidden for item in items)



def test_placeholders_and_plot_titles_follow_the_text_size(loaded):
    """"no point selected" and the noise sweep's empty-plot sentence kept their small fixed size in
    presentation mode; the sentence also takes the theme's ink."""
    box, denoise = loaded.inspector.left, loaded.docks["denoise"].panel
    loaded.presentation.set_theme("dark")
    loaded.presentation.enter(full_screen=False)
    try:
        size = QApplication.font().pointSizeF()
        assert box.font().pointSizeF() == pytest.approx(size)
        denoise._on_curves()  # no sweep yet: the plot says what to do
        label = denoise.empty.label
        assert label.isVisibleTo(denoise.plot) and "Noise sweep" in label.text()
        assert label.font().pointSizeF() == pytest.approx(size)
        ink = themes.TEXT_COLOR.search(label.styleSheet()).group(1)
        background = denoise.plot.backgroundBrush().color()
        assert themes.contrast(pg.mkColor(ink), background) >= themes.TEXT_RATIO
    finally:
        loaded.presentation.leave()
        loaded.presentation.set_theme("system")


def test_every_other_window_fits_the_screen(window):
    """The lessons (780×900), the studies (Compare 1600×1000, Quality and Latent dimensions 900 high) and the
    shortcuts (740 high) opened taller or wider than a 1280×720 screen: their bottom rows and buttons lay
    off the screen. Each takes its wanted size, less where the screen is smaller."""
    from explorer.studies import STUDIES

    others = {"lessons": window.help.open_lessons(), "shortcuts": window.shortcuts.show_dialog()}
    others.update({name: window.studies.open(name) for name in STUDIES})
    room_720 = window_fit.first_size(SCREENS["1280x720"])
    too_big, too_wide_for_720 = {}, {}
    for name, w in others.items():
        room = window_fit.first_size(window_fit.available(w)).expandedTo(w.minimumSizeHint())  # 800²
        if w.width() > room.width() or w.height() > room.height():
            too_big[name] = (w.width(), w.height())
        least = w.minimumSizeHint()
        if least.width() > room_720.width() or least.height() > room_720.height():
            too_wide_for_720[name] = (least.width(), least.height())
        w.close()
    assert not too_big, f"larger than the screen less its frame: {too_big}"
    assert not too_wide_for_720, f"cannot be made to fit 1280×720: {too_wide_for_720}"
