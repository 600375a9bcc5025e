"""``python -m trainer sweep``: train one model per point of a hyperparameter grid and rank them.

The model and training flags are those of ``fit``; ``--grid`` overrides the training settings it names.
Each finished run prints one line; the table (best first) is printed at the end and kept in
``OUT/results.csv``. Rerunning the same command resumes: finished runs are skipped. Ctrl-C stops after the
current step and marks that run stopped (exit 130). The folder is locked while the sweep runs: a second
sweep on it stops at once and names the process that holds it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer import cli

TABLE_COLUMNS = ("test_loss", "test_recon", "test_kl", "test_psnr_db", "epochs_done", "seconds", "status")


def add_parser(sub, common) -> None:
    p = sub.add_parser("sweep", parents=[common], help="train a grid of settings and rank the runs",
                       description="Train one model per grid point, record each run, print the table.")
    p.add_argument("--data", required=True, metavar="SPEC", help="data set (see the datasets command)")
    cli._add_model_args(p)
    cli._add_train_args(p)
    g = p.add_argument_group("sweep")
    g.add_argument("--grid", required=True, metavar="GRID",
                   help='settings to try: "lr=1e-3,3e-3 batch_size=64,128 optimizer=adam,sgd momentum=0.9 '
                        'epochs=5", or a .json/.toml file of {setting: [values]}')
    g.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="sweep folder: run records, checkpoints and results.csv (rerun to resume)")
    p.set_defaults(handler=cmd_sweep)


def expand_values(grid: dict) -> list[dict]:
    """Every combination of the grid's values (as ``trainer.sweep.expand`` makes them)."""
    from trainer.sweep import check_size

    check_size(grid)
    points: list[dict] = [{}]
    for key, values in grid.items():
        points = [{**p, key: v} for p in points for v in values]
    return points


def cmd_sweep(args: argparse.Namespace) -> int:
    from trainer.files import check_folder
    from trainer.locks import FolderLock
    from trainer.models import preset
    from trainer.sweep import parse_grid, run_sweep

    tcfg = cli.train_config(args)  # bad settings and a bad grid fail before any data is loaded
    grid = parse_grid(args.grid)
    for values in expand_values(grid):
        tcfg.with_(**values)  # every grid point is a valid TrainConfig (seed < 2**63...), checked now
    if args.preset:
        preset(args.preset)
    check_folder(args.out)  # writable, and no other sweep in it: before the data is loaded
    with FolderLock(args.out):
        data = cli.load_data(args.data, args)
        model_cfg = cli.model_config(args, data.image_shape)
        flag, printer = cli.StopFlag(), Printer(args)
        try:
            with cli.catch_sigint(flag):
                rows = run_sweep(model_cfg, data, grid, args.out, train=tcfg, should_stop=flag,
                                 progress=printer, lock=False)
        finally:
            printer.close()
    print_results(rows, list(grid))
    print(f"results in {args.out / 'results.csv'}")
    return cli.EXIT_INTERRUPTED if flag.stop else 0


class Printer:
    """The ``progress`` callback: a tqdm bar per run (on a terminal) and one line per finished run."""

    def __init__(self, args: argparse.Namespace):
        self.args, self.bar = args, None

    def __call__(self, event) -> None:
        where = f"[{event.index + 1}/{event.total}] {event.run.id} {event.run.label}"
        if event.kind == "skip":
            print(f"{where}: finished before, skipped")
        elif event.kind == "start":
            self.open()
        elif event.kind == "progress" and self.bar is not None:
            cli.update_bar(self.bar, event.record)
        elif event.kind == "finish":
            self.close()
            print(f"{where}: {result_line(event.row)}")
            sys.stdout.flush()

    def open(self) -> None:
        from tqdm import tqdm

        self.close()
        self.bar = tqdm(disable=not cli._show_bars(self.args), file=sys.stderr, unit="step",
                        dynamic_ncols=True, leave=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.bar = None


def result_line(row: dict) -> str:
    if row["status"] == "stopped":
        return f"stopped after {row['epochs_done']} full epoch(s); rerun the same command to redo it"
    if row["status"] != "done":
        return f"{row['status']} after {row['epochs_done']} epoch(s)"
    if row["test_loss"] is None:
        return f"done, {row['epochs_done']} epoch(s) in {row['seconds']:.1f} s (no test split)"
    return (f"test loss {row['test_loss']:.2f} (recon {row['test_recon']:.2f}, kl {row['test_kl']:.2f}), "
            f"PSNR {row['test_psnr_db']:.2f} dB, {row['epochs_done']} epoch(s) in {row['seconds']:.1f} s")


def print_results(rows: list[dict], swept: list[str]) -> None:
    """The results table, best first (as results.csv)."""
    header = ("rank", "id", *swept, *TABLE_COLUMNS)
    body = [(str(i + 1), row["id"], *(_fmt(row.get(k)) for k in swept), *(_fmt(row.get(k)) for k in
             TABLE_COLUMNS)) for i, row in enumerate(rows)]
    cli.print_table(header, body)


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 1 else f"{v:.3g}"
    return str(v)
