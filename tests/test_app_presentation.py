"""Presentation mode (F5, View menu) and the themes: what entering changes, and that leaving restores it."""

from __future__ import annotations

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QTabBar, QWidget

from explorer import presentation, themes
from explorer.widgets import scatter as scatter_module

# every control a panel marks as advanced (the list): each must hide in presentation mode
ADVANCED = {"training": ("beta", "noise", "noise_level", "batch", "lr", "optimizer", "momentum", "device"),
            "denoise": ("compare_button",), "attributes": ("save_button",),
            "interpolate": ("scale_box", "png_button", "gif_button"), "sample": ("scale_box", "png_button")}


@pytest.fixture(autouse=True)
def restore_application(qapp):
    """The font, palette and style are the application's: put them back even when a test fails."""
    app = qapp
    font, style = QFont(app.font()), app.style().name()
    yield
    app.setFont(font)
    if app.style().name() != style:
        app.setStyle(style)
    app.setPalette(QPalette())


def _state(window, widgets: list[QWidget]) -> dict:
    app = QApplication.instance()
    return dict(font=QFont(app.font()), hidden=[w.isHidden() for w in widgets],
                titles={k: d.windowTitle() for k, d in window.docks.items()}, state=window.windowState(),
                size=window.size(), window_color=app.palette().color(QPalette.ColorRole.Window).name(),
                points=window.scatter.layers[0].opts["size"], tip=window.scatter.tip.size,
                title_bars=[d.titleBarWidget() for d in window.docks.values()],
                minimum=[w.minimumSize() for w in widgets], maximum=[w.maximumSize() for w in widgets])


def _marked(window) -> list[QWidget]:
    widgets = []
    for key, names in ADVANCED.items():
        owner = window.docks[key] if key == "training" else window.docks[key].panel
        widgets += [getattr(owner, name) for name in names]
    return widgets + [window.grid.size_box]


def _form_label(widget: QWidget) -> QLabel:
    form = next(f for f in widget.window().findChildren(QFormLayout) if f.labelForField(widget) is not None)
    return form.labelForField(widget)


def test_scale_follows_the_screen():
    assert presentation.scale_for(QSize(1920, 1080)) == 1.6
    assert presentation.scale_for(QSize(1280, 720)) == presentation.MIN_SCALE  # 1.07 would be too small
    assert presentation.scale_for(QSize(2560, 1440)) == pytest.approx(1.6 * 1440 / 1080, abs=0.01)
    assert presentation.scale_for(QSize(7680, 4320)) == presentation.MAX_SCALE


def test_enter_scales_hides_advanced_and_leave_restores_everything(loaded):
    window, show = loaded, loaded.presentation
    # (Qt's own parts, such as a scroll bar's container, set their limits when first shown)
    widgets = [w for w in window.findChildren(QWidget) if not w.objectName().startswith("qt_")]
    before = _state(window, widgets)
    marked = _marked(window)
    assert all(w.property("advanced") and not w.isHidden() for w in marked)

    show.enter()
    assert show.active and window.isFullScreen()
    assert show.scale == presentation.scale_for(window.screen().geometry().size())
    assert QApplication.font().pointSizeF() == pytest.approx(before["font"].pointSizeF() * show.scale)
    advanced = [w for w in window.findChildren(QWidget) if w.property("advanced")]
    assert set(map(id, marked)) <= set(map(id, advanced))
    assert all(w.isHidden() for w in advanced)
    hint = window.docks["denoise"].panel.hint  # a label with a style sheet follows the font too
    assert hint.styleSheet() and hint.font().pointSizeF() == pytest.approx(QApplication.font().pointSizeF())
    for name in ("beta", "batch", "lr", "device"):  # their form rows go with them, label and all
        assert _form_label(getattr(window.docks["training"], name)).isHidden()
    assert not _form_label(window.docks["training"].epochs).isHidden()  # the basics stay
    assert not window.docks["training"].start_button.isHidden()
    # each panel's title bar in plain words; its tab keeps the short name (the tabs of a side show whole)
    titled = {k: d.titleBarWidget().text() for k, d in window.docks.items() if k in presentation.PLAIN_TITLES}
    assert titled == {k: presentation.PLAIN_TITLES[k] for k in window.docks}
    assert {k: d.windowTitle() for k, d in window.docks.items()} == before["titles"]
    assert window.scatter.layers[0].opts["size"] == scatter_module.POINT_SIZE * show.scale
    assert window.scatter.tip.size == round(scatter_module.THUMB_SIZE * show.scale)
    tick_font = window.scatter.plot.getAxis("bottom").style["tickFont"]
    assert tick_font.pointSizeF() == QApplication.font().pointSizeF()
    window_color = QApplication.palette().color(QPalette.ColorRole.Window)
    assert window_color in (QColor("white"), QColor("black"))  # high contrast

    show.leave()
    assert not show.active
    assert _state(window, widgets) == before
    assert window.scatter.plot.getAxis("bottom").style["tickFont"] is None


def test_tool_marks_grow_and_take_the_ink(loaded):
    """Overlay marks: thicker and larger in presentation mode, black ones white on a dark theme."""
    overlay, show = loaded.scatter.overlay("test"), loaded.presentation
    overlay.points("p", np.zeros((1, 2)), size=14, labels=["A"])
    overlay.path("line", np.array([[0.0, 0.0], [1.0, 1.0]]))
    show.enter(full_screen=False)
    marker, label = overlay.marks["p"].items
    assert marker.opts["size"] == 14 * show.scale and marker.opts["pen"].widthF() == 2.5 * show.scale
    assert label.textItem.font().pointSizeF() == 12 * show.scale
    show.leave()
    show.set_theme("dark")
    assert overlay.marks["p"].items[0].opts["size"] == 14
    assert overlay.marks["line"].items[0].opts["pen"].color() == QColor("white")
    show.set_theme("light")
    assert overlay.marks["line"].items[0].opts["pen"].color() == QColor("black")
    np.testing.assert_array_equal(overlay.view_xy("p"), [[0.0, 0.0]])


def test_form_rows_hidden_before_stay_hidden(loaded):
    """Leaving shows again only what entering hid."""
    beta = loaded.docks["training"].beta
    beta.hide()
    loaded.presentation.enter(full_screen=False)
    loaded.presentation.leave()
    assert beta.isHidden()
    assert not loaded.docks["training"].momentum.isHidden()


def test_screenshot_mode_keeps_the_size(window):
    window.resize(1280, 720)
    window.presentation.enter(full_screen=False)
    assert window.presentation.scale == presentation.scale_for(QSize(1280, 720))
    assert window.size() == QSize(1280, 720) and not window.isFullScreen()
    window.presentation.leave()


def test_tab_titles_are_never_elided_nor_scrolled(loaded):
    """Whole titles side by side (no "Interpol…", no arrows), in presentation mode and out of it, and in the
    tab bars the main window makes anew when it restores a layout."""
    def whole() -> bool:
        bars = loaded.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return bool(bars) and all(b.elideMode() == Qt.TextElideMode.ElideNone and not b.usesScrollButtons()
                                  for b in bars)
    assert whole()
    loaded.presentation.enter(full_screen=False)
    assert whole()
    loaded.presentation.leave()
    assert whole()
    loaded.settings.reset_layout()
    QApplication.processEvents()
    assert whole()


def test_f5_toggles_and_escape_leaves(window, qtbot):
    show = window.presentation
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert show.active and show.action.isChecked()
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert not show.active and not show.action.isChecked()
    show.action.trigger()  # View → Presentation mode
    assert show.active
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert not show.active
    QTest.keyClick(window, Qt.Key.Key_Escape)  # Esc outside presentation mode does nothing
    assert not show.active
    slider = window.docks["denoise"].panel.level_slider  # with the focus in a panel too
    window.docks["denoise"].raise_()
    show.enter(full_screen=False)
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    QTest.keyClick(slider, Qt.Key.Key_Escape)
    assert not show.active


def test_view_menu_has_the_mode_and_the_themes(window):
    show = window.presentation
    assert show.action in window.view_menu.actions()
    assert show.action.isCheckable() and show.action.shortcut().toString() == "F5"
    actions = show.theme_menu.actions()
    assert [a.text().replace("&", "") for a in actions] == ["System", "Light", "Dark"]
    assert show.theme_actions.isExclusive() and actions[0].isChecked()
    actions[2].trigger()
    assert show.theme == "dark" and actions[2].isChecked() and not actions[0].isChecked()
    show.set_theme("system")
    assert actions[0].isChecked()


def _lightness(color) -> int:
    return QColor(color).lightness()


def test_theme_switch_changes_palette_and_plots(loaded, qtbot):
    show, changes = loaded.presentation, []
    show.changed.connect(lambda: changes.append(show.theme))
    light = QApplication.palette().color(QPalette.ColorRole.Window)
    sweep = loaded.docks["denoise"].panel.plot
    show.set_theme("dark")
    assert changes == ["dark"]
    assert _lightness(QApplication.palette().color(QPalette.ColorRole.Window)) < 80
    assert QApplication.style().name().lower() == "fusion"
    for plot in (loaded.scatter.plot, sweep, loaded.grid.canvas, loaded.docks["training"].plot.plot):
        assert _lightness(plot.backgroundBrush().color()) < 50
    assert _lightness(loaded.scatter.plot.getAxis("left").textPen().color()) > 150
    show.set_theme("light")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert loaded.scatter.plot.backgroundBrush().color() == QColor("white")
    show.set_theme("system")
    assert QApplication.palette().color(QPalette.ColorRole.Window) == light
    assert changes == ["dark", "light", "system"]
    with pytest.raises(ValueError):
        show.set_theme("purple")


def test_hint_colours_swap_on_dark_and_back(loaded):
    hint = loaded.docks["denoise"].panel.hint
    own = hint.styleSheet()
    loaded.presentation.set_theme("dark")
    assert "#555" not in hint.styleSheet() and _lightness(themes.ON_DARK["#555"]) > 150
    loaded.presentation.set_theme("light")
    assert hint.styleSheet() == own


def test_system_theme_follows_the_colour_scheme(window):
    show, hints = window.presentation, QGuiApplication.styleHints()
    assert show.theme == "system"
    try:
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert show.dark
        assert _lightness(QApplication.palette().color(QPalette.ColorRole.Window)) < 80
        assert _lightness(window.scatter.plot.backgroundBrush().color()) < 50
        show.set_theme("light")  # a manual choice wins over the system
        assert not show.dark
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        show.set_theme("system")
        assert not show.dark and window.scatter.plot.backgroundBrush().color() == QColor("white")
    finally:
        hints.colorSchemeChanged.emit(hints.colorScheme())


def test_presentation_in_dark_is_white_on_black(loaded):
    show = loaded.presentation
    show.set_theme("dark")
    show.enter(full_screen=False)
    assert QApplication.palette().color(QPalette.ColorRole.Window) == QColor("black")
    assert QApplication.palette().color(QPalette.ColorRole.WindowText) == QColor("white")
    assert loaded.scatter.plot.backgroundBrush().color() == QColor("black")
    show.leave()
    assert _lightness(QApplication.palette().color(QPalette.ColorRole.Window)) < 80  # dark again, not black
    assert QApplication.palette().color(QPalette.ColorRole.Window) != QColor("black")
    show.set_theme("system")
