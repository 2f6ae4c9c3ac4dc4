"""Start-up and disk trouble: one clear sentence on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from facilitation.launch import explain
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
