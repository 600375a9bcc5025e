"""Studies menu: the course's classic experiments, each in its own window (issue 6).

A study module exposes ``TITLE`` and ``open_study(window) -> QWidget`` (a top-level, non-modal window that
reads the main window's session). ``install`` adds one Studies menu entry per module in ``STUDIES`` and keeps
each opened window in ``window.studies.windows[name]`` (imported and made on first use, raised afterwards).
"""

from __future__ import annotations

import importlib

# module under explorer/studies/ -> its menu title (= the module's TITLE; kept here so that the menu is built
# without importing the studies: they pull in sklearn, torch helpers and more, slowing the first window)
STUDIES = {"compare": "Compare models side by side", "classifier": "Latent classifier",
           "runs": "Runs (hyperparameter sweep)",
           "quality": "Reconstruction quality and anomalies",
           "dimensions": "Latent dimensions (KL, active units, traversal)",
           "ood": "Out-of-distribution probe", "replay": "Latent formation replay"}


class Studies:
    def __init__(self, window):
        self.window = window
        self.windows: dict[str, object] = {}
        self.menu = window.menuBar().insertMenu(window.help_menu.menuAction(), _menu(window)).menu()
        for name, title in STUDIES.items():
            self.menu.addAction(title, lambda n=name: self.open(n))
        from explorer.studies.replay_store import ReplayStore  # records training runs for the replay

        self.replay_store = ReplayStore(window.training_dock.controller, window.session, self.menu)

    def open(self, name: str):
        """Show study ``name`` (imported and made on first use) and return its window."""
        study = self.windows.get(name)
        if study is None:
            module = importlib.import_module(f"explorer.studies.{name}")
            study = self.windows[name] = module.open_study(self.window)
            from explorer.window_fit import keep_on_screen

            keep_on_screen(study)  # Compare asks for 1600×1000, Quality 960×900: not on a 1280×720 screen
            from explorer.accessibility import prepare

            prepare(study)  # names from labels, Tab in visual order
            presentation = getattr(self.window, "presentation", None)
            if presentation is not None:  # the theme in use (and each change of it: Presentation)
                presentation.style_window(study)
        study.show()
        study.raise_()
        return study


def _menu(window):
    from PySide6.QtWidgets import QMenu

    return QMenu("&Studies", window)


def install(window) -> Studies:
    return Studies(window)
