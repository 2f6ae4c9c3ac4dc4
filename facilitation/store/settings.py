"""Settings the hosts of one database share, such as the key that signs sessions and cookies."""

from __future__ import annotations

from collections.abc import Callable

from .core import CoreStore


def setting(store: CoreStore, name: str, make: Callable[[], str]) -> str:
    """The stored value of a setting; the first host to ask stores `make()` for all the others."""
    rows = store._rows("SELECT value FROM settings WHERE key = ?", (name,))
    if rows:
        return str(rows[0]["value"])
    with store._transaction() as db:
        db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", [name, make()])
        return str(db.execute("SELECT value FROM settings WHERE key = ?", [name]).fetchone()[0])
