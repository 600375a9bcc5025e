"""The training's thread count is measured (trainer/threads.py): the fastest candidate wins, and a change in
the machine's load is noticed at the next trial."""

import pytest

from trainer.threads import ThreadTuner, candidates


class Machine:
    """A fake clock whose steps take ``cost[threads]`` seconds."""

    def __init__(self, cost: dict[int, float]):
        self.cost, self.now, self.threads, self.calls = cost, 0.0, None, []

    def set_threads(self, n: int) -> None:
        self.threads = n
        self.calls.append(n)

    def clock(self) -> float:
        return self.now

    def run(self, tuner: ThreadTuner, steps: int) -> None:
        for _ in range(steps):
            tuner.started()
            self.now += self.cost[self.threads]
            tuner.ended()


def test_candidates_are_most_half_and_one():
    assert candidates(1) == [1] and candidates(2) == [2, 1] and candidates(8) == [8, 4, 1]


def test_a_busy_machine_gets_fewer_threads_and_a_quiet_one_more():
    machine = Machine({2: 0.020, 1: 0.012})  # another program keeps a core busy: 2 threads wait at barriers
    tuner = ThreadTuner(2, machine.set_threads, probe_steps=4, every_s=1.0, clock=machine.clock)
    machine.run(tuner, 10)
    assert tuner.threads == 1 and machine.threads == 1
    assert tuner.timings == pytest.approx({2: 0.020, 1: 0.012})
    machine.cost = {2: 0.007, 1: 0.012}  # the other program ended
    machine.run(tuner, 200)  # > 1 s later a new trial measures again
    assert tuner.threads == 2 and machine.threads == 2


def test_the_first_step_after_a_switch_is_not_counted():
    machine = Machine({2: 0.010, 1: 0.011})
    tuner = ThreadTuner(2, machine.set_threads, probe_steps=3, every_s=100.0, clock=machine.clock)
    tuner.started()
    machine.now += 1.0  # waking the thread team once
    tuner.ended()
    machine.run(tuner, 20)
    assert tuner.threads == 2 and tuner.timings[2] == pytest.approx(0.010)


def test_one_thread_allowed_means_one_thread():
    machine = Machine({1: 0.01})
    tuner = ThreadTuner(1, machine.set_threads, probe_steps=2, every_s=0.05, clock=machine.clock)
    machine.run(tuner, 50)
    assert set(machine.calls) == {1} and tuner.threads == 1
