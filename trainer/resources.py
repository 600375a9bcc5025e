"""Where the bundled files are: ``resources/`` of the checkout, installed as the package
``latent_explorer_resources`` (pyproject.toml, setup.py).

``importlib.resources`` finds the package in a wheel, an editable install or a PyInstaller bundle; a plain
source checkout run without installing (``PYTHONPATH=.``) falls back to the folder beside ``trainer/``.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path

PACKAGE = "latent_explorer_resources"


@cache
def resources_dir() -> Path:
    """The folder of the bundled files (models/, icons/, lessons.md, the .desktop entry).

    Raises FileNotFoundError when neither the installed package nor a checkout's ``resources/`` is there."""
    try:
        found = Path(str(importlib.resources.files(PACKAGE)))
    except ModuleNotFoundError:
        found = Path(__file__).resolve().parent.parent / "resources"
    if not found.is_dir():
        raise FileNotFoundError(f"the bundled files are missing: {found} (reinstall Latent Explorer)")
    return found


def resource_path(*parts: str) -> Path:
    """``resources_dir() / parts…`` (the file need not exist)."""
    return resources_dir().joinpath(*parts)


def models_dir() -> Path:
    """The bundled pretrained models (``*.safetensors``)."""
    return resource_path("models")
