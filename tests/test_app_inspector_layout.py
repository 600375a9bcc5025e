"""The Inspector's words under its images show whole at 1280×720 (issue 10: with an 8-dimensional model the
code takes two lines, and "#0 · square · train" was half covered by the images)."""

from __future__ import annotations

import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, tiny_model_file
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from explorer import window_fit

pytestmark = pytest.mark.usefixtures("same_look_after")


@pytest.fixture(scope="module")
def model_8d(tmp_path_factory):
    """An untrained 8-dimensional VAE for the 8×8 digits: its code takes two lines in the Inspector."""
    return tiny_model_file(tmp_path_factory.mktemp("models8") / "digits-8d.safetensors", latent_dim=8)


def _settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_the_words_under_the_images_are_never_covered(window, qtbot, model_8d, presentation):
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(model_8d)
    window.resize(window_fit.first_size(QSize(1280, 720)))  # the window on a 1280×720 screen
    window.settings.reset_layout()
    if presentation:
        window.presentation.enter(full_screen=False)
    try:
        window.docks["inspector"].raise_()
        with qtbot.waitSignal(window.session.reconstructionReady, timeout=LOAD_TIMEOUT_MS):
            window.session.select(0)
        _settle()
        inspector = window.inspector
        details = inspector.details
        assert details.text().count("<br>") == 2 and "z = (" in details.text()
        need = details.heightForWidth(details.width())
        assert need >= 4 * details.fontMetrics().lineSpacing()  # the code wraps: four lines or more
        assert details.height() >= need, (details.height(), need)  # no line cut off
        for box in (inspector.left, inspector.right, inspector.left_title, inspector.right_title):
            assert not details.geometry().intersects(box.geometry()), (box.geometry(), details.geometry())
        assert inspector.rect().contains(details.geometry())
    finally:
        window.presentation.leave()
