"""The organiser's reads and writes across workshops: listing, erasure, retention, paper imports."""

from __future__ import annotations

from typing import Any

import json

from ..facts import Fact, IdeaPosted
from ..model import Idea, hash_token, new_token
from .core import ERASE_TABLES, PEOPLE, CoreStore, now


# Children before parents, so that no foreign key is left dangling at any step.
ERASE_ORDER = ["answers", "background_questions", "merged_dots", "votes", "ideas", "clusters", "participants",
               "tables", "events"]


def list_workshops(store: CoreStore) -> list[dict[str, Any]]:
    """Every workshop with its counts and last activity, newest first: participants are people
    (not the paper stand-in) and ideas those on the wall (not hidden or waiting), as every screen
    counts them (docs/glossary.md)."""
    return store._rows(
        "SELECT w.code, w.title, w.prompt, w.phase, w.created_at,"
        f" (SELECT count(*) FROM participants p WHERE p.workshop_id = w.id {PEOPLE}) AS participants,"
        " (SELECT count(*) FROM ideas i WHERE i.workshop_id = w.id AND i.hidden = 0"
        " AND i.pending = 0) AS ideas,"
        " coalesce((SELECT max(e.created_at) FROM events e WHERE e.workshop_id = w.id),"
        " w.created_at) AS last_activity FROM workshops w ORDER BY w.created_at DESC, w.id DESC")


def delete_workshop(store: CoreStore, workshop_id: int, reason: str) -> dict[str, Any]:
    """Erase a workshop and everything in it; keep only a line saying that it was erased."""
    with store._transaction() as db:
        row = dict(next(db.query("SELECT code, title, created_at FROM workshops WHERE id = ?",
                                 [workshop_id])))
        counts = {table: store._count(workshop_id, table) for table in ("participants", "ideas")}
        db.execute("UPDATE workshops SET active_prompt_id = NULL WHERE id = ?", [workshop_id])
        db.execute("UPDATE ideas SET duplicate_of = NULL WHERE workshop_id = ?", [workshop_id])
        for table in ERASE_ORDER + ["prompts"]:
            db.execute(f"DELETE FROM [{table}] WHERE workshop_id = ?", [workshop_id])
        db.execute("DELETE FROM workshops WHERE id = ?", [workshop_id])
        record = {**row, **counts, "reason": reason, "erased_at": now()}
        db.table("erasures").insert(record)
    store.erased(ERASE_TABLES, at_once=True)
    return record


def erasures(store: CoreStore) -> list[dict[str, Any]]:
    """The log of erased workshops, newest first."""
    return store._rows("SELECT * FROM erasures ORDER BY rowid DESC")


def expired_workshops(store: CoreStore, before: str) -> list[dict[str, Any]]:
    """Closed workshops (id, code) with no activity since `before` (ISO time): due for deletion."""
    return store._rows(
        "SELECT w.id, w.code FROM workshops w WHERE w.phase = 'closed' AND coalesce("
        " (SELECT max(e.created_at) FROM events e WHERE e.workshop_id = w.id), w.created_at) < ?",
        (before,))


def paper_participant(store: CoreStore, workshop_id: int) -> int:
    """The participant that ideas collected on paper are posted as (one per workshop)."""
    with store._transaction() as db:
        row = db.execute("SELECT id FROM participants WHERE workshop_id = ? AND name = ?"
                         " AND token_hash LIKE 'paper:%'", [workshop_id, "paper"]).fetchone()
        if row:
            return int(row[0])
        # Nobody holds a token for it: the stored "hash" is not the hash of any token.
        return int(db.table("participants").insert({
            "workshop_id": workshop_id, "token_hash": "paper:" + hash_token(new_token()),
            "name": "paper", "kind": "paper", "created_at": now()}).last_pk or 0)


def import_ideas(store: CoreStore, workshop_id: int, participant_id: int, prompt_id: int | None,
                 items: list[tuple[str, str]],
                 table_id: int | None = None) -> tuple[list[Fact], int]:
    """Post many (client_id, text) ideas in one transaction, one commit for the lot; return the
    facts of the new ones and how many were there already."""
    facts: list[Fact] = []
    with store._transaction() as db:
        seq = int(db.execute("SELECT seq FROM workshops WHERE id = ?", [workshop_id]).fetchone()[0])
        stamp = now()
        for client_id, text in items:
            row = db.execute(
                "INSERT OR IGNORE INTO ideas (workshop_id, participant_id, client_id, text, hidden,"
                " created_at, prompt_id, table_id, pending) VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0)"
                " RETURNING id",
                [workshop_id, participant_id, client_id, text, stamp, prompt_id, table_id]).fetchone()
            if row is None:  # this client_id was imported before
                continue
            idea = Idea(id=int(row[0]), text=text, hidden=False, created_at=stamp,
                        prompt_id=prompt_id, table_id=table_id)
            seq += 1
            facts.append(IdeaPosted(idea=idea.to_dict(), seq=seq))
        db.conn.executemany(
            "INSERT INTO events (workshop_id, seq, type, payload, actor, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(workshop_id, f.seq, f.type, json.dumps(f.payload, ensure_ascii=False),
              f"participant:{participant_id}", stamp) for f in facts])
        db.execute("UPDATE workshops SET seq = ? WHERE id = ?", [seq, workshop_id])
    return facts, len(items) - len(facts)


def organiser_generation(store: CoreStore) -> int:
    """The organiser's session generation: a signed-in cookie of an older one is no longer valid."""
    rows = store._rows("SELECT value FROM settings WHERE key = 'organiser_generation'", ())
    return int(rows[0]["value"]) if rows else 0


def next_organiser_generation(store: CoreStore) -> int:
    """Start a new organiser session generation (sign-out): every earlier cookie is revoked."""
    with store._transaction() as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('organiser_generation', '1')"
                   " ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)")
        return int(next(db.query("SELECT value FROM settings WHERE key = 'organiser_generation'"))["value"])
