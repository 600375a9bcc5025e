"""GUI latency of Latent Explorer on a real data set (Fashion-MNIST, 70,000 points; else "shapes").

Five figures, each printed next to its goal:

1. start-up, in a fresh process (this script run again with ``--startup-probe``): from just before the
   process is spawned to the window's first paint, to the ready scatter's first paint, and to ``settled``
   (grid drawn); cold (an empty ``LATENT_EXPLORER_DATA``, so no codes cache) and warm (the cache written
   by the cold run). ``main.py MODEL --screenshot`` is timed whole as a cross-check;
2. scatter repaint while panning: ``setRange`` by 2% of the width + ``viewport().repaint()``;
3. click-to-image: ``QTest.mouseClick`` on a point's pixel until the inspector has painted its image, and
   until the reconstruction arrives from the worker;
4. grid update (15×15): from a zoom (``setRange``, through the debounce) to ``GridView.updated``, and
   from ``Session.request_grid`` to ``gridReady`` (the decode alone);
5. event-loop stalls while the Training dock trains keras-conv: a 5 ms ``QTimer`` heartbeat; the largest gap
   and the 99th percentile, and the stalls while the stopped model is adopted and the data re-encoded.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_latency.py [--model M] [--json FILE]

The model: ``resources/models/fashion-mnist-vae.safetensors`` when present, else an untrained keras-conv
VAE saved to a temp file (its codes bunch up, which changes little for these timings). Figures only, no
asserts (see benchmarks/README.md).
"""

from __future__ import annotations

import time

T0_WALL = time.time()  # before any heavy import: the probe reports its own interpreter start-up too

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trainer.resources import models_dir  # noqa: E402

PRETRAINED = models_dir() / "fashion-mnist-vae.safetensors"
GOALS = {  # figure -> (limit, unit, what)
    "first_window_s": (1.0, "s", "first window ≤ 1 s"),
    "scatter_ready_s": (3.0, "s", "pretrained scatter ≤ 3 s"),
    "repaint_p95_ms": (33.0, "ms", "repaint ≤ 33 ms"),
    "click_to_image_median_ms": (16.0, "ms", "click-to-image ≤ 16 ms median"),
    "grid_median_ms": (100.0, "ms", "grid ≤ 100 ms"),
    "training_max_stall_ms": (50.0, "ms", "no stall > 50 ms during training"),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, help="checkpoint (default: fashion-mnist-vae, else untrained)")
    p.add_argument("--data", default="fashion-mnist", help="data set spec (fashion-mnist; shapes if missing)")
    p.add_argument("--pans", type=int, default=100, help="repaints timed while panning (100)")
    p.add_argument("--clicks", type=int, default=30, help="clicks on points (30)")
    p.add_argument("--grids", type=int, default=15, help="zooms, and direct grid requests (15 each)")
    p.add_argument("--train-seconds", type=float, default=20.0, help="training time watched (20)")
    p.add_argument("--train-batch", type=int, default=32,
                   help="batch size (32: the scatter gets mid-epoch codes every 300 steps within the window)")
    p.add_argument("--skip-startup", action="store_true", help="leave out the start-up subprocesses")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    p.add_argument("--startup-probe", nargs=3, metavar=("MODEL", "DATA", "SPAWNED"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


# ---- statistics and printing ----------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


def verdict(key: str, value: float) -> str:
    limit, unit, what = GOALS[key]
    ok = value <= limit
    return f"goal: {what}: {'met' if ok else 'MISSED'}"


def line(label: str, value: float, unit: str, key: str | None = None) -> None:
    text = f"  {label:<46} {value:10.1f} {unit}" if unit == "ms" else f"  {label:<46} {value:10.2f} {unit}"
    print(text + (f"   [{verdict(key, value)}]" if key else ""), flush=True)


# ---- Qt helpers ----------------------------------------------------------------------------------------

def wait(signal, timeout_s: float, trigger=None, accept=lambda *a: True):
    """Run the event loop until ``signal`` fires with arguments ``accept`` likes (after ``trigger()``);
    returns the arguments and the perf_counter time of the emission. TimeoutError after ``timeout_s``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, got = QEventLoop(), []

    def on(*args):
        if not got and accept(*args):
            got.append((args, time.perf_counter()))
            loop.quit()

    signal.connect(on)
    timer = QTimer(singleShot=True, interval=int(timeout_s * 1000))
    timer.timeout.connect(loop.quit)
    try:
        if trigger is not None:
            trigger()
        if not got:
            timer.start()
            loop.exec()
    finally:
        timer.stop()
        signal.disconnect(on)
    if not got:
        raise TimeoutError(f"no {signal} within {timeout_s:g} s")
    return got[0]


def spin(seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


# ---- 1. start-up in a fresh process ----------------------------------------------------------------------

def startup_probe(model: str, data: str, spawned: float) -> None:
    """Child side: build the app as explorer/app.py does; print the marks (s since ``spawned``) as JSON."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    app.setApplicationName("Latent Explorer")
    from explorer.main_window import MainWindow
    from explorer.state import Session

    marks = {"script_start": T0_WALL}
    session = Session()
    window = MainWindow(session)
    viewport = window.scatter.plot.viewport()

    class Watch(QObject):
        def eventFilter(self, obj, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                now = time.time()
                marks.setdefault("first_paint", now)
                if obj is viewport and "ready" in marks:
                    marks.setdefault("scatter_paint", now)
            return False

    watch = Watch()
    app.installEventFilter(watch)

    def settled() -> None:
        marks.setdefault("settled", time.time())
        QTimer.singleShot(0, app.quit)

    def failed(message: str) -> None:
        marks["error"] = message
        QTimer.singleShot(0, app.quit)

    session.modelChanged.connect(lambda: marks.setdefault("model_loaded", time.time()))
    session.datasetChanged.connect(lambda: marks.setdefault("data_loaded", time.time()))
    session.codesChanged.connect(lambda: marks.setdefault("first_codes", time.time()))
    session.ready.connect(lambda: marks.setdefault("ready", time.time()))
    window.settled.connect(settled)
    session.error.connect(failed)
    marks["before_show"] = time.time()
    window.show()
    window.after_first_paint(lambda: session.open_model(Path(model), data))  # as explorer/app.py does
    QTimer.singleShot(300_000, app.quit)
    app.exec()
    app.removeEventFilter(watch)
    window.close()  # stops the device probe and the session's workers
    session.shutdown()
    out = {k: (v - spawned if isinstance(v, float) else v) for k, v in marks.items()}
    print("PROBE " + json.dumps(out), flush=True)


def run_probe(model: Path, data: str, data_dir: Path) -> dict:
    env = {**os.environ, "LATENT_EXPLORER_DATA": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    spawned = time.time()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--startup-probe", str(model), data, repr(spawned)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    probe = [ln for ln in done.stdout.splitlines() if ln.startswith("PROBE ")]
    if not probe:
        raise RuntimeError(f"start-up probe failed (rc {done.returncode}):\n{done.stderr[-3000:]}")
    marks = json.loads(probe[-1][6:])
    if "error" in marks:
        raise RuntimeError(f"start-up probe: the app reported: {marks['error']}")
    return marks


def time_screenshot(model: Path, data: str, data_dir: Path, png: Path) -> float:
    env = {**os.environ, "LATENT_EXPLORER_DATA": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "main.py", str(model), "--data", data, "--screenshot", str(png)],
                          env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"main.py --screenshot failed (rc {done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def startup(model: Path, data: str, data_dir: Path, figures: dict) -> None:
    print("1. start-up (fresh process, seconds since spawn)", flush=True)
    for name in ("cold", "warm"):
        marks = run_probe(model, data, data_dir)
        figures[f"startup_{name}"] = marks
        steps = ("script_start", "before_show", "first_paint", "model_loaded", "data_loaded", "first_codes",
                 "ready")
        print(f"  {name} marks: " + ", ".join(f"{k} {marks[k]:.2f}" for k in steps if k in marks), flush=True)
        line(f"{name}: first window painted", marks["first_paint"], "s", "first_window_s")
        scatter = marks.get("scatter_paint", marks["ready"])
        line(f"{name}: scatter with all points painted", scatter, "s",
             "scatter_ready_s" if name == "warm" else None)
        line(f"{name}: settled (grid drawn)", marks["settled"], "s")
    figures["first_window_s"] = figures["startup_warm"]["first_paint"]
    warm = figures["startup_warm"]
    figures["scatter_ready_s"] = warm.get("scatter_paint", warm["ready"])
    seconds = time_screenshot(model, data, data_dir, data_dir / "screenshot.png")
    figures["main_screenshot_warm_s"] = seconds
    line("warm: main.py --screenshot, whole process", seconds, "s")


# ---- 2-5. in one process -----------------------------------------------------------------------------

def open_window(model: Path, data: str):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from explorer.main_window import MainWindow
    from explorer.state import Session

    window = MainWindow(Session())
    window.show()
    wait(window.settled, 300, trigger=lambda: window.session.open_model(model, data))
    spin(0.3)
    return app, window


def repaint_while_panning(app, window, n: int, figures: dict) -> None:
    vb, viewport = window.scatter.view, window.scatter.plot.viewport()
    vb.autoRange(padding=0.04)
    app.processEvents()
    (x0, x1), (y0, y1) = vb.viewRange()
    step, times = 0.02 * (x1 - x0), []
    for k in range(n):
        shift = step * (k % 20 if (k // 20) % 2 == 0 else 20 - k % 20)  # back and forth
        start = time.perf_counter()
        vb.setRange(xRange=(x0 + shift, x1 + shift), yRange=(y0, y1), padding=0)
        viewport.repaint()
        times.append(1000 * (time.perf_counter() - start))
        app.processEvents()
    figures["repaint_ms"] = times
    figures["repaint_median_ms"], figures["repaint_p95_ms"] = pct(times, 50), pct(times, 95)
    size = viewport.size()
    print(f"2. scatter repaint while panning ({len(window.session.xy):,} points, "
          f"{size.width()}×{size.height()} px, {n} pans)", flush=True)
    line("median", figures["repaint_median_ms"], "ms")
    line("p95", figures["repaint_p95_ms"], "ms", "repaint_p95_ms")
    vb.autoRange(padding=0.04)
    spin(0.3)


def click_to_image(app, window, n: int, figures: dict) -> None:
    import numpy as np
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtTest import QTest

    s, pw, inspector = window.session, window.scatter.plot, window.inspector
    vb, viewport = window.scatter.view, pw.viewport()
    recon_at: dict[int, float] = {}
    s.reconstructionReady.connect(lambda i: recon_at.setdefault(i, time.perf_counter()))
    rng = np.random.default_rng(0)
    to_image, to_frame, to_recon, misses = [], [], [], 0
    for index in rng.choice(len(s.xy), size=4 * n, replace=False):
        if len(to_image) >= n:
            break
        p = pw.mapFromScene(vb.mapViewToScene(QPointF(float(s.xy[index, 0]), float(s.xy[index, 1]))))
        pos = QPoint(p.x(), p.y())
        if not viewport.rect().contains(pos):
            continue
        s.select(-1)
        app.processEvents()
        recon_at.clear()
        start = time.perf_counter()
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        selected = s.selected
        if selected < 0 or inspector.original is None:
            misses += 1
            continue
        inspector.repaint()
        shown = time.perf_counter()
        assert inspector.original is s.dataset.images[selected] or np.array_equal(
            inspector.original, s.dataset.images[selected])
        viewport.repaint()  # the highlight ring: the rest of the frame the click changes
        frame = time.perf_counter()
        if selected not in recon_at:
            wait(s.reconstructionReady, 30, accept=lambda i, sel=selected: i == sel)
        to_image.append(1000 * (shown - start))
        to_frame.append(1000 * (frame - start))
        to_recon.append(1000 * (recon_at[selected] - start))
    figures.update(click_to_image_ms=to_image, click_to_frame_ms=to_frame, click_misses=misses,
                   click_to_reconstruction_ms=to_recon, click_to_image_median_ms=pct(to_image, 50))
    print(f"3. click-to-image ({len(to_image)} clicks on points, {misses} picked nothing)", flush=True)
    line("click → inspector image painted, median", pct(to_image, 50), "ms", "click_to_image_median_ms")
    line("click → image + scatter highlight painted, median", pct(to_frame, 50), "ms")
    line("click → reconstruction arrives, median", pct(to_recon, 50), "ms")
    line("click → reconstruction arrives, p95", pct(to_recon, 95), "ms")
    s.select(-1)
    spin(0.3)


def grid_updates(app, window, n: int, figures: dict) -> None:
    s, vb, grid = window.session, window.scatter.view, window.grid
    vb.autoRange(padding=0.04)
    spin(0.5)
    (x0, x1), (y0, y1) = vb.viewRange()
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    zoom, direct = [], []
    for k in range(n):
        f = (0.5, 0.7, 0.9, 0.6, 0.8)[k % 5]
        ranges = ((cx - f * w / 2, cx + f * w / 2), (cy - f * h / 2, cy + f * h / 2))
        start = time.perf_counter()
        zoom_to = lambda r=ranges: vb.setRange(xRange=r[0], yRange=r[1], padding=0)  # noqa: E731
        _, at = wait(grid.updated, 60, trigger=zoom_to)
        zoom.append(1000 * (at - start))
        spin(0.1)
    for k in range(n):
        f = (0.55, 0.75, 0.95, 0.65, 0.85)[k % 5]
        ranges = ((cx - f * w / 2, cx + f * w / 2), (cy - f * h / 2, cy + f * h / 2))
        start = time.perf_counter()
        _, at = wait(s.gridReady, 60, trigger=lambda r=ranges: s.request_grid(r[0], r[1], grid.n))
        direct.append(1000 * (at - start))
        spin(0.1)
    figures.update(grid_zoom_ms=zoom, grid_request_ms=direct, grid_median_ms=pct(zoom, 50),
                   grid_request_median_ms=pct(direct, 50), grid_n=grid.n)
    print(f"4. grid update ({grid.n}×{grid.n}, {n} zooms and {n} direct requests)", flush=True)
    line("zoom → grid shown, median (debounce incl.)", pct(zoom, 50), "ms", "grid_median_ms")
    line("request_grid → gridReady, median (decode only)", pct(direct, 50), "ms")
    vb.autoRange(padding=0.04)
    spin(0.3)


class Heartbeat:
    """A 5 ms PreciseTimer; ``ticks`` are perf_counter times of its timeouts."""

    def __init__(self, interval_ms: int = 5):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.timer = QTimer(interval=interval_ms)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def gaps(self, since: float, until: float) -> list[tuple[float, float]]:
        """(start, length ms) of the gaps between ticks in [since, until]."""
        t = [x for x in self.ticks if since <= x <= until]
        return [(a, 1000 * (b - a)) for a, b in zip(t, t[1:], strict=False)]


class StackSampler:
    """A thread that, while the heartbeat is late by more than ``late_ms``, notes where the GUI thread is
    (its innermost Python frames; the event loop's caller when it is in C++ or waits for the GIL) and where
    the other threads are: the best guess at what a stall was doing."""

    def __init__(self, beat: Heartbeat, late_ms: float = 30.0):
        self.beat, self.late, self.samples = beat, late_ms / 1000, []
        self.main, self.own = threading.main_thread().ident, None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.own = threading.get_ident()
        while not self.stop.wait(0.01):
            last = self.beat.ticks[-1] if self.beat.ticks else None
            if last is not None and time.perf_counter() - last > self.late:
                frames = sys._current_frames()
                others = [w for i, f in frames.items() if i not in (self.main, self.own)
                          and "threading:wait" not in (w := _where(f, 2))]  # idle lanes left out
                where = f"GUI: {_where(frames.get(self.main))}; others: {' | '.join(others) or '-'}"
                self.samples.append((time.perf_counter(), where))

    def during(self, start: float, end: float) -> list[str]:
        found: dict[str, int] = {}
        for t, where in self.samples:
            if start < t <= end:
                found[where] = found.get(where, 0) + 1
        return [f"{w} ×{n}" for w, n in sorted(found.items(), key=lambda kv: -kv[1])[:3]]


def _where(frame, depth: int = 3) -> str:
    """The innermost frames, as file:function."""
    names = []
    while frame is not None and len(names) < depth:
        names.append(f"{Path(frame.f_code.co_filename).stem}:{frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(names) or "?"


def stall_report(label: str, gaps, events, key: str | None, sampler: StackSampler | None = None,
                 origin: float = 0.0) -> dict:
    lengths = [g for _, g in gaps]
    worst = sorted(gaps, key=lambda g: -g[1])[:3]
    out = {"max_ms": max(lengths, default=float("nan")), "p99_ms": pct(lengths, 99),
           "median_ms": pct(lengths, 50),
           "over_50ms": sum(g > 50 for g in lengths), "ticks": len(lengths) + 1}
    print(f"  {label}: {out['ticks']} ticks, {out['over_50ms']} gaps > 50 ms", flush=True)
    line("  largest gap", out["max_ms"], "ms", key)
    line("  p99 gap", out["p99_ms"], "ms")
    out["worst"] = []
    for start, length in worst:
        end = start + length / 1000 + 0.002
        inside = [e for t, e in events if start < t <= end]
        stacks = sampler.during(start, end) if sampler else []
        out["worst"].append({"ms": length, "at_s": start - origin, "during": inside, "gui_thread_in": stacks})
        print(f"    {length:7.1f} ms gap at t+{start - origin:.1f} s; events: {', '.join(inside) or 'none'}",
              flush=True)
        for where in stacks:
            print(f"        {where}", flush=True)
    return out


def training_stalls(app, window, seconds: float, batch: int, figures: dict) -> None:
    dock, s = window.training_dock, window.session
    dock.family.setCurrentIndex(0)  # VAE
    dock.arch.setCurrentText("keras-conv")
    dock.latent.setValue(2)
    dock.epochs.setValue(2)
    dock.batch.setValue(batch)
    dock.device.setCurrentIndex(0)  # CPU: the GUI shares the machine with the training, as on a laptop
    events: list[tuple[float, str]] = []

    def on_snapshot(snap) -> None:
        codes = "" if snap.codes is None else f" + {len(snap.codes):,} codes"
        events.append((time.perf_counter(), f"snapshot {snap.kind}{codes}"))

    dock.controller.snapshot.connect(on_snapshot)
    s.codesChanged.connect(lambda: events.append((time.perf_counter(), "codesChanged")))
    s.ready.connect(lambda: events.append((time.perf_counter(), "ready")))
    beat = Heartbeat()
    sampler = StackSampler(beat)
    beat.timer.start()
    sampler.thread.start()
    spin(0.5)
    started = time.perf_counter()
    events.append((started, "start"))
    if not dock.start():
        raise RuntimeError("the Training dock did not start")
    spin(seconds)
    stopped = time.perf_counter()
    try:
        wait(dock.controller.ended, 120, trigger=dock.controller.stop)
        wait(s.ready, 300)
    finally:
        settled = time.perf_counter()
        beat.timer.stop()
        sampler.stop.set()
    n_codes = sum("+ " in e for _, e in events)
    print(f"5. event-loop stalls during {seconds:g} s of training (keras-conv, batch {batch}, CPU; "
          f"{n_codes} code snapshots moved the {len(s.xy):,} points)", flush=True)
    figures["training"] = stall_report("while training", beat.gaps(started, stopped), events,
                                       "training_max_stall_ms", sampler, started)
    figures["training_max_stall_ms"] = figures["training"]["max_ms"]
    figures["training_p99_ms"] = figures["training"]["p99_ms"]
    figures["after_stop"] = stall_report(f"stop → model adopted, data re-encoded ({settled - stopped:.1f} s)",
                                         beat.gaps(stopped, settled), events, None, sampler, started)


# ---- main ------------------------------------------------------------------------------------------------

def choose(args, tmp: Path) -> tuple[Path, str, str]:
    """(model path, data spec, a note on what was chosen)."""
    from trainer.data import list_datasets

    data, notes = args.data, []
    available = {i.spec: i.available for i in list_datasets()}
    if not available.get(data, True):
        notes.append(f"{data} not found: using shapes")
        data = "shapes"
    if args.model is not None:
        return args.model, data, " ".join(notes)
    if PRETRAINED.is_file() and data == "fashion-mnist":
        return PRETRAINED, data, " ".join(notes + ["pretrained fashion-mnist-vae"])
    import torch

    from trainer.checkpoint import save_checkpoint
    from trainer.data import load_dataset
    from trainer.models import build_model, preset

    torch.manual_seed(0)
    dataset = load_dataset(data)
    model = build_model(preset("keras-conv", image_shape=tuple(dataset.image_shape), latent_dim=2)).eval()
    path = save_checkpoint(tmp / "untrained-keras-conv.safetensors", model, dataset=dataset)
    return path, data, " ".join(notes + [f"{PRETRAINED.name} missing: an UNTRAINED keras-conv model"])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.startup_probe:
        model, data, spawned = args.startup_probe
        startup_probe(model, data, float(spawned))
        return 0
    with tempfile.TemporaryDirectory(prefix="gui-latency-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "user-data"  # LATENT_EXPLORER_DATA: no codes cache at first
        data_dir.mkdir()
        model, data, note = choose(args, tmp)
        figures = {"model": str(model), "data": data, "note": note, "python": platform.python_version(),
                   "machine": platform.machine(), "cpus": os.cpu_count(),
                   "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}
        print(f"model {model.name} ({note or 'as given'}), data {data}, {os.cpu_count()} CPUs, "
              f"load average {figures['load_average']}", flush=True)
        if not args.skip_startup:
            startup(model, data, data_dir, figures)
        os.environ["LATENT_EXPLORER_DATA"] = str(data_dir)  # warm: the codes cache is there now
        app, window = open_window(model, data)
        try:
            repaint_while_panning(app, window, args.pans, figures)
            click_to_image(app, window, args.clicks, figures)
            grid_updates(app, window, args.grids, figures)
            training_stalls(app, window, args.train_seconds, args.train_batch, figures)
        finally:
            window.unsaved.ask = lambda _parent, _question: "discard"  # the trained model: no question
            window.close()
            window.session.shutdown()
    figures["goals"] = {k: {"limit": limit, "unit": unit, "value": figures.get(k),
                            "met": figures.get(k) is not None and figures[k] <= limit}
                        for k, (limit, unit, _) in GOALS.items()}
    missed = [GOALS[k][2] for k, g in figures["goals"].items() if g["value"] is not None and not g["met"]]
    print("missed: " + ("; ".join(missed) if missed else "none"), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
