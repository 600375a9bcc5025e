"""Latency of the latent tools: from a slider step to the updated image on screen (issue 4's goals).

The real window (``MainWindow`` + ``Session``, offscreen) with the pretrained Fashion-MNIST VAE on all
70,000 Fashion-MNIST images (the digits VAE when Fashion-MNIST is missing; said so). Each figure moves a
control the way a drag does (one slider step at a time), waits for the tool's answer from its worker, and
lets the event loop paint as it always does: "on screen" ends when the pass that painted the panel's image
is over (it includes the scatter when the tool's marks moved in that step: marks that follow a drag are drawn
at most every 100 ms). "Forced scatter" adds a synchronous repaint of the 70k-point scatter to every step,
the cost a step would have if the marks were redrawn each time.

1. Denoise: the level slider, one test image -> clean | noisy | reconstruction        goal ≤ 16 ms median
2. Attributes: the α slider -> a 9-image morph strip                                  goal ≤ 50 ms median
3. Interpolate: linear <-> spherical -> a 9-image strip (a click, not a drag)          goal ≤ 50 ms median
4. Sample: the temperature slider -> an 8×8 grid of 64 new images (no goal; for the record)

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/tool_latency.py [--n 60] [--json FILE]

Figures only, no asserts (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from gui_latency import open_window, pct, spin, wait  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402

GOALS_MS = {"denoise": 16.0, "attributes": 50.0, "interpolate": 50.0}


class PaintWatch(QObject):
    """Notes when a widget has painted (the image is on screen once the paint pass that painted it ends)."""

    def __init__(self, widget):
        super().__init__()
        self.painted = False
        widget.installEventFilter(self)

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


def measure(app, steps, trigger, signal, image_widget, window) -> tuple[list[float], list[float]]:
    """Per step, in ms: from ``trigger(step)`` (what one slider step does) until the tool's answer has been
    painted by the normal event loop — the image widget and, in the same pass, the scatter if the tool's
    marks moved; and, for comparison, a forced synchronous repaint of the scatter after that."""
    watch = PaintWatch(image_widget)
    on_screen, with_scatter = [], []
    for step in steps:
        watch.painted = False
        start = time.perf_counter()
        wait(signal, 30, trigger=lambda s=step: trigger(s))
        while not watch.painted:
            app.processEvents()
        on_screen.append((time.perf_counter() - start) * 1000)
        window.scatter.plot.viewport().repaint()
        with_scatter.append((time.perf_counter() - start) * 1000)
    spin(0.2)  # let a throttled mark catch up before the next figure
    return on_screen, with_scatter


def report(name: str, label: str, to_image: list[float], to_window: list[float], figures: dict) -> None:
    med, p95 = pct(to_image, 50), pct(to_image, 95)
    goal = GOALS_MS.get(name)
    verdict = "" if goal is None else f"  goal ≤ {goal:.0f} ms: {'met' if med <= goal else 'MISSED'}"
    print(f"{label:<44} on screen {med:6.1f} ms median, p95 {p95:6.1f}; "
          f"forced scatter {pct(to_window, 50):6.1f} ms{verdict}")
    figures[name] = {"to_image_median_ms": med, "to_image_p95_ms": p95,
                     "window_median_ms": pct(to_window, 50), "steps": len(to_image)}


def panel(window, title: str):
    dock = window.tool_docks[title]
    dock.raise_()
    spin(0.2)
    return dock.panel


def denoise(app, window, n: int, figures: dict) -> None:
    from explorer.demo import first_test_row

    p = panel(window, "Denoise")
    window.session.select(first_test_row(window.session, 0))
    wait(p.tool.resultChanged, 30)
    levels = [(10 + 3 * k) % 91 + 5 for k in range(n)]
    result = measure(app, levels, p.level_slider.setValue, p.tool.resultChanged, p.boxes[2], window)
    report("denoise", "Denoise level slider -> 3 images", *result, figures)


def attributes(app, window, n: int, figures: dict) -> None:
    from explorer.demo import first_test_row

    p = panel(window, "Attributes")
    p.tool.set_classes(0, 1)
    p.tool.set_k(9)
    window.session.select(first_test_row(window.session, 0))
    spin(0.5)
    values = [(-25 + 3 * k) % 51 - 25 for k in range(n)]
    values = [v if v != p.alpha_slider.value() else v + 1 for v in values]
    result = measure(app, values, p.alpha_slider.setValue, p.tool.morphChanged, p.strip, window)
    report("attributes", "Attributes α slider -> 9-image morph strip", *result, figures)


def interpolate(app, window, n: int, figures: dict) -> None:
    from explorer.demo import first_test_row

    p = panel(window, "Interpolate")
    s = window.session
    p.tool.shift_click(first_test_row(s, 0), 0, 0)
    p.tool.shift_click(first_test_row(s, 1), 0, 0)
    p.tool.set_steps(9)
    spin(0.5)
    methods = ["slerp" if k % 2 == 0 else "lerp" for k in range(n)]
    result = measure(app, methods, p.tool.set_method, p.tool.stripChanged, p.strip, window)
    report("interpolate", "Interpolate lerp <-> slerp -> 9-image strip", *result, figures)


def sample(app, window, n: int, figures: dict) -> None:
    p = panel(window, "Sample")
    p.tool.set_size(8, 8)
    spin(0.5)
    values = [(50 + 7 * k) % 150 + 25 for k in range(n)]
    values = [v if v != p.temperature_slider.value() else v + 1 for v in values]
    result = measure(app, values, p.temperature_slider.setValue, p.tool.samplesChanged, p.grid, window)
    report("sample", "Sample temperature slider -> 8×8 grid", *result, figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="slider steps per figure")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from explorer.app import default_model

    model = default_model()
    print(f"model {model.name}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    app, window = open_window(model, None)
    window.resize(1920, 1080)
    spin(0.5)
    print(f"data {window.session.dataset.spec}: {len(window.session.dataset.images):,} points")
    figures: dict = {"model": model.name, "points": len(window.session.dataset.images)}
    for bench in (denoise, attributes, interpolate, sample):
        bench(app, window, args.n, figures)
    window.close()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
