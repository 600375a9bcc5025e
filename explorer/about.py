"""Help → About: the app's version, the versions of torch, Qt, PySide6 and Python, and the device the models
run on — what a teacher copies into a bug report.

Nothing here imports torch (1.5-2 s): its version comes from the installed package's metadata, and the device
is asked of torch only once the app has imported it (a model was opened).
"""

from __future__ import annotations

import os
import platform
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

APP = "Latent Explorer"


def _version(package: str) -> str:
    from importlib import metadata  # 20 ms of start-up otherwise, for a dialog seldom opened

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def device() -> str:
    """Where torch computes, in words: "CPU (2 threads)", "CUDA: NVIDIA H100", or not known yet."""
    torch = sys.modules.get("torch")
    if torch is None:
        return "not known yet (torch starts when a model is opened)"
    if torch.cuda.is_available():
        return f"CUDA GPU: {torch.cuda.get_device_name(0)}"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "Apple GPU (MPS)"
    cores = os.cpu_count() or 1
    return f"CPU ({cores} core{'s' if cores != 1 else ''})"


def facts() -> dict[str, str]:
    """The About box's lines, by name."""
    return {"Version": _version("latent-explorer"), "torch": _version("torch"),
            "Qt": qVersion(), "PySide6": PYSIDE_VERSION, "Python": platform.python_version(),
            "System": f"{platform.system()} {platform.machine()}", "Device": device()}


def text() -> str:
    rows = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>"
                   for name, value in facts().items())
    return (f"<h3>{APP}</h3><p>See and touch the latent space of an autoencoder or a VAE.</p>"
            f"<table>{rows}</table>")


def show(parent: QWidget) -> QMessageBox:
    """The About box (non-blocking)."""
    box = QMessageBox(QMessageBox.Icon.Information, f"About {APP}", text(), QMessageBox.StandardButton.Ok,
                      parent)
    box.setObjectName("about")
    box.open()
    return box
