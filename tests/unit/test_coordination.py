"""While Redis is away, each process limits, coalesces and claims on its own (coordination.Resilient)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisDown

from facilitation.coordination import Local, Resilient


class Away:
    """A Redis that does not answer: every call fails as redis-py fails when the server is gone."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RedisDown("Connection refused")
        return fail


class Inline:
    """Flask-SocketIO's background task and sleep, run at once."""

    def start_background_task(self, task: Any) -> None:
        task()

    def sleep(self, seconds: float) -> None:
        pass


def test_limits_and_coalescing_fall_back_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    resilient = Resilient(Away(), Local(Inline()))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, "facilitation.coordination"):
        assert [resilient.allow("ideas:1", 0.001, 2) for _ in range(3)] == [True, True, False]
        assert resilient.has("ideas:1", 0.001, 2) is False and resilient.has("ideas:2", 0.001, 2) is True
        sent: list[str] = []
        resilient.coalesce("vote_totals:ABC234", 1.0, lambda: sent.append("sent"))
        assert sent == ["sent"]
        assert resilient.claim("retention", 60) is False  # no once-only job runs without Redis
    assert [r.message.startswith("Redis is away") for r in caplog.records] == [True]  # one line, not six
