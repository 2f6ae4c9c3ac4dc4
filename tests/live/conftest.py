"""The live room: tests that start real processes (app.py, Redis, HAProxy, or a tool of their own such
as mypy, pybabel, ruff or datasette). The shared server fixtures are in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOM = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark this room's tests `live`; `make test-fast` leaves them out."""
    for item in items:
        if item.path.is_relative_to(ROOM):
            item.add_marker(pytest.mark.live)
