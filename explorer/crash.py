"""Errors nobody caught: one message in the window, the traceback in the log file, and the window goes on.

PySide6 hands an exception raised in a slot, an event handler or a timer to ``sys.excepthook``; one
raised in a Python thread goes to ``threading.excepthook``. ``install(window)`` replaces both: each such
error is written to the log (``trainer.logs``: the user's state folder, else the temporary folder) and
shown as one message in the window that names the log file; the traceback still goes to stderr for
developers. The hooks may be called from any thread: the message crosses to the GUI thread through a queued
signal. After ``MAX_REPORTS`` reports in one session only the message count grows (an error in a paint
event repeats). ``report(error, where)`` does the same for errors that code catches itself.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from trainer import logs

MAX_REPORTS = 20


class CrashReporter(QObject):
    """Writes reports and shows messages through ``show(message)`` (on the GUI thread)."""

    message = Signal(str)

    def __init__(self, show: Callable[[str], None], parent: QObject | None = None):
        super().__init__(parent)
        self.show = show
        self.count = 0
        self.last_log = None
        self.message.connect(self._show)  # emitted from any thread; this object lives in the GUI thread
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> CrashReporter:
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        return self

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous[1]

    def excepthook(self, kind, error, tb) -> None:
        if issubclass(kind, (KeyboardInterrupt, SystemExit)):
            self._previous[0](kind, error, tb)
            return
        self.report(error if error is not None else kind(), "", tb)

    def thread_excepthook(self, args) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        where = f"in thread {args.thread.name}" if args.thread is not None else "in a thread"
        error = args.exc_value if args.exc_value is not None else args.exc_type()
        self.report(error, where, args.exc_traceback)

    def report(self, error: BaseException, where: str = "", tb=None) -> str:
        """Log ``error`` and show one message; returns the message."""
        if tb is not None and error.__traceback__ is None:
            error = error.with_traceback(tb)
        self.count += 1
        if self.count <= MAX_REPORTS:
            traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
            self.last_log = logs.write_report(error, where=where or "uncaught error")
        text = message_for(error, self.last_log, self.count)
        self.message.emit(text)
        return text

    def _show(self, text: str) -> None:
        self.show(text)


def message_for(error: BaseException, log, count: int = 1) -> str:
    """What the person reads: what happened in one line, that the window goes on, where the details are."""
    what = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    where = (f"The details are in the log file {log}." if log is not None else
             "The details could not be written to a log file (no writable folder); they are on stderr.")
    again = f" (this happened {count} times)" if count > 1 else ""
    return (f"Something went wrong inside Latent Explorer{again}: {what}.\n\nThe window goes on working; the "
            f"open model and data stay loaded. {where} Please include it if you report the problem.")


_REPORTER: CrashReporter | None = None


_FATAL_LOG = None  # the open log file faulthandler writes to (kept open for the whole process)


def watch_fatal_errors() -> Path | None:
    """A crash that kills the process (a segmentation fault in Qt or torch, an abort) leaves the Python
    stacks of every thread in the log file (``faulthandler``): a double-clicked app has no terminal, and such
    a crash showed nothing at all. Returns the log's path, or None when no folder for it is writable."""
    import faulthandler

    global _FATAL_LOG
    path = logs.log_path()
    if path is None:
        return None
    try:
        _FATAL_LOG = open(path, "a", encoding="utf-8")  # noqa: SIM115  (open until the process ends)
    except OSError:
        return None
    faulthandler.enable(file=_FATAL_LOG, all_threads=True)
    return path


def install(window) -> CrashReporter:
    """Route uncaught errors to ``window.show_error`` and the log (see the module docstring)."""
    global _REPORTER
    if _REPORTER is not None:
        _REPORTER.uninstall()
    _REPORTER = CrashReporter(window.show_error, window).install()
    return _REPORTER


def report(error: BaseException, where: str = "") -> str | None:
    """Log an error that code caught itself; the log file's path in words (for its message), or None when
    no reporter is installed (tests) and nothing could be written."""
    log = logs.write_report(error, where=where)
    return str(log) if log is not None else None
