"""The only place with SQL: schema and migrations, every read and write, one transaction per change."""

from __future__ import annotations

from .rounds import RoundsStore
from .core import connect, now, now_ms


class Store(RoundsStore):
    """Every read and write of the live database."""


__all__ = ["Store", "connect", "now", "now_ms"]
