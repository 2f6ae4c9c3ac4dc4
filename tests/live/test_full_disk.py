"""A full disk under a real server (an 8 MB tmpfs): every change is storage_full, nothing acknowledged is
lost, and the server takes ideas again the moment there is room (issue 26, item 5)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.servers import LiveServer


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, as a laptop whose disk fills up: the server's data and its log on it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot mount a tmpfs (needs root): {result.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk but `leave` bytes."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with open(filler, "wb") as out:
        out.write(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.sqlite_only  # a small filesystem under the SQLite file
@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_a_full_disk_is_storage_full_everywhere_and_nothing_acked_is_lost(
        small_disk: Path, mode: str, peers: Any) -> None:
    server = LiveServer(small_disk / "data", mode)
    server.log = small_disk / "server.log"  # the log fills up with the data
    server.start()
    try:
        created = server.create_workshop()
        console = peers(server.url)
        assert console.call("join", {"code": created["code"],
                                     "facilitator_token": created["facilitator_token"]})["ok"]
        phones = [peers(server.url) for _ in range(3)]
        for phone in phones:
            assert phone.call("join", {"code": created["code"]})["ok"]
        filler = fill(small_disk, 200_000)
        acked, refused, sent = [], [], []
        for i in range(60):  # until the disk refuses, from three phones (each within its rate)
            phone, client_id = phones[i % 3], uuid.uuid4().hex
            ack = phone.call("post_idea", {"text": f"Idé {i} " + "x" * 480, "client_id": client_id},
                             timeout=20)
            sent.append((phone, client_id, i))
            if ack["ok"]:
                acked.append(client_id)
            elif ack["error"]["code"] == "storage_full":
                refused.append((phone, client_id, i))
                if len(refused) >= 3:
                    break
            else:
                assert ack["error"]["code"] == "rate_limited", ack
                time.sleep(2)  # the phone's outbox waits for its allowance too
        assert refused, "the disk never filled"
        for _ in range(50):  # a small change may still fit in the log's pages left by a refused one
            response = requests.post(server.url + "/api/workshops", json={"title": "T", "prompt": "Q"},
                                     timeout=20)
            if response.status_code != 201:
                break
        assert response.status_code == 507 and response.json()["error"]["code"] == "storage_full"
        console.wait_for("storage_full", timeout=20)
        health = requests.get(server.url + "/healthz", timeout=20)
        assert health.status_code == 503 and "storage_full" in health.json()["store"], health.text
        filler.unlink()
        # Healthy as soon as there is room, before any change commits: behind a balancer that took
        # the host out, none would arrive to prove it.
        assert requests.get(server.url + "/healthz", timeout=20).status_code == 200
        for phone, client_id, i in refused:  # the outbox sends them again
            ack = phone.call("post_idea", {"text": f"Idé {i} " + "x" * 480, "client_id": client_id},
                             timeout=20)
            assert ack["ok"], ack
            acked.append(client_id)
        assert requests.post(server.url + "/api/workshops", json={"title": "T", "prompt": "Q"},
                             timeout=20).status_code == 201
        assert requests.get(server.url + "/healthz", timeout=20).status_code == 200
    finally:
        server.kill()
    db = sqlite3.connect(small_disk / "data" / "facilitation.db")
    stored = {row[0] for row in db.execute("SELECT client_id FROM ideas")}
    assert set(acked) <= stored
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    log = server.log.read_text()
    # One line every 5 s at most (when the full disk lets it be written), never a traceback per request.
    assert "Traceback" not in log and log.count("is full") <= 3, log
    assert "has room again" in log
