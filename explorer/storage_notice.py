"""Locked-down machines: when the home folder (or wherever the app keeps its files) cannot be written, say
once what will not be kept and why, instead of failing silently.

Lab computers and roaming profiles often give a read-only home. The app still starts and works, but three
things cannot be kept there: the settings file (window layout, theme, last model, recent files), the cache
of encoded codes (each start encodes the data set again), and downloaded data sets. ``unwritable()`` tries
each place for real (a temporary file, removed at once: ``os.access`` says yes to root on a read-only mount),
and ``install(window)`` puts one short notice in the status bar — what is lost, a Details button with the
folders, the reason and how to keep them, and Dismiss — and writes the same to stderr. Nothing is shown when
everything can be written.
"""

from __future__ import annotations

import errno
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

REASONS = {errno.EROFS: "the file system is read-only", errno.EACCES: "no permission to write there",
           errno.EPERM: "no permission to write there", errno.ENOSPC: "the disk is full",
           errno.EDQUOT: "the disk quota is used up", errno.ENOTDIR: "a file is in the way of the folder"}


@dataclass(frozen=True)
class Place:
    what: str  # what is kept there, in words
    lost: str  # what a person loses when it cannot be written
    folder: Path
    reason: str = ""  # why it cannot be written ("" = it can)


def places() -> list[Place]:
    """Where the app writes: the settings file's folder, the codes cache, the data sets it downloads."""
    from explorer.settings import store
    from trainer.data import user_data_dir

    data = user_data_dir()
    return [Place("settings", "the window layout, theme, last model and recent files",
                  Path(store().fileName()).parent),
            Place("codes cache", "the encoded codes (the data set is encoded again at each start)",
                  data / "cache"),
            Place("downloads", "downloads (the full Fashion-MNIST cannot be fetched)", data)]


def why_not_writable(folder: Path) -> str:
    """"" when a file can be created in ``folder`` (or the folder can be made), else the reason in words.
    Tries for real in the nearest existing folder and removes what it made."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        if probe.is_dir():
            made = tempfile.mkdtemp(prefix=".write-test-", dir=probe)
            shutil.rmtree(made, ignore_errors=True)
            return ""
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(probe))
    except OSError as e:
        return REASONS.get(e.errno or 0, e.strerror or str(e))


def unwritable() -> list[Place]:
    """The places of ``places()`` that cannot be written, each with its reason."""
    found = []
    for place in places():
        reason = why_not_writable(place.folder)
        if reason:
            found.append(Place(place.what, place.lost, place.folder, reason))
    return found


def details(found: list[Place]) -> str:
    """The long text: each place, its folder and reason, and how to keep things anyway."""
    lines = [f"• {p.what}: {p.folder} — {p.reason}. Lost when the app closes: {p.lost}." for p in found]
    return ("Latent Explorer works normally, but cannot keep some of its files on this computer:\n"
            + "\n".join(lines) + "\n\nTo keep them, point the app at a folder you can write before starting "
            "it: XDG_CONFIG_HOME for the settings, LATENT_EXPLORER_DATA for the cache and downloads "
            "(for example a folder on a USB stick).")


def summary(found: list[Place]) -> str:
    """The short line for the status bar: "Not kept: settings, codes cache (the file system is read-only)"."""
    return f"Not kept: {', '.join(p.what for p in found)} ({found[0].reason})"


class StorageNotice(QWidget):
    """The status-bar notice: a short line, Details…, Dismiss."""

    def __init__(self, found: list[Place], parent: QWidget | None = None):
        super().__init__(parent)
        self.found = found
        self.text = QLabel(summary(found))
        self.text.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.text.setToolTip(details(found))
        self.text.setMinimumWidth(150)  # a narrow window cuts the line rather than growing for it
        self.details_button = QPushButton("Details…")
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Hide this notice (it comes back at the next start)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.text, self.details_button, self.dismiss_button):
            layout.addWidget(widget)
        self.details_button.clicked.connect(self.show_details)
        self.dismiss_button.clicked.connect(self.dismiss)

    def show_details(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "Files that are not kept", details(self.found),
                          parent=self.window())
        box.setModal(False)
        box.show()
        self.box = box
        return box

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


def install(window) -> StorageNotice | None:
    """Check once; when something cannot be written, add the notice to the status bar and tell stderr."""
    found = unwritable()
    if not found:
        return None
    notice = StorageNotice(found, window)
    window.statusBar().insertPermanentWidget(0, notice)
    print(details(found), file=sys.stderr)
    return notice
