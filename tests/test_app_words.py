"""Words a student understands: no jargon in labels, a dialog that says what is wrong before it closes, and
Help → About with what a bug report needs."""

import numpy as np
from app_fixtures import *  # noqa: F403
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel

from explorer import about
from explorer.dialogs import DataSetDialog

JARGON = ("Spec", "Options", "‖d‖", "|d|", "~ N(", "T²", "Lesson:")


def form_labels(widget) -> list[str]:
    labels = []
    for form in widget.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                labels.append(item.widget().text())
    return labels


def choose(dialog, kind: str) -> None:
    kinds = [info.spec.split(":")[0] for info in dialog.infos]
    dialog.kinds.setCurrentRow(kinds.index(kind))


def test_the_data_set_dialog_speaks_plainly(qtbot):
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    labels = form_labels(dialog)
    assert labels and not any(word in text for text in labels for word in JARGON), labels
    choose(dialog, "shapes")
    assert "how many images" in dialog.options_help.text() and "pixels" in dialog.options_help.text()
    choose(dialog, "digits")  # nothing to set: no example written as if it were one
    assert not dialog.options.isEnabled() and not dialog.options_help.isVisibleTo(dialog)


def test_idx_without_a_folder_is_refused_inside_the_dialog(qtbot, tmp_path):
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    choose(dialog, "idx")
    open_button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Open)
    open_button.click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "folder" in dialog.problem.text() and "Browse" in dialog.problem.text()
    dialog.path.setText(str(tmp_path / "missing"))
    assert dialog.problem.text() == ""  # a new choice clears the old complaint
    open_button.click()
    assert dialog.isVisible() and "There is no folder" in dialog.problem.text()
    dialog.path.setText(str(tmp_path))
    open_button.click()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.spec() == f"idx:{tmp_path}"


def test_a_built_in_data_set_opens_without_a_complaint(qtbot):
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    choose(dialog, "shapes")
    assert dialog.validate() == ""


def test_help_about_names_the_version_torch_qt_and_the_device(window, qtbot):
    import torch  # noqa: F401  (imported by any opened model; the device is asked of it)
    from PySide6.QtCore import qVersion

    texts = [a.text() for a in window.help_menu.actions()]
    assert "&About Latent Explorer" in texts
    window.help.about_action.trigger()
    box = window.findChild(QDialog, "about")
    qtbot.waitUntil(lambda: box is not None and box.isVisible())
    text = box.text()
    facts = about.facts()
    assert facts["Version"] in text and facts["Version"][0].isdigit()
    assert facts["torch"] in text and facts["torch"][0].isdigit()
    assert qVersion() in text and ("CPU" in text or "GPU" in text)
    box.close()


def test_the_sampling_note_says_in_words_what_z_is():
    from explorer.tools.sampling import Samples
    from explorer.widgets.sampling_panel import note

    samples = Samples(np.zeros((4, 2), np.float32), np.zeros((4, 1, 8, 8), np.float32), 2, 2, 1.0, 0, None)
    text = note(samples)
    assert not any(word in text for word in JARGON) and "standard normal" in text and "temperature" in text


def test_no_panel_title_repeats_its_dock(window):
    """The Training tab and dock are "Training": a group inside it is named after what it holds."""
    for name, dock in window.docks.items():
        groups = [g.title() for g in dock.findChildren(QGroupBox)]
        assert dock.windowTitle() not in groups, (name, groups)


def test_the_compare_window_names_its_examples_plainly(qtbot):
    from explorer.studies.compare import CompareWindow

    study = CompareWindow(start=None)
    qtbot.addWidget(study)
    texts = [label.text() for label in study.findChildren(QLabel)]
    assert "Example:" in texts and not any(word in t for t in texts for word in JARGON)
    study.close()


def test_a_data_set_that_is_not_here_says_in_one_sentence_what_to_do(qtbot, monkeypatch):
    from trainer.data import download

    monkeypatch.setenv(download.SYSTEM_ENV, "")  # a computer without the Debian packages (and offline)
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    choose(dialog, "mnist")
    said = dialog.where.text().split("<br>", 1)[1]
    assert said == "Not on this computer yet: it downloads when you open it (12 MB)."
    assert dialog.kinds.currentItem().text() == "mnist   (not on this computer yet)"
    choose(dialog, "digits")  # one that is here says where
    assert dialog.where.text().split("<br>", 1)[1] == "Found: scikit-learn (bundled)"


def test_the_dialogs_buttons_answer_alt_and_a_letter(qtbot):
    dialog = DataSetDialog()
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert sorted(b.text() for b in box.buttons()) == ["&Cancel", "&Open"]
