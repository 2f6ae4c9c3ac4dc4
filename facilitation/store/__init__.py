"""The only place with SQL: schema and migrations, every read and write, one transaction per change."""

from __future__ import annotations

from .flow import FlowStore
from .core import connect, now, now_ms


class Store(FlowStore):
    """Every read and write of the live database."""


__all__ = ["Store", "connect", "now", "now_ms"]
