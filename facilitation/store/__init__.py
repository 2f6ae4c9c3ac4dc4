"""The only place with SQL: schema and migrations, every read and write, one transaction per change."""

from __future__ import annotations

from .clusters import ClusterStore
from .core import connect, now


class Store(ClusterStore):
    """Every read and write of the live database."""


__all__ = ["Store", "connect", "now"]
