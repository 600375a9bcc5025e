"""Studies menu: the course's classic experiments, each in its own window (issue 6).

A study module exposes ``TITLE`` and ``open_study(window) -> QWidget`` (a top-level, non-modal window that
reads the main window's session). ``install`` adds one Studies menu entry per module in ``STUDIES`` and keeps
each opened window in ``window.studies[name]`` (opened once, raised afterwards).
"""

from __future__ import annotations

import importlib

STUDIES = ("study_runs", "study_compare", "study_quality", "study_classifier")  # modules under explorer/


class Studies:
    def __init__(self, window):
        self.window = window
        self.windows: dict[str, object] = {}
        self.menu = window.menuBar().insertMenu(window.help_menu.menuAction(), _menu(window)).menu()
        for name in STUDIES:
            module = importlib.import_module(f"explorer.{name}")
            self.menu.addAction(module.TITLE, lambda m=module, n=name: self.open(n, m))

    def open(self, name: str, module=None):
        """Show study ``name`` (made on first use) and return its window."""
        study = self.windows.get(name)
        if study is None:
            module = module or importlib.import_module(f"explorer.{name}")
            study = self.windows[name] = module.open_study(self.window)
        study.show()
        study.raise_()
        return study


def _menu(window):
    from PySide6.QtWidgets import QMenu

    return QMenu("&Studies", window)


def install(window) -> Studies:
    return Studies(window)
