"""Installed like a program: the wheel carries the engine, the app and ``resources/`` (models, icons, lessons,
desktop file) as package data; installed (not editable) into a fresh venv without this checkout,
``latent-explorer --screenshot`` opens with a bundled model and ``latent-trainer`` reads one.

The fresh venv gets only the wheel (pip, run by the venv's own interpreter, writes its entry-point scripts);
the dependencies (torch, Qt, …) come from the test interpreter's site-packages through a ``.pth`` line. A
directory named by a ``.pth`` line has its own ``.pth`` files ignored, so the checkout's editable install
there stays invisible: ``explorer`` and ``trainer`` can only come from the wheel. The wheel's declared
dependencies are compared with pyproject.toml's instead of being downloaded again (minutes on CI).
"""

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import Parser
from pathlib import Path

import numpy as np
import pip
import pytest

ROOT = Path(__file__).resolve().parent.parent
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
def venv(wheel, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("venv") / "installed"
    made = _run([sys.executable, "-m", "venv", "--without-pip", folder], 300)
    assert made.returncode == 0, made.stderr
    python = folder / "bin" / "python"
    pip_dir = Path(pip.__file__).resolve().parent  # run the test interpreter's pip by the venv's interpreter
    ours = _run([python, pip_dir, "install", "-q", "--no-deps", "--no-index", wheel], 600)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], 60)
                .stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return folder


def test_the_wheel_declares_the_projects_dependencies(wheel):
    with zipfile.ZipFile(wheel) as whl:
        meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        declared = Parser().parsestr(whl.read(meta).decode()).get_all("Requires-Dist")
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [f"{d}; extra == \"{extra}\""
                                        for extra, deps in project["optional-dependencies"].items()
                                        for d in deps]
    assert sorted(map(_requirement, declared)) == sorted(map(_requirement, wanted))


def _requirement(text: str) -> str:
    """One spelling per requirement (specifiers sorted, markers quoted alike)."""
    from packaging.requirements import Requirement

    return str(Requirement(text))


def test_the_wheel_carries_the_resources(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("latent_explorer_resources/models/digits-vae.safetensors",
                   "latent_explorer_resources/lessons.md",
                   "latent_explorer_resources/latent-explorer.desktop",
                   "latent_explorer_resources/icons/latent-explorer.svg", "trainer/onnx_model/manifest.py",
                   "explorer/app.py"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.timeout(3 * RUN_TIMEOUT_S)
def test_installed_app_starts_with_the_bundled_models(venv, tmp_path):
    """Run from an empty folder with a fresh HOME: nothing of the checkout can be imported."""
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "QT_QPA_PLATFORM": "offscreen", "LATENT_EXPLORER_DATA": str(tmp_path / "data")}
    where = _run([venv / "bin" / "python", "-c", "import explorer, trainer.resources as r; "
                  "print(explorer.__file__); print(r.models_dir())"], 120, cwd=tmp_path, env=env)
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout
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
