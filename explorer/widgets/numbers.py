"""Number fields that read and write numbers the same way in every locale: use these, never a bare
``QSpinBox`` / ``QDoubleSpinBox``.

Qt's own spin boxes read a number with the locale's rules, group separators included: under ``de_DE`` a
``QDoubleSpinBox`` takes "0.5" as 5 and "2.5" as 25 (the dot groups thousands there), and under ``en_US``
"2,5" becomes 25 — a silent tenfold change. The app's fields never group digits, so here the rule is
unambiguous in every locale:

* ``NumberBox`` (decimals): a dot and a comma (and the locale's own decimal mark) are all the decimal mark;
  at most one may appear; an exponent (``5e-4``) is accepted. Digits beyond the field's decimals are refused
  as they are typed, like any other character the field cannot take, so nothing is rounded away unseen.
  Numbers are shown with the locale's decimal mark ("0,50" in German). ``scientific=True`` (the learning
  rate) shows three significant digits ("0,001", "0,0005", "1e-5") and the arrows halve or double.
* ``IntBox`` (whole numbers): digits only; a dot or a comma is refused as it is typed, so what the field
  shows is always what it holds ("2.500" typed becomes 2500, "2.5" becomes 25, both visibly).

A value outside the range is put to the nearest bound when the field is left (shown), never dropped for the
old value. ``format_number`` writes a number for a label beside such a field, with the same decimal mark.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QLocale
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

State = QValidator.State
MINUS = "-−"  # ASCII hyphen-minus and U+2212 (the minus sign some locales write)
_EXPONENT = r"(?:[eE][+\-−]?\d+)?"


def decimal_marks(locale: QLocale) -> str:
    """The characters read as the decimal mark: dot, comma and the locale's own."""
    return "".join(dict.fromkeys(".," + locale.decimalPoint()))


def _patterns(marks: str) -> tuple[re.Pattern, re.Pattern]:
    m = re.escape(marks)
    full = re.compile(rf"[+\-−]?(?:\d+(?:[{m}]\d*)?|[{m}]\d+){_EXPONENT}")
    partial = re.compile(rf"[+\-−]?\d*(?:[{m}]\d*)?(?:[eE][+\-−]?\d*)?")
    return full, partial


def parse_number(text: str, locale: QLocale | None = None) -> float | None:
    """The number in ``text`` read with the rule above, or None when it is not one (``"1.000,5"``, ``"abc"``,
    ``""``). Never reads a group separator."""
    locale = locale or QLocale()
    marks = decimal_marks(locale)
    text = text.strip().replace("\u00a0", "")
    if not _patterns(marks)[0].fullmatch(text):
        return None
    plain = re.sub(f"[{re.escape(marks)}]", ".", text).replace("−", "-")
    try:
        value = float(plain)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def format_number(value: float, decimals: int = 2, locale: QLocale | None = None, *,
                  significant: int | None = None, sign: bool = False) -> str:
    """``value`` with ``decimals`` decimals (or ``significant`` digits, exponent when tiny or huge: "1e-5")
    and the locale's decimal mark, never grouped; ``sign`` writes "+" before positive values."""
    locale = locale or QLocale()
    plus = "+" if sign else ""
    if significant is not None:
        text = f"{value:{plus}.{significant}g}"
        text = re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], text)
    else:
        text = f"{value:{plus}.{decimals}f}"
    return text.replace(".", locale.decimalPoint())


def _decimals_typed(text: str, marks: str) -> int:
    """Digits after the decimal mark, before any exponent."""
    mantissa = re.split("[eE]", text, maxsplit=1)[0]
    for mark in marks:
        if mark in mantissa:
            return len(mantissa.split(mark, 1)[1])
    return 0


def _without_affixes(box: QAbstractSpinBox, text: str) -> str:
    """``text`` without the box's prefix and suffix (Qt's cleanText does this for the box's own text only)."""
    if box.prefix() and text.startswith(box.prefix()):
        text = text[len(box.prefix()):]
    if box.suffix() and text.endswith(box.suffix()):
        text = text[:-len(box.suffix())]
    return text.strip()


class NumberBox(QDoubleSpinBox):
    """A decimal number field with the reading rule of this module (see its docstring).

    ``NumberBox(lo, hi, value, step=0.1, decimals=2)``; ``scientific=True`` for values spanning several
    orders of magnitude (a learning rate): three significant digits, exponent below 1e-4, arrows ×2 / ÷2.
    """

    def __init__(self, lo: float = 0.0, hi: float = 1.0, value: float | None = None, step: float = 0.1,
                 decimals: int = 2, *, scientific: bool = False, parent: QWidget | None = None, **kw):
        super().__init__(parent)
        self.scientific = scientific
        self.setDecimals(15 if scientific else decimals)  # before the range: Qt rounds the bounds to it
        self.setRange(lo, hi)
        self.setSingleStep(step)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setValue(lo if value is None else value)
        for key, v in kw.items():  # Qt properties, as the Qt constructors take them (toolTip=…, suffix=…)
            self.setProperty(key, v)

    def _marks(self) -> str:
        return decimal_marks(self.locale())

    def _number_text(self, text: str) -> str:
        return _without_affixes(self, text)

    def textFromValue(self, value: float) -> str:
        if self.scientific:
            return format_number(value, locale=self.locale(), significant=3)
        return format_number(value, self.decimals(), self.locale())

    def valueFromText(self, text: str) -> float:
        value = parse_number(self._number_text(text), self.locale())
        return self.value() if value is None else min(max(value, self.minimum()), self.maximum())

    def validate(self, text: str, pos: int):
        number = self._number_text(text)
        full, partial = _patterns(self._marks())
        if not partial.fullmatch(number):
            return State.Invalid, text, pos
        if not self.scientific and _decimals_typed(number, self._marks()) > self.decimals():
            return State.Invalid, text, pos  # refused as typed: a rounded value would differ unseen
        value = parse_number(number, self.locale()) if full.fullmatch(number) else None
        if value is None or not self.minimum() <= value <= self.maximum():
            return State.Intermediate, text, pos
        return State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        """A number outside the range becomes the nearest bound (shown when the field is left)."""
        value = parse_number(self._number_text(text), self.locale())
        if value is None:
            return text
        value = min(max(value, self.minimum()), self.maximum())
        return self.prefix() + self.textFromValue(value) + self.suffix()

    def stepBy(self, steps: int) -> None:
        if self.scientific:
            self.setValue(self.value() * 2.0 ** steps)
        else:
            super().stepBy(steps)


class IntBox(QSpinBox):
    """A whole-number field: digits only (a dot or comma is refused as typed); out of range → nearest bound.
    ``IntBox(lo, hi, value)``; Qt properties as keywords (``suffix=" px"``, ``toolTip=…``)."""

    def __init__(self, lo: int = 0, hi: int = 99, value: int | None = None, *, parent: QWidget | None = None,
                 **kw):
        super().__init__(parent)
        self.setRange(lo, hi)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setValue(lo if value is None else value)
        for key, v in kw.items():
            self.setProperty(key, v)

    def _number_text(self, text: str) -> str:
        return _without_affixes(self, text)

    def _parse(self, text: str) -> int | None:
        number = self._number_text(text).replace("−", "-")
        return int(number) if re.fullmatch(r"[+\-]?\d+", number) else None

    def textFromValue(self, value: int) -> str:
        return str(value)

    def valueFromText(self, text: str) -> int:
        value = self._parse(text)
        return self.value() if value is None else min(max(value, self.minimum()), self.maximum())

    def validate(self, text: str, pos: int):
        if not re.fullmatch(r"[+\-−]?\d*", self._number_text(text)):
            return State.Invalid, text, pos
        value = self._parse(text)
        if value is None or not self.minimum() <= value <= self.maximum():
            return State.Intermediate, text, pos
        return State.Acceptable, text, pos

    def fixup(self, text: str) -> str:
        value = self._parse(text)
        if value is None:
            return text
        return self.prefix() + str(min(max(value, self.minimum()), self.maximum())) + self.suffix()
