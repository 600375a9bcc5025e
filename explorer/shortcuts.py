"""Keyboard shortcuts for the main actions, and Help → Keyboard shortcuts.

The platform's standard keys (``QKeySequence.StandardKey``) where it has one: open, save, quit, full screen,
zoom in and out, help. The other keys are chosen here, in one place (``PANEL_KEYS`` and ``install``). Every
key belongs to a QAction in a menu, in the window's context (``Qt.WindowShortcut``): a key that a text field
uses itself (Home, Ctrl+E, Space…) goes to the field, because Qt asks the focused widget first. Space also
goes to a focused button or list, and each of these actions steps aside for a QShortcut on the same key that
is enabled at that moment (a tool's own Escape while it draws a lasso). A key another module already gave an
action is never taken twice (F1 stays with "What am I looking at?" when the help module binds it).

Help → Keyboard shortcuts lists every action of the window that has a key, grouped by menu, made when it
opens: actions added by other modules appear there without being listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer import window_fit

Std = QKeySequence.StandardKey
ZOOM_STEP = 1.25
# Ctrl+1 … Ctrl+9 bring a panel forward (the tool tabs in the order they appear, then the main views)
PANEL_KEYS = (("training", "&Training"), ("denoise", "&Denoise"), ("attributes", "&Attributes"),
              ("interpolate", "&Interpolate"), ("sample", "&Sample"), ("draw", "D&raw"),
              ("scatter", "S&catter"), ("grid", "Decoded &grid"), ("inspector", "I&nspector"))
MOUSE = (("Select a point", "Click it"), ("Decode a latent point", "Click empty space"),
         ("Choose an interpolation end", "Shift-click"), ("Zoom · pan", "Wheel · drag"))
USES_SPACE = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView)  # focused, they take Space themselves


def keys(standard: Std, *extra: str) -> list[QKeySequence]:
    """The platform's keys for ``standard``, then ``extra`` (a fallback where the platform has none, or a
    common second key such as Ctrl+= for zoom in on keyboards where + needs Shift)."""
    found = list(QKeySequence.keyBindings(standard))
    return found + [QKeySequence(k) for k in extra if QKeySequence(k) not in found]


def clean(text: str) -> str:
    """A menu text without its mnemonic ampersands."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class Shortcuts(QObject):
    """Makes the actions and gives keys; ``actions`` holds them by name (for tests and other modules)."""

    def __init__(self, window):
        super().__init__(window)
        self.window, self.session = window, window.session
        self.actions: dict[str, QAction] = {}
        self._owners: dict[str, set[int]] = {}  # key -> ids of the actions that have it (one walk in all)
        for action in window.findChildren(QAction):
            self._note(action)
        self._standard_keys()
        self._view_menu()
        self._tools_menu()
        self._help_menu()
        self._exports()
        window.installEventFilter(self)
        interpolate = window.docks.get("interpolate")
        if interpolate is not None:
            interpolate.visibilityChanged.connect(self._sync_play)
        self._sync_play()

    # ---- giving keys -------------------------------------------------------------------------------------

    def taken(self, key: QKeySequence, mine: QAction | None = None) -> bool:
        """Does another action of the window already use ``key``? (A QShortcut may share one: ours steps
        aside while that one is enabled, see ``eventFilter``.)"""
        return bool(self._owners.get(key.toString(), set()) - {id(mine)})

    def _note(self, action: QAction, drop: bool = False) -> None:
        for key in action.shortcuts():
            owners = self._owners.setdefault(key.toString(), set())
            (owners.discard if drop else owners.add)(id(action))

    def bind(self, action: QAction, sequences: list[QKeySequence], name: str) -> QAction:
        """Give ``action`` the keys of ``sequences`` that no other action has, in the window's context."""
        free = [k for k in sequences if not k.isEmpty() and not self.taken(k, action)]
        self._note(action, drop=True)
        action.setShortcuts(free)
        self._note(action)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.actions[name] = action
        return action

    def add(self, menu: QMenu, text: str, slot: Callable[[], object], sequences, name: str) -> QAction:
        action = QAction(text, menu)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return self.bind(action, [QKeySequence(k) for k in sequences], name)

    def _standard_keys(self) -> None:
        """The File menu's actions, made elsewhere, get the platform's keys."""
        w = self.window
        files = getattr(w, "files", None)
        if files is not None:
            self.bind(files.open_action, keys(Std.Open), "open")
            self.bind(files.save_action, keys(Std.Save, "Ctrl+S"), "save")
        quit_action = getattr(w, "quit_action", None)
        if quit_action is not None:
            self.bind(quit_action, keys(Std.Quit, "Ctrl+Q"), "quit")

    # ---- View --------------------------------------------------------------------------------------------

    def _view_menu(self) -> None:
        menu = self.window.view_menu
        menu.addSeparator()
        self._full_screen(menu)
        self.add(menu, "Zoom &in", lambda: self.zoom(ZOOM_STEP), keys(Std.ZoomIn, "Ctrl+="), "zoom_in")
        self.add(menu, "Zoom &out", lambda: self.zoom(1 / ZOOM_STEP), keys(Std.ZoomOut), "zoom_out")
        self.add(menu, "Show &all points", self.reset_view, ["Ctrl+0", "Home"], "reset_view")
        self.add(menu, "Clear the &selection", self.clear_selection, ["Escape"], "clear_selection")
        forward = menu.addMenu("&Bring forward")
        for k, (name, text) in enumerate(PANEL_KEYS, start=1):
            if name == "scatter" or name in self.window.docks:
                self.add(forward, text, lambda n=name: self.bring_forward(n), [f"Ctrl+{k}"], f"panel_{name}")

    def _full_screen(self, menu: QMenu) -> None:
        """One full-screen action: another module's, if it made one, else a new one."""
        existing = [a for a in self.window.findChildren(QAction) if "full screen" in clean(a.text()).lower()]
        if existing:
            action = existing[0]
            self.bind(action, action.shortcuts() or keys(Std.FullScreen), "full_screen")
            return
        action = self.add(menu, "&Full screen", self.toggle_full_screen, keys(Std.FullScreen), "full_screen")
        action.setCheckable(True)

    def toggle_full_screen(self) -> None:
        self.window.setWindowState(self.window.windowState() ^ Qt.WindowState.WindowFullScreen)

    def zoom(self, factor: float) -> None:
        """Zoom the scatter in (factor > 1) or out about the centre of what it shows."""
        self.window.scatter.view.scaleBy((1 / factor, 1 / factor))

    def reset_view(self) -> None:
        """Show every point (as the scatter does when a model is opened)."""
        xy = self.session.xy
        if xy is None or len(xy) == 0:
            return
        # Python floats: pyqtgraph compares float32 ranges with its huge limits and overflows
        (x0, y0), (x1, y1) = np.nanmin(xy, axis=0).tolist(), np.nanmax(xy, axis=0).tolist()
        self.window.scatter.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.04)

    def clear_selection(self) -> None:
        """Forget the selected point and the decoded point (the inspector goes back to its hint)."""
        self.session.clear_points()

    def bring_forward(self, name: str) -> None:
        """Show that panel's tab (or the scatter) in front."""
        if name == "scatter":
            self.window.scatter.plot.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        dock = self.window.docks[name]
        dock.show()
        dock.raise_()

    # ---- Tools -------------------------------------------------------------------------------------------

    def _tools_menu(self) -> None:
        menu = QMenu("&Tools", self.window)
        self.window.menuBar().insertMenu(self.window.help_menu.menuAction(), menu)
        self.tools_menu = menu
        training = getattr(self.window, "training_dock", None)
        if training is not None:
            self.add(menu, "&Start training", training.start_button.click, ["Ctrl+T"], "start_training")
            self.add(menu, "S&top training", training.stop_button.click, ["Ctrl+Shift+T"], "stop_training")
            menu.addSeparator()
        if "sample" in self.window.docks:
            self.add(menu, "&Re-roll the samples", self.reroll, ["Ctrl+R"], "reroll")
        if "interpolate" in self.window.docks:
            self.add(menu, "&Play / pause the interpolation", self.play_pause, ["Space"], "play")

    def reroll(self) -> None:
        dock = self.window.docks["sample"]
        self.bring_forward("sample")
        dock.panel.tool.reroll()

    def play_pause(self) -> None:
        tool = self.window.docks["interpolate"].panel.tool
        if tool.strip is None:
            self.session.status.emit("Nothing to play yet: shift-click two points to choose the ends.")
            return
        tool.toggle()

    def _sync_play(self, *_args) -> None:
        """Space plays the interpolation only while its tab is in front."""
        dock, action = self.window.docks.get("interpolate"), self.actions.get("play")
        if dock is not None and action is not None:
            action.setEnabled(dock.isVisible() and not dock.visibleRegion().isEmpty())

    # ---- Help and File → Export --------------------------------------------------------------------------

    def _help_menu(self) -> None:
        """Help contents (F1 on most platforms) opens the help module's first entry unless it gave that key
        already; Keyboard shortcuts opens the list."""
        menu = self.window.help_menu
        first = next((a for a in menu.actions() if not a.isSeparator() and a.menu() is None), None)
        show = self.add(menu, "&Keyboard shortcuts", self.show_dialog, ["Ctrl+/"], "shortcuts")
        target = first if first is not None and not first.shortcuts() else show
        self.bind(target, [*target.shortcuts(), *keys(Std.HelpContents)], "help")

    def _exports(self) -> None:
        exports = getattr(self.window, "exports", None)
        if exports is not None:
            self.bind(exports.panel_action, [QKeySequence("Ctrl+E")], "export_panel")
            self.bind(exports.codes_action, [QKeySequence("Ctrl+Shift+C")], "export_codes")

    def show_dialog(self) -> QDialog:
        self.dialog = ShortcutsDialog(self.window)
        window_fit.keep_on_screen(self.dialog)
        self.dialog.show()
        return self.dialog

    # ---- keys give way -----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Before Qt matches a key to our actions: Space goes to a focused button, box or list, and our action
        steps aside for another enabled shortcut on the same key (both would be ambiguous, and then neither
        would run)."""
        if event.type() == QEvent.Type.ShortcutOverride:
            if (event.key() == Qt.Key.Key_Space and not event.modifiers()
                    and isinstance(self.window.focusWidget(), USES_SPACE)):
                event.accept()  # the focused widget gets the key press
                return False
            self._step_aside(QKeySequence(event.keyCombination()))
        elif event.type() == QEvent.Type.WindowStateChange and "full_screen" in self.actions:
            action = self.actions["full_screen"]
            if action.isCheckable():
                action.setChecked(self.window.isFullScreen())
        return False

    def _step_aside(self, key: QKeySequence) -> None:
        mine = [a for a in set(self.actions.values()) if key in a.shortcuts() and a.isEnabled()]
        if not mine:
            return
        if any(key in s.keys() and self._live(s) for s in self.window.findChildren(QShortcut)):
            for action in mine:
                action.setEnabled(False)
            QTimer.singleShot(0, lambda: self._restore(mine))

    def _live(self, shortcut: QShortcut) -> bool:
        """Would Qt run ``shortcut`` now? (Enabled, on a shown widget, and in its context.)"""
        owner, focus = shortcut.parent(), self.window.focusWidget()
        if not shortcut.isEnabled() or not isinstance(owner, QWidget) or not owner.isVisible():
            return False
        context = shortcut.context()
        if context == Qt.ShortcutContext.WidgetShortcut:
            return focus is owner
        if context == Qt.ShortcutContext.WidgetWithChildrenShortcut:
            return focus is not None and (focus is owner or owner.isAncestorOf(focus))
        return True

    def _restore(self, actions: list[QAction]) -> None:
        for action in actions:
            action.setEnabled(True)
        self._sync_play()


# ---- the list ----------------------------------------------------------------------------------------------

def menu_entries(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
    """(menu path, action) for every action in ``menu`` and its submenus, in menu order."""
    for action in menu.actions():
        if action.menu() is not None:
            yield from menu_entries(action.menu(), f"{path} › {clean(action.menu().title())}")
        elif not action.isSeparator():
            yield path, action


def typed(key: QKeySequence) -> bool:
    """A key typed on an ordinary keyboard (not a media key such as Open or Zoom In, which standard keys
    include on some platforms: still bound, not listed)."""
    return not key.isEmpty() and key[0].key().value < Qt.Key.Key_Help.value


def shortcut_table(window) -> list[tuple[str, str, str]]:
    """(group, action, keys) for every action of the window with a key: the menus' in menu order, then the
    others (actions in no menu) under "Other"."""
    entries = [entry for top in window.menuBar().actions() if top.menu() is not None
               for entry in menu_entries(top.menu(), clean(top.menu().title()))]
    seen = {action for _, action in entries}
    entries += [("Other", a) for a in window.findChildren(QAction) if a not in seen and a.menu() is None]
    rows, listed = [], set()
    for group, action in entries:
        text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                         if typed(k))
        if text and action not in listed:
            listed.add(action)
            rows.append((group, clean(action.text()).rstrip("…").rstrip("."), text))
    return rows


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: the keys grouped by menu, a filter, and the mouse in the scatter."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(540, 740)
        self.filter = QLineEdit(placeholderText="Type to filter…", clearButtonEnabled=True)
        self.tree = QTreeWidget(columnCount=2, rootIsDecorated=False, uniformRowHeights=True)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.filter, self.tree, buttons):
            layout.addWidget(widget)
        self.rows = shortcut_table(window)
        from explorer.widgets.scatter_keys import KEYS

        self._fill(self.rows + [("Mouse in the scatter", what, how) for what, how in MOUSE]
                   + [("Keys in the scatter (when it has the focus)", what, how) for what, how in KEYS])
        self.filter.textChanged.connect(self._on_filter)

    def _fill(self, rows: list[tuple[str, str, str]]) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        for group, text, key in rows:
            if group not in groups:
                groups[group] = QTreeWidgetItem(self.tree, [group])
                font = groups[group].font(0)
                font.setBold(True)
                groups[group].setFont(0, font)
                groups[group].setFirstColumnSpanned(True)
            QTreeWidgetItem(groups[group], [text, key])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)

    def _on_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for g in range(self.tree.topLevelItemCount()):
            group, shown = self.tree.topLevelItem(g), 0
            for k in range(group.childCount()):
                item = group.child(k)
                hide = bool(needle) and needle not in f"{item.text(0)} {item.text(1)}".lower()
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def listed(self) -> list[tuple[str, str]]:
        """(action, keys) of every row shown (for tests)."""
        return [(g.child(k).text(0), g.child(k).text(1)) for i in range(self.tree.topLevelItemCount())
                if not (g := self.tree.topLevelItem(i)).isHidden()
                for k in range(g.childCount()) if not g.child(k).isHidden()]


def install(window) -> Shortcuts:
    """Keys for the main actions (View, Tools, File, Help menus) and Help → Keyboard shortcuts."""
    return Shortcuts(window)
