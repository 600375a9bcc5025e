"""Start-up time: ``main.py --screenshot`` with a fresh home against the bare imports, in the same run.

Each round runs, one after the other: the bare ``import torch, PySide6.QtWidgets, pyqtgraph`` (the
reference), a first start (``main.py --screenshot`` with an empty home: no settings, no codes cache), and a
second start (the same home again: codes cached). Each is a fresh process, timed whole (wall clock, and the
CPU seconds it used: on a machine shared with other programs the CPU figure moves less). The ratios to the
reference of the same round are the figures; their medians over the rounds are printed next to the goals.

A timeline probe (``--probe``: this script in-process, the window as ``main.py`` builds it) prints when the
window first paints, when every point is on screen (the scatter's first paint with all of them), when torch
has finished importing (``explorer.workers._torch`` first returns) and when the grid is drawn (``settled``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [--rounds 3]

Figures only, no asserts (benchmarks/README.md records them).
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"first": 1.5, "second": 1.2}  # × the bare imports
BARE = "import torch, PySide6.QtWidgets, pyqtgraph"


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def fresh_env(home: Path) -> dict:
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               LATENT_EXPLORER_DATA=str(home / "data"), QT_QPA_PLATFORM="offscreen")
    return env


def one_round(k: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        env, shot = fresh_env(Path(tmp)), str(Path(tmp) / "shot.png")
        app = [sys.executable, "main.py", "--screenshot", shot]
        bare = run([sys.executable, "-c", BARE], env)
        first = run(app, env)
        second = run(app, env)
    r = {"bare": bare, "first": first, "second": second}
    print(f"round {k}: bare imports {bare[0]:.2f} s ({bare[1]:.2f} s CPU); first start {first[0]:.2f} s "
          f"({first[1]:.2f} s CPU), ×{first[0] / bare[0]:.2f}; second start {second[0]:.2f} s "
          f"({second[1]:.2f} s CPU), ×{second[0] / bare[0]:.2f}", flush=True)
    return r


def probe() -> int:
    """In-process timeline of a first start (prints one line per event, seconds since this process began)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from explorer import workers
    from explorer.app import default_model
    from explorer.main_window import MainWindow
    from explorer.state import Session

    events: dict[str, float] = {}
    mark = lambda name: events.setdefault(name, time.perf_counter() - T0)  # noqa: E731
    torch_loader = workers._torch

    def timed_torch():
        torch = torch_loader()
        mark("torch imported")
        return torch

    workers._torch = timed_torch
    app = QApplication.instance() or QApplication([])
    session = Session()
    window = MainWindow(session)
    window.resize(1400, 900)
    window.show()
    mark("window shown")

    def on_codes() -> None:
        if session.dataset is not None and session.n_encoded == len(session.dataset.images):
            QTimer.singleShot(0, lambda: (window.scatter.plot.viewport().repaint(),
                                          mark("all points on screen")))

    session.codesChanged.connect(on_codes)
    session.modelChanged.connect(lambda: session.model is not None and mark("model loaded"))
    session.ready.connect(lambda: mark("codes confirmed (ready)"))
    window.settled.connect(lambda: (mark("grid drawn (settled)"), QTimer.singleShot(200, app.quit)))
    window.after_first_paint(lambda: session.open_model(default_model()))
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    session.shutdown()
    for name, t in sorted(events.items(), key=lambda kv: kv[1]):
        print(f"  {t:6.2f} s  {name}")
    points, torch = events.get("all points on screen"), events.get("torch imported")
    if points is not None and torch is not None:
        print(f"  points on screen {'before' if points < torch else 'after'} torch finished importing "
              f"(goal: before), {torch - points:+.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--probe", action="store_true", help="print the in-process timeline only")
    args = p.parse_args(argv)
    if args.probe:
        return probe()
    print(f"start-up; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (ratios to the bare "
          "imports of the same round)")
    rounds = [one_round(k + 1) for k in range(args.rounds)]
    for name in ("first", "second"):
        wall = statistics.median(r[name][0] / r["bare"][0] for r in rounds)
        cpu = statistics.median(r[name][1] / r["bare"][1] for r in rounds)
        print(f"{name} start: median ×{wall:.2f} the bare imports' wall time, ×{cpu:.2f} their CPU time "
              f"(goal ≤ ×{GOALS[name]})")
    print("timeline of a first start (in-process, fresh data dir):")
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        env = fresh_env(Path(tmp))
        subprocess.run([sys.executable, __file__, "--probe"], env=env, cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
