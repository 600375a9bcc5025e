"""Application entry point (placeholder until the window lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv if argv is None else argv)
    label = QLabel("Latent Explorer — the window arrives with the next issue.")
    label.resize(480, 120)
    label.show()
    return app.exec()
