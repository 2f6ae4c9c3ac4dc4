"""The unit room: in-process tests (the app, the store, Flask and Flask-SocketIO test clients).

`make test-fast` runs this room alone on every core, so nothing here may start a server process or
a browser: a test that asks for one is refused at collection and belongs in tests/live or
tests/browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOM = Path(__file__).parent
REAL_PROCESSES = {"live_server", "shared_servers", "fresh_server", "peers", "browser", "new_page"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this room's tests `unit`, and refuse one that would start a real server or browser."""
    for item in items:
        if not item.path.is_relative_to(ROOM):
            continue
        item.add_marker(pytest.mark.unit)
        wanted = REAL_PROCESSES & set(getattr(item, "fixturenames", ()))
        if getattr(getattr(item, "module", None), "LiveServer", None) is not None:
            wanted.add("LiveServer")
        if wanted:
            raise pytest.UsageError(f"{item.nodeid} uses {sorted(wanted)}: move it to tests/live or tests/browser")
