"""`--workers 2` as a service runs it: no secret on any command line, and workers that believe
X-Forwarded-For only from their own HAProxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from facilitation.views import CREATE_BURST
from tests.servers import Workers, require, series, wait_for_metric

PASSWORD = "kommunens-hemmelige-kodeord"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    require("redis-server")
    require("haproxy")
    base = tmp_path_factory.mktemp("service-workers")
    secret = base / "admin-password"
    secret.write_text(PASSWORD + "\n")
    secret.chmod(0o600)
    server = Workers(base / "data", "gevent", "--workers", "2", "--admin-password-file", str(secret),
                     "--trusted-proxy", "127.0.0.1")
    server.start(timeout=90)
    yield server
    server.stop()


def create(url: str, forwarded_for: str) -> int:
    return requests.post(url + "/api/workshops", json={"title": "T", "prompt": "P"}, timeout=10,
                         headers={"Authorization": f"Bearer {PASSWORD}", "X-Forwarded-For": forwarded_for}
                         ).status_code


def test_no_process_shows_a_secret_on_its_command_line(service: Workers) -> None:
    assert create(service.url, "198.51.100.1") == 201  # the workers know the password all the same
    pids = [service.proc.pid, *service.children()]  # type: ignore[union-attr]
    assert len(pids) == 5  # supervisor, Redis, two workers, HAProxy
    for pid in pids:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        assert PASSWORD not in command_line, command_line
    config = service.data_dir / "haproxy.cfg"
    assert config.stat().st_mode & 0o077 == 0  # it holds the balancer's secret
    balancer_secret = config.read_text().split("X-Idea-Factory-Balancer ")[1].split()[0]
    for pid in pids:
        assert balancer_secret not in Path(f"/proc/{pid}/cmdline").read_bytes().decode()


def test_workers_believe_forwarded_for_only_from_their_own_balancer(service: Workers) -> None:
    # Straight to a worker's port, a local user's X-Forwarded-For is not believed: it is this machine.
    worker = service.worker_urls[0]
    assert all(create(worker, "198.51.100.7") == 201 for _ in range(CREATE_BURST + 1))
    # Through HAProxy from a trusted proxy (127.0.0.1 here), the phone's own address is limited.
    statuses = [create(service.url, "198.51.100.8") for _ in range(CREATE_BURST + 1)]
    assert statuses[:CREATE_BURST] == [201] * CREATE_BURST and statuses[-1] == 429
    assert create(service.url, "198.51.100.9") == 201


def test_any_worker_answers_metrics_for_all_of_them(service: Workers, peers: Any) -> None:
    created = requests.post(service.url + "/api/workshops", json={"title": "T", "prompt": "P"}, timeout=10,
                            headers={"Authorization": f"Bearer {PASSWORD}"}).json()
    for number, worker in enumerate(service.worker_urls):
        phone = peers(worker)
        assert phone.call("join", {"code": created["code"]})["ok"]
        assert phone.call("post_idea", {"text": f"Idé {number}", "client_id": f"c{number}"})["ok"]
    for worker in service.worker_urls:  # whichever worker HAProxy picks: the same sums
        text = requests.get(worker + "/metrics", timeout=10).text
        assert series(text, "idea_factory_ideas_posted_total") == 2, text
    text = wait_for_metric(service.worker_urls[0], "idea_factory_connected", 2)
    assert 'idea_factory_connected{screen="phone"} 2.0' in text
    # HAProxy holds the connection bounds for the workers: its cap and refusals are in the same text.
    assert series(text, "idea_factory_balancer_connections") > 0, text
    assert 'idea_factory_connections_refused_total{reason="per_address"} 0.0' in text
    # Through HAProxy with 127.0.0.1 named a trusted proxy, loopback may be any phone behind it.
    assert requests.get(service.url + "/metrics", timeout=10).status_code == 403
    assert requests.get(service.url + "/healthz", timeout=10).json() == {
        "status": "ok", "store": "ok", "coordination": "ok"}


def test_wrong_passwords_spread_over_the_workers_share_one_budget(service: Workers) -> None:
    from facilitation.security import SECRET_BURST

    statuses = [requests.post(service.url + "/api/workshops", json={"title": "T", "prompt": "P"},
                              timeout=10, headers={"Authorization": "Bearer wrong",
                                                   "X-Forwarded-For": "198.51.100.20"}).status_code
                for _ in range(3 * SECRET_BURST)]  # HAProxy deals them out to both workers
    assert statuses.count(401) == SECRET_BURST and statuses[SECRET_BURST:] == [429] * (2 * SECRET_BURST)
