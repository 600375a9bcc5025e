"""Read the data set a start-up will show while Qt and the window are still being made.

A first start spends 0.3-0.4 s inflating Fashion-MNIST's gzip files (and hashing the images for the bundled
codes' check). zlib and hashlib release the GIL, so that work can run beside the GUI thread's imports and
window construction instead of after them. ``start(model, data_spec)`` begins it in a thread of its own (no
Qt here, and nothing heavier than numpy in the thread); the model lane's ``workers.load_data`` then takes the
result with ``take(spec)`` — once: a later open of the same data set reads it again as before.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

_pending: dict[str, Future] = {}
_lock = threading.Lock()


def start(model: Path | None, data_spec: str | None = None) -> str | None:
    """Begin reading the data set ``model`` would open with (``data_spec``, else the one its checkpoint header
    names) in a daemon thread; the spec it reads (after the offline stand-in), or None when there is nothing
    to read ahead (no model, an ONNX model, an unreadable header). Never raises: a failure is raised again by
    ``take``, where the model lane reports it."""
    if model is None:
        return None
    try:
        from trainer import bundled_codes
        from trainer.data.bundled import offline_spec

        head = bundled_codes.summary(model)
        spec = data_spec or (head.dataset_spec if head is not None else "")
        if not spec:
            return None
        spec = offline_spec(spec)
    except Exception:  # noqa: BLE001  (a look ahead only: the model lane opens the model and says what is wrong)
        return None
    future: Future = Future()
    with _lock:
        if spec in _pending:
            return spec
        _pending[spec] = future
    threading.Thread(target=_read, args=(spec, future), name="explorer-read-ahead", daemon=True).start()
    return spec


def _read(spec: str, future: Future) -> None:
    try:
        from trainer.data import load_dataset

        future.set_result(load_dataset(spec))
    except BaseException as e:  # noqa: BLE001  (handed to the one who takes it)
        future.set_exception(e)


def take(spec: str):
    """The data set read ahead for ``spec`` (waiting for the read to end), or None when none was started;
    raises what reading it raised (TrainerError and the like). Each read is taken once."""
    with _lock:
        future = _pending.pop(spec, None)
    return None if future is None else future.result()
