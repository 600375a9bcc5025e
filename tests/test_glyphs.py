"""Fonts (issue 16): the app's texts use only symbols that minimal fonts have (▶ ━ ‖ ★ vanished with URW's
base-35 fonts alone), and a computer with no usable font gets told so."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.glyphs import SAFE, safe_text, unsafe

ROOT = Path(__file__).resolve().parent.parent
URW = Path("/usr/share/fonts/opentype/urw-base35")


def ui_strings(path: Path):
    """(line, text) of every string constant of a module except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_apps_texts_use_symbols_every_font_has():
    bad = [f"{p.relative_to(ROOT)}:{line}: {''.join(sorted(unsafe(text)))}"
           for p in sorted((ROOT / "explorer").rglob("*.py")) if p.name != "glyphs.py"  # its table of swaps
           for line, text in ui_strings(p) if unsafe(text)]
    lessons = (ROOT / "resources" / "lessons.md").read_text(encoding="utf-8")
    bad += [f"lessons.md: {ch}" for ch in sorted(unsafe(safe_text(lessons)))]
    assert not bad, "symbols minimal fonts lack (use explorer.glyphs.SAFE ones):\n" + "\n".join(bad)


def test_safe_symbols_and_replacements():
    for ch in "►▬›−·…→←×αβσ≤≥∞—–µ":
        assert ch in SAFE
    for ch in "▶━‖★▸ⓘ":
        assert ch not in SAFE and not unsafe(safe_text(ch))
    assert safe_text("**[▶ Show me](lesson:x)**") == "**[► Show me](lesson:x)**"


def fonts_config(tmp_path: Path, folder: Path | None) -> Path:
    conf = tmp_path / "fonts.conf"
    folder_line = (f'<dir>{folder}</dir><include ignore_missing="yes">/etc/fonts/conf.d</include>' if folder
                   else "")  # the system's aliases ("Sans Serif" -> Nimbus Sans), only URW's fonts
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>{folder_line}'
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    return conf


CHECK = ("from PySide6.QtWidgets import QApplication; app = QApplication([]);"
         "from PySide6.QtGui import QFontMetrics; from explorer.glyphs import font_problem;"
         "m = QFontMetrics(app.font()); print(repr(font_problem()));"
         "print(''.join(c for c in '►▬›−▶━‖★▸' if m.inFontUcs4(ord(c))))")


def run_with_fonts(tmp_path: Path, folder: Path | None) -> list[str]:
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_config(tmp_path, folder)),
           "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fontconfig")
def test_no_usable_font_is_reported(tmp_path):
    problem, _drawn = run_with_fonts(tmp_path, None)
    assert "cannot show any text" in problem and "fonts-dejavu-core" in problem


@pytest.mark.skipif(not URW.is_dir(), reason="URW base-35 fonts (fonts-urw-base35) not installed")
def test_with_only_minimal_fonts_our_symbols_still_have_glyphs(tmp_path):
    problem, drawn = run_with_fonts(tmp_path, URW)
    assert problem == "''"
    assert drawn.startswith("►▬›−")  # the ones the app uses are there
    assert "▶" not in drawn and "★" not in drawn  # the ones it stopped using are not
