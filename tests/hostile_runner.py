"""Runs the hostile cases of ``tests/hostile.py`` in one process: ``python hostile_runner.py CASES OUT``.

Each case runs through ``trainer.cli.main(argv)`` (kind "cli") or ``trainer.data.load_dataset(spec)`` (kind
"load", which prints a JSON summary of the data set), with stdout and stderr captured. Anything that escapes
(an exception, a MemoryError under the memory limit) is recorded as status "raised" with its traceback in the
case's stderr, so the suite sees it. ``setup`` code runs first in a namespace with ``undo`` (a list of
callables run afterwards), for fault injection. The peak resident memory is reset before each case (Linux)
so that its growth can be reported.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback


def _peak_kb() -> int | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_kb() -> int | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        return None


def run_case(case: dict) -> dict:
    from trainer.cli import main
    from trainer.data import load_dataset

    out, err = io.StringIO(), io.StringIO()
    namespace: dict = {"undo": []}
    code: int | str = "raised"
    measured = _reset_peak()
    before = _rss_kb()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if case.get("setup"):
                exec(case["setup"], namespace)
            if case["kind"] == "cli":
                code = main(case["argv"])
            else:
                ds = load_dataset(case["spec"])
                print(
                    json.dumps(
                        {
                            "spec": ds.spec,
                            "shape": list(ds.images.shape),
                            "n_train": ds.n_train,
                            "class_names": ds.class_names[:20],
                            "n_classes": len(ds.class_names),
                            "labels": ds.labels[:20].tolist(),
                        }
                    )
                )
                code = 0
        except BaseException as e:  # noqa: BLE001  everything is reported, nothing escapes
            if case["kind"] == "load" and type(e).__name__ == "DataError":
                print(f"error: {e}", file=sys.stderr)
                code = 1
            else:
                traceback.print_exc(file=err)
        finally:
            for fn in reversed(namespace["undo"]):
                fn()
    peak = _peak_kb() if measured else None
    grown = None if peak is None or before is None else max(0, peak - before) / 1024
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "peak_mb": grown}


def main() -> None:
    cases = json.loads(open(sys.argv[1]).read())
    # loaded before the first case, so that their memory is not counted in a case's growth
    import PIL.Image  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import torch  # noqa: F401

    import trainer.checkpoint  # noqa: F401
    import trainer.cli_classify  # noqa: F401
    import trainer.train  # noqa: F401

    results = {case["id"]: run_case(case) for case in cases}
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
