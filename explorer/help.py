"""Help for students: What am I looking at? and Help → Lessons (a stub until it lands)."""

from __future__ import annotations


def install(window):
    """Add this feature to the main window (menus are window.file_menu, view_menu, help_menu)."""
    return None
