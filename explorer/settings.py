"""The window remembers its layout, theme, last model and data set (QSettings, per user).

``install(window)`` restores the window's geometry, its docks (which are open, where, and which tab is in
front) and the theme at once, then keeps the last model file and data set up to date as they change, and
saves the layout and theme when the window closes (in presentation mode the layout from before it stays).
A layout saved on a larger screen than the current one (its window would not fit the screen's available
area), or one whose docks come back narrower than their contents, is not restored: the window keeps the
layout it was built with. View → *Reset layout* (``reset_layout()``) puts that layout back at any time.
``explorer.app`` reopens ``last_session()`` at start when no model is named. Anything unreadable in the
settings file (another version's, hand-edited) is ignored. ``use_defaults()`` puts the layout the window was
built with back and stops saving (screenshots use it).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction

from explorer import window_fit

ORGANIZATION, APPLICATION = "latent-explorer", "Latent Explorer"
GEOMETRY, STATE, THEME = "window/geometry", "window/state", "window/theme"
SIZE = "window/size"  # the size of the window (not maximized or full screen) the layout was saved with
MODEL, DATA = "session/model", "session/data"
STATE_VERSION = 1  # QMainWindow.saveState's version: raise it when the docks change names or meaning


@dataclass(frozen=True)
class LastSession:
    model: Path  # a model file that still exists
    data: str | None  # the data set spec shown with it, None for the model's own


def store() -> QSettings:
    """The app's settings (``~/.config/latent-explorer/Latent Explorer.conf`` on Linux)."""
    return QSettings(ORGANIZATION, APPLICATION)


class Settings(QObject):
    """Restores the window from ``settings`` now and saves it there on close (see the module docstring)."""

    def __init__(self, window, settings: QSettings | None = None):
        super().__init__(window)
        self.window, self.session = window, window.session
        self.settings = settings or store()
        self.saving = True
        self._retry: Path | None = None  # the model reopen() opens again without its data set
        self._defaults = (window.size(), window.saveState(STATE_VERSION), self._theme())
        self.reset_action = QAction("&Reset layout", self)
        self.reset_action.setToolTip("Every panel back in its first place and size")
        self.reset_action.triggered.connect(self.reset_layout)
        view_menu = getattr(window, "view_menu", None)
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(self.reset_action)
        self.restore()
        self.session.modelChanged.connect(self.remember_session)
        self.session.modelSaved.connect(self.remember_session)
        self.session.datasetChanged.connect(self.remember_session)
        window.installEventFilter(self)

    # ---- the window ------------------------------------------------------------------------------------

    def restore(self) -> None:
        """Theme, geometry and dock layout from the settings (the theme first: it changes the sizes the
        window can have); a value that does not fit is skipped."""
        self._set_theme(self._text(THEME))
        geometry, state, size = self._bytes(GEOMETRY), self._bytes(STATE), self._value(SIZE, QSize)
        if geometry is None or (isinstance(size, QSize) and not window_fit.fits(size, self._area())):
            return
        if not self.window.restoreGeometry(geometry) and isinstance(size, QSize):
            self.window.resize(size)  # Qt restores no geometry saved on a screen of another width
        if state is not None:
            self.window.restoreState(state, STATE_VERSION)

    def reset_layout(self) -> None:
        """Every dock back where the window was built with it, open, and sized for the window's size now."""
        w = self.window
        w.restoreState(self._defaults[1], STATE_VERSION)
        w.training_dock.raise_()
        w.inspector_dock.raise_()
        window_fit.share_room(w, w.training_dock, w.grid_dock, w.inspector_dock)

    def _area(self) -> QSize:
        return window_fit.available(self.window)

    def save(self) -> None:
        """Geometry, dock layout, theme and the last model and data set, written to disk now."""
        if not self.saving:
            return
        if not getattr(getattr(self.window, "presentation", None), "active", False):
            self.settings.setValue(GEOMETRY, self.window.saveGeometry())
            self.settings.setValue(STATE, self.window.saveState(STATE_VERSION))
            self.settings.setValue(SIZE, self.window.normalGeometry().size())
        if (theme := self._theme()) is not None:
            self.settings.setValue(THEME, theme)
        self.remember_session()
        self.settings.sync()

    def use_defaults(self) -> None:
        """Back to the layout and theme the window was built with, and save nothing from now on."""
        self.saving = False
        _size, _state, theme = self._defaults
        self.window.setWindowState(Qt.WindowState.WindowNoState)
        self.window.resize(window_fit.DEFAULT_SIZE)  # the same on every screen (--size may change it)
        self.reset_layout()
        self._set_theme(theme)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.save()
        return False

    def _theme(self) -> str | None:
        theme = getattr(getattr(self.window, "presentation", None), "theme", None)
        return theme if isinstance(theme, str) else None

    def _set_theme(self, name: str | None) -> None:
        set_theme = getattr(getattr(self.window, "presentation", None), "set_theme", None)
        if name and callable(set_theme) and name != self._theme():
            with contextlib.suppress(ValueError, KeyError, TypeError):  # a theme this version lacks
                set_theme(name)

    # ---- the last model and data set -------------------------------------------------------------------

    def remember_session(self) -> None:
        """Keep the open model's file and data set (a model without a file leaves the last one)."""
        if not self.saving:
            return
        s = self.session
        if s.model is not None and s.model_path is not None:
            self.settings.setValue(MODEL, str(Path(s.model_path).absolute()))
        if s.dataset is not None and getattr(s.dataset, "spec", None):
            self.settings.setValue(DATA, str(s.dataset.spec))

    def last_session(self) -> LastSession | None:
        """The model file open last time (if it still exists) and its data set spec."""
        return stored_session(self.settings)

    def reopen(self, last: LastSession, data: str | None = None) -> None:
        """Open ``last`` (with ``data`` instead of its data set if given). When that data set no longer loads,
        the model opens once more with its own data set (the error says why)."""
        spec = data or last.data
        if spec:
            self.session.error.connect(self._retry_without_data)
            self.session.modelChanged.connect(self._stop_retrying)
            self._retry = last.model
        self.session.open_model(last.model, spec)

    def _retry_without_data(self, _message: str) -> None:
        self._stop_retrying()
        if self.session.model is None:
            self.session.open_model(self._retry)

    def _stop_retrying(self) -> None:
        with contextlib.suppress(RuntimeError, TypeError):  # not connected (any more)
            self.session.error.disconnect(self._retry_without_data)
            self.session.modelChanged.disconnect(self._stop_retrying)

    # ---- reading values that may be missing, corrupt or from another version ---------------------------

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._value(key, QByteArray)
        return QByteArray(value) if isinstance(value, (QByteArray, bytes)) and len(value) else None

    def _text(self, key: str) -> str | None:
        return _text(self.settings, key)

    def _value(self, key: str, kind: type):
        return _value(self.settings, key, kind)


def stored_session(settings: QSettings) -> LastSession | None:
    """The model file open last time (if it still exists) and its data set spec, from ``settings`` (read
    before the window exists too: start-up reads that data set ahead)."""
    model = _text(settings, MODEL)
    if not model or not Path(model).is_file():
        return None
    return LastSession(Path(model), _text(settings, DATA) or None)


def _text(settings: QSettings, key: str) -> str | None:
    value = _value(settings, key, str)
    return value if isinstance(value, str) else None


def _value(settings: QSettings, key: str, kind: type):
    try:
        return settings.value(key, None, type=kind)
    except (TypeError, ValueError, RuntimeError):
        return None


def install(window, settings: QSettings | None = None) -> Settings:
    """Restore ``window`` from the settings now and save it on close; returns the Settings object."""
    return Settings(window, settings)
