"""Controls' own marks that reach 3:1 (WCAG 2.1 SC 1.4.11, non-text contrast) in every theme.

Fusion draws a check box's and a radio button's edge in the window's colour made 40 % darker, and the dock
panels' float and close buttons as fixed dark-grey pictures: on the dark theme an unchecked check box
(#242424 inside, its edge #262626, on #353535) was 1.3:1 and the dock buttons 1.95:1 and 2.3:1; on the light
theme the edge was about 1.6:1. ``ClearMarks`` is Fusion with those marks redrawn: the edge in
``edge(palette)`` (Fusion's own outline made just light or dark enough, ``themes.readable``, to reach 3:1
against both the window and the field's colour) and the dock buttons in the palette's text colour.
``set_app_style(name)`` sets the style a theme asks for: ``ClearMarks`` for Fusion, the named style itself
otherwise (a platform's own style draws its own marks). ``refresh_dock_buttons(root)`` gives the docks under
``root`` the buttons of the palette in use (Qt asks the style for them only when a dock is made).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QProxyStyle, QStyle, QStyleFactory

from explorer import themes

SP, PE = QStyle.StandardPixmap, QStyle.PrimitiveElement
R = QPalette.ColorRole
FLOAT_ICONS = (SP.SP_TitleBarNormalButton,)
CLOSE_ICONS = (SP.SP_TitleBarCloseButton, SP.SP_DockWidgetCloseButton)
ICON_SIZES = (10, 12, 14, 16, 20, 24, 32, 48)  # pixels; Qt picks the nearest for the button and the screen
DOCK_BUTTONS = {"qt_dockwidget_floatbutton": SP.SP_TitleBarNormalButton,
                "qt_dockwidget_closebutton": SP.SP_TitleBarCloseButton}


def edge(palette: QPalette, enabled: bool = True) -> QColor:
    """The colour of a check box's or radio button's edge: Fusion's outline (the window 40 % darker) made to
    reach ``themes.MARK_RATIO`` against the window and the field (Base) colour; halfway to the window for a
    disabled one (WCAG exempts inactive controls; it still shows)."""
    window, base = palette.color(R.Window), palette.color(R.Base)
    color = themes.readable(themes.readable(window.darker(140), window), base)
    if themes.contrast(color, window) < themes.MARK_RATIO:  # window and field on opposite sides of grey
        color = QColor(palette.color(R.WindowText))
    return color if enabled else themes.blend(color, window, 0.5)


def _pixmap(size: int, color: QColor, draw) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(color, max(1.5, size / 9))
    pen.setCapStyle(Qt.PenCapStyle.SquareCap)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    draw(painter, size)
    painter.end()
    return pixmap


def _cross(painter: QPainter, size: int) -> None:
    a, b = size * 0.28, size * 0.72
    painter.drawLine(QPointF(a, a), QPointF(b, b))
    painter.drawLine(QPointF(a, b), QPointF(b, a))


def _windows(painter: QPainter, size: int) -> None:
    """Two overlapping windows (Qt's "restore" picture: the panel becomes a window of its own)."""
    s = size * 0.42
    painter.drawRect(QRectF(size * 0.36, size * 0.2, s, s))
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.fillRect(QRectF(size * 0.2, size * 0.38, s, s), Qt.GlobalColor.transparent)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
    painter.drawRect(QRectF(size * 0.2, size * 0.38, s, s))


_ICONS: dict[tuple, QIcon] = {}  # (close?, its colours) -> the icon, made once


def title_icon(kind: SP, palette: QPalette) -> QIcon:
    """The dock's close (a cross) or float (two windows) button in the palette's text colour (3:1 and more
    on the title bar: it is text's 4.5:1), greyed when disabled."""
    close = kind in CLOSE_ICONS
    colors = {mode: palette.color(group, R.WindowText) for mode, group in (
        (QIcon.Mode.Normal, QPalette.ColorGroup.Active), (QIcon.Mode.Active, QPalette.ColorGroup.Active),
        (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled))}
    key = (close, *(c.rgba() for c in colors.values()))
    if key not in _ICONS:
        icon = QIcon()
        for mode, color in colors.items():
            for size in ICON_SIZES:
                icon.addPixmap(_pixmap(size, color, _cross if close else _windows), mode)
        _ICONS[key] = icon
    return QIcon(_ICONS[key])


class ClearMarks(QProxyStyle):
    """Fusion, with check boxes' and radio buttons' edges (``edge``) and the dock buttons (``title_icon``)
    that reach 3:1 in the palette they are drawn with."""

    def __init__(self):
        super().__init__(QStyleFactory.create("Fusion"))

    def name(self) -> str:  # what the themes and the tests ask for: the style it draws like
        return self.baseStyle().name()

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element in (PE.PE_IndicatorCheckBox, PE.PE_IndicatorRadioButton):
            state = option.state
            if state & QStyle.StateFlag.State_HasFocus and state & QStyle.StateFlag.State_KeyboardFocusChange:
                return  # Fusion's focus ring in the highlight colour
            enabled = bool(state & QStyle.StateFlag.State_Enabled)
            _draw_edge(painter, option.rect, edge(option.palette, enabled),
                       element == PE.PE_IndicatorRadioButton)

    def standardIcon(self, standard, option=None, widget=None) -> QIcon:
        if standard in FLOAT_ICONS or standard in CLOSE_ICONS:
            palette = QApplication.palette(widget) if widget is not None else QApplication.palette()
            return title_icon(standard, palette)
        return super().standardIcon(standard, option, widget)


def _draw_edge(painter: QPainter, rect, color: QColor, round_: bool) -> None:
    """The edge Fusion draws, drawn over in ``color``: a square's 1-pixel outline, or a radio's circle."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(color, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if round_:  # Fusion's circle (the rectangle less a pixel each side, centred a pixel lower right), a
        painter.setPen(QPen(color, 1.5))  # little wider: a thin circle has no whole pixel in its colour
        r = rect.adjusted(1, 1, -1, -1)
        radius = (r.width() + (r.width() + 1) % 2) / 2.0 - 1
        painter.drawEllipse(QPointF(r.center()) + QPointF(1, 1), radius, radius)
    else:
        painter.translate(0.5, 0.5)
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
    painter.restore()


def set_app_style(name: str) -> None:
    """The application's style for ``name`` (a QStyleFactory key): ``ClearMarks`` for Fusion, the named
    style otherwise (nothing changes where it is in use already, or unknown)."""
    app, fusion = QApplication.instance(), name.lower() == "fusion"
    style = app.style()
    if style.name().lower() == name.lower() and (isinstance(style, ClearMarks) or not fusion):
        return
    if fusion:
        app.setStyle(ClearMarks())
    else:
        app.setStyle(name)


def refresh_dock_buttons(root) -> None:
    """Every dock's float and close button under ``root`` in the style's picture for the palette in use."""
    for dock in root.findChildren(QDockWidget):
        for button in dock.findChildren(QAbstractButton):
            kind = DOCK_BUTTONS.get(button.objectName())
            if kind is not None:
                button.setIcon(dock.style().standardIcon(kind, None, dock))
