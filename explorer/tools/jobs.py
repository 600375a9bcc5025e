"""``Jobs``: a tool's worker lane with a callback per request; only the latest request's answer is applied."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class Jobs(QObject):
    """A lane the session owns (stopped by ``Session.shutdown``, failures shown by the session's ``error``).

    ``submit(fn, *args, then=f, each=g)`` runs ``fn(*args)`` in the lane's thread; ``g(item)`` is called on
    the GUI thread for every item a generator job yields, ``f(result)`` with its return value — both only
    while it is the latest job. ``busy`` is True from submit until the latest job ends
    (done, failed or cancelled).
    """

    busyChanged = Signal(bool)

    def __init__(self, session, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.lane = session.new_lane(name)
        self._number = 0
        self._then: Callable | None = None
        self._each: Callable | None = None
        self.busy = False
        self.lane.done.connect(self._on_done)
        self.lane.yielded.connect(self._on_yielded)
        self.lane.failed.connect(self._on_failed)

    def submit(self, fn: Callable, *args, then: Callable | None = None, each: Callable | None = None) -> int:
        self._then, self._each = then, each
        self._number = self.lane.submit(fn, *args)
        self._set_busy(True)
        return self._number

    def cancel(self) -> None:
        self.lane.cancel()
        self._set_busy(False)

    def _current(self, number: int) -> bool:
        return number == self._number and self.lane.is_current(number)

    def _on_yielded(self, number: int, item) -> None:
        if self._current(number) and self._each is not None:
            self._each(item)

    def _on_done(self, number: int, result) -> None:
        if self._current(number):
            self._set_busy(False)
            if self._then is not None:
                self._then(result)

    def _on_failed(self, number: int, _message: str) -> None:
        if self._current(number):
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busyChanged.emit(busy)
