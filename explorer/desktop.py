"""Double-click launch on Linux: install or remove a desktop entry and the application icon.

``python -m explorer.desktop install [--prefix ~/.local]`` writes ``PREFIX/share/applications/
latent-explorer.desktop`` (from ``resources/latent-explorer.desktop``) and the icons
``PREFIX/share/icons/hicolor/{32x32,64x64,128x128,256x256}/apps/latent-explorer.png`` plus
``…/scalable/apps/latent-explorer.svg``; ``uninstall`` removes exactly those files. The entry runs the
``latent-explorer`` script of the Python that ran the install (a venv's ``bin/``), or ``python -m
explorer.app`` from this checkout when there is no script. ``render-icons`` redraws the PNGs from the SVG
(for whoever edits the SVG; it needs Qt). Installing needs no Qt.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from trainer.files import atomic_file
from trainer.resources import resources_dir

APP_ID = "latent-explorer"  # the .desktop file's name, the icon's name, and the app's desktop file name
ROOT = Path(__file__).resolve().parent.parent  # the checkout (the package is installed editable)
RESOURCES = resources_dir()
ICONS = RESOURCES / "icons"
TEMPLATE = RESOURCES / f"{APP_ID}.desktop"
SIZES = (32, 64, 128, 256)


def _icon_sources() -> dict[str, Path]:
    """{path under share/icons/hicolor: source file} for every icon."""
    files = {f"{s}x{s}/apps/{APP_ID}.png": ICONS / f"{APP_ID}-{s}.png" for s in SIZES}
    files[f"scalable/apps/{APP_ID}.svg"] = ICONS / f"{APP_ID}.svg"
    return files


def icon_files() -> dict[str, Path]:
    """The icon files to install (those of ``_icon_sources`` that exist)."""
    return {target: source for target, source in _icon_sources().items() if source.is_file()}


def app_icon():
    """A QIcon with every size of the application icon (for ``QApplication.setWindowIcon``)."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for source in icon_files().values():
        icon.addFile(str(source))
    return icon


def launch_command() -> tuple[str, str | None]:
    """(Exec line without its field code, working folder or None): the ``latent-explorer`` script beside the
    running Python, else this Python with ``-m explorer.app`` run from the checkout."""
    script = Path(sys.executable).parent / APP_ID
    if script.is_file():
        return _quote(str(script.absolute())), None
    return f"{_quote(str(Path(sys.executable).absolute()))} -m explorer.app", str(ROOT)


def _quote(arg: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec says (reserved characters: double quotes)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_entry() -> str:
    """The template with Exec (and Path, for the ``-m`` fallback) filled in."""
    command, folder = launch_command()
    text = TEMPLATE.read_text(encoding="utf-8").replace("@EXEC@", command.replace("\\", "\\\\"))
    if folder is not None:
        text += f"Path={folder}\n"
    return text


def entry_path(prefix: Path) -> Path:
    return Path(prefix) / "share" / "applications" / f"{APP_ID}.desktop"


def icon_root(prefix: Path) -> Path:
    return Path(prefix) / "share" / "icons" / "hicolor"


def install(prefix: Path, refresh: bool = True) -> list[Path]:
    """Write the desktop entry and the icons under ``prefix``, each file atomically; the paths written."""
    written = []
    for target, source in icon_files().items():
        written.append(_write(icon_root(prefix) / target, source.read_bytes()))
    written.append(_write(entry_path(prefix), desktop_entry().encode("utf-8")))
    if refresh:
        _refresh(prefix)
    return written


def uninstall(prefix: Path, refresh: bool = True) -> list[Path]:
    """Remove what ``install`` wrote under ``prefix``; the removed paths (folders are left)."""
    targets = [entry_path(prefix)] + [icon_root(prefix) / target for target in _icon_sources()]
    removed = [path for path in targets if path.is_file()]
    for path in removed:
        path.unlink()
    if refresh:
        _refresh(prefix)
    return removed


def _write(path: Path, data: bytes) -> Path:
    with atomic_file(path) as f:
        f.write(data)
    return path


def _refresh(prefix: Path) -> None:
    """Tell the desktop about the change where the tools exist; a failure only means a slower pick-up."""
    commands = [["update-desktop-database", "-q", str(entry_path(prefix).parent)]]
    if (icon_root(prefix) / "index.theme").is_file():  # the icon cache needs the theme's index
        commands.append(["gtk-update-icon-cache", "-q", "-t", str(icon_root(prefix))])
    for command in commands:
        if shutil.which(command[0]):
            try:
                subprocess.run(command, check=False, timeout=60, capture_output=True)
            except (OSError, subprocess.SubprocessError):
                pass


def render_icons() -> list[Path]:
    """Draw the PNGs at SIZES from the SVG (QtSvg), each written atomically."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(ICONS / f"{APP_ID}.svg"))
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        written.append(_write(ICONS / f"{APP_ID}-{size}.png", bytes(data.data())))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.desktop", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("install", "uninstall", "render-icons"))
    parser.add_argument("--prefix", type=Path, default=Path.home() / ".local",
                        help="where share/applications and share/icons are (default: ~/.local)")
    args = parser.parse_args(argv)
    if args.action == "render-icons":
        paths = render_icons()
    else:
        prefix = args.prefix.expanduser().absolute()
        paths = install(prefix) if args.action == "install" else uninstall(prefix)
    verb = {"install": "wrote", "uninstall": "removed", "render-icons": "wrote"}[args.action]
    for path in paths:
        print(f"{verb} {path}")
    if args.action == "install" and not icon_files():
        print(f"warning: no icons found in {ICONS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
