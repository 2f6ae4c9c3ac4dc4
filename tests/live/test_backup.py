"""`idea-factory backup` while phones post, and `idea-factory restore` once the server is stopped:
the copy opens, passes SQLite's integrity check and holds every idea acknowledged before it began."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.servers import ROOT, LiveServer

PHONES = 3
pytestmark = pytest.mark.sqlite_only  # SQLite's backup API; PostgreSQL is backed up with pg_dump (docs/deploy.md)


def command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def ideas_in(path: Path) -> set[int]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in db.execute("SELECT id FROM ideas")}


def test_a_backup_taken_while_phones_post_holds_every_acknowledged_idea(tmp_path: Path, peers: Any) -> None:
    server = LiveServer(tmp_path / "data", "gevent")
    server.start()
    code = server.create_workshop()["code"]
    acked: list[int] = []
    stop = threading.Event()

    def post(phone: Any, number: int) -> None:
        sent = 0
        while not stop.is_set():
            ack = phone.call("post_idea", {"text": f"Idé {number}-{sent}", "client_id": f"{number}-{sent}"})
            if ack["ok"]:
                acked.append(ack["idea"]["id"])
            sent += 1
            time.sleep(0.1)  # a participant's pace, within the per-participant limit

    phones = [peers(server.url) for _ in range(PHONES)]
    for phone in phones:
        assert phone.call("join", {"code": code})["ok"]
    threads = [threading.Thread(target=post, args=(phone, n)) for n, phone in enumerate(phones)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(acked) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until posting is under way
        before = set(acked)
        backup = tmp_path / "nightly" / "idea-factory.db"
        backup.parent.mkdir()
        made = command("backup", "--data-dir", str(server.data_dir), "--out", str(backup))
        assert made.returncode == 0, made.stderr
        assert "Backed up 1 workshops" in made.stdout
        after_backup = len(acked)
        deadline = time.monotonic() + 30
        while len(acked) < after_backup + 5 and time.monotonic() < deadline:
            time.sleep(0.05)  # and posting goes on after it
    finally:
        stop.set()
        for thread in threads:
            thread.join(20)
    saved = ideas_in(backup)
    assert before <= saved and len(before) >= 10
    assert backup.stat().st_mode & 0o077 == 0
    assert set(acked) - saved, "phones kept posting after the backup"

    refused = command("restore", "--data-dir", str(server.data_dir), "--from", str(backup))
    assert refused.returncode == 2 and "A server is running" in refused.stderr
    server.kill()
    restored = command("restore", "--data-dir", str(server.data_dir), "--from", str(backup))
    assert restored.returncode == 0, restored.stderr
    kept = list(server.data_dir.glob("facilitation.before-restore-*.db"))
    assert len(kept) == 1 and ideas_in(kept[0]) == set(acked) | ideas_in(kept[0])
    assert ideas_in(server.data_dir / "facilitation.db") == saved
    server.start()
    snapshot = requests.get(f"{server.url}/api/workshops/{code}", timeout=10).json()
    assert {idea["id"] for idea in snapshot["ideas"]} == saved
    server.kill()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"not a database at all" * 100)
    result = command("restore", "--data-dir", str(tmp_path / "data"), "--from", str(bogus))
    assert result.returncode == 2 and "cannot be restored" in result.stderr
    assert not (tmp_path / "data" / "facilitation.db").exists()
