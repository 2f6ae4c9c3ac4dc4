"""Which store the suite runs on, and fresh PostgreSQL databases for it.

`make test` runs the suite twice: on SQLite (the default), then with IDEA_FACTORY_TEST_STORE=postgresql
on PostgreSQL (IDEA_FACTORY_TEST_PG names the server, default the local one over its Unix socket).
Each test then gets a database of its own, copied from a migrated template: a copy costs a few
milliseconds where migrating would cost many.
"""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path
from typing import Any

STORE = os.environ.get("IDEA_FACTORY_TEST_STORE", "sqlite")
ON_POSTGRES = STORE == "postgresql"
SERVER = os.environ.get("IDEA_FACTORY_TEST_PG", "postgresql:///postgres")


def _url(database: str, schema: str | None = None) -> str:
    base, _, _ = SERVER.rpartition("/")
    # Each test's tables live in a schema of their own; commits skip the disk flush (tests only).
    options = f"?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff" if schema else ""
    return f"{base}/{database}{options}"


class Databases:
    """One database for this test process, a schema in it per store, dropped at its end.

    Migrating a new schema costs about half a second on a busy two-core machine, emptying a used
    one a few milliseconds: a schema that a test is done with is emptied and used again."""

    def __init__(self) -> None:
        self.database = f"if_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.counter = itertools.count()
        self.created = False
        self.free: list[str] = []

    def new(self) -> str:
        """The URL of an empty, migrated schema of its own."""
        import psycopg

        if self.free:
            return self.free.pop()
        if not self.created:
            with psycopg.connect(SERVER, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.database}"')
            self.created = True
        schema = f"s{next(self.counter)}"
        with psycopg.connect(_url(self.database), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return _url(self.database, schema)

    def release(self, url: str | None) -> None:
        """Empty a schema whose store is closed and keep it for the next test (ids from 1 again)."""
        import psycopg

        if not url:
            return
        with psycopg.connect(url, autocommit=True) as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename != '_migrations'")]
            sequences = [row[0] for row in conn.execute(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")]
            conn.execute("SET session_replication_role = replica")  # no foreign-key checks
            for table in tables:
                conn.execute(f'DELETE FROM "{table}"')
            for sequence in sequences:
                conn.execute(f'ALTER SEQUENCE "{sequence}" RESTART')
        self.free.append(url)

    def drop_all(self) -> None:
        """Drop the database made here (servers still connected are disconnected)."""
        import psycopg

        if self.created:
            with psycopg.connect(SERVER, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self.created = False
        self.free.clear()


DATABASES = Databases()


def database_for(data_dir: Path) -> str:
    """Where a store over this data folder keeps its data on the backend under test."""
    return DATABASES.new() if ON_POSTGRES else str(data_dir / "facilitation.db")


def server_options() -> list[str]:
    """The app.py options that put a server on the backend under test (none for SQLite)."""
    return ["--database", DATABASES.new()] if ON_POSTGRES else []


def app_database() -> str | None:
    """The DATABASE setting of an app under test: None (SQLite in its data folder), or on the
    PostgreSQL pass a schema of its own (never reused: a coalesced signal may still read it).
    The fixtures' apps close their connections after their test (conftest.py's `closed_after`)."""
    return DATABASES.new() if ON_POSTGRES else None


def scrub_plan(db: Any) -> str:
    """How this database finds an idea's logged facts for an edit's scrub (store/rounds.py's
    SCRUB), as its EXPLAIN says: a table of a few rows is read whole whatever its indexes, so on
    PostgreSQL sequential scans are turned off for this session, leaving the best index."""
    from facilitation.store.rounds import SCRUB

    if hasattr(db, "raw"):
        db.execute("SET enable_seqscan = off")
        return "\n".join(row[0] for row in db.execute("EXPLAIN " + SCRUB, ["x", 1, 1]))
    return "\n".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + SCRUB, ["x", 1, 1]))
