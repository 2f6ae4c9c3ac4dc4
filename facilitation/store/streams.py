"""The phone streams: which phones receive a fact, numbered in the fact's own transaction.

A workshop has one stream for all its phones (`pseq`, counted in `workshops.phone_seq`) and each
participant one of its own (`oseq`, in `participants.own_seq`); each number rises by exactly one per
fact in that stream, so a phone sees a gap as a jump. `events` records every fact's stream, number
and recipient, which is what `sync` reads back for a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from ..facts import ALL_PHONES, AUTHOR, BATCH, OWN, Fact, PhoneRoute, phone_stream

CHUNK = 500  # participants per statement: well under any backend's limit on parameters


def phones_see_all(phase: str, phones_see_ideas: bool) -> bool:
    """Whether phones show everyone's ideas: in every phase but collect, or by the rule."""
    return phase != "collect" or phones_see_ideas


def author_of(db: Database, fact: Fact, actor: str | None) -> int | None:
    """The participant who wrote the idea a fact is about (a deleted idea's: the deleting author)."""
    payload = fact.payload
    if fact.audience == OWN:  # a fact about one participant, for its phones alone
        return int(payload["participant_id"])
    idea_id = payload["idea"]["id"] if isinstance(payload.get("idea"), dict) else payload.get("idea_id")
    row = db.execute("SELECT participant_id FROM ideas WHERE id = ?", [idea_id]).fetchone()
    if row is not None:
        return int(row[0])
    if actor and actor.startswith("participant:"):
        return int(actor.split(":", 1)[1])
    return None


def route(db: Database, workshop_id: int, fact: Fact, actor: str | None) -> PhoneRoute | None:
    """Decide and number where `fact` goes among phones; call inside its transaction."""
    row: Any = db.execute("SELECT phase, phones_see_ideas, phones_see FROM workshops WHERE id = ?",
                          [workshop_id]).fetchone()
    see = phones_see_all(row[0], bool(row[1]))
    refresh = see and not row[2]  # phones now show ideas they were not sent: they fetch a snapshot
    if see != bool(row[2]):
        db.execute("UPDATE workshops SET phones_see = ? WHERE id = ?", [int(see), workshop_id])
    stream = phone_stream(fact, see, row[0] == "collect")
    if stream == ALL_PHONES:
        number = db.execute("UPDATE workshops SET phone_seq = phone_seq + 1 WHERE id = ?"
                            " RETURNING phone_seq", [workshop_id]).fetchone()[0]
        return PhoneRoute(ALL_PHONES, number, refresh=refresh)
    if stream == AUTHOR:
        author = author_of(db, fact, actor)
        if author is None:
            return None
        number = db.execute("UPDATE participants SET own_seq = own_seq + 1 WHERE id = ?"
                            " RETURNING own_seq", [author]).fetchone()[0]
        return PhoneRoute(AUTHOR, number, author)
    if stream == BATCH:
        return PhoneRoute(BATCH)
    return None


def route_all(db: Database, workshop_id: int, facts: Sequence[Fact], actor: str | None) -> list[PhoneRoute | None]:
    """`route` for the facts of one change at once. A participant's own facts, one per participant
    (a merge telling every voter, store/dots.py), cost one read of the workshop and one UPDATE ...
    RETURNING per CHUNK participants, not two statements each; any other mix is routed one by one."""
    recipients = [int(f.payload["participant_id"]) if f.audience == OWN else None for f in facts]
    if None in recipients or len(set(recipients)) != len(recipients):
        return [route(db, workshop_id, fact, actor) for fact in facts]
    row: Any = db.execute("SELECT phase, phones_see_ideas, phones_see FROM workshops WHERE id = ?",
                          [workshop_id]).fetchone()
    see = phones_see_all(row[0], bool(row[1]))
    if see != bool(row[2]):  # as route keeps it (own facts go to their phones whatever phones see)
        db.execute("UPDATE workshops SET phones_see = ? WHERE id = ?", [int(see), workshop_id])
    numbers: dict[int, int] = {}
    for start in range(0, len(recipients), CHUNK):
        chunk = recipients[start:start + CHUNK]
        numbers.update((int(pid), int(number)) for pid, number in db.execute(
            f"UPDATE participants SET own_seq = own_seq + 1 WHERE id IN ({', '.join('?' * len(chunk))})"
            " RETURNING id, own_seq", chunk).fetchall())
    return [PhoneRoute(AUTHOR, numbers[pid], pid) if pid in numbers else None
            for pid in recipients]


def columns(phone_route: PhoneRoute | None) -> dict[str, Any]:
    """The `events` columns that record a fact's phone route."""
    if phone_route is None:
        return {"phones": None, "pseq": None, "recipient": None, "oseq": None}
    return {"phones": phone_route.stream,
            "pseq": phone_route.number if phone_route.stream == ALL_PHONES else None,
            "recipient": phone_route.recipient,
            "oseq": phone_route.number if phone_route.stream == AUTHOR else None}
