"""What a phone reads: its snapshot, the phone-stream facts it missed, and batches of others' ideas."""

from __future__ import annotations

import json
from typing import Any

from ..facts import ALL_PHONES, AUTHOR, BATCH, Fact, PhoneRoute, from_log
from ..flow import Timer
from .core import CoreStore, _workshop, idea_from_row, now_ms
from .streams import phones_see_all


VISIBLE = "hidden = 0 AND pending = 0"


def phone_snapshot(store: CoreStore, workshop_id: int) -> dict[str, Any]:
    """What a phone shows, at one `seq` and `pseq`: the workshop, questions, tables, themes and,
    when phones show everyone's ideas, the visible ones (a phone's own come with its join)."""
    with store.lock:
        row = next(store.db.query("SELECT * FROM workshops WHERE id = ?", [workshop_id]))
        kept = store.phone_snapshots.get(workshop_id)
        if kept is not None and kept[0] == row["seq"]:
            return kept[1]
        workshop = _workshop(row)
        ideas = []
        if phones_see_all(workshop.phase, workshop.phones_see_ideas):
            ideas = [idea_from_row(r).to_dict() for r in store.db.query(
                f"SELECT * FROM ideas WHERE workshop_id = ? AND {VISIBLE} ORDER BY id",
                [workshop_id])]
        lists = {name: store._rows(f"SELECT id, {columns}, position FROM {name}"
                                   " WHERE workshop_id = ? ORDER BY position, id", (workshop_id,))
                 for name, columns in (("prompts", "text"), ("tables", "name"),
                                       ("clusters", "label, prompt_id"))}
        outcome = store.outcome_snapshot(workshop_id)
    timer = Timer(workshop.timer_ends_at, workshop.timer_remaining_ms, workshop.timer_running)
    snapshot = {"workshop": {**workshop.to_dict(), "timer": timer.view(now_ms())}, **lists,
                **outcome, "ideas": ideas, "seq": workshop.seq, "pseq": row["phone_seq"]}
    store.phone_snapshots[workshop_id] = (workshop.seq, snapshot)
    return snapshot


def phone_count(store: CoreStore, workshop_id: int) -> int:
    """How many participants the workshop has (its phones, at most), read without waiting for
    a commit."""
    rows = store._rows("SELECT count(*) AS n FROM participants WHERE workshop_id = ?", (workshop_id,))
    return int(rows[0]["n"])


def own_seq(store: CoreStore, participant_id: int) -> int:
    """The number of the last fact in this participant's own stream."""
    rows = store._rows("SELECT own_seq FROM participants WHERE id = ?", (participant_id,))
    return int(rows[0]["own_seq"]) if rows else 0


def phone_facts_since(store: CoreStore, workshop_id: int, participant_id: int, pseq: int, oseq: int,
                      limit: int) -> list[Fact] | None:
    """The facts of the workshop's phone stream after `pseq` and of this participant's own after
    `oseq`, in seq order; None when more than `limit` (a snapshot is cheaper)."""
    rows = store._rows(
        "SELECT seq, type, payload, phones, pseq, oseq, recipient FROM events"
        " WHERE workshop_id = ? AND ((phones = ? AND pseq > ?)"
        " OR (phones = ? AND recipient = ? AND oseq > ?)) ORDER BY seq LIMIT ?",
        (workshop_id, ALL_PHONES, pseq, AUTHOR, participant_id, oseq, limit + 1))
    if len(rows) > limit:
        return None
    return [from_log(r["type"], json.loads(r["payload"]), r["seq"]).numbered(
        r["seq"], PhoneRoute(r["phones"], r["pseq"] if r["phones"] == ALL_PHONES else r["oseq"],
                             r["recipient"])) for r in rows]


def ideas_batch(store: CoreStore, workshop_id: int) -> list[dict[str, Any]]:
    """Ideas that became visible since the last batch, as they are now (visible ones only);
    the mark moves on, so each process sending a batch sends each idea once."""
    with store._transaction() as db:
        row = db.execute("SELECT seq, phone_batch_seq FROM workshops WHERE id = ?",
                         [workshop_id]).fetchone()
        ids = [r[0] for r in db.execute(
            "SELECT DISTINCT json_extract(payload, '$.idea.id') FROM events WHERE workshop_id = ?"
            " AND phones = ? AND seq > ? AND seq <= ?", [workshop_id, BATCH, row[1], row[0]])]
        db.execute("UPDATE workshops SET phone_batch_seq = ? WHERE id = ?", [row[0], workshop_id])
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return [idea_from_row(r).to_dict() for r in db.query(
            f"SELECT * FROM ideas WHERE id IN ({marks}) AND {VISIBLE} ORDER BY id", ids)]
