"""The supervisor's restart backoff: at once, then longer while a child keeps dying, never over 30 s."""

from __future__ import annotations

import subprocess
import sys

import pytest

from facilitation import supervisor
from facilitation.supervisor import RESTART_DELAYS, Child


def test_a_child_that_keeps_dying_waits_longer_each_time_and_a_stable_one_starts_afresh(
        monkeypatch: pytest.MonkeyPatch) -> None:
    child = Child("worker w0", lambda: subprocess.Popen([sys.executable, "-c", "pass"]))
    child.start()
    assert child.proc is not None
    child.proc.wait(30)
    clock = [1000.0]
    monkeypatch.setattr(supervisor.time, "monotonic", lambda: clock[0])
    child.started = clock[0]
    delays = []
    for _ in range(9):
        delays.append(child.schedule())
        child.due = None
        child.started = clock[0]  # started again, and dies at once
    assert delays == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    assert max(delays) == RESTART_DELAYS[-1]
    clock[0] += supervisor.STABLE  # it ran a minute before dying: a fresh count
    assert child.schedule() == 0.0


def test_a_dead_child_is_reported_once_until_it_is_restarted() -> None:
    child = Child("redis-server", lambda: subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"]))
    child.start()
    assert child.proc is not None
    child.proc.wait(30)
    assert child.exited() == 3
    child.schedule()
    assert child.exited() is None  # a restart is due: not reported again
