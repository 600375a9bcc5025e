"""Entry point: ``python main.py [MODEL] [--data SPEC] [--tool NAME] [--view KIND] [--screenshot PNG]
[--size WxH] [--presentation] [--theme system|light|dark]``.

Before Qt starts, ``explorer.display`` checks that there is a screen (and says what to do when there is
none); ``--screenshot`` renders offscreen by itself. The window shows first; torch is imported and the model
loaded in a worker afterwards. With ``--screenshot``
the window is rendered once everything has loaded (the main window's ``settled`` signal) and every worker is
idle, written as a PNG, and the app exits. ``--tool`` sets up one latent tool with an example
(``explorer/demo.py``); ``--view`` chooses the scatter's view (t-SNE, PCA of the pixels, …).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from trainer.resources import models_dir

MODELS_DIR = models_dir()
# the first of these that is present (and whose data set is here) opens at start
PREFERRED_MODELS = {"fashion-mnist-vae.safetensors": "fashion-mnist", "digits-vae.safetensors": "",
                    "shapes-vae.safetensors": ""}
TOOLS = ("denoise", "attributes", "interpolate", "sample", "draw")  # explorer.demo (imports Qt: loaded late)
VIEWS = ("axes", "pca", "tsne", "umap", "pixels-pca", "pixels-tsne", "pixels-umap")
SCREENSHOT_GIVE_UP_MS = 180_000  # a safety net only: the screenshot waits for signals


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="latent-explorer", description="See the latent space of a model.")
    parser.add_argument("model", nargs="?", type=Path,
                        help="a .safetensors checkpoint, or an ONNX model folder or .zip (default: bundled)")
    parser.add_argument("--data", metavar="SPEC", help="data set to show (default: the model's own)")
    parser.add_argument("--screenshot", metavar="PNG", type=Path, help="render the loaded window and exit")
    parser.add_argument("--size", metavar="WxH", type=_size, help="window size, e.g. 1920x1080")
    parser.add_argument("--tool", choices=TOOLS, help="open this tool's tab with an example set up")
    parser.add_argument("--view", choices=VIEWS, help="the scatter's view (default: latent axes or PCA)")
    parser.add_argument("--presentation", action="store_true",
                        help="start in presentation mode: full screen, large text, high contrast")
    parser.add_argument("--theme", choices=("system", "light", "dark"),
                        help="colour theme (default: the one chosen last time)")
    return parser.parse_args(argv)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, not {text!r}") from None
    if not (200 <= w <= 16384 and 200 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"each side must be 200…16384 pixels, not {text!r}")
    return w, h


def default_model(folder: Path = MODELS_DIR, has_data=None) -> Path | None:
    """The first of PREFERRED_MODELS present in ``folder`` whose data set is found (Fashion-MNIST needs its
    files; the others are built in), else the first model there, else None."""
    has_data = has_data or _idx_data_found
    for name, data in PREFERRED_MODELS.items():
        if (folder / name).is_file() and (not data or has_data(data)):
            return folder / name
    return next(iter(sorted(folder.glob("*.safetensors"))), None)


def _idx_data_found(name: str) -> bool:
    """A cheap look for the IDX files (no checksum: loading checks them), or the bundled split standing in."""
    from trainer.data.bundled import available_offline

    return available_offline(name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from explorer import display  # before Qt: without a screen Qt aborts the process with a misleading text

    display.choose_platform(os.environ, screenshot=bool(args.screenshot))
    if missing := display.problem():
        print(missing, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Latent Explorer")
    _identify(app)
    from explorer import clear_marks

    clear_marks.set_app_style(app.style().name())  # before the window: set after it, all is polished again
    if argv is None:  # a process of its own: read its data set beside the window's construction
        _read_ahead(args)
    from explorer import glyphs
    from explorer.main_window import MainWindow
    from explorer.state import Session

    session = Session()
    window = MainWindow(session)
    from explorer import crash

    crash.install(window)  # an error no code caught: one message in the window, the traceback in the log
    if argv is None:  # a process of its own: a fatal crash leaves its stacks in the log
        crash.watch_fatal_errors()
    glyphs.install(window)  # no usable font: say so on stderr and in the title (the only text still drawn)
    last = _last_session(window, args)
    if args.size:
        window.resize(*args.size)
    window.show()
    _present(window, args)
    model = args.model or (last.model if last else default_model())
    if args.tool or args.view:
        window.settled.connect(lambda: _stage(window, args.tool, args.view))
    if args.screenshot:
        _screenshot_when_settled(window, args.screenshot, waits=model is not None,
                                 staged=bool(args.tool or args.view))
    if last:
        window.after_first_paint(lambda: window.settings.reopen(last, args.data))
    else:
        window.after_first_paint(lambda: _open(session, model, args.data))
    app.aboutToQuit.connect(session.shutdown)
    code = app.exec()
    session.shutdown()
    if args.screenshot and argv is None:
        _quick_exit(code)
    return code


def _quick_exit(code: int) -> None:
    """End a ``--screenshot`` process at once: its picture is written and it saves nothing, so the
    interpreter's teardown of torch and Qt (about a second) would only keep the caller waiting. Only for a
    process of its own (``main.py``, the gui-script), never when ``main`` is called in-process."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _read_ahead(args: argparse.Namespace) -> None:
    """Start reading the data set this start will show (``explorer.read_ahead``): the model named, else the
    one open last time, else the default model — the same choice ``main`` makes once the window exists."""
    from explorer import read_ahead, settings

    model, data = args.model, args.data
    if model is None and not args.screenshot and (last := settings.stored_session(settings.store())):
        model, data = last.model, data or last.data
    read_ahead.start(model or default_model(), data)


def _identify(app) -> None:
    """Names for QSettings and the desktop (the Wayland app id is the .desktop file's name), and the icon."""
    from explorer import desktop, settings

    app.setOrganizationName(settings.ORGANIZATION)
    app.setDesktopFileName(desktop.APP_ID)
    app.setWindowIcon(desktop.app_icon())


def _last_session(window, args: argparse.Namespace):
    """The model and data set open last time, when no model is named; None for screenshots, which also
    use the window's default layout (not the remembered one) and save nothing."""
    if args.screenshot:
        window.settings.use_defaults()
        return None
    return None if args.model else window.settings.last_session()


def _present(window, args: argparse.Namespace) -> None:
    """--theme and --presentation (a screenshot keeps the window's size: offscreen, "full screen" is the
    size of a virtual screen)."""
    if args.theme:
        window.presentation.set_theme(args.theme)
    if args.presentation:
        window.presentation.enter(full_screen=not args.screenshot)


def _open(session, model: Path | None, data: str | None) -> None:
    if model is not None:
        session.open_model(model, data)
    elif data:
        session.open_dataset(data)


def _stage(window, tool: str | None, view: str | None) -> None:
    from explorer import demo

    if view:
        demo.set_view(window, view)
    if tool:
        demo.stage(window, tool)


SHOT_QUALITY = 80  # PNG: zlib's quick levels, 40 ms instead of 66 ms at 1400×900 (and no larger a file)
QUIET_POLLS = {True: (4, 100), False: (2, 20)}  # staged tool or view: (polls, ms) of no work before the shot


def _screenshot_when_settled(window, path: Path, waits: bool, staged: bool = False) -> None:
    """Photograph the window once it has settled (points and grid drawn) and no job has run for a while:
    0.4 s after a staged tool or view (their answers and delayed marks come late), 40 ms otherwise."""
    from PySide6.QtCore import QTimer

    from explorer import demo

    idle_polls, (polls, every_ms) = [], QUIET_POLLS[staged]

    def when_idle() -> None:
        idle_polls.append(demo.idle(window))
        if idle_polls[-polls:] == [True] * polls:
            shoot(0)
        else:
            QTimer.singleShot(every_ms, when_idle)

    def shoot(code: int) -> None:
        if not window.isVisible():  # shot already (an error or the give-up timer came too)
            return
        window.grab().save(str(path), None, SHOT_QUALITY)
        print(f"screenshot: {path}", file=sys.stderr)
        window.close()
        QTimer.singleShot(0, lambda: _exit(code))

    if not waits:
        QTimer.singleShot(0, lambda: shoot(0))
        return
    window.settled.connect(lambda: QTimer.singleShot(every_ms, when_idle))
    window.session.error.connect(lambda message: shoot(1))
    QTimer.singleShot(SCREENSHOT_GIVE_UP_MS, lambda: shoot(2))


def _exit(code: int) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.instance().exit(code)


if __name__ == "__main__":  # python -m explorer.app (the desktop entry's fallback)
    sys.exit(main())
