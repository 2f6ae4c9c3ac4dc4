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

The worker is a green thread of the server's async mode (create_app hands in
`socketio.start_background_task`), so its locks, events, log lines and metrics are the event
loop's own kind. Only the PostgreSQL work leaves the loop where it must: psycopg waits
cooperatively under gevent, so the rewrite runs in the worker there; under eventlet it waits in C,
so create_app hands in eventlet's thread pool and the whole rewrite (its connection, its waits, the
VACUUM) runs on one operating-system thread that touches nothing of the loop's. Before, the worker
itself was such a thread under eventlet, and one that found a green lock taken (a metric's, the
log's: the loop's, held when the thread came to it) waited for a wake-up that can never cross
threads, holding this worker's lock: the next erasure then froze the whole server.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
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


def _os_sleep(seconds: float) -> None:
    """A pause of the operating-system thread it runs on (eventlet and gevent patch `time.sleep`
    into a pause of their event loop's, which an offloaded rewrite must not touch)."""
    if "eventlet" in sys.modules:
        import eventlet.patcher

        eventlet.patcher.original("time").sleep(seconds)
    elif "gevent" in sys.modules:
        import gevent.monkey

        gevent.monkey.get_original("time", "sleep")(seconds)
    else:
        time.sleep(seconds)


def _start_thread(work: Callable[[], None]) -> None:
    """Start `work` in a daemon thread (a green one when the process is monkey-patched)."""
    threading.Thread(target=work, name="vacuum", daemon=True).start()


class Vacuum:
    """The tables waiting for a rewrite, and the one worker that rewrites them."""

    def __init__(self, rewrite: Callable[[list[str], Callable[[float], None], Callable[[float], None]], Any]
                 ) -> None:
        # VACUUM (FULL) of these tables, pausing with the first function given and telling the second
        # how long its VACUUM statement took (the tables locked, or queuing for their locks);
        # raises when it could not.
        self.rewrite = rewrite
        # How the worker starts (a green thread: create_app hands in socketio.start_background_task),
        # and how the rewrite runs when psycopg cannot wait cooperatively (eventlet's tpool.execute),
        # or None: in the worker itself.
        self.spawn: Callable[[Callable[[], None]], Any] = _start_thread
        self.offload: Callable[..., Any] | None = None
        self._guard = threading.Lock()  # held for a few statements at a time, never across a wait
        self._wake = threading.Event()
        self._idle = threading.Event()  # nothing marked, nothing running
        self._idle.set()
        self._dirty: set[str] = set()
        self._running: list[str] = []  # the tables of the rewrite under way (or waiting its turn)
        self._due: float | None = None  # when the marked tables are rewritten (monotonic clock)
        self._started = False
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
            start, self._started = not self._started, True
        if start:
            self.spawn(self._work)
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
            if self.offload is None:
                self.rewrite(tables, time.sleep, locked.append)  # green when patched
            else:  # an OS thread: its pauses are the OS's, `locked.append` touches no lock
                self.offload(self.rewrite, tables, _os_sleep, locked.append)
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
