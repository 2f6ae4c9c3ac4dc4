"""What monitoring reads from a real server: metrics of real phones and walls, /healthz when Redis
goes away, and JSON log lines without a token."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.servers import LiveServer, free_port, series, wait_for_metric


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    import redis

    while True:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)  # start-up poll with a deadline
    yield proc, f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait(10)


def test_a_live_server_reports_phones_ideas_and_its_health(tmp_path: Path, peers: Any,
                                                           redis_server: tuple[Any, str]) -> None:
    redis, url = redis_server
    server = LiveServer(tmp_path / "data", "gevent", "--log-format", "json", "--message-queue", url)
    server.start()
    try:
        workshop = server.create_workshop()
        phone = peers(server.url)
        assert phone.call("join", {"code": workshop["code"]})["ok"]
        assert phone.call("post_idea", {"text": "Flere bænke", "client_id": "m1"})["ok"]
        wall = peers(server.url, transports=["polling"])
        assert wall.call("join", {"code": workshop["code"], "viewer": True})["ok"]
        text = wait_for_metric(server.url, "idea_factory_connected", 2)
        assert series(text, "idea_factory_ideas_posted_total") == 1
        assert 'idea_factory_connected{screen="phone"} 1.0' in text
        assert 'idea_factory_connected{screen="wall"} 1.0' in text
        assert series(text, "idea_factory_workshops_active") == 1
        assert 'idea_factory_commands_total{command="post_idea",outcome="ok"} 1.0' in text
        assert series(text, "idea_factory_command_seconds_count") >= 3
        assert requests.get(server.url + "/healthz", timeout=10).json()["coordination"] == "ok"
        redis.kill()
        redis.wait(10)
        down = requests.get(server.url + "/healthz", timeout=20)
        assert down.status_code == 503 and "Connection" in down.json()["coordination"]
    finally:
        server.kill()
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any("Idea Factory on" in entry["message"] for entry in entries)
    assert workshop["facilitator_token"] not in server.log.read_text()
