"""How many threads a training step uses on the CPU: measured while training, not guessed.

torch runs each operator on an OpenMP team of ``torch.get_num_threads()`` threads that meet at a barrier at
the operator's end. When another program keeps one of the cores busy, every barrier waits for the thread
that shares its core with that program, so a step with many small operators (a small conv net) can take
twice as long with two threads as with one. A fixed count is right only for one load of the machine.

``ThreadTuner`` times a few steps at each candidate count (the most allowed, half of it, one), keeps the
fastest, and measures again every ``every_s`` seconds, since the load of a shared machine changes. The
results do not depend on the count beyond float rounding (the order of parallel sums).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def candidates(most: int) -> list[int]:
    """Thread counts worth trying, most first: ``most``, half of it, and 1 (``most`` ≥ 1)."""
    return sorted({most, max(1, most // 2), 1}, reverse=True)


class ThreadTuner:
    """Call ``started()`` before and ``ended()`` after each step (both on the training thread).

    A trial sets each candidate count in turn, drops the first step after the switch (it pays for waking
    the team) and averages the next ``probe_steps`` steps; then the fastest count stays for ``every_s``
    seconds of training, and the trial starts again. ``threads`` is the count in use."""

    def __init__(self, most: int, set_threads: Callable[[int], None], probe_steps: int = 6,
                 every_s: float = 20.0, clock: Callable[[], float] = time.perf_counter):
        self.candidates = candidates(most)
        self.set_threads, self.probe_steps = set_threads, probe_steps
        self.every_s, self.clock = every_s, clock
        self.threads = self.candidates[0]
        self.timings: dict[int, float] = {}  # seconds per step of each candidate in the last trial
        self._trial: list[int] = []
        self._times: list[float] = []
        self._start = 0.0
        self._settled_at: float | None = None
        self._begin_trial()

    def _begin_trial(self) -> None:
        self._trial, self.timings = list(self.candidates), {}
        self._use(self._trial[0])

    def _use(self, n: int) -> None:
        self.threads, self._times = n, []
        self.set_threads(n)

    def started(self) -> None:
        self._start = self.clock()
        if self._settled_at is not None and self._start - self._settled_at >= self.every_s:
            self._settled_at = None
            self._begin_trial()
            self._start = self.clock()

    def ended(self) -> None:
        if self._settled_at is not None:
            return
        self._times.append(self.clock() - self._start)
        if len(self._times) < self.probe_steps + 1:
            return
        measured = self._times[1:]
        self.timings[self.threads] = sum(measured) / len(measured)
        self._trial.pop(0)
        if self._trial:
            self._use(self._trial[0])
            return
        self._use(min(self.timings, key=lambda n: (self.timings[n], n)))
        self._settled_at = self.clock()
