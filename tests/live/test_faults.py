"""The server survives its own faults (issue 26): kill -9 of a worker, of Redis and of HAProxy under
`--workers 2`, a rolling upgrade on SIGHUP and a graceful SIGTERM, all while phones post through
their outboxes; every acknowledged idea is stored, once."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bench._phones import Crowd
from bench.faults import Watch
from tests.servers import LiveServer, Workers, require


def until(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.1)  # polling a condition with a deadline


def assert_nothing_acked_lost(crowd: Crowd, server: LiveServer) -> None:
    assert crowd.drain(90), {i: len(p.outbox) for i, p in enumerate(crowd.phones) if p.outbox}
    acked = crowd.acked()
    ideas = server.stored("ideas")["ideas"]
    ids = {idea["client_id"] for idea in ideas}
    assert acked and acked <= ids  # acknowledged = in the database
    assert len(ideas) == len(ids)  # sending again with the same client_id never doubled an idea


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/", timeout=10).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    """One group for the upgrade, then the kills (which end with its SIGTERM): a start is ~25 s."""
    require("redis-server")
    require("haproxy")
    server = Workers(tmp_path_factory.mktemp("faults") / "data", "gevent", "--workers", "2")
    server.start(timeout=90)
    yield server
    server.stop()


def child(group: Workers, program: str) -> list[int]:
    """The supervisor's children whose command line names `program` (redis-server, app.py, haproxy)."""
    return [pid for pid in group.children()
            if program in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]


def restarts(group: Workers) -> int:
    """How many restarts after a kill -9 the supervisor has logged."""
    return group.log.read_text().count("exited with -9; restarting it")


def log_has(server: LiveServer, text: str, count: int = 1) -> bool:
    return server.log.read_text().count(text) >= count


def test_sighup_replaces_the_workers_while_the_address_keeps_answering(group: Workers) -> None:
    workshop = group.create_workshop()
    crowd = Crowd(group.url, workshop["code"], 8, every=2.0)
    crowd.start()
    try:
        before = child(group, "app.py")
        others = child(group, "redis-server") + child(group, "haproxy")
        watch = Watch(group.url)
        assert group.proc is not None
        group.proc.send_signal(signal.SIGHUP)
        until(lambda: log_has(group, "upgrade done"), 120, "the upgrade")
        time.sleep(2)  # posting goes on through the new workers
        assert watch.stop() == 0.0  # never a moment without an answer
        after = child(group, "app.py")
        assert len(after) == 2 and not set(before) & set(after)  # both workers are new processes
        assert child(group, "redis-server") + child(group, "haproxy") == others  # the same ones
        assert_nothing_acked_lost(crowd, group)
    finally:
        crowd.stop()


def test_after_redis_comes_back_facts_cross_the_workers_again(group: Workers, peers: Any) -> None:
    workshop = group.create_workshop()
    first, second = group.worker_urls
    wall = peers(first)
    assert wall.call("join", {"code": workshop["code"], "viewer": True})["ok"]
    phone = peers(second)
    assert phone.call("join", {"code": workshop["code"]})["ok"]
    os.kill(child(group, "redis-server")[0], signal.SIGKILL)
    until(lambda: log_has(group, "redis-server exited with -9"), 20, "Redis restarted")
    until(lambda: len(child(group, "redis-server")) == 1, 20, "a new Redis")
    # While Redis is away, a command still commits on its worker.
    assert phone.call("post_idea", {"text": "Bænke ved havnen", "client_id": "during"})["ok"]

    def crossed() -> bool:  # the workers' listeners reconnect with a backoff of 1, 2, 4 s
        ack = phone.call("post_idea", {"text": f"Træer {time.monotonic()}", "client_id": str(time.monotonic())})
        if not ack["ok"]:  # rate_limited: the phone waits its turn
            return False
        try:
            wall.wait_for("idea_posted", lambda d: d["idea"]["id"] == ack["idea"]["id"], timeout=2.5)
            return True
        except AssertionError:
            return False
    until(crossed, 40, "a fact from one worker at the other's wall")


def test_kill_9_of_a_worker_redis_and_haproxy_loses_nothing_and_only_the_workers_phones_drop(
        group: Workers) -> None:
    workshop = group.create_workshop()
    crowd = Crowd(group.url, workshop["code"], 8, every=2.0)
    crowd.start()
    try:
        first, second = child(group, "app.py")
        time.sleep(3)  # phones post for a while
        killed_at, before = time.monotonic(), restarts(group)
        os.kill(first, signal.SIGKILL)
        until(lambda: restarts(group) > before, 20, "worker restarted")
        until(lambda: len(group.children()) == 4, 20, "four children again")
        until(lambda: crowd.wait_online(0), 60, "every phone back after the worker")
        dropped = sum(1 for p in crowd.phones for down, _ in p.outages if down >= killed_at - 0.5)
        assert 0 < dropped < len(crowd.phones)  # its own phones, not the room
        for program in ("redis-server", "haproxy"):
            time.sleep(2)
            before = restarts(group)
            os.kill(child(group, program)[0], signal.SIGKILL)
            until(lambda before=before: restarts(group) > before, 20, f"{program} restarted")
            until(lambda: answers(group.url), 20, "the address answers")
        until(lambda: crowd.wait_online(0), 60, "every phone back after HAProxy")
        time.sleep(3)  # phones post through the restarted parts
        assert second in group.children()  # the healthy worker was never touched
        assert_nothing_acked_lost(crowd, group)
    finally:
        crowd.stop()
    assert group.proc is not None and group.proc.poll() is None  # the service never stopped
    children = group.children()
    group.proc.send_signal(signal.SIGKILL)  # only the supervisor's own death ends it: no orphans
    group.proc.wait(10)
    until(lambda: not [pid for pid in children if Path(f"/proc/{pid}").exists()], 20, "no orphans")


def test_sigterm_drains_closes_the_phones_sockets_and_exits_0(fresh_server: LiveServer) -> None:
    from facilitation.shutdown import BOUND

    server = fresh_server
    workshop = server.create_workshop()
    crowd = Crowd(server.url, workshop["code"], 6, every=0.5)
    try:
        crowd.start()
        time.sleep(2)
        assert server.proc is not None
        stopped_at = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(BOUND + 10) == 0
        took = time.monotonic() - stopped_at
        until(lambda: all(not p.online.is_set() for p in crowd.phones), 10, "phones told")
        log = server.log.read_text()
        assert "Idea Factory stopped on SIGTERM" in log and "Traceback" not in log, log
        assert f"{len(crowd.phones)} connection(s) closed" in log, log
        assert took < BOUND + 5
        server.start()  # the phones come back by themselves and send what waited
        until(lambda: crowd.wait_online(0), 60, "phones back")
        assert_nothing_acked_lost(crowd, server)
    finally:
        crowd.stop()
