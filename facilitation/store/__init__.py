"""The only place with SQL: schema and migrations, every read and write, one transaction per change."""

from __future__ import annotations

from .admin import AdminStore
from .core import connect, now, now_ms
from .phones import PhoneStore


class Store(PhoneStore, AdminStore):
    """Every read and write of the live database."""


__all__ = ["Store", "connect", "now", "now_ms"]
