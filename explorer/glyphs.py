"""Text every computer can draw: the symbols the app may use, and a warning when no usable font exists.

With only a minimal font set (URW's base-35 fonts, a bare Windows or a thin Linux image) some symbols vanish:
▶ ━ ‖ ★ ▸ had no glyph there, while ► ▬ › − had one. The app's texts keep to ``SAFE``: the repertoire of
Microsoft's Windows Glyph List 4 ("WGL4", the pan-European set that nearly every text font covers, defined as
the characters of code pages 1250–1254, 1257 and 437, plus Mac Roman's and WGL4's few mathematical signs;
https://learn.microsoft.com/typography/opentype/spec/wgl4 ). ``safe_text`` swaps the known others for WGL4
look-alikes in text written elsewhere (lessons.md); a test keeps the app's own strings inside ``SAFE``.

With no font at all Qt draws every letter as nothing or a box. ``font_problem()`` notices (the default font
has no glyph for "A"), and ``install(window)`` then says so where it can still be read: on stderr and in the
window title, which the window manager draws with its own fonts.
"""

from __future__ import annotations

import sys

CP437_GRAPHICS = "☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼⌂"  # code page 437's glyphs for its control bytes
WGL4_MATH = "−∕∙∟∩≡"  # WGL4's mathematical signs that none of those code pages has
CODE_PAGES = ("cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1257", "cp437", "mac_roman")
REPLACEMENTS = {"▶": "►", "▷": "►", "◀": "◄", "▸": "›", "◂": "‹", "━": "▬", "‖": "|", "★": "*",
                "☆": "*", "✓": "√", "✔": "√", "✗": "x", "✕": "×", "ⓘ": "(i)", "⏸": "||", "⏵": "►"}
FONT_PACKAGES = "fonts-dejavu-core or fonts-liberation (Debian, Ubuntu), dejavu-sans-fonts (Fedora)"


def _safe() -> frozenset[str]:
    chars = set(CP437_GRAPHICS + WGL4_MATH)
    for page in CODE_PAGES:
        for byte in range(0x20, 0x100):
            try:
                chars.add(bytes([byte]).decode(page))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


SAFE = _safe()


def unsafe(text: str) -> set[str]:
    """The printable characters of ``text`` that minimal fonts may lack (control characters are not drawn)."""
    return {ch for ch in text if ch not in SAFE and ord(ch) >= 0x20}


def safe_text(text: str) -> str:
    """``text`` with the known symbols outside ``SAFE`` replaced by look-alikes inside it."""
    return "".join(REPLACEMENTS.get(ch, ch) for ch in text)


def font_problem() -> str:
    """"" when the application's font can draw letters, else what is wrong and what to install (needs a
    QGuiApplication)."""
    from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication

    metrics = QFontMetrics(QGuiApplication.font())
    if all(metrics.inFontUcs4(ord(ch)) for ch in "Aa0"):
        return ""
    found = [f for f in QFontDatabase.families() if f not in ("Sans Serif", "Serif", "Monospace")]
    family = QGuiApplication.font().family()
    where = "no fonts are installed" if not found else f"the font {family!r} has no letters"
    return (f"Latent Explorer cannot show any text: {where}, so every label is blank or a box. Install a "
            f"font, e.g. {FONT_PACKAGES}; on Windows and macOS the system fonts suffice.")


def install(window) -> str:
    """Warn about a missing font on stderr and in ``window``'s title (kept there when the title changes)."""
    problem = font_problem()
    if problem:
        print(problem, file=sys.stderr)
        suffix = " — NO USABLE FONT: install fonts-dejavu-core"

        def mark(title: str) -> None:
            if not title.endswith(suffix):
                window.setWindowTitle(title + suffix)

        window.windowTitleChanged.connect(mark)
        mark(window.windowTitle())
    return problem
