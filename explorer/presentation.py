"""Presentation mode and themes (View menu).

Presentation mode (F5; F5 or Esc leaves it) is for a projector: full screen, the text, points, thumbnails and
image strips one factor larger (``scale_for``: 1.6 on a 1920×1080 screen), a high-contrast theme, each panel
titled in plain words (the tabs keep their short names, so that every tab shows whole), a wrapped title over
the scatter, and the advanced controls hidden: every widget a panel marks with the Qt property ``advanced``
(``widget.setProperty("advanced", True)``), with the label of its form row, or the labels of a row of widgets
that are all advanced, and the practitioners' row under the scatter (Colour by, Find) with its point count.
At 1280×720 and 1920×1080 every tool then shows whole (``tests/test_app_layout.py``). Each change records how
to undo itself (``explorer/reversible.py``); leaving undoes them all, in reverse order, so the window comes
back as it was. The Training dock stays (a class can watch a model learn), without its advanced settings.

Themes: System (follows ``QStyleHints.colorScheme``), Light, Dark; a palette with the Fusion style, and the
plots' background and axes (``explorer/themes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QGuiApplication, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy

from explorer import clear_marks, reversible, themes
from explorer.widgets.inspector import ImageBox
from explorer.widgets.strip import ImageStrip

THEMES = {"system": "&System", "light": "&Light", "dark": "&Dark"}
BASE_SCALE, MIN_SCALE, MAX_SCALE = 1.6, 1.25, 2.4  # BASE_SCALE at 1920×1080, in proportion elsewhere
PLAIN_TITLES = {"training": "Train a model", "denoise": "Remove noise", "attributes": "Change one feature",
                "interpolate": "Blend two images", "sample": "Invent new images", "draw": "Draw your own",
                "grid": "What the model draws here", "inspector": "The image and the model's copy",
                "neighbours": "The most similar images", "posterior": "A point is a cloud",
                "holes": "Where the holes are"}
SCATTER_TITLE = "Every image is a dot: similar images lie close together"
DOCK_SHARES = (0.3, 0.24)  # of the width, for the left (tools) and the right (grid, inspector) docks
GRID_SHARES = (0.55, 0.45)  # of the height, for the decoded grid and the inspector below it
TITLE_SIZE = 1.15  # a panel's title, relative to the (scaled) text


def scale_for(size: QSize) -> float:
    """The presentation scale for a screen (or window) of ``size``: BASE_SCALE at 1920×1080, in proportion to
    the smaller side's ratio elsewhere, within MIN_SCALE … MAX_SCALE (at 1280×720 the panels must still fit,
    and the text is then about as large a fraction of the screen as at 1920×1080)."""
    ratio = min(size.width() / 1920, size.height() / 1080)
    return round(min(MAX_SCALE, max(MIN_SCALE, BASE_SCALE * ratio)), 2)


class Presentation(QObject):
    changed = Signal()  # presentation mode entered or left, or the theme changed

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = False
        self.scale = 1.0
        self.theme = "system"
        self._system_scheme = QGuiApplication.styleHints().colorScheme()
        self._original_style = QApplication.style().name()
        self._undo: list[Callable[[], None]] = []
        self._menus()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme)
        # Esc leaves: a shortcut, enabled only in presentation mode (the shortcuts module's Esc steps aside)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), window, self.leave,
                                context=Qt.ShortcutContext.WindowShortcut)
        self.escape.setEnabled(False)
        self._apply_look()

    def _menus(self) -> None:
        menu = self.window.view_menu
        menu.addSeparator()
        self.action = QAction("&Presentation mode", self, checkable=True)
        self.action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.action.setToolTip("Full screen, large text and a high-contrast theme for a projector (F5, Esc)")
        self.action.toggled.connect(lambda on: self.enter() if on else self.leave())
        menu.addAction(self.action)
        self.theme_menu = menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for name, text in THEMES.items():
            action = self.theme_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(name == self.theme)
            action.triggered.connect(lambda _on=False, name=name: self.set_theme(name))
            self.theme_actions.addAction(action)

    # ---- themes ------------------------------------------------------------------------------------------

    @property
    def dark(self) -> bool:
        """Whether the theme is dark in effect (System: whether the system's colour scheme is)."""
        return self.theme == "dark" or (self.theme == "system" and self._system_scheme == Qt.ColorScheme.Dark)

    def set_theme(self, name: str) -> None:
        """"system", "light" or "dark"."""
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}: one of {', '.join(THEMES)}")
        self.theme = name
        self.theme_actions.actions()[list(THEMES).index(name)].setChecked(True)
        self._apply_look()
        self.changed.emit()

    def _on_scheme(self, scheme: Qt.ColorScheme) -> None:
        self._system_scheme = scheme
        if self.theme == "system":
            self._apply_look()
            self.changed.emit()

    def _apply_look(self) -> None:
        """The palette and the plots' ink for the theme, high contrast in presentation mode."""
        look = themes.look(self.theme, self.dark, high_contrast=self.active)
        app = QApplication.instance()
        clear_marks.set_app_style("fusion" if look.palette is not None else self._original_style)
        app.setPalette(look.palette if look.palette is not None else QPalette())
        clear_marks.refresh_dock_buttons(self.window)  # (drawn in the palette's text colour)
        themes.use(look, QApplication.font() if self.active else None)
        themes.style_plots(self.window, look, QApplication.font() if self.active else None)
        themes.recolor_text(self.window, self.dark)
        self.window.scatter.set_colors(look.background, look.ink)
        studies = getattr(self.window, "studies", None)
        for study in studies.windows.values() if studies is not None else ():
            self.style_window(study)

    def style_window(self, widget) -> None:
        """The theme's plots (their curves and bars too) and text colours in a separate window (a study),
        when it opens and on each change of theme or mode (``themes.style_window``); the palette it takes
        from the application."""
        themes.style_window(widget)

    # ---- presentation mode -------------------------------------------------------------------------------

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self, full_screen: bool = True) -> None:
        """Presentation mode; ``full_screen=False`` keeps the window's size (screenshots: an offscreen full
        screen is the size of a virtual screen), and the scale then follows the window's size."""
        if self.active:
            return
        w = self.window
        size = w.screen().geometry().size() if full_screen else w.size()
        self.scale = scale_for(size)
        self._undo = [self._window_undo(w)]
        self._plain_words()
        reversible.hide_advanced(w, self._undo)
        self._enlarge()
        self._fit_docks(size)
        self.active = True
        self._apply_look()
        self.action.setChecked(True)
        self.escape.setEnabled(True)
        if full_screen:
            w.showFullScreen()
        self.changed.emit()

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        self.escape.setEnabled(False)
        while self._undo:
            self._undo.pop()()
        self.scale = 1.0
        self._apply_look()
        self.action.setChecked(False)
        self.changed.emit()

    def _window_undo(self, w) -> Callable[[], None]:
        """Back to the window's state (normal, maximized…), geometry and dock layout, with the tabs in front
        that are in front when leaving."""
        state, geometry, docks = w.windowState(), w.geometry(), w.saveState()

        def undo() -> None:
            front = [d for d in w.docks.values() if d.isVisible() and not d.visibleRegion().isEmpty()]
            w.setWindowState(state)
            if not state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
                w.setGeometry(geometry)  # (restoreGeometry would fit it into the screen)
            w.restoreState(docks)
            for dock in front:
                dock.raise_()
        return undo

    def _plain_words(self) -> None:
        """Each panel titled in plain words, in a large title bar (its tab keeps the short name: the tabs of
        a side show whole, side by side), and a title over the scatter."""
        size = QApplication.font().pointSizeF() * self.scale
        for key, dock in self.window.docks.items():
            if key in PLAIN_TITLES:
                reversible.set_title_bar(dock, _title(PLAIN_TITLES[key], size * TITLE_SIZE), self._undo)
        scatter = self.window.scatter
        title = QLabel(SCATTER_TITLE, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        title.setObjectName("scatter_title")
        font = QFont(QApplication.font())
        font.setPointSizeF(size)
        title.setFont(font)
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps: asks no width
        scatter.layout().insertWidget(scatter.layout().indexOf(scatter.stack), title)
        self._undo.append(title.deleteLater)
        extras = getattr(self.window, "extras", None)  # the practitioners' row: Colour by, Find
        reversible.hide([scatter.count, *([extras.bar] if extras else [])], self._undo)

    def _enlarge(self) -> None:
        """The application's font, the scatter's marks and the image strips, times the scale."""
        f, w = self.scale, self.window
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * f)
        reversible.set_font(w, font, self._undo)
        w.scatter.set_scale(f)
        self._undo.append(partial(w.scatter.set_scale, 1.0))
        # image strips, and the one image box of a fixed size (the interpolation's movie); the others fill
        # the room they have
        fixed = [x for x in w.findChildren(ImageBox) if x.maximumWidth() < reversible.QWIDGETSIZE_MAX]
        for widget in [*w.findChildren(ImageStrip), *fixed]:
            reversible.scale_size(widget, f, self._undo)

    def _fit_docks(self, size: QSize) -> None:
        """Room for the larger text beside the scatter, and for the inspector's images and words under the
        grid (the window's layout comes back on leave)."""
        w, docks = self.window, self.window.docks
        if all(key in docks for key in ("training", "grid", "inspector")):
            widths = [round(share * size.width()) for share in DOCK_SHARES]
            heights = [round(share * size.height()) for share in GRID_SHARES]
            w.resizeDocks([docks["training"], docks["grid"]], widths, Qt.Orientation.Horizontal)
            w.resizeDocks([docks["grid"], docks["inspector"]], heights, Qt.Orientation.Vertical)


def _title(text: str, size: float) -> QLabel:
    """A panel's title bar in presentation mode (a dock's own title keeps the font it was made with)."""
    label = QLabel(text)
    font = QFont(QApplication.font())
    font.setPointSizeF(size)
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(6, 2, 6, 2)
    return label


def install(window) -> Presentation:
    """View → Presentation mode (F5) and View → Theme; the object is kept as ``window.presentation``."""
    return Presentation(window)
