"""Event-loop stalls while the app computes a t-SNE view in the background (goal: no gap over 50 ms).

The real window (``MainWindow`` + ``Session``, offscreen) with the pretrained Fashion-MNIST VAE
(``resources/models/fashion-mnist-vae.safetensors``) on the first ``--n`` (10,000) Fashion-MNIST images;
"shapes" and an untrained keras-conv model when those are missing (said so). For each view in ``--views``
(default: t-SNE of the codes, then of the pixels) it chooses the view as the View box does
(``Session.set_projection``) and runs a 5 ms ``QTimer`` heartbeat until the view is shown (result applied
and painted): the longest gap, the 99th percentile and the gaps over 50 ms, the run's duration and its
progress steps. Then it starts the codes' t-SNE again, cancels it after ``--cancel-after`` seconds, and
times ``cancel_projection`` (GUI side) and ``Session.shutdown`` (what closing the window waits for: the
stopped run ends at its next step).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/tsne_stall.py [--n 10000] [--json FILE]
    .venv/bin/python benchmarks/tsne_stall.py --n 70000 --views tsne      # all of Fashion-MNIST

Figures only, no asserts (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import gui_latency as gl  # noqa: E402  (the heartbeat, the stack sampler, the printing)

GOAL_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, help="checkpoint (default: fashion-mnist-vae, else untrained)")
    p.add_argument("--data", default="fashion-mnist", help="data set spec (fashion-mnist; shapes if missing)")
    p.add_argument("--n", type=int, default=10_000, help="images (the first N; 0 = all) (10000)")
    p.add_argument("--views", default="tsne,pixels-tsne", help="projection kinds, comma-separated")
    p.add_argument("--cancel-after", type=float, default=3.0, help="seconds before the cancel (3)")
    p.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return p.parse_args(argv)


def open_subset(model: Path, data: str, n: int):
    """The main window with the model loaded and the data cut to its first n images, encoded."""
    import numpy as np

    app, window = gl.open_window(model, data)
    s = window.session
    if 0 < n < len(s.dataset.images):
        gl.wait(s.ready, 300, trigger=lambda: s.set_dataset(s.dataset.subset(np.arange(n))))
    window.scatter.view.autoRange(padding=0.04)
    gl.spin(0.5)
    return app, window


def watch(window, trigger, until, timeout_s: float):
    """Run ``trigger`` under the heartbeat until ``until()`` holds (checked on each projectionChanged), and
    0.3 s more (the new view is painted); returns (heartbeat, sampler, events, started, ended)."""
    s = window.session
    events: list[tuple[float, str]] = []
    beat = gl.Heartbeat()
    sampler = gl.StackSampler(beat)
    progress = lambda f, t: events.append((time.perf_counter(), f"progress {100 * f:.0f}%"))  # noqa: E731
    s.projectionProgress.connect(progress)
    beat.timer.start()
    sampler.thread.start()
    gl.spin(0.3)
    started = time.perf_counter()
    try:
        gl.wait(s.projectionChanged, timeout_s, trigger=trigger, accept=lambda: until())
        events.append((time.perf_counter(), "projectionChanged"))
        gl.spin(0.3)  # the event loop paints the new view
    finally:
        ended = time.perf_counter()
        beat.timer.stop()
        sampler.stop.set()
        s.projectionProgress.disconnect(progress)
    return beat, sampler, events, started, ended


def run_view(window, kind: str, figures: dict) -> None:
    from explorer.state import Projection

    s, projection = window.session, Projection(kind)
    beat, sampler, events, started, ended = watch(window, lambda: s.set_projection(projection),
                                                  lambda: s.projection == projection, 1800)
    shown = next(t for t, e in events if e == "projectionChanged")
    steps = sum(e.startswith("progress") for _, e in events)
    print(f"{projection.label} of {len(s.xy):,} points: shown after {shown - started:.1f} s "
          f"({steps} progress steps)", flush=True)
    out = gl.stall_report("while computing", beat.gaps(started, ended), events, None, sampler, started)
    out.update(seconds=shown - started, points=len(s.xy), progress_steps=steps)
    print(f"  goal: no gap > {GOAL_MS:g} ms: {'met' if out['max_ms'] <= GOAL_MS else 'MISSED'}", flush=True)
    figures[kind] = out


def cancel_and_close(window, after_s: float, figures: dict) -> None:
    from explorer.state import Projection

    s = window.session
    s.set_projection(Projection("axes", 0, 1) if s.latent_dim == 2 else Projection("pca"))
    gl.wait(s.ready, 300, trigger=s.reencode)  # new codes: the cached t-SNE is gone
    s.set_projection(Projection("tsne"))
    gl.spin(after_s)
    start = time.perf_counter()
    s.cancel_projection()
    cancelled = time.perf_counter()
    s.shutdown()
    closed = time.perf_counter()
    figures["cancel_ms"] = 1000 * (cancelled - start)
    figures["shutdown_after_cancel_ms"] = 1000 * (closed - cancelled)
    print(f"cancel after {after_s:g} s of t-SNE", flush=True)
    gl.line("cancel_projection (GUI thread)", figures["cancel_ms"], "ms")
    gl.line("then Session.shutdown (the run stops at its next step)", figures["shutdown_after_cancel_ms"],
            "ms")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="tsne-stall-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["LATENT_EXPLORER_DATA"] = str(tmp / "user-data")  # no codes cache left behind
        model, data, note = gl.choose(args, tmp)
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        figures = {"model": str(model), "data": data, "note": note, "python": platform.python_version(),
                   "cpus": os.cpu_count(), "load_average": load}
        print(f"model {model.name} ({note or 'as given'}), data {data}, first {args.n or 'all'} images, "
              f"{os.cpu_count()} CPUs, load average {figures['load_average']}", flush=True)
        app, window = open_subset(model, data, args.n)
        try:
            for kind in [k.strip() for k in args.views.split(",") if k.strip()]:
                run_view(window, kind, figures)
            cancel_and_close(window, args.cancel_after, figures)
        finally:
            window.close()
            window.session.shutdown()
    worst = max((figures[k]["max_ms"] for k in figures if isinstance(figures[k], dict)), default=float("nan"))
    print(f"largest gap of all runs: {worst:.1f} ms (goal ≤ {GOAL_MS:g} ms: "
          f"{'met' if worst <= GOAL_MS else 'MISSED'})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
