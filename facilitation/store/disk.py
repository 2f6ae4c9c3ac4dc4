"""A full disk under the database: the refusal every change gets, told to the log every few seconds."""

from __future__ import annotations

import errno
import logging
import os
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
    ROOM = 1 << 20  # bytes: less free space than this is a full disk (SQLite's log grows by pages)

    def __init__(self, path: str) -> None:
        self.path = path
        self.full_since: float | None = None  # time.time() of the first refusal
        self.refused = 0  # since the last log line
        self.logged_at = float("-inf")

    def local(self) -> bool:
        """Whether the database is a file on this machine's disk (not in memory, not a server)."""
        return self.path != ":memory:"

    def no_room(self) -> bool:
        """Whether the disk holding the database has less than ROOM bytes left."""
        try:
            stat = os.statvfs(os.path.dirname(os.path.abspath(self.path)))
        except OSError:
            return False
        return stat.f_bavail * stat.f_frsize < self.ROOM

    def refusal(self, error: BaseException) -> CommandError | None:
        """`storage_full` for a full disk (counted and logged now and then), else None. SQLite
        says SQLITE_FULL for most writes, but an I/O error when the shared-memory index cannot
        grow, and Python's sqlite3 sometimes raises SystemError from a failed COMMIT: on a disk
        without room, those are the full disk too."""
        if not is_full(error) and not (isinstance(error, (sqlite3.Error, SystemError, OSError))
                                       and self.path != ":memory:" and self.no_room()):
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
        """Raise while the disk is full (for /healthz). A database file's disk counts as full only
        while it still lacks room: a balancer that took the host out for it sends no change that
        could commit, so the host must look healthy again as soon as space is freed."""
        if self.full_since is not None and not (self.local() and not self.no_room()):
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
