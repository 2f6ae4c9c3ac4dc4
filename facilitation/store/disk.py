"""A full disk under the database: the refusal every change gets, told to the log every few seconds."""

from __future__ import annotations

import errno
import logging
import sqlite3
import time

from ..errors import CommandError

log = logging.getLogger(__name__)
SQLITE_FULL = 13


def is_full(error: BaseException) -> bool:
    """Whether `error` says the disk (or the database's page limit) has no room."""
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == SQLITE_FULL \
            or "database or disk is full" in str(error)
    if getattr(error, "sqlstate", None) == "53100":  # PostgreSQL's disk_full
        return True
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


class Disk:
    """Whether the disk under one database is full now, and how many changes it refused: one log
    line every INTERVAL seconds while it lasts (a hall of phones retrying would otherwise write
    dozens a second, onto the same full disk), one when room is back."""

    INTERVAL = 5.0

    def __init__(self, path: str) -> None:
        self.path = path
        self.full_since: float | None = None  # time.time() of the first refusal
        self.refused = 0  # since the last log line
        self.logged_at = float("-inf")

    def refusal(self, error: BaseException) -> CommandError | None:
        """`storage_full` for a full disk (counted and logged now and then), else None."""
        if not is_full(error):
            return None
        self.refused += 1
        if self.full_since is None:
            self.full_since = time.time()
        now = time.monotonic()
        if now - self.logged_at >= self.INTERVAL:
            log.error("The disk holding %s is full: %d change(s) refused with storage_full since the"
                      " last line (full for %.0f s); free space and phones send them again",
                      self.path, self.refused, time.time() - self.full_since)
            self.logged_at, self.refused = now, 0
        return CommandError("storage_full")

    def check(self) -> None:
        """Raise while the disk is full (for /healthz)."""
        if self.full_since is not None:
            raise OSError(errno.ENOSPC, f"storage_full: the disk holding {self.path} has been full"
                          f" for {time.time() - self.full_since:.0f} s; changes are refused")

    def saved(self) -> bool:
        """A commit went through: True when the disk had been full until now."""
        if self.full_since is None:
            return False
        log.warning("The disk holding %s has room again: changes are saved (it was full for %.0f s)",
                    self.path, time.time() - self.full_since)
        self.full_since, self.refused, self.logged_at = None, 0, float("-inf")
        return True
