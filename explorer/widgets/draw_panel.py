"""The Draw panel (a stub until the tool lands)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class DrawPanel(QWidget):
    def __init__(self, session, scatter, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.scatter = session, scatter
        QVBoxLayout(self).addWidget(QLabel("Draw your own"))
