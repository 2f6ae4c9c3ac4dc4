"""Fixtures every room shares: the app over a temporary data folder, and real servers and clients.

The tests live in three rooms, each with its conftest and marker: `tests/unit` (in-process, the
`make test-fast` loop), `tests/live` (real processes: app.py, Redis, HAProxy, and tools such as mypy,
pybabel and datasette) and `tests/browser` (chromium through Playwright, against a live server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apps import ADMIN_PASSWORD
from tests.databases import DATABASES, ON_POSTGRES, app_database
from tests.servers import ASYNC_MODES, LiveServer, Peer, running


@pytest.fixture
def new_store() -> Iterator[Callable[[], Any]]:
    """Make an empty store on the backend under test: SQLite in memory, or a PostgreSQL schema."""
    from sqlite_utils import Database

    from facilitation.store import Store, connect

    made: list[Store] = []

    def make() -> Store:
        made.append(Store(connect(DATABASES.new()) if ON_POSTGRES else Database(memory=True)))
        return made[-1]

    yield make
    for store in made:
        store.close()
        DATABASES.release(getattr(store.db, "url", None))


# Modules that take a minute or more on the 2-core CI machine (the wall paging through 300 ideas in
# every phase: 6 min; the image build, a wheel in a fresh venv, PostgreSQL and hosts in namespaces,
# 2,000-idea snapshots, killed and restarted workers, axe on every screen): they go first, so that
# the workers of `make test` (pytest-xdist, a module on one worker) run them beside the short ones
# instead of finishing on one of them alone.
LONG_FIRST = ["tests/browser/test_wall.py", "tests/live/test_container.py", "tests/live/test_package.py",
              "tests/live/test_hosts.py", "tests/live/test_hostile.py", "tests/live/test_faults.py",
              "tests/live/test_workers.py", "tests/browser/test_accessibility.py"]


@pytest.hookimpl(trylast=True)  # after pytest's own grouping by fixture; a module's order stays
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, tests about SQLite itself say so and step aside; the long modules first."""
    for item in items:
        if ON_POSTGRES and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about SQLite itself: runs on the SQLite pass"))
    rank = {module: i for i, module in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    import threading
    import time

    from engineio.async_drivers.threading import DaemonThread

    # A coalesced signal's last read (participant_count a second after a join) runs in a
    # background task, which the threading mode of the tests' apps starts as a daemon thread:
    # it must end before its database goes, or it reads a dropped PostgreSQL database and the
    # pass fails on its unhandled AdminShutdown. Long-lived loops get 5 s in all, not each.
    deadline = time.monotonic() + 5
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and (not thread.daemon
                                                         or isinstance(thread, DaemonThread)):
            thread.join(max(0.0, deadline - time.monotonic()))
    DATABASES.drop_all()


def closed_after(make: Callable[[], Any]) -> Iterator[Any]:
    """A fixture's app, made by `make`; after the test its store is closed, once the background
    tasks started meanwhile have ended (a coalesced send reads the store up to a second later).

    Closed here, its PostgreSQL connections end with the test rather than whenever the collector
    finds the app. A task still running after 10 s (none did) keeps the store open: the collector
    closes it later (postgres.py), where a close now would fail the task's read."""
    import threading
    import time

    from engineio.async_drivers.threading import DaemonThread

    before = set(threading.enumerate())
    app = make()
    yield app
    started = [thread for thread in threading.enumerate()
               if isinstance(thread, DaemonThread) and thread not in before]
    deadline = time.monotonic() + 10
    for thread in started:
        thread.join(max(0.0, deadline - time.monotonic()))
    if not any(thread.is_alive() for thread in started):
        app.extensions["facilitation.store"].close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    """The Flask app over a temporary data folder, without a web server."""
    from facilitation import create_app

    yield from closed_after(lambda: create_app({
        "DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
        "DATABASE": app_database()}))


@pytest.fixture
def admin_app(tmp_path: Path) -> Iterator[Any]:
    """The app with an organiser password, so that /admin is on."""
    from facilitation import create_app

    yield from closed_after(lambda: create_app({
        "DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
        "ADMIN_PASSWORD": ADMIN_PASSWORD, "DATABASE": app_database()}))


@pytest.fixture
def client(app: Any) -> Any:
    """Flask's HTTP test client."""
    return app.test_client()


@pytest.fixture(scope="session")
def shared_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    """The shared servers by async mode, each started when first asked for and kept to the end.

    Kept side by side rather than one per mode at a time: under pytest-xdist (`make test`) a worker
    runs a module's eventlet and gevent tests one after the other, module after module, and a
    parametrized session fixture would restart its server at each switch."""
    servers: dict[str, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.kill()


@pytest.fixture(params=ASYNC_MODES)
def async_mode(request: pytest.FixtureRequest) -> str:
    """The async mode of the servers a test starts or shares: the test runs once under each (the
    browser room runs eventlet only)."""
    return str(request.param)


@pytest.fixture
def live_server(async_mode: str, shared_servers: dict[str, LiveServer],
                tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    """One real server per async mode, shared by the tests that need no restart."""
    if async_mode not in shared_servers:
        server = LiveServer(tmp_path_factory.mktemp(f"live-{async_mode}"), async_mode)
        server.start()
        shared_servers[async_mode] = server
    return shared_servers[async_mode]


@pytest.fixture
def fresh_server(tmp_path: Path, async_mode: str) -> Iterator[LiveServer]:
    """A server of its own, for tests that kill and restart it (no shared one is started for it)."""
    yield from running(tmp_path / "data", async_mode)


@pytest.fixture
def peers() -> Iterator[Callable[..., Peer]]:
    """Make connected clients; all are closed after the test."""
    made: list[Peer] = []

    def make(url: str, **kwargs: Any) -> Peer:
        peer = Peer(url, **kwargs)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        try:
            peer.close()
        except Exception:
            pass


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy set in the environment must never see requests to our own test servers.
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

