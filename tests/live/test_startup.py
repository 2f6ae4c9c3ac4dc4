"""Start-up and disk trouble: one clear sentence on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from facilitation.launch import explain, store_mode_warning
from tests.databases import ON_POSTGRES
from tests.servers import ROOT, LiveServer, free_port


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "app.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def one_sentence(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(word in lines[0] for word in words), lines[0]


@pytest.mark.parametrize("mode", ["eventlet", "gevent", "threading"])
def test_a_data_folder_that_is_a_file(tmp_path: Path, mode: str) -> None:
    (tmp_path / "data").write_text("")
    one_sentence(run("--data-dir", str(tmp_path / "data"), "--async-mode", mode,
                     "--port", str(free_port())), "is a file")


def test_a_damaged_database(tmp_path: Path) -> None:
    (tmp_path / "facilitation.db").write_bytes(b"not a database " * 100)
    one_sentence(run("--data-dir", str(tmp_path), "--port", str(free_port())), "damaged", "backup")


@pytest.mark.parametrize("mode", ["eventlet", "gevent", "threading"])
def test_a_busy_port(tmp_path: Path, mode: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_sentence(run("--data-dir", str(tmp_path), "--host", "127.0.0.1", "--port", str(port),
                         "--async-mode", mode), "already in use", str(port))


def test_read_only_and_full_disks_are_named() -> None:
    assert "cannot be written" in explain(PermissionError(13, "Permission denied", "d/secret_key"),
                                          "d", "h", 1)
    assert "full" in explain(OSError(errno.ENOSPC, "No space left"), "d", "h", 1)
    import sqlite3

    assert "cannot be written" in explain(sqlite3.OperationalError("attempt to write a readonly database"),
                                          "d", "h", 1)


@pytest.mark.sqlite_only  # the data folder's key; PostgreSQL keeps it in the database
def test_an_empty_secret_key_file_is_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("")
    server = LiveServer(data, "eventlet", "--admin-password", "pw")
    server.start()
    try:
        session = requests.Session()
        page = session.get(server.url + "/admin", timeout=5)
        assert page.status_code == 200 and 'name="csrf"' in page.text
    finally:
        server.kill()
    assert len((data / "secret_key").read_text().strip()) == 64


def test_export_into_a_missing_folder(tmp_path: Path, live_server: LiveServer) -> None:
    created = live_server.create_workshop()
    result = run("export", created["code"], "--out", str(tmp_path / "missing" / "x.csv"),
                 "--data-dir", str(live_server.data_dir), *live_server.store_options)
    one_sentence(result, "Could not export", "x.csv")


def mounted_tmpfs(path: Path) -> None:
    """A small tmpfs at `path` (root only: CI runs as root)."""
    import os

    path.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(path)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {result.stderr}")
        pytest.skip(f"cannot mount a tmpfs (needs root): {result.stderr.strip()}")


def test_a_read_only_folder_holding_a_database_with_its_wal_and_shm(tmp_path: Path) -> None:
    import shutil
    import sqlite3

    from facilitation.store import Store, connect

    live = tmp_path / "live"
    live.mkdir()
    store = Store(connect(live / "facilitation.db"))
    workshop, _ = store.create_workshop("T", "Q")  # the WAL holds it: not checkpointed
    copy = tmp_path / "copy"
    mounted_tmpfs(copy)
    try:
        for name in ("facilitation.db", "facilitation.db-wal", "facilitation.db-shm"):
            shutil.copy(live / name, copy / name)  # as a crash left them
        subprocess.run(["mount", "-o", "remount,ro", str(copy)], check=True)
        one_sentence(run("--data-dir", str(copy), "--port", str(free_port())),
                     "cannot be written", str(copy))
        one_sentence(run("--data-dir", str(copy), "--port", str(free_port()), "--workers", "2"),
                     "cannot be written", str(copy))
    finally:
        subprocess.run(["umount", "-l", str(copy)], check=False)
    store.db.conn.close()
    assert sqlite3.connect(live / "facilitation.db").execute(
        "SELECT code FROM workshops").fetchone()[0] == workshop.code


def test_a_database_damaged_in_the_middle_is_refused_and_left_untouched(tmp_path: Path) -> None:
    import hashlib

    from facilitation.store import Store, connect

    store = Store(connect(tmp_path / "facilitation.db"))
    workshop, _ = store.create_workshop("T", "Q")
    author = store.join(workshop.id, None, 10)[0].id
    for i in range(400):
        store.post_idea(workshop.id, author, f"c{i}", f"Idé nummer {i} " + "x" * 200)
    store.checkpoint()
    store.db.conn.close()
    path = tmp_path / "facilitation.db"
    size = path.stat().st_size
    with open(path, "r+b") as db:  # 4 KB of the middle overwritten, as a failing disk does
        db.seek(size // 2 // 4096 * 4096)
        db.write(bytes(range(256)) * 16)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    for workers in ("1", "2"):
        one_sentence(run("--data-dir", str(tmp_path), "--port", str(free_port()), "--workers", workers),
                     "damaged", str(path), "backup")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # nothing wrote into it


def test_a_busy_port_with_workers(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_sentence(run("--data-dir", str(tmp_path), "--host", "127.0.0.1", "--port", str(port),
                         "--workers", "2"), "already in use", str(port))


def test_eventlet_with_postgresql_is_warned_about(tmp_path: Path) -> None:
    if ON_POSTGRES:
        pytest.skip("runs once, on the first pass: it names a PostgreSQL URL of its own")
    # psycopg blocks eventlet's loop for every query: the operator is told at start, before the
    # store is opened (here it cannot be: nothing listens on port 1, so it stops right after).
    result = run("--data-dir", str(tmp_path), "--port", str(free_port()), "--async-mode", "eventlet",
                 "--database", "postgresql://127.0.0.1:1/ideas")
    first = result.stderr.splitlines()[0]
    assert first.startswith("Warning: --async-mode eventlet with a PostgreSQL store") and "gevent" in first
    assert "cannot start" in result.stderr and result.returncode == 2
    assert store_mode_warning("gevent", "postgresql://db/ideas") is None
    assert store_mode_warning("eventlet", None) is None  # SQLite: its calls are short and local
