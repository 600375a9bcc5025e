"""The scatter at scale: 70k, 200k and 1M synthetic codes in the app's ``ScatterView``.

For each size: applying new codes (``Session.show_codes``: the projection and the scatter's update, one
event-loop turn), repaint while panning (``setRange`` by 2 % of the width + ``viewport().repaint()``) and
zooming (by 10 %), and picking (``ScatterView.pick`` at points and at empty places, checked against a
brute-force search). The reference, measured in the same run: pyqtgraph's ``ScatterPlotItem`` with one
brush per colour layer (how the scatter drew before issue 12), its ``setData`` and its repaint (at 1M its
``setData`` alone takes many seconds: skipped, ``--reference-1m`` to measure it anyway).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/scatter_scale.py [--sizes 70000 200000 1000000]

Figures only, no asserts (benchmarks/README.md records them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

GOALS = {"repaint_200k": 33.0, "frame_1m": 50.0, "apply": 50.0}
SIZE = (1280, 800)


def synthetic(n: int, seed: int = 0):
    """A Dataset of ``n`` 1×2×2 images in ten classes and 2-D codes: ten Gaussian blobs."""
    from trainer.data.dataset import Dataset

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    centres = rng.normal(scale=3.0, size=(10, 2))
    codes = (centres[labels] + rng.normal(size=(n, 2))).astype(np.float32)
    images = np.zeros((n, 1, 2, 2), np.uint8)
    return Dataset("synthetic", images, labels.astype(np.int64), [f"class {k}" for k in range(10)], n), codes


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


CPU: dict[int, list[float]] = {}  # id(list of wall times) -> the GUI thread's CPU ms of the same frames


def frames(plot, view, repeat: int, zoom: bool) -> list[float]:
    """ms per frame: move (or zoom) the view a step, repaint the plot synchronously (wall clock; the GUI
    thread's CPU time of each frame goes to CPU[id(result)]: on a shared machine it moves less)."""
    (x0, x1), (y0, y1) = view.viewRange()
    out, cpu = [], []
    for k in range(repeat):
        t, c = time.perf_counter(), time.thread_time()
        if zoom:
            f = 0.9 if k % 2 == 0 else 1 / 0.9
            cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 * f, (y1 - y0) / 2 * f
            x0, x1, y0, y1 = cx - hw, cx + hw, cy - hh, cy + hh
        else:
            dx = 0.02 * (x1 - x0) * (1 if k % 10 < 5 else -1)
            x0, x1 = x0 + dx, x1 + dx
        view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        plot.viewport().repaint()
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    CPU[id(out)] = cpu
    return out


def ours(app, n: int, repeat: int) -> dict:
    from explorer.state import Session
    from explorer.widgets.scatter import ScatterView

    data, codes = synthetic(n)
    session = Session()
    scatter = ScatterView(session)
    scatter.resize(*SIZE)
    scatter.show()
    app.processEvents()
    session.dataset = data
    session.datasetChanged.emit()
    apply_ms = timed(lambda: (session.show_codes(codes), app.processEvents()), 2)
    scatter.view.autoRange(padding=0.04)
    scatter.plot.viewport().repaint()
    pan = frames(scatter.plot, scatter.view, repeat, False)
    zoom = frames(scatter.plot, scatter.view, repeat, True)
    dense = scatter.raster.dense
    scatter.view.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)  # zoomed in: points again
    close = frames(scatter.plot, scatter.view, repeat // 2, False)
    picks, wrong = pick_check(scatter, session.xy)
    result = {"n": n, "apply_ms": apply_ms[-1], "pan_ms": pan, "zoom_ms": zoom, "zoomed_in_ms": close,
              "dense_when_whole": dense, "dense_zoomed_in": scatter.raster.dense, "pick_ms": picks,
              "pick_wrong": wrong}
    session.shutdown()
    scatter.close()
    return result


def pick_check(scatter, xy: np.ndarray) -> tuple[list[float], int]:
    """ms per pick (tree built in a thread at first: brute force meanwhile) and the count of picks that
    differ from a brute-force nearest-within-radius search."""
    from explorer.widgets.scatter import PICK_RADIUS_PX

    rng = np.random.default_rng(1)
    px, py = scatter.view.viewPixelSize()
    (x0, x1), (y0, y1) = scatter.view.viewRange()
    targets = np.r_[xy[rng.integers(0, len(xy), 20)] + 0.5 * px, rng.uniform([x0, y0], [x1, y1], (20, 2))]
    ms, wrong = [], 0
    for x, y in targets:
        t = time.perf_counter()
        got = scatter.pick(x, y)
        ms.append((time.perf_counter() - t) * 1000)
        d = np.hypot(xy[:, 0] - x, (xy[:, 1] - y) * px / py)
        want = int(np.argmin(d)) if d.min() <= PICK_RADIUS_PX * px else -1
        wrong += got != want and not (want >= 0 and got >= 0 and np.isclose(d[got], d[want]))
    return ms, wrong


def reference(app, n: int, repeat: int) -> dict:
    """pyqtgraph's ScatterPlotItem, one per colour (the scatter before issue 12)."""
    import pyqtgraph as pg

    from explorer.widgets.scatter import PALETTE

    data, codes = synthetic(n)
    plot = pg.PlotWidget(background="w")
    plot.resize(*SIZE)
    plot.show()
    layers = [pg.ScatterPlotItem(pen=None, size=5, antialias=False, brush=pg.mkBrush(c)) for c in PALETTE]
    for layer in layers:
        plot.addItem(layer)
    app.processEvents()
    t = time.perf_counter()
    for k, layer in enumerate(layers):
        mine = codes[data.labels % len(PALETTE) == k]
        layer.setData(x=mine[:, 0], y=mine[:, 1])
    set_ms = (time.perf_counter() - t) * 1000
    plot.plotItem.vb.autoRange(padding=0.04)
    plot.viewport().repaint()
    pan = frames(plot, plot.plotItem.vb, repeat, False)
    plot.close()
    return {"n": n, "set_ms": set_ms, "pan_ms": pan}


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def report(o: dict, r: dict | None) -> None:
    n = o["n"]
    goal = GOALS["repaint_200k"] if n <= 200_000 else GOALS["frame_1m"]
    ref = (f"   reference ScatterPlotItem: setData {r['set_ms']:.0f} ms, pan median "
           f"{statistics.median(r['pan_ms']):.1f} / p95 {p95(r['pan_ms']):.1f} ms, CPU median "
           f"{statistics.median(CPU[id(r['pan_ms'])]):.1f} ms") if r else "   reference: skipped"
    print(f"\n{n:,} points (window {SIZE[0]}×{SIZE[1]}){ref}")
    print(f"  apply new codes again (show_codes + one event loop turn): {o['apply_ms']:.0f} ms   (goal: no "
          f"stall > "
          f"{GOALS['apply']:.0f} ms)")
    for name, key in (("pan", "pan_ms"), ("zoom", "zoom_ms"), ("pan zoomed in", "zoomed_in_ms")):
        cpu = CPU.get(id(o[key]), [float("nan")])
        print(f"  {name:14} median {statistics.median(o[key]):5.1f} ms, p95 {p95(o[key]):5.1f} ms, "
              f"GUI-thread CPU median {statistics.median(cpu):5.1f} ms   (goal ≤ {goal:.0f} ms)")
    print(f"  density image when the whole set is in view: {o['dense_when_whole']}; zoomed in: "
          f"{o['dense_zoomed_in']}")
    print(f"  pick: median {statistics.median(o['pick_ms']):.2f} ms, max {max(o['pick_ms']):.1f} ms; "
          f"{o['pick_wrong']} of {len(o['pick_ms'])} differ from brute force (goal: 0)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[70_000, 200_000, 1_000_000])
    p.add_argument("--repeat", type=int, default=30, help="frames per measurement (30)")
    p.add_argument("--reference-1m", action="store_true", help="also time ScatterPlotItem above 200k points")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import scipy.spatial  # noqa: F401  (the app imports it after its first start: workers.warm_up)
    print(f"scatter at scale; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(a shared machine: compare with the reference of the same run)")
    for n in args.sizes:
        o = ours(app, n, args.repeat)
        r = reference(app, n, args.repeat) if n <= 200_000 or args.reference_1m else None
        report(o, r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
