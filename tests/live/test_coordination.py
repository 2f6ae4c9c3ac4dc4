"""A Redis that hangs rather than refuses (a stopped redis-server: the kernel still accepts
connections, nothing answers) costs one timeout per back-off, not one per call, and is used again
once it answers (coordination.Resilient over a real Redis)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis

from facilitation.coordination import Local, Resilient, Shared
from tests.servers import free_port, require


@pytest.fixture
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A redis-server of this test's own, on a free port, without persistence."""
    require("redis-server")
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    client, deadline = redis.Redis(port=port, socket_timeout=1), time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.RedisError:
            assert time.monotonic() < deadline, "redis-server did not answer"
            time.sleep(0.1)
    client.close()
    yield process, port
    process.send_signal(signal.SIGCONT)
    process.terminate()
    process.wait(10)


# Flask-SocketIO's background task and sleep, run at once.
INLINE = SimpleNamespace(start_background_task=lambda task: task(), sleep=lambda seconds: None)


class Clock:
    """A monotonic clock the test moves by hand: the back-off is decided without waiting for it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Asked:
    """Shared, counting the calls that reach Redis and those that failed (against a hung Redis, each
    failure is one timeout)."""

    def __init__(self, shared: Shared) -> None:
        self.shared, self.calls, self.failures = shared, 0, 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.shared, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            try:
                return method(*args, **kwargs)
            except redis.RedisError:
                self.failures += 1
                raise
        return call


def test_a_hung_redis_costs_one_timeout_per_back_off_and_is_used_again_when_it_answers(
        redis_server: tuple[subprocess.Popen[bytes], int], caplog: pytest.LogCaptureFixture) -> None:
    process, port = redis_server
    clock = Clock()
    shared = Shared(INLINE, f"redis://127.0.0.1:{port}/0", prefix=f"test{os.getpid()}:", timeout=0.5)
    asked = Asked(shared)
    resilient = Resilient(asked, Local(INLINE), clock=clock)  # type: ignore[arg-type]
    assert [resilient.allow("ideas:1", 0.001, 1) for _ in range(2)] == [True, False]  # Redis's bucket
    process.send_signal(signal.SIGSTOP)
    with caplog.at_level(logging.WARNING, "facilitation.coordination"):
        assert resilient.allow("ideas:2", 0.001, 1) is True  # one timeout, then this process's bucket
        assert (asked.calls, asked.failures) == (3, 1)
        # Within the back-off nothing asks Redis: no call waits for a timeout.
        clock.now = resilient.RETRY_AFTER - 0.1
        sent: list[int] = []
        for n in range(10):
            resilient.allow("ideas:3", 0.001, 5)
            resilient.has("ideas:3", 0.001, 5)
            resilient.coalesce(f"vote_totals:{n}", 1.0, lambda: sent.append(1))
            assert resilient.claim("retention", 60) is False  # no once-only job without Redis
        assert (asked.calls, asked.failures, len(sent)) == (3, 1, 10)
        # After it, one call asks again; still hung: one more timeout, and another back-off.
        clock.now = resilient.RETRY_AFTER + 0.1
        assert resilient.allow("ideas:4", 0.001, 1) is True
        assert resilient.has("ideas:4", 0.001, 1) is False  # this process's bucket, not Redis
        assert (asked.calls, asked.failures) == (4, 2)
        # Redis answers again: the next call after the back-off uses it, and so do the ones after.
        process.send_signal(signal.SIGCONT)
        clock.now = 2 * resilient.RETRY_AFTER + 0.2
        assert resilient.allow("ideas:1", 0.001, 1) is False  # Redis's bucket, emptied before the outage
        assert resilient.claim("retention", 60) is True
        assert (asked.calls, asked.failures) == (6, 2)
    lines = [r.getMessage().split(" (")[0].split(":")[0] for r in caplog.records]
    assert lines == ["Redis is away", "Redis is back"]  # one line each for the outage
