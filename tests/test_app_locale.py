"""Any locale: every number field reads a dot and a comma as the decimal mark, never as a thousands separator,
shows numbers with the locale's mark, and never changes a value by a factor unseen (issue 16).

Qt's own boxes under de_DE read β "0.5" as 5 and "2.5" as 25, and refuse the learning rate "0,0005"."""

import os
import shutil
import subprocess
import sys

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication

from explorer.widgets.numbers import IntBox, NumberBox, format_number, parse_number

GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)
ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.fixture(params=[GERMAN, ENGLISH], ids=["de_DE", "en_US"])
def locale(request):
    before = QLocale()
    QLocale.setDefault(request.param)
    yield request.param
    QLocale.setDefault(before)


@pytest.fixture
def german():
    before = QLocale()
    QLocale.setDefault(GERMAN)
    yield GERMAN
    QLocale.setDefault(before)


def type_into(qtbot, box: QAbstractSpinBox, text: str) -> str:
    """Select all, type ``text`` key by key (refused keys do nothing), press Tab; the text shown after."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    box.interpretText()  # what Tab / Enter / leaving the field does
    return box.lineEdit().text()


@pytest.mark.parametrize("text, value", [("0.5", 0.5), ("0,5", 0.5), ("2.5", 2.5), ("2,5", 2.5), ("7", 7.0),
                                         (",25", 0.25), ("5e-4", 5e-4), ("5E-4", 5e-4), ("1,5e-3", 1.5e-3),
                                         ("−1,5", -1.5), (" 3,0 ", 3.0)])
def test_dot_and_comma_are_both_the_decimal_mark(locale, text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1.000,5", "1,000.5", "1.2.3", "", "-", "1e", "abc", "1 000", "inf", "nan"])
def test_ambiguous_or_partial_text_is_no_number(locale, text):
    assert parse_number(text) is None


def test_numbers_are_written_with_the_locales_mark(german):
    assert format_number(0.5) == "0,50"
    assert format_number(1234.5, 1) == "1234,5"  # never grouped
    assert format_number(5e-4, significant=3) == "0,0005"
    assert format_number(1e-5, significant=3) == "1e-5"
    assert format_number(1.5, 1, sign=True) == "+1,5"
    assert format_number(0.5, locale=ENGLISH) == "0.50"


def test_beta_takes_both_marks_and_shows_the_locales(locale, qtbot):
    beta = NumberBox(0.0, 1000.0, 1.0, 0.1)
    qtbot.addWidget(beta)
    mark = locale.decimalPoint()
    assert beta.text() == f"1{mark}00"
    for typed, value in (("0.5", 0.5), ("2.5", 2.5), ("0,5", 0.5), ("2,5", 2.5), ("12", 12.0)):
        shown = type_into(qtbot, beta, typed)
        assert beta.value() == pytest.approx(value), typed
        assert shown == format_number(value, 2)


def test_extra_decimals_are_refused_not_rounded_away(german, qtbot):
    beta = NumberBox(0.0, 1000.0, 1.0, 0.1, decimals=2)
    qtbot.addWidget(beta)
    assert type_into(qtbot, beta, "0.005") == "0,00"  # the last 5 was refused as it was typed
    assert beta.value() == 0.0
    assert beta.validate("0,005", 0)[0] == beta.validate("x", 0)[0]  # Invalid


def test_learning_rate_takes_a_comma_a_dot_and_an_exponent(locale, qtbot):
    lr = NumberBox(1e-7, 1e7, 1e-3, scientific=True)
    qtbot.addWidget(lr)
    mark = locale.decimalPoint()
    assert lr.text() == f"0{mark}001"
    for typed, value, shown in (("0,0005", 5e-4, f"0{mark}0005"), ("0.0002", 2e-4, f"0{mark}0002"),
                                ("3e-5", 3e-5, "3e-5"), ("1,5e-3", 1.5e-3, f"0{mark}0015")):
        assert type_into(qtbot, lr, typed) == shown, typed
        assert lr.value() == pytest.approx(value)
    lr.stepBy(1)  # the arrows double
    assert lr.value() == pytest.approx(3e-3)


def test_out_of_range_goes_to_the_nearest_bound_visibly(german, qtbot):
    level = NumberBox(0.0, 1.0, 0.3, 0.05)
    qtbot.addWidget(level)
    assert type_into(qtbot, level, "2,5") == "1,00" and level.value() == 1.0
    lr = NumberBox(1e-7, 1e7, 1e-3, scientific=True)
    qtbot.addWidget(lr)
    type_into(qtbot, lr, "0")
    assert lr.value() == pytest.approx(1e-7)  # not silently the old 0.001


def test_whole_numbers_refuse_separators_so_the_field_shows_its_value(locale, qtbot):
    epochs = IntBox(1, 10_000, 10)
    qtbot.addWidget(epochs)
    assert type_into(qtbot, epochs, "2.5") == "25" and epochs.value() == 25
    assert type_into(qtbot, epochs, "2,500") == "2500" and epochs.value() == 2500
    assert type_into(qtbot, epochs, "99999") == "10000"  # clamped, shown
    px = IntBox(16, 4096, 100, suffix=" px")
    qtbot.addWidget(px)
    assert px.valueFromText("640 px") == 640


def test_every_number_field_of_the_app_is_locale_safe(german, window, qtbot):
    """The kind: the main window, every study window and the export dialog use only NumberBox / IntBox."""
    from explorer import studies

    fields = list(window.findChildren(QAbstractSpinBox))
    for name in studies.STUDIES:
        fields += window.studies.open(name).findChildren(QAbstractSpinBox)
    from explorer.export_menu import PanelDialog

    dialog = PanelDialog(window.exports.panels(), window)
    fields += dialog.findChildren(QAbstractSpinBox)
    assert len(fields) >= 14
    plain = [f"{type(f).__name__} {f.objectName() or f.accessibleName()}" for f in fields
             if not isinstance(f, (NumberBox, IntBox))]
    assert not plain
    beta = window.training_dock.beta
    assert beta.text() == "1,00"
    assert type_into(qtbot, beta, "0.5") == "0,50" and beta.value() == 0.5
    lr = window.training_dock.lr
    assert type_into(qtbot, lr, "0,0005") == "0,0005" and window.training_dock.train_settings()["lr"] == 5e-4
    for study in window.studies.windows.values():
        study.close()
    dialog.close()


def test_under_a_german_system_locale(tmp_path):
    """A real process with LANG=de_DE.UTF-8 (skipped where that locale is not installed)."""
    installed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower() \
        if shutil.which("locale") else ""
    if "de_de.utf8" not in installed.replace("utf-8", "utf8"):
        pytest.skip("de_DE.UTF-8 is not generated here (apt-get install locales; locale-gen de_DE.UTF-8)")
    code = ("from PySide6.QtWidgets import QApplication; app = QApplication([]);"
            "from explorer.widgets.numbers import NumberBox; b = NumberBox(0, 1000, 1.0, 0.1);"
            "b.lineEdit().setText('2.5'); b.interpretText(); print(b.value(), b.text())")
    env = {**os.environ, "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["2.5", "2,50"], out.stderr


def test_focus_keys_still_step(german, qtbot):
    box = NumberBox(0.0, 3.0, 0.3, 0.05)
    qtbot.addWidget(box)
    box.show()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.value() == pytest.approx(0.35) and box.text() == "0,35"
    QApplication.processEvents()
