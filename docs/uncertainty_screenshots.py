"""The README's screenshots of issue 14 (posterior clouds, holes map, latent dimensions, OOD probe, replay).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/uncertainty_screenshots.py [OUT_DIR] [--size 1600x900]

Each picture is a lesson's "Show me" (Help -> Lessons 8-10) staged in a fresh window and grabbed once every
worker is idle; the replay trains a digits VAE for 12 epochs in the Training dock first and also writes the
GIF. Written into docs/screenshots/ by default.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication


def wait(app, until, timeout=300.0) -> None:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the app did not settle")
        app.processEvents()
        time.sleep(0.02)
    for _ in range(30):  # a few more passes: the last repaints
        app.processEvents()
        time.sleep(0.02)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out", nargs="?", type=Path, default=Path("docs/screenshots"))
    p.add_argument("--size", default="1600x900")
    p.add_argument("--only", nargs="*")
    args = p.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer import demo
    from explorer.main_window import MainWindow
    from explorer.state import Session

    def fresh():
        window = MainWindow(Session())
        window.resize(w, h)
        window.show()
        return window

    def lesson(window, name):
        window.help.runner.show_me(name)
        runner = window.help.runner
        wait(app, lambda: runner.pending is None and window.session.is_ready and demo.idle(window))

    def zoomed(window):  # the cloud large, and the crowd's clouds around it
        window.docks["posterior"].panel.zoom()
        view = window.scatter.view
        (x0, x1), (y0, y1) = view.viewRange()
        view.scaleBy((6, 6))
        wait(app, lambda: demo.idle(window))

    def study(window, name, attribute):  # a study's own lane is not the main window's child: wait for it
        wait(app, lambda: getattr(window.studies.windows[name], attribute) is not None and demo.idle(window))

    shots = {
        "posterior": lambda win: (lesson(win, "posterior"), zoomed(win), [win]),
        "holes": lambda win: (lesson(win, "holes-map-vae"), [win]),
        "holes-ae": lambda win: (lesson(win, "holes-map-ae"), [win]),
        "dimensions": lambda win: (lesson(win, "dimensions"), study(win, "dimensions", "found"),
                                   [win.studies.windows["dimensions"]]),
        "ood": lambda win: (lesson(win, "ood"), study(win, "ood", "result"),
                            [win.studies.windows["ood"], win]),
    }
    for name, shoot in shots.items():
        if args.only and name not in args.only:
            continue
        window = fresh()
        *_, grabbed = shoot(window)
        for k, widget in enumerate(grabbed):
            widget.grab().save(str(args.out / (name + ("" if k == 0 else "-scatter") + ".png")))
        print("saved", name, flush=True)
        window.close()
    if not args.only or "replay" in args.only:
        replay(app, fresh(), args.out, wait)
    return 0


def replay(app, window, out: Path, wait) -> None:
    from explorer import demo
    from trainer.resources import models_dir

    s = window.session
    s.open_model(models_dir() / "digits-vae.safetensors")
    wait(app, lambda: s.is_ready and demo.idle(window))
    dock = window.training_dock
    dock.epochs.setValue(12)
    dock.start()
    wait(app, lambda: not dock.controller.is_running() and s.is_ready and demo.idle(window), timeout=900)
    study = window.studies.open("replay")
    wait(app, lambda: study.replay is not None)
    study.slider.setValue(study.slider.maximum() // 3)
    wait(app, lambda: True)
    study.grab().save(str(out / "replay.png"))
    study.export_gif(out / "replay.gif")
    print("saved replay", flush=True)
    window.close()


if __name__ == "__main__":
    sys.exit(main())
