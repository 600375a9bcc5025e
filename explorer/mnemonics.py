"""Alt + a letter presses a button of the app's message boxes and dialogs, as in any desktop program.

Qt's standard buttons (Save, Discard, Cancel, Open…) come without mnemonics on most platforms, so Alt+D did
nothing in the Save / Discard / Cancel box. ``give_mnemonics(box)`` marks one letter of each button of a
``QMessageBox`` or ``QDialogButtonBox`` (its first letter that no other button of the box uses; a button
that has one keeps it) in whatever language the texts are: "&Save", "&Discard", "&Cancel".
"""

from __future__ import annotations


def mnemonic_of(text: str) -> str:
    """The letter after a single "&" in a button's text, lower case ("" when it has none)."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else ""


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with "&" before its first letter not in ``used`` (unchanged if every letter is taken)."""
    for k, char in enumerate(text):
        if char.isalpha() and char.lower() not in used:
            return text[:k] + "&" + text[k:]
    return text


def give_mnemonics(box) -> list[str]:
    """Give every button of ``box`` (a QMessageBox or QDialogButtonBox) a mnemonic of its own; returns the
    buttons' texts."""
    buttons = box.buttons()
    used = {mnemonic_of(b.text()) for b in buttons} - {""}
    for button in buttons:
        if not mnemonic_of(button.text()):
            text = with_mnemonic(button.text(), used)
            used.add(mnemonic_of(text))
            button.setText(text)
    return [b.text() for b in buttons]
