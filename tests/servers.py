"""Real servers and clients for the live and browser tests: `python app.py` on a free port (also as
`--workers K` behind HAProxy), and a python-socketio client that records what it receives."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.databases import server_options

ROOT = Path(__file__).resolve().parents[1]
ASYNC_MODES = ["eventlet", "gevent"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """`python app.py` on a free port over a data folder; can be killed and started again."""

    def __init__(self, data_dir: Path, mode: str, *options: str) -> None:
        self.data_dir = data_dir
        self.mode = mode
        # On the PostgreSQL pass, a database of its own (kept across restarts of this server).
        self.options = list(options) if "--database" in options else [*server_options(), *options]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    @property
    def store_options(self) -> list[str]:
        """The options that name this server's store for another command (export, migrate-store)."""
        at = self.options.index("--database") if "--database" in self.options else -1
        return self.options[at:at + 2] if at >= 0 else []

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until it answers HTTP (a loaded machine may take a while)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--async-mode", self.mode, *self.options],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                if requests.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)  # polling a condition with a deadline, not a bare sleep
        self.kill()  # never leave a half-started server behind the failure
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

    def kill(self) -> None:
        """Stop the server the hard way, as a crash or a pulled plug would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stored(self, *tables: str) -> dict[str, list[dict[str, Any]]]:
        """The rows of these tables (of every table if none is named) in this server's own store, each
        table's in a fixed order: SQLite in its data folder, checked whole first, or on the PostgreSQL
        pass its schema."""
        if self.store_options:
            import psycopg
            from psycopg.rows import dict_row

            with psycopg.connect(self.store_options[1], row_factory=dict_row) as conn:
                names = list(tables) or [r["table_name"] for r in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
                rows = {name: conn.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}
        else:
            db = sqlite3.connect(self.data_dir / "facilitation.db")
            db.row_factory = sqlite3.Row
            try:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                names = list(tables) or [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
                rows = {name: [dict(row) for row in db.execute(f"SELECT * FROM [{name}]")] for name in names}
            finally:
                db.close()
        assert tables or ("ideas" in rows and rows.get("workshops")), f"not this server's store: {sorted(rows)}"
        return {name: sorted(found, key=repr) for name, found in rows.items()}

    def create_workshop(self, title: str = "Borgermøde", prompt: str = "Hvad skal vi gøre?",
                        password: str | None = None) -> dict[str, Any]:
        """Create a workshop over the HTTP API (with the organiser password, if the server has one)."""
        headers = {"Authorization": f"Bearer {password}"} if password else {}
        response = requests.post(self.url + "/api/workshops", json={"title": title, "prompt": prompt},
                                 headers=headers, timeout=5)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


def running(data_dir: Path, mode: str, *options: str) -> Iterator[LiveServer]:
    """A fixture's server: `python app.py` with `options`, started, and killed after its tests
    (`yield from running(...)`)."""
    server = LiveServer(data_dir, mode, *options)
    server.start()
    yield server
    server.kill()


class Peer:
    """A real python-socketio client that records every event it receives."""

    def __init__(self, url: str, transports: list[str] | None = None) -> None:
        self.url = url
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.seen: list[tuple[str, Any]] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", lambda event, data=None: self.events.put((event, data)))
        self.client.connect(url, transports=transports or ["websocket"], wait_timeout=10)

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        """Emit a command and return its ack."""
        return self.client.call(event, data, timeout=timeout)

    def wait_for(self, event: str, match: Callable[[Any], bool] = lambda d: True,
                 timeout: float = 5) -> Any:
        """The first received `event` whose data matches, waiting up to `timeout` seconds."""
        for seen_event, data in self.seen:
            if seen_event == event and match(data):
                self.seen.remove((seen_event, data))
                return data
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} within {timeout}s; got {self.seen}")
            try:
                seen_event, data = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if seen_event == event and match(data):
                return data
            self.seen.append((seen_event, data))

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()


def require(program: str) -> None:
    """Skip without the program on a developer's machine; fail in CI, where .ci/run installs it."""
    if shutil.which(program) or Path(f"/usr/sbin/{program}").exists():
        return
    message = f"{program} is not installed (Debian package {program}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Workers(LiveServer):
    """A two-worker server; `worker_urls` reach each worker directly, `url` goes through HAProxy."""

    @property
    def worker_urls(self) -> list[str]:
        config = (self.data_dir / "haproxy.cfg").read_text()
        return [f"http://127.0.0.1:{port}" for port in re.findall(r"server w\d+ 127\.0\.0\.1:(\d+)", config)]

    def children(self) -> list[int]:
        """The supervisor's child processes: Redis, the workers, HAProxy."""
        assert self.proc is not None
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        """Stop the supervisor as a service manager would."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


def series(text: str, name: str) -> float:
    """The sum of a metric's samples named exactly `name` (any labels)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_for_metric(url: str, name: str, at_least: float, timeout: float = 30) -> str:
    """A server's /metrics once metric `name` reaches `at_least` (or as it is after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        text = requests.get(url + "/metrics", timeout=10).text
        if series(text, name) >= at_least or time.monotonic() > deadline:
            return text
        time.sleep(0.5)  # the gauges are read every few seconds: poll with a deadline
