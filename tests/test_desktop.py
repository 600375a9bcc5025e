"""The desktop entry and icons: install into a temp prefix, check them, uninstall (no Qt needed)."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from explorer import desktop
from trainer.resources import resource_path

ROOT = Path(__file__).resolve().parent.parent


def _entry(prefix: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(desktop.entry_path(prefix), encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_install_writes_the_entry_and_icons_and_uninstall_removes_them(tmp_path):
    written = desktop.install(tmp_path, refresh=False)
    entry = _entry(tmp_path)
    assert entry["Type"] == "Application" and entry["Name"] == "Latent Explorer"
    assert entry["Icon"] == "latent-explorer" and entry["Categories"] == "Education;Science;"
    assert entry["StartupWMClass"] == "Latent Explorer" and entry["Terminal"] == "false"
    script = Path(sys.executable).parent / "latent-explorer"  # this venv's gui-script (pip install -e)
    assert entry["Exec"] == f"{script} %f" and script.is_file()
    icons = tmp_path / "share/icons/hicolor"
    for size in desktop.SIZES:
        png = icons / f"{size}x{size}/apps/latent-explorer.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert _png_size(png) == (size, size)
    svg = icons / "scalable/apps/latent-explorer.svg"
    assert svg.read_bytes() == resource_path("icons", "latent-explorer.svg").read_bytes()
    assert sorted(written) == sorted([desktop.entry_path(tmp_path), svg,
                                      *(icons / f"{s}x{s}/apps/latent-explorer.png" for s in desktop.SIZES)])
    assert not list(tmp_path.rglob("*.part"))  # atomic writes leave no temp files

    assert sorted(desktop.uninstall(tmp_path, refresh=False)) == sorted(written)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert desktop.uninstall(tmp_path, refresh=False) == []  # twice is fine


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()  # the IHDR chunk: width and height at bytes 16..24
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_without_the_script_the_entry_runs_the_module_from_the_checkout(tmp_path, monkeypatch):
    python = tmp_path / "my python" / "bin" / "python3"
    monkeypatch.setattr(sys, "executable", str(python))
    command, folder = desktop.launch_command()
    assert command == f'"{python}" -m explorer.app' and folder == str(ROOT)
    desktop.install(tmp_path, refresh=False)
    entry = _entry(tmp_path)
    assert entry["Exec"] == f'"{python}" -m explorer.app %f' and entry["Path"] == str(ROOT)


def test_exec_quoting_follows_the_desktop_entry_spec():
    assert desktop._quote("/usr/bin/latent-explorer") == "/usr/bin/latent-explorer"
    assert desktop._quote("/home/a b/x") == '"/home/a b/x"'
    assert desktop._quote('/a"b$c`d\\e') == '"/a\\"b\\$c\\`d\\\\e"'
    assert desktop._quote("/100%/x") == "/100%%/x"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_entry_passes_desktop_file_validate(tmp_path):
    desktop.install(tmp_path, refresh=False)
    result = subprocess.run(["desktop-file-validate", str(desktop.entry_path(tmp_path))], capture_output=True,
                            text=True, timeout=60)
    errors = [line for line in result.stdout.splitlines() if "error:" in line]
    assert result.returncode == 0 and not errors, result.stdout


def test_the_command_line(tmp_path, capsys):
    assert desktop.main(["install", "--prefix", str(tmp_path)]) == 0
    assert desktop.entry_path(tmp_path).is_file()
    assert f"wrote {desktop.entry_path(tmp_path)}" in capsys.readouterr().out
    assert desktop.main(["uninstall", "--prefix", str(tmp_path)]) == 0
    assert not desktop.entry_path(tmp_path).exists()


def test_the_window_icon_has_every_size(qapp):
    icon = desktop.app_icon()
    assert not icon.isNull() and {s.width() for s in icon.availableSizes()} >= set(desktop.SIZES)
