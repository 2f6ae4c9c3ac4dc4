"""The store on PostgreSQL: a connection that answers the part of sqlite-utils' `Database` the store
uses, so every concern runs the same code on either backend.

The store's SQL is SQLite's; `translate` rewrites the few places where PostgreSQL differs (`?`
parameters, `[name]` quoting, JSON paths, `INSERT OR IGNORE`, `IS [NOT] ?`, two-argument `max`,
`rowid`) once per statement text and keeps the result. Booleans are stored as integers on both, so
`hidden = 0` means the same everywhere.

A change's transaction takes one advisory lock first (as SQLite's `BEGIN IMMEDIATE` takes its
write lock): changes from every host are serialised, so a workshop's `seq` rises by exactly one
per fact in commit order, a budget checked inside a change holds, and no two hosts can deadlock.
The core's group commit still lets one COMMIT (one WAL flush) carry every change that was ready.
psycopg 3 waits on its socket through gevent when gevent has patched the process (psycopg >= 3.1.14),
so a query never stalls the event loop; under eventlet it blocks the loop for its round trip (the
background rewrite excepted: vacuum.py runs it in eventlet's thread pool).
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.numeric import IntDumper

from .core import is_postgres

WRITE_LOCK = 0x1DEA  # the advisory lock every change takes first (an arbitrary, fixed number)
REWRITE_LOCK = 0x1DEB  # held by the one VACUUM (FULL) running among all hosts of the database
# Seconds the background VACUUM (FULL) after an erasure waits for its table locks (behind a long
# export, say) before it tries again later; for another host's rewrite to end; for transactions
# older than the erasures to end (a stuck one is ended by the server after 10 s); for a connection.
LOCK_WAIT = 1
REWRITE_WAIT = 30
SNAPSHOT_WAIT = 15
CONNECT_WAIT = 10
POLL = 0.2  # seconds between looks at what the rewrite waits for
# A host that vanishes must not hold the write lock or REWRITE_LOCK for long: TCP keepalives on both
# ends notice a dead peer in about 11 s (the client's here, the server's by SET); the rewrite's
# looks end after LOOK_WAIT s, and the server ends its session when it sent nothing for IDLE_WAIT s.
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}
LOOK_WAIT = 5
IDLE_WAIT = 10
# Sessions of this database, of any role, whose snapshot or transaction is older than a transaction
# id: VACUUM keeps every row such a session may still see, erased text included. PostgreSQL shows
# every role's backend_xmin and backend_xid to every role, but another role's backend_type only to a
# superuser or a member of pg_read_all_stats (NULL otherwise, which `= 'client backend'` dropped: a
# pg_dump run as postgres went unseen by the plain role docs/deploy.md creates). An autovacuum
# worker (no user) counts too while it runs ANALYZE: that takes a snapshot, and VACUUM (FULL) kept
# what it may see (leaving them all out let an erased idea's text into the new files when an
# ANALYZE of a busy table, or of the catalogue, ran across the erasure). A worker in a plain VACUUM
# is left out (VACUUM ignores its snapshot): pg_stat_progress_vacuum lists it to every role, where
# its query is hidden from a plain one ("<insufficient privilege>"); a worker's ANALYZE is listed
# in pg_stat_progress_analyze instead, so it counts.
OLDER = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
         " AND pid <> pg_backend_pid()"
         " AND NOT (usesysid IS NULL AND pid IN (SELECT pid FROM pg_stat_progress_vacuum))"
         " AND (age(backend_xmin) > age(%s::xid) OR age(backend_xid) > age(%s::xid))")


DatabaseError = psycopg.Error  # what a failing PostgreSQL statement raises


class _BoolAsInt(IntDumper):
    """Python booleans go in as 0/1: the columns are integers on both backends."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


_QUOTED = re.compile(r"('(?:[^']|'')*')")


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """The statement in PostgreSQL's dialect (psycopg's `%s` parameters)."""
    parts = _QUOTED.split(sql)
    for i, part in enumerate(parts):
        parts[i] = part.replace("%", "%%")  # psycopg reads % everywhere, literals included
    for i in range(0, len(parts), 2):  # outside string literals only
        part = parts[i].replace("?", "%s")
        part = re.sub(r"\[(\w+)\]", r'"\1"', part)
        # SQLite's IS / IS NOT compare any two values, NULL included.
        part = re.sub(r"\bIS NOT (?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS DISTINCT FROM ", part)
        part = re.sub(r"\bIS (?!NULL\b|NOT\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS NOT DISTINCT FROM ", part)
        part = re.sub(r"\bmax\((\w+), %s\)", r"greatest(\1, %s)", part)
        part = re.sub(r"\browid\b", "ctid", part)
        parts[i] = part
    sql = "".join(parts)
    sql = re.sub(r"json_extract\((\w+), '\$\.(\w+)\.(\w+)'\)", r"((\1::jsonb #>> '{\2,\3}')::bigint)", sql)
    sql = re.sub(r"json_set\((\w+), '\$\.(\w+)\.(\w+)', ''\)",
                 r"""jsonb_set(\1::jsonb, '{\2,\3}', '""')::text""", sql)
    sql = re.sub(r"json_set\((\w+), '\$\.(\w+)\.(\w+)', %s\)",
                 r"jsonb_set(\1::jsonb, '{\2,\3}', to_jsonb(%s::text))::text", sql)
    if sql.lstrip().upper().startswith("INSERT OR IGNORE"):
        sql = re.sub(r"(?i)INSERT OR IGNORE", "INSERT", sql, count=1)
        returning = re.search(r"(?i)\sRETURNING\s", sql)
        at = returning.start() if returning else len(sql)
        sql = sql[:at] + " ON CONFLICT DO NOTHING" + sql[at:]
    return sql


def rewrite(url: str, tables: Sequence[str], pause: Callable[[float], None],
            locked: Callable[[float], None] = lambda seconds: None) -> None:
    """VACUUM (FULL) the tables, on a connection of its own (VACUUM runs outside transactions).

    Plain VACUUM marks deleted rows' space for reuse but may leave their bytes in a page's free
    space; FULL writes each table (and its TOAST and indexes) into new files without them, holding
    an exclusive lock meanwhile. First, with no snapshot of its own held (`pause` between looks): it
    waits for another host's rewrite to end (one at a time among all hosts and worker processes,
    on an advisory lock, where nobody waits behind it), then for every transaction older than now
    (so older than the erasures) to end: VACUUM keeps a row any of them may still see, and would
    copy the erased text into the new files. Raises when it waited too long for either, or cannot
    have its table locks within LOCK_WAIT seconds (every statement on those tables queues behind
    it meanwhile): it is tried again later (vacuum.py). `locked` hears the seconds the VACUUM
    statement took, its wait for the locks included (the metrics' time the tables were held). Its looks end after LOOK_WAIT s, and a host
    lost meanwhile (powered off, its process frozen, its network gone) gives REWRITE_LOCK up within
    IDLE_WAIT s or the keepalives' 11 s (else the server kept the session, so the lock, for hours)."""
    names = ", ".join(f'"{table}"' for table in tables)
    with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_WAIT, **KEEPALIVES) as raw:
        idle = f"SET idle_session_timeout = '{IDLE_WAIT}s'; " if raw.info.server_version >= 140000 else ""
        raw.execute(f"{idle}SET statement_timeout = '{LOOK_WAIT}s';"
                    f" SET tcp_keepalives_idle = {KEEPALIVES['keepalives_idle']};"
                    f" SET tcp_keepalives_interval = {KEEPALIVES['keepalives_interval']};"
                    f" SET tcp_keepalives_count = {KEEPALIVES['keepalives_count']}")
        _wait(pause, REWRITE_WAIT, "another host's VACUUM (FULL) to end", lambda: bool(
            raw.execute("SELECT pg_try_advisory_lock(%s)", [REWRITE_LOCK]).fetchone()[0]))  # type: ignore[index]
        now = raw.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()
        horizon = str(int(now[0]) % 2**32)  # type: ignore[index]  # an xid8 as the 32-bit xid
        _wait(pause, SNAPSHOT_WAIT, "transactions older than the erasure to end", lambda: not (
            raw.execute(OLDER, [horizon, horizon]).fetchone()[0]))  # type: ignore[index]
        # The rewrite itself is not cut short: a big table takes what it takes, its locks held.
        raw.execute(f"SET lock_timeout = '{LOCK_WAIT}s'; SET statement_timeout = 0")
        started = time.monotonic()
        try:
            raw.execute(f"VACUUM (FULL) {names}")
        finally:
            locked(time.monotonic() - started)


def _wait(pause: Callable[[float], None], seconds: float, what: str, done: Callable[[], bool]) -> None:
    """Until `done()`, looking every POLL seconds; TimeoutError after `seconds`."""
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {what}")
        pause(POLL)


class Cursor:
    """The result of one statement, as sqlite3's cursor offers it to the store."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self._rows: list[Any] = cursor.fetchall() if cursor.description else []

    def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Inserted:
    """What `Table.insert` returns: the new row's id."""

    def __init__(self, last_pk: Any) -> None:
        self.last_pk = last_pk


class Table:
    """The few table operations the store and its tests use."""

    def __init__(self, db: PostgresDatabase, name: str) -> None:
        self.db, self.name = db, name

    def exists(self) -> bool:
        return bool(self.db.execute("SELECT to_regclass(?) IS NOT NULL", [self.name]).fetchone()[0])

    def insert(self, record: dict[str, Any]) -> Inserted:
        names = ", ".join(f'"{column}"' for column in record)
        marks = ", ".join("?" * len(record))
        returning = " RETURNING id" if self.name not in NO_ID else ""
        row = self.db.execute(f'INSERT INTO "{self.name}" ({names}) VALUES ({marks}){returning}',
                              list(record.values())).fetchone()
        return Inserted(row[0] if row else None)

    @property
    def count(self) -> int:
        return int(self.db.execute(f'SELECT count(*) FROM "{self.name}"').fetchone()[0])

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self.db.query(f'SELECT * FROM "{self.name}"')


NO_ID = {"events", "erasures", "settings", "_migrations"}  # tables without an `id` column


class Connection:
    """What the core calls on `db.conn`: commit, rollback, close, executemany."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if not self.db.raw.closed:
            self.db.execute("ROLLBACK")

    def close(self) -> None:
        self.db.hang_up()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.db.raw.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))

    @property
    def in_transaction(self) -> bool:
        return self.db.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


class PostgresDatabase:
    """One autocommit connection to PostgreSQL; the core begins and commits its own transactions."""

    blocking = False  # waits for the server cooperate with gevent: no thread needed for COMMIT

    def __init__(self, url: str) -> None:
        self.url = url
        self._attach(self._open())
        self.conn = Connection(self)
        self._savepoints = 0
        self.lock = threading.RLock()

    def _attach(self, raw: psycopg.Connection[Any]) -> None:
        """Use `raw`, closed when this object is collected if nobody closed it before.

        A store dropped without close() (a test's app, a script's) is cyclic garbage (`conn`
        points back here), and the collector calls its garbage's `__del__` methods in the order of
        its own lists, which a collection during a query can leave with the psycopg connection
        first: psycopg's `__del__` then found it open and warned (a flaky ResourceWarning in the
        PostgreSQL pass). A weakref callback runs before any `__del__` of the garbage, and holds the
        connection itself, so it is never part of that garbage."""
        self.raw = raw
        self._hang_up = weakref.finalize(self, raw.close)
        self._hang_up.atexit = False  # at exit a daemon thread may be in a query on it

    def hang_up(self) -> None:
        """Close the connection (again: nothing)."""
        self._hang_up()

    def _open(self) -> psycopg.Connection[Any]:
        # A host that vanishes mid-transaction must not hold the write lock for long: the server
        # ends an idle transaction after 10 s, and TCP keepalives notice a dead peer.
        raw = psycopg.connect(self.url, autocommit=True, **KEEPALIVES)
        try:
            raw.execute("SET idle_in_transaction_session_timeout = 10000")  # the URL's own options stay
            raw.adapters.register_dumper(bool, _BoolAsInt)
        except BaseException:  # a timeout or a killed greenlet here must not leave it open
            raw.close()
            raise
        return raw

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        """Run one statement (SQLite's dialect, translated); BEGIN IMMEDIATE takes the write lock."""
        if sql == "BEGIN IMMEDIATE":
            self._reopen_if_lost()
            self.raw.execute("BEGIN")
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            return Cursor(self.raw.execute("SELECT 1 WHERE false"))
        self._reopen_if_lost()
        return Cursor(self.raw.execute(translate(sql), params or []))

    def _reopen_if_lost(self) -> None:
        """After the server restarted (or the network dropped), start over on a new connection."""
        if self.raw.broken:  # lost, not closed on purpose (psycopg counts it closed)
            self._hang_up.detach()
            self._attach(self._open())

    def query(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[dict[str, Any]]:
        """Rows as dicts, like sqlite-utils' `Database.query`."""
        self._reopen_if_lost()  # the reads' connection too: else a host stays unhealthy for good
        with self.raw.cursor(row_factory=dict_row) as cursor:
            cursor.execute(translate(sql), params or [])
            rows = cursor.fetchall()
        return iter(rows)

    def vacuum_tables(self, tables: Sequence[str], pause: Callable[[float], None] = time.sleep,
                      locked: Callable[[float], None] = lambda seconds: None) -> None:
        """VACUUM (FULL) the tables: see `rewrite`."""
        rewrite(self.url, tables, pause, locked)

    def table(self, name: str) -> Table:
        return Table(self, name)

    def __getitem__(self, name: str) -> Table:
        return Table(self, name)

    @contextmanager
    def atomic(self) -> Iterator[PostgresDatabase]:
        """A savepoint inside the open transaction (or a transaction of its own outside one)."""
        if not self.conn.in_transaction:
            self.raw.execute("BEGIN")
            try:
                yield self
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()
            return
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        self.raw.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            if not self.raw.closed and self.conn.in_transaction:
                self.raw.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.raw.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self.raw.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._savepoints -= 1


__all__ = ["DatabaseError", "PostgresDatabase", "is_postgres", "translate"]
