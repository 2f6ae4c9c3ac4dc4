"""`app.py --workers 2`: HAProxy in front, a private Redis, two workers sharing every workshop."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ASYNC_MODES, Workers, require


@pytest.fixture(scope="module", params=ASYNC_MODES)
def workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    require("redis-server")
    require("haproxy")
    server = Workers(tmp_path_factory.mktemp(f"workers-{request.param}"), request.param,
                     "--workers", "2")
    server.start(timeout=60)
    yield server
    server.stop()


def joined(peers: Any, url: str, code: str, transport: str = "websocket", **extra: Any) -> Any:
    peer = peers(url, transports=[transport])
    ack = peer.call("join", {"code": code, **extra})
    assert ack["ok"], ack
    peer.ack = ack
    return peer


def test_a_fact_from_one_worker_reaches_clients_of_the_other(workers: Workers, peers: Any) -> None:
    first, second = workers.worker_urls
    workshop = workers.create_workshop()
    code = workshop["code"]
    wall = joined(peers, first, code, viewer=True)
    phone = joined(peers, second, code)
    polling = joined(peers, workers.url, code, transport="polling")
    console = joined(peers, workers.url, code, facilitator_token=workshop["facilitator_token"])

    posted = phone.call("post_idea", {"text": "Cykelparkering ved stationen", "client_id": "a"})
    assert posted["ok"]
    assert wall.wait_for("idea_posted")["idea"]["id"] == posted["idea"]["id"]
    assert console.wait_for("idea_posted")["idea"]["id"] == posted["idea"]["id"]
    assert console.call("set_phase", {"phase": "cluster"})["ok"]
    for peer in (wall, phone, polling):
        assert peer.wait_for("phase_changed")["phase"] == "cluster"


def test_long_polling_clients_stay_on_their_worker(workers: Workers, peers: Any) -> None:
    workshop = workers.create_workshop()
    phones = [joined(peers, workers.url, workshop["code"], transport="polling") for _ in range(4)]
    cookies = {peer.client.eio.http.cookies.get("ideafactory_worker") for peer in phones}
    assert cookies <= {"w0", "w1"} and len(cookies) == 2  # balanced over both, each kept by its cookie
    console = joined(peers, workers.url, workshop["code"], facilitator_token=workshop["facilitator_token"])
    for phase in ("cluster", "vote", "collect"):
        assert console.call("set_phase", {"phase": phase})["ok"]
        for peer in phones:
            assert peer.wait_for("phase_changed", lambda d, p=phase: d["phase"] == p)


def test_one_participant_has_one_idea_budget_on_both_workers(workers: Workers, peers: Any) -> None:
    first, second = workers.worker_urls
    code = workers.create_workshop()["code"]
    one = joined(peers, first, code)
    other = joined(peers, second, code, participant_token=one.ack["participant_token"])
    acks = [(one if i % 2 else other).call("post_idea", {"text": f"Idé {i}", "client_id": f"r{i}"})
            for i in range(14)]
    assert sum(ack["ok"] for ack in acks) <= 11  # a burst of 10, not 10 per process
    assert {ack["error"]["code"] for ack in acks if not ack["ok"]} == {"rate_limited"}


def test_participant_counts_are_coalesced_across_workers(workers: Workers, peers: Any) -> None:
    code = workers.create_workshop()["code"]
    wall = joined(peers, workers.worker_urls[0], code, viewer=True)
    started = time.monotonic()
    for i in range(8):
        joined(peers, workers.worker_urls[i % 2], code)
    assert wall.wait_for("participant_count", lambda d: d["participant_count"] == 8, timeout=10)
    elapsed = time.monotonic() - started
    counts = [d for e, d in wall.seen if e == "participant_count"]
    assert len(counts) <= elapsed + 1  # at most one a second from both workers together


def test_the_supervisor_stops_redis_workers_and_haproxy(tmp_path: Path) -> None:
    require("redis-server")
    require("haproxy")
    server = Workers(tmp_path / "data", ASYNC_MODES[0], "--workers", "2")
    server.start(timeout=60)
    children = server.children()
    assert len(children) == 4 and (tmp_path / "data" / "redis.sock").exists()
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling with a deadline
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
