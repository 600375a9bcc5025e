"""Installed like a program: the wheel carries the engine, the app and ``resources/`` (models, icons, lessons,
desktop file) as package data; installed (not editable) into a venv without this checkout or the system's
site-packages, ``latent-explorer --screenshot`` opens with a bundled model and ``latent-trainer`` reads one.

The venv is kept between runs in ``~/.cache/latent-explorer/wheel-test-venv`` (or $LATENT_EXPLORER_TEST_VENV)
so that only the first run pays for installing torch and Qt (pip takes torch from the wheel on disk, the
rest from its cache or the registry); every run installs the freshly built wheel again, over the old one.
The test is skipped, saying why, only when the dependencies cannot be installed at all (no registry and
nothing cached).
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL_TIMEOUT_S = 1800
RUN_TIMEOUT_S = 300


def _run(args, timeout: int, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout (its build/ folder stays out of the tree)."""
    src = tmp_path_factory.mktemp("src") / "latent-explorer"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info",
                                                             "__pycache__", ".pytest_cache", ".ruff_cache"))
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, src],
                600)
    assert done.returncode == 0, done.stdout + done.stderr
    return next(out.glob("latent_explorer-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel) -> Path:
    folder = Path(os.environ.get("LATENT_EXPLORER_TEST_VENV",
                                 Path.home() / ".cache" / "latent-explorer" / "wheel-test-venv"))
    python = folder / "bin" / "python"
    if not python.exists():
        made = _run([sys.executable, "-m", "venv", "--clear", folder], 300)  # no system site-packages
        assert made.returncode == 0, made.stderr
    deps = _run([python, "-m", "pip", "install", "-q", "torch==2.13.0", wheel], INSTALL_TIMEOUT_S)
    if deps.returncode != 0:
        pytest.skip(f"the wheel's dependencies cannot be installed here: {deps.stderr.strip()[-400:]}")
    ours = _run([python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", wheel], 600)
    assert ours.returncode == 0, ours.stderr
    return folder


def test_the_wheel_carries_the_resources(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("latent_explorer_resources/models/digits-vae.safetensors",
                   "latent_explorer_resources/lessons.md",
                   "latent_explorer_resources/latent-explorer.desktop",
                   "latent_explorer_resources/icons/latent-explorer.svg", "trainer/onnx_model/manifest.py",
                   "explorer/app.py"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT_S + 2 * RUN_TIMEOUT_S)  # the first run installs torch and Qt
def test_installed_app_starts_with_the_bundled_models(venv, tmp_path):
    """Run from an empty folder with a fresh HOME: nothing of the checkout can be imported."""
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "QT_QPA_PLATFORM": "offscreen", "LATENT_EXPLORER_DATA": str(tmp_path / "data")}
    where = _run([venv / "bin" / "python", "-c", "import explorer, trainer.resources as r; "
                  "print(explorer.__file__); print(r.models_dir())"], 120, cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    assert all("site-packages" in line for line in where.stdout.split()), where.stdout
    shot = tmp_path / "shot.png"
    done = _run([venv / "bin" / "latent-explorer", "--screenshot", shot, "--size", "1280x800"], RUN_TIMEOUT_S,
                cwd=tmp_path, env=env)
    assert done.returncode == 0 and shot.exists(), done.stdout + done.stderr
    from PIL import Image

    with Image.open(shot) as png:
        assert png.size == (1280, 800)
        pixels = np.asarray(png.convert("RGB"))
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # the scatter and the grid were drawn
    model = _run([venv / "bin" / "latent-trainer", "info", "--quiet",
                  Path(where.stdout.split()[1]) / "digits-vae.safetensors"], 120, cwd=tmp_path, env=env)
    assert model.returncode == 0 and "latent_dim" in model.stdout, model.stderr
