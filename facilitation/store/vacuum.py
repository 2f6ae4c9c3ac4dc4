"""PostgreSQL's rewrite of the tables an erasure left text in, in the background.

A deleted or updated row stays in its table's file until `VACUUM (FULL)` writes the table anew, and
that holds the table exclusively for every host (0.76 s for 200,000 events at load 7). So an erasure
only marks its tables; one worker per process rewrites them soon after: SETTLE seconds after the
first mark, so that a burst of deletions costs one rewrite, and not within SPACING seconds of the
last rewrite's end, so that participants editing all evening hold the tables a bounded share of
the time; at once for a workshop's erasure (many rows, and an organiser who expects it gone);
never before a failure's back-off ends. At most one rewrite runs at a time in a process (and
in the database: postgres.py's `vacuum_tables` takes an advisory lock first). A rewrite that
fails (PostgreSQL down, a lock not free within its wait) leaves its tables marked and is tried again
later, logged once per outage; the worker never stops. What is still marked when the process ends
without `flush` (kill -9, a power cut) stays in dead rows until the next erasure's rewrite.

The worker is a greenlet under gevent (psycopg waits cooperatively there), an operating-system
thread under eventlet (psycopg waits in C: a green thread would hold the event loop for the whole
rewrite), and a thread otherwise.
"""

from __future__ import annotations

import logging
import sys
import time
import types
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

SETTLE = 2.0  # seconds erasures gather before one rewrite covers them all
# Seconds between a rewrite's end and the next (a workshop's erasure excepted): with every idea
# edit an erasure, a rewrite of 1.9 s (200,000 events, load 6) would otherwise come every 4 s and
# hold ideas and events, every workshop's posting, half the time; at 10 s, at most a sixth.
SPACING = 10.0
RETRY = 2.0  # seconds before the first retry after a failure; doubled each time, up to RETRY_MAX
RETRY_MAX = 60.0


def _threads() -> types.ModuleType:
    """The threading module whose threads suit psycopg here: the operating system's under eventlet,
    else the current one (green under gevent)."""
    if "eventlet" in sys.modules:
        import eventlet.patcher

        if eventlet.patcher.is_monkey_patched("thread"):
            return eventlet.patcher.original("threading")  # type: ignore[no-any-return]
    import threading

    return threading


class Vacuum:
    """The tables waiting for a rewrite, and the one worker that rewrites them."""

    def __init__(self, rewrite: Callable[[list[str], Callable[[float], None], Callable[[float], None]], Any]
                 ) -> None:
        # VACUUM (FULL) of these tables, pausing with the first function given and telling the second
        # how long its VACUUM statement took (the tables locked, or queuing for their locks);
        # raises when it could not.
        self.rewrite = rewrite
        threads = _threads()
        self._threads = threads
        self._nap = threads.Event()  # never set: waiting on it is a pause of this worker's kind
        self._guard = threads.Lock()  # held for a few statements at a time, never across a wait
        self._wake = threads.Event()
        self._idle = threads.Event()  # nothing marked, nothing running
        self._idle.set()
        self._dirty: set[str] = set()
        self._running: list[str] = []  # the tables of the rewrite under way (or waiting its turn)
        self._due: float | None = None  # when the marked tables are rewritten (monotonic clock)
        self._worker: Any = None
        self._closed = False
        self._failures = 0  # in a row: the outage is logged once, and retries back off
        self._not_before = 0.0  # no rewrite before this: SPACING after one, a back-off after a failure
        self._urgent = False  # a workshop's erasure (or a flush) is marked: it waits for no SPACING
        # metrics.py's hooks: a run's outcome ("done" or "failed") and the seconds its VACUUM
        # statement took (0 when it never got that far); the tables now waiting.
        self.on_run: Callable[[str, float], None] = lambda outcome, seconds: None
        self.on_pending: Callable[[int], None] = lambda tables: None

    def erased(self, tables: Iterable[str], at_once: bool = False) -> None:
        """Mark tables that held erased text: rewritten within SETTLE seconds (or `at_once`)."""
        with self._guard:
            if self._closed:
                return
            self._dirty.update(tables)
            due = time.monotonic() + (0.0 if at_once else SETTLE)
            self._urgent |= at_once
            if self._failures or not self._urgent:  # a back-off holds even for a workshop's erasure
                due = max(due, self._not_before)
            self._due = due if self._due is None else min(self._due, due)
            self._idle.clear()
            self.on_pending(len(self._dirty))  # under the guard: the gauge's values keep their order
            if self._worker is None:
                self._worker = self._threads.Thread(target=self._work, name="vacuum", daemon=True)
                self._worker.start()
        self._wake.set()

    @property
    def pending(self) -> list[str]:
        """The tables marked and not rewritten yet (a rewrite running holds them no longer)."""
        with self._guard:
            return sorted(self._dirty)

    @property
    def unfinished(self) -> list[str]:
        """The tables marked or in the rewrite under way: what a process ending now leaves behind."""
        with self._guard:
            return sorted(self._dirty.union(self._running))

    def wait(self, timeout: float) -> bool:
        """Whether every marked table was rewritten (and none is being) within `timeout` seconds."""
        return bool(self._idle.wait(timeout))

    def flush(self, timeout: float) -> bool:
        """Rewrite what is marked now, not after SETTLE or SPACING; wait at most `timeout` seconds."""
        with self._guard:
            if self._dirty:
                self._due, self._urgent = time.monotonic(), True
        self._wake.set()
        return self.wait(timeout)

    def close(self) -> None:
        """Stop the worker after its current rewrite; what is still marked stays so."""
        with self._guard:
            self._closed = True
        self._wake.set()

    def _work(self) -> None:
        """Sleep until tables are due, rewrite them, and again; never end on an error."""
        while True:
            with self._guard:
                if self._closed:
                    return
                wait = None if self._due is None else self._due - time.monotonic()
                if wait is not None and wait <= 0:
                    tables, self._dirty, self._due = sorted(self._dirty), set(), None
                    self._urgent = False
                    self._running = tables
            if wait is None or wait > 0:
                self._wake.wait(wait)
                self._wake.clear()  # a mark after this sets it again, and is read above
                continue
            self._run(tables)

    def _run(self, tables: list[str]) -> None:
        """One rewrite; on failure its tables are marked again, due after a growing pause."""
        locked: list[float] = []  # not the waits before: others' statements go on meanwhile
        try:
            self.rewrite(tables, self._nap.wait, locked.append)
        except Exception as error:  # PostgreSQL down, a lock not free, the connection lost
            with self._guard:
                self._failures += 1
            if self._failures == 1:
                log.warning("VACUUM (FULL) of %s failed (%s): erased text stays in their files until"
                            " it succeeds; trying again in the background", ", ".join(tables), error)
            pause = min(RETRY * 2 ** (self._failures - 1), RETRY_MAX)
            self.on_run("failed", sum(locked))
            with self._guard:
                self._dirty.update(tables)
                self._running = []
                self._not_before = time.monotonic() + pause  # erasures meanwhile wait for it too
                self._due = self._not_before
                self.on_pending(len(self._dirty))
            return
        if self._failures:
            log.warning("VACUUM (FULL) of %s done after %d failed tries", ", ".join(tables),
                        self._failures)
        with self._guard:
            self._failures = 0
        self.on_run("done", sum(locked))  # counted before a waiter hears of it
        with self._guard:
            self._running = []
            self._not_before = time.monotonic() + SPACING
            if self._due is not None and not self._urgent:  # marked during the rewrite
                self._due = max(self._due, self._not_before)
            self.on_pending(len(self._dirty))
            if not self._dirty:
                self._idle.set()
