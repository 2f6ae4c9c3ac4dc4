"""Workshops, participants, ideas and the event log: the core reads and writes.

Threading model: one SQLite connection per process, guarded by one lock; several worker processes
share the file, each write transaction taking SQLite's write lock at BEGIN (busy timeout 10 s). Under eventlet or gevent the
lock is a green lock (the standard library is monkey-patched before this module is imported), and
each call is a short blocking C call that holds the single OS thread for its duration, so calls are
serialised anyway; under the threading mode the lock is what serialises them. Writes use WAL with
`synchronous=FULL`, so a change acknowledged after its commit survives `kill -9` and a power cut.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..flow import Timer
from ..facts import (
    OWN, OWN_TYPES, Fact, IdeaApproved, IdeaHidden, IdeaPosted, IdeaQueued, IdeaShown, PostingClosed,
    PostingOpened, from_log,
)
from ..errors import CommandError
from ..model import MAX_IDEAS, Idea, Participant, Workshop, hash_token, new_code, new_token
from . import streams
from .disk import Disk
from .schema import migrations
from .vacuum import Vacuum

# Participants who are people: not the stand-in that ideas collected on paper are imported as.
log = logging.getLogger(__name__)
PEOPLE = "AND token_hash NOT LIKE 'paper:%'"
# The tables whose rows erasing a workshop deletes (written anew on PostgreSQL afterwards).
ERASE_TABLES = ("ideas", "events", "votes", "participants", "clusters", "tables", "prompts", "workshops",
                "answers", "background_questions", "background_options", "background_answers", "merged_dots")
BUSY_TIMEOUT = 10.0
WAL_KEEP = 1 << 20  # bytes of write-ahead log kept for reuse after a checkpoint


def is_postgres(database: object) -> bool:
    """Whether a --database value names a PostgreSQL server rather than a SQLite file."""
    return isinstance(database, str) and database.startswith(("postgresql://", "postgres://"))


def now_ms() -> int:
    """The current time in milliseconds since the epoch, as timers and screens count it."""
    return int(time.time() * 1000)


def now() -> str:
    """The current time as ISO 8601 UTC with milliseconds, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def connect(database: Path | str) -> Database:
    """Open (creating if needed) the live database and bring its schema up to date: a SQLite file
    (WAL, foreign keys, durable commits) or a `postgresql://` URL."""
    if is_postgres(database):
        from . import postgres_schema
        from .postgres import PostgresDatabase

        pg = PostgresDatabase(str(database))
        try:
            postgres_schema.apply(pg)
        except BaseException:  # a store nobody gets hangs up now, not when it is collected
            pg.hang_up()
            raise
        return pg  # type: ignore[return-value]  # answers the part of Database the store uses
    path = database
    # timeout: how long a write waits for another process's transaction (SQLite's busy timeout).
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT)
    db = Database(conn)
    db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = FULL")
    # Erased workshops (GDPR) leave no readable remains in free pages of the file.
    db.execute("PRAGMA secure_delete = ON")
    # A checkpoint that empties the log also gives its space back beyond 1 MiB (SQLite keeps the
    # whole ~4 MB otherwise): a disk that filled up has room again once the log is copied home.
    db.execute(f"PRAGMA journal_size_limit = {WAL_KEEP}")
    migrations.apply(db)
    return db


def _path(db: Database) -> str:
    """The file of the main database ("" in memory); a PostgreSQL database's URL."""
    if is_postgres(getattr(db, "url", None)):
        return str(db.url)  # type: ignore[attr-defined]
    return str(next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), ""))


def reader(db: Database) -> Database:
    """A second connection to the same database, for reads; the same one for a database in memory."""
    if is_postgres(getattr(db, "url", None)):
        from .postgres import PostgresDatabase

        return PostgresDatabase(db.url)  # type: ignore[attr-defined,return-value]
    path = _path(db)
    if not path:
        return db
    conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT)
    conn.execute("PRAGMA query_only = ON")
    return Database(conn)


class _Group:
    """Changes committed by one COMMIT: how many, whether it happened, and what went wrong."""

    def __init__(self) -> None:
        self.members = 0
        self.done = threading.Event()
        self.error: Exception | None = None
        self.logged: list[tuple[int, int]] = []  # (workshop id, seq) of its facts


class Turns:
    """The facts this process logged and has not sent yet, per workshop, so they leave in seq order:
    the changes of one group commit wake together, and would otherwise race to the sockets (a
    screen then sees a gap and syncs). Facts of other processes are not waited for.

    Each workshop's unsent numbers are kept in rising order (one process logs a workshop's facts in
    the order of its seq), so a fact's turn, its sending and a batch of thousands (a merge telling
    every voter) cost a constant each, not a scan of every fact still unsent."""

    WAIT = 0.2  # at most this long for an earlier fact that is never sent (a demo's, a script's)

    def __init__(self) -> None:
        self.unsent: dict[int, deque[int]] = {}
        self.changed = threading.Condition()

    def logged(self, workshop_id: int, seq: int) -> None:
        """A fact was logged here; it will be sent (or dropped)."""
        with self.changed:
            unsent = self.unsent.setdefault(workshop_id, deque())
            if unsent and seq <= unsent[-1]:  # out of order (never in practice): keep them sorted
                self.unsent[workshop_id] = deque(sorted({*unsent, seq}))
            else:
                unsent.append(seq)

    def wait(self, workshop_id: int, seq: int) -> None:
        """Until every earlier fact of this workshop logged here was sent (or WAIT passed)."""
        with self.changed:
            self.changed.wait_for(lambda: self._first(workshop_id, seq) >= seq, self.WAIT)

    def _first(self, workshop_id: int, seq: int) -> int:
        unsent = self.unsent.get(workshop_id)
        return unsent[0] if unsent else seq

    def sent(self, workshop_id: int, seq: int) -> None:
        """`seq` left (or, after a wait in vain, will); earlier ones are no longer waited for."""
        with self.changed:
            unsent = self.unsent.get(workshop_id)
            while unsent and unsent[0] <= seq:
                unsent.popleft()
            if not unsent:
                self.unsent.pop(workshop_id, None)
            self.changed.notify_all()

    def dropped(self, logged: list[tuple[int, int]]) -> None:
        """Facts rolled back: nothing will send them."""
        with self.changed:
            gone: dict[int, set[int]] = {}
            for workshop_id, seq in logged:
                gone.setdefault(workshop_id, set()).add(seq)
            for workshop_id, seqs in gone.items():
                kept = [n for n in self.unsent.get(workshop_id, ()) if n not in seqs]
                if kept:
                    self.unsent[workshop_id] = deque(kept)
                else:
                    self.unsent.pop(workshop_id, None)
            self.changed.notify_all()


def _workshop(row: dict[str, Any]) -> Workshop:
    return Workshop(id=row["id"], code=row["code"], title=row["title"], prompt=row["prompt"],
                    posting_open=bool(row["posting_open"]), seq=row["seq"],
                    created_at=row["created_at"], phase=row["phase"], dots=row["dots"],
                    max_per_item=row["max_per_item"], vote_on=row["vote_on"], timer_ends_at=row["timer_ends_at"],
                    timer_remaining_ms=row["timer_remaining_ms"],
                    timer_running=bool(row["timer_running"]),
                    active_prompt_id=row["active_prompt_id"], names=row["names"],
                    pre_moderation=bool(row["pre_moderation"]), idea_cap=row["idea_cap"],
                    table_mode=bool(row["table_mode"]), language=row["language"],
                    themes_on_wall=bool(row["themes_on_wall"]),
                    phones_see_ideas=bool(row["phones_see_ideas"]), wall_paused=bool(row["wall_paused"]),
                    vote_closed_to_newcomers=bool(row["vote_closed_to_newcomers"]),
                    frame=row["frame"], outcome_public=bool(row["outcome_public"]))


def idea_from_row(row: dict[str, Any]) -> Idea:
    """An Idea from a row of the ideas table."""
    return Idea(id=row["id"], text=row["text"], hidden=bool(row["hidden"]),
                created_at=row["created_at"], cluster_id=row["cluster_id"],
                duplicate_of=row["duplicate_of"], prompt_id=row["prompt_id"],
                table_id=row["table_id"], author=row["author"], pending=bool(row["pending"]))


class CoreStore:
    """Workshops, participants, ideas, the event log and snapshots, through one connection and one lock."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.RLock()
        self._depth = 0  # transactions open in the body now running (it holds the lock)
        self._group: _Group | None = None  # the write transaction changes are joining
        self._logged: list[tuple[int, int]] = []  # (workshop id, seq) of the body now running
        self.turns = Turns()
        # How COMMIT runs: app.py hands in its async mode's thread pool, so the event loop keeps
        # serving (and other writers keep joining the next group) while the disk syncs.
        self.run_commit: Callable[..., Any] = lambda function, *args: function(*args)
        # How SQLite's other disk work (copying the log into the file) runs: the same pool, untimed.
        self.run_blocking: Callable[..., Any] = lambda function, *args: function(*args)
        self.max_ideas = MAX_IDEAS  # per workshop; app.py's --max-ideas sets it
        # Whether a query holds the OS thread (SQLite) or waits cooperatively (psycopg under gevent).
        self.blocking: bool = getattr(db, "blocking", True)
        if not is_postgres(getattr(db, "url", None)) and not db.table("workshops").exists():
            migrations.apply(db)
        # Reads outside a change use a connection of their own: they never wait for a commit
        # (the write lock is held while the disk syncs) and see committed data only.
        self.reader, self.read_lock = reader(db), threading.Lock()
        self.prober: Database | None = None  # PostgreSQL: /healthz's own connection, made when asked
        self.probe_lock = threading.Lock()
        self.local = threading.local()  # per thread, or per greenlet when patched: in a change?
        # One phone snapshot per workshop and seq: a hall of phones refreshing at once shares it.
        self.phone_snapshots: dict[int, tuple[int, dict[str, Any]]] = {}
        self.disk = Disk(_path(db) or ":memory:")
        # PostgreSQL: the tables erasures left text in, rewritten in the background.
        self.vacuum = None if self.blocking else Vacuum(db.vacuum_tables)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Close the connections (a database in memory is gone with them) and stop the background
        vacuum (what it has not rewritten yet stays marked: `vacuum.flush` first to have it done)."""
        if self.vacuum is not None:
            self.vacuum.close()
        if self.reader is not self.db:
            self.reader.conn.close()
        if self.prober is not None:
            self.prober.conn.close()
        self.db.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[Database]:
        """One change, durable before this returns; changes made meanwhile commit together.

        Group commit: a change runs as a savepoint inside the open write transaction (BEGIN
        IMMEDIATE: SQLite's write lock from the start, so with several worker processes a writer
        waits its turn and then sees the latest data); the first change of a group commits it once
        the others that were ready have joined, so a storm of votes or joins pays one disk sync
        per group, not one each. A change that fails is undone alone (its savepoint), unless SQLite
        undid the whole transaction (a full disk does): then every change of the group fails.
        Whatever happens, every change of a group gets its answer; a full disk is `storage_full`."""
        with self.lock:
            if self._depth:  # nested in a change of this body
                with self.db.atomic():
                    yield self.db
                return
            group = self._group
            if group is None:
                self._refusing(lambda: self.db.execute("BEGIN IMMEDIATE"))
                group = self._group = _Group()
            self._depth, self._logged = 1, []
            self.local.writing = True
            try:
                with self.db.atomic():  # a savepoint
                    yield self.db
            except BaseException as error:
                self.turns.dropped(self._logged)
                refusal = self.disk.refusal(error) if isinstance(error, Exception) else None
                if group.members == 0 or not self.db.conn.in_transaction:
                    self._abandon(group, refusal or RuntimeError(
                        f"the transaction was undone by another change's failure: {error!r}"))
                if refusal is not None:
                    raise refusal from error
                raise
            finally:
                self._depth = 0
                self.local.writing = False
            group.logged += self._logged
            group.members += 1
            leader = group.members == 1
        if leader:
            self._commit(group)
        group.done.wait()
        if group.error is not None:
            raise group.error

    def _refusing(self, step: Callable[[], Any]) -> Any:
        """Run `step`; a full disk raises `storage_full` instead of SQLite's error."""
        try:
            return step()
        except Exception as error:
            refusal = self.disk.refusal(error)
            if refusal is not None:
                raise refusal from error
            raise

    def _abandon(self, group: _Group, error: Exception) -> None:
        """The open transaction is lost (undone by SQLite, or this change's alone): roll back what is
        left, and fail with `error` the changes that had joined it. Call with the lock held."""
        if self._group is group:
            self._group = None
        self._rollback()
        if group.members and group.error is None:
            group.error = error
            self.turns.dropped(group.logged)

    def _rollback(self) -> None:
        try:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
        except Exception:  # sqlite3's or psycopg's
            log.exception("rollback failed")  # the connection undoes it when it is next used

    def _commit(self, group: _Group) -> None:
        """Let the changes that are ready join, then commit the group and wake its members."""
        time.sleep(0)  # a green yield under eventlet/gevent: writers already waiting join first
        try:
            with self.lock:
                if self._group is group:
                    self._group = None
                if group.error is not None:  # abandoned meanwhile: nothing of it is left
                    return
                try:
                    self.run_commit(self.db.conn.commit)
                except Exception as error:  # a full disk: every change of the group is refused
                    group.error = self.disk.refusal(error) or error
                    self._rollback()
                    self.turns.dropped(group.logged)
                    return
                if self.disk.saved() and self.blocking:  # room again: SQLite gives the log's space back
                    self._give_back_log()
        finally:
            group.done.set()  # never leave a waiter behind, whatever went wrong above

    def _give_back_log(self) -> None:
        """Copy the write-ahead log into the database and truncate it, if no reader holds it now."""
        try:
            self.run_blocking(self._wal_checkpoint)
        except sqlite3.Error as error:
            log.warning("could not empty the write-ahead log after the disk was full: %s", error)

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        if getattr(self.local, "writing", False) or self.reader is self.db:
            with self.lock:  # inside a change: what it wrote so far included
                return [dict(row) for row in self.db.query(sql, params)]
        with self.read_lock:
            return [dict(row) for row in self.reader.query(sql, params)]

    def _append(self, workshop_id: int, fact: Fact, actor: str | None) -> Fact:
        """Advance the workshop's sequence and log the fact; call inside a transaction."""
        if fact.audience == OWN:
            return self._append_all(workshop_id, [fact], actor)[0]
        seq, shown, hidden_to = self.db.execute(
            "UPDATE workshops SET seq = seq + 1 WHERE id = ? RETURNING seq, shown_seq, hidden_to", [workshop_id]
        ).fetchone()
        # The fact screens received before this one: the one before it, or, right after a run of
        # participants' own facts (which screens never receive), the one before that run.
        prev = shown if hidden_to == seq - 1 else seq - 1
        phones = streams.route(self.db, workshop_id, fact, actor)
        self._logged.append((workshop_id, seq))
        self.turns.logged(workshop_id, seq)
        self.db.table("events").insert({
            "workshop_id": workshop_id, "seq": seq, "type": fact.type,
            "payload": json.dumps(fact.payload, ensure_ascii=False), "actor": actor,
            "created_at": now(), **streams.columns(phones),
        })
        return fact.numbered(seq, phones, workshop_id, prev)

    def _append_all(self, workshop_id: int, facts: Sequence[Fact], actor: str | None) -> list[Fact]:
        """`_append` for many facts at once: one advance of the sequence, their phone routes in one
        pass (streams.route_all) and one INSERT for all of them, so a change that tells thousands of
        phones (dots.py) stays short; call inside a transaction."""
        if not facts:
            return []
        if any(fact.audience != OWN for fact in facts):  # facts screens receive: numbered one by one
            return [self._append(workshop_id, fact, actor) for fact in facts]
        # Participants' own facts: screens skip their numbers (m019_screen_seq, _append).
        last = self.db.execute("UPDATE workshops SET seq = seq + ?, hidden_to = seq + ?, shown_seq ="
                               " CASE WHEN hidden_to = seq THEN shown_seq ELSE seq END WHERE id = ?"
                               " RETURNING seq", [len(facts), len(facts), workshop_id]).fetchone()[0]
        created, logged, rows = now(), [], []
        routes = streams.route_all(self.db, workshop_id, facts, actor)
        for seq, fact, phones in zip(range(last - len(facts) + 1, last + 1), facts, routes):
            self._logged.append((workshop_id, seq))
            self.turns.logged(workshop_id, seq)
            rows.append([workshop_id, seq, fact.type, json.dumps(fact.payload, ensure_ascii=False), actor,
                         created, *streams.columns(phones).values()])
            logged.append(fact.numbered(seq, phones, workshop_id))
        names = ["workshop_id", "seq", "type", "payload", "actor", "created_at", *streams.columns(None)]
        # One statement for every row: SQLite steps it per row, psycopg sends the rows in a pipeline.
        self.db.conn.executemany(f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                 rows)
        return logged

    # Workshops

    def create_workshop(self, title: str, prompt: str, language: str = "da") -> tuple[Workshop, str]:
        """Create a workshop under a fresh join code; return it and its facilitator token."""
        token = new_token()
        with self._transaction() as db:
            code = new_code()
            while db.execute("SELECT 1 FROM workshops WHERE code = ?", [code]).fetchone():
                code = new_code()
            created = now()
            workshop_id = db.table("workshops").insert({
                "code": code, "title": title, "prompt": prompt,
                "facilitator_token_hash": hash_token(token), "posting_open": 1, "seq": 0,
                "created_at": created, "language": language,
            }).last_pk
            prompt_id = db.table("prompts").insert({
                "workshop_id": workshop_id, "text": prompt, "position": 0, "created_at": created,
            }).last_pk
            db.execute("UPDATE workshops SET active_prompt_id = ? WHERE id = ?",
                       [prompt_id, workshop_id])
        workshop = self.get_workshop(code)
        assert workshop is not None
        return workshop, token

    def get_workshop(self, code: str) -> Workshop | None:
        """The workshop with this canonical join code, if any."""
        rows = self._rows("SELECT * FROM workshops WHERE code = ?", (code,))
        return _workshop(rows[0]) if rows else None

    def is_facilitator(self, workshop: Workshop, token: object) -> bool:
        """Whether token is this workshop's facilitator token, compared in constant time."""
        if not isinstance(token, str) or not token:
            return False
        rows = self._rows("SELECT facilitator_token_hash FROM workshops WHERE id = ?",
                          (workshop.id,))
        return bool(rows) and hmac.compare_digest(rows[0]["facilitator_token_hash"],
                                                  hash_token(token))

    def set_posting(self, workshop_id: int, open_: bool) -> Fact | None:
        """Open or close posting; None when it already was so."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE workshops SET posting_open = ? WHERE id = ? AND posting_open != ?",
                [int(open_), workshop_id, int(open_)],
            ).rowcount
            if not changed:
                return None
            return self._append(workshop_id, PostingOpened() if open_ else PostingClosed(),
                                "facilitator")

    # Participants

    def join(self, workshop_id: int, token: object, limit: int, device: str | None = None,
             admit: Callable[[], None] = lambda: None) -> tuple[Participant, str, bool]:
        """Recognise a returning participant by token, else by device, or register a new one (True
        when new) once `admit()` lets it in (it raises to refuse).

        Arrivals are not facts with a seq: a hall scanning the QR code at once would otherwise
        send every phone every other phone's arrival. The participants table records them.
        """
        if isinstance(token, str) and token:
            rows = self._rows(
                "SELECT * FROM participants WHERE token_hash = ? AND workshop_id = ?",
                (hash_token(token), workshop_id),
            )
            if rows:
                row = rows[0]
                return Participant(row["id"], workshop_id, row["created_at"]), token, False
        token = new_token()
        device_hash = hash_token(device) if device else None
        with self._transaction() as db:
            if device_hash is not None:
                row = db.execute("SELECT id, created_at FROM participants WHERE workshop_id = ?"
                                 " AND device_hash = ? ORDER BY id LIMIT 1",
                                 [workshop_id, device_hash]).fetchone()
                if row:  # the same browser without its token (storage cleared, a private tab)
                    db.execute("UPDATE participants SET token_hash = ? WHERE id = ?",
                               [hash_token(token), row[0]])
                    return Participant(row[0], workshop_id, row[1]), token, False
            if self._count(workshop_id, "participants") >= limit:
                raise CommandError("full")
            admit()
            created = now()
            pid = db.table("participants").insert({
                "workshop_id": workshop_id, "token_hash": hash_token(token), "created_at": created,
                "device_hash": device_hash,
            }).last_pk
        return Participant(int(pid or 0), workshop_id, created), token, True

    def participant_count(self, workshop_id: int) -> int:
        """How many participants have joined the workshop."""
        return int(self.presence(workshop_id)["participant_count"])

    def presence(self, workshop_id: int) -> dict[str, Any]:
        """How many participants have joined, in all and per table (a table wall counts its own),
        and how many newcomers are held since when (docs/security.md)."""
        with self.lock:
            rows = self.db.execute(f"SELECT table_id, count(*) FROM participants WHERE workshop_id = ?"
                                   f" {PEOPLE} GROUP BY table_id", [workshop_id]).fetchall()
            held = self.db.execute("SELECT count(*), min(created_at) FROM participants"
                                   " WHERE workshop_id = ? AND held = 1", [workshop_id]).fetchone()
        return {"participant_count": sum(r[1] for r in rows),
                "participants_by_table": {str(r[0]): r[1] for r in rows if r[0] is not None},
                "newcomers_held": held[0], "newcomers_since": held[1]}

    def _count(self, workshop_id: int, table: str, where: str = "") -> int:
        sql = f"SELECT count(*) FROM [{table}] WHERE workshop_id = ? {where}"
        return int(self.db.execute(sql, [workshop_id]).fetchone()[0])

    # Ideas

    def idea_by_client_id(self, participant_id: int, client_id: str) -> Idea | None:
        """The idea a participant already sent under this client_id, if any."""
        rows = self._rows("SELECT * FROM ideas WHERE participant_id = ? AND client_id = ?",
                          (participant_id, client_id))
        return idea_from_row(rows[0]) if rows else None

    def post_idea(self, workshop_id: int, participant_id: int, client_id: str, text: str,
                  **placement: Any) -> tuple[Idea, Fact | None]:
        """Store an idea and its fact in one transaction; a repeated client_id returns the first.

        `placement` may give prompt_id, table_id, author and pending (pre-moderation: the fact is
        then `idea_queued`, which only facilitators receive in full).
        """
        with self._transaction() as db:
            existing = self.idea_by_client_id(participant_id, client_id)
            if existing is not None:
                return existing, None
            idea_id = db.table("ideas").insert({
                "workshop_id": workshop_id, "participant_id": participant_id,
                "client_id": client_id, "text": text, "hidden": 0, "created_at": now(),
                "prompt_id": placement.get("prompt_id"), "table_id": placement.get("table_id"),
                "author": placement.get("author"), "pending": int(bool(placement.get("pending"))),
            }).last_pk
            idea = idea_from_row(next(db.query("SELECT * FROM ideas WHERE id = ?", [idea_id])))
            kind = IdeaQueued if idea.pending else IdeaPosted
            fact = self._append(workshop_id, kind(idea=idea.to_dict()), f"participant:{participant_id}")
        return idea, fact

    def get_idea(self, workshop_id: int, idea_id: int) -> Idea | None:
        """One idea of this workshop, hidden or not."""
        rows = self._rows("SELECT * FROM ideas WHERE id = ? AND workshop_id = ?",
                          (idea_id, workshop_id))
        return idea_from_row(rows[0]) if rows else None

    def set_hidden(self, workshop_id: int, idea_id: int, hidden: bool) -> Fact | None:
        """Hide or show an idea; None when it already was so."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE ideas SET hidden = ? WHERE id = ? AND workshop_id = ? AND hidden != ?",
                [int(hidden), idea_id, workshop_id, int(hidden)],
            ).rowcount
            if not changed:
                return None
            if hidden:
                return self._append(workshop_id, IdeaHidden(idea_id=idea_id), "facilitator")
            return self._idea_fact(workshop_id, idea_id, IdeaShown, "facilitator")

    def approve_idea(self, workshop_id: int, idea_id: int) -> Fact | None:
        """Let a waiting idea onto the wall; None when it was not waiting."""
        with self._transaction() as db:
            if not db.execute("UPDATE ideas SET pending = 0 WHERE id = ? AND pending = 1",
                              [idea_id]).rowcount:
                return None
            return self._idea_fact(workshop_id, idea_id, IdeaApproved, "facilitator")

    def _idea_fact(self, workshop_id: int, idea_id: int, kind: Callable[..., Fact], actor: str) -> Fact:
        """Log a fact that carries the idea as the change now running left it."""
        idea = idea_from_row(next(self.db.query("SELECT * FROM ideas WHERE id = ?", [idea_id])))
        return self._append(workshop_id, kind(idea=idea.to_dict()), actor)

    def own_ideas(self, participant_id: int) -> list[Idea]:
        """The ideas one participant posted, oldest first, waiting or hidden ones included."""
        rows = self._rows("SELECT * FROM ideas WHERE participant_id = ? ORDER BY id",
                          (participant_id,))
        return [idea_from_row(row) for row in rows]

    # Reads for screens and resync

    def snapshot(self, workshop_id: int, include_hidden: bool) -> dict[str, Any]:
        """The whole visible state of a workshop at one sequence number."""
        with self.lock:
            row = next(self.db.query("SELECT * FROM workshops WHERE id = ?", [workshop_id]))
            workshop = _workshop(row)
            where = "" if include_hidden else "AND hidden = 0 AND pending = 0"
            ideas = [idea_from_row(r).to_dict() for r in self.db.query(
                f"SELECT * FROM ideas WHERE workshop_id = ? {where} ORDER BY id", [workshop_id])]
            counts = {
                **self.presence(workshop_id),
                "idea_count": self._count(workshop_id, "ideas", "AND hidden = 0 AND pending = 0"),
            }
            clusters = self._rows("SELECT id, label, position, prompt_id FROM clusters"
                                  " WHERE workshop_id = ? ORDER BY prompt_id, position, id", (workshop_id,))
            prompts = self._rows("SELECT id, text, position FROM prompts WHERE workshop_id = ?"
                                 " ORDER BY position, id", (workshop_id,))
            tables = self._rows("SELECT id, name, position FROM tables WHERE workshop_id = ?"
                                " ORDER BY position, id", (workshop_id,))
            outcome = self.outcome_snapshot(workshop_id)
        timer = Timer(workshop.timer_ends_at, workshop.timer_remaining_ms, workshop.timer_running)
        return {"workshop": {**workshop.to_dict(), **counts, "timer": timer.view(now_ms())},
                "prompts": prompts, "tables": tables, "clusters": clusters, **outcome, "ideas": ideas,
                "seq": workshop.seq}

    def outcome_snapshot(self, workshop_id: int) -> dict[str, Any]:
        """The answers and background questions every snapshot carries (written by outcome.py)."""
        return {"answers": self.answers(workshop_id), "background": self.background(workshop_id)}

    def answers(self, workshop_id: int) -> list[dict[str, Any]]:
        """Every answer to a theme or an idea of the workshop, oldest first."""
        return self._rows("SELECT id, cluster_id, idea_id, status, text, updated_at FROM answers"
                          " WHERE workshop_id = ? ORDER BY id", (workshop_id,))

    def background(self, workshop_id: int) -> list[dict[str, Any]]:
        """The background questions in order, each with its options (id, label, share)."""
        questions = self._rows("SELECT id, label FROM background_questions WHERE workshop_id = ?"
                               " ORDER BY position, id", (workshop_id,))
        options = self._rows("SELECT o.id, o.question_id, o.label, o.share FROM background_options o"
                             " JOIN background_questions q ON q.id = o.question_id"
                             " WHERE q.workshop_id = ? ORDER BY o.position, o.id", (workshop_id,))
        return [{**q, "options": [{"id": o["id"], "label": o["label"], "share": o["share"]}
                                  for o in options if o["question_id"] == q["id"]]}
                for q in questions]

    def facts_since(self, workshop_id: int, since: int, limit: int) -> list[Fact] | None:
        """The facts after seq `since` that walls and consoles receive, or None when more than
        `limit` (a snapshot is cheaper). A participant's own facts (OWN: its dots, its admission) are
        left out before the limit: a merge that told thousands of phones is no reason for a screen's
        snapshot.

        An idea in a logged fact is read as it is now, not as it was: a fact never reveals more
        than the idea's current state (hidden, waiting, edited or deleted) lets its reader see."""
        rows = self._rows(
            "SELECT seq, type, payload FROM events WHERE workshop_id = ? AND seq > ?"
            f" AND type NOT IN ({', '.join('?' * len(OWN_TYPES))}) ORDER BY seq LIMIT ?",
            (workshop_id, since, *OWN_TYPES, limit + 1),
        )
        if len(rows) > limit:
            return None
        facts = [from_log(r["type"], json.loads(r["payload"]), r["seq"]) for r in rows]
        return self._as_now(workshop_id, facts)

    def _as_now(self, workshop_id: int, facts: list[Fact]) -> list[Fact]:
        """The facts with each idea they carry replaced by its current row (a deleted one: hidden,
        without text)."""
        ids = {f.idea["id"] for f in facts if isinstance(getattr(f, "idea", None), dict)}  # type: ignore[attr-defined]
        if not ids:
            return facts
        marks = ", ".join("?" * len(ids))
        current = {row["id"]: idea_from_row(row).to_dict() for row in self._rows(
            f"SELECT * FROM ideas WHERE workshop_id = ? AND id IN ({marks})", (workshop_id, *ids))}
        result = []
        for fact in facts:
            idea = getattr(fact, "idea", None)
            if isinstance(idea, dict):
                now_ = current.get(idea["id"], {**idea, "text": "", "author": None, "hidden": True})
                fact = dataclasses.replace(fact, idea=now_)  # type: ignore[call-arg]
            result.append(fact)
        return result

    def health(self) -> None:
        """Raise if the store cannot answer a read now (/healthz): the file and its schema; or if
        the disk was full at the last commit (storage_full until one goes through). On PostgreSQL
        the read has a connection of its own: it asks whether the database answers, not how long
        this host's queue of reads is (a balancer that waits 3 s would take a busy host for dead
        and close all its connections)."""
        if self.blocking:
            self._rows("SELECT id FROM workshops LIMIT 1")
        else:
            with self.probe_lock:
                if self.prober is None:
                    self.prober = reader(self.db)
                list(self.prober.query("SELECT id FROM workshops LIMIT 1"))
        self.disk.check()

    def erased(self, tables: Sequence[str], at_once: bool = False) -> None:
        """After a change that erased text from these tables, make it leave the files. SQLite: the
        write-ahead log is copied into the database now (secure_delete has zeroed the text there).
        PostgreSQL: the tables are marked for the background VACUUM (FULL), which writes them anew
        without it soon after, never on this path (vacuum.py); `at_once` skips the gathering of
        further erasures first (a whole workshop's)."""
        if self.vacuum is not None:
            self.vacuum.erased(tables, at_once)
        else:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Copy SQLite's write-ahead log into the main file and empty it (PostgreSQL: nothing; it
        checkpoints its own log). It writes and syncs the file, as a commit does: off the event
        loop, through `run_blocking` (every participant's edit and deletion runs one)."""
        if not self.blocking:
            return
        for _ in range(100):
            with self.lock:
                busy = self.run_blocking(self._wal_checkpoint)
            if not busy:
                return
            time.sleep(0.02)  # another process is reading: let it finish, then try again

    def _wal_checkpoint(self) -> int:
        """One TRUNCATE checkpoint of SQLite's log: 1 when a reader kept it from finishing."""
        return int(self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])

    # Export

    def export_rows(self, workshop_id: int | None,
                    columns: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
        """The listed columns of every row of one workshop (None: of all), table by table, read at
        one moment."""
        def where(table: str) -> str:
            if workshop_id is None:
                return ""
            return f" WHERE {'id' if table == 'workshops' else 'workshop_id'} = ?"
        params = () if workshop_id is None else (workshop_id,)
        with self.lock:
            return {table: self._rows(f"SELECT {', '.join(names)} FROM [{table}]{where(table)}"
                                      f" ORDER BY {'workshop_id, seq' if table == 'events' else 'id'}",
                                      params)
                    for table, names in columns.items()}
