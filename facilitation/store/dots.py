"""Whose dots are whose, and what a phone is told when the facilitator moves them.

A participant's dots are its own budget, or in table mode its table's, shared by every phone at
the table. Merging themes, undoing a merge and deleting a theme move or remove dots that phones
placed (and an author deleting an idea removes the dots on it): each phone whose dots changed
gets a `my_votes_changed` on its own stream, in the change's own transaction (so `sync` replays it
to a phone that was offline), and nobody else learns whose dots they were. A helper of the
concerns (as streams.py is of the core): it calls none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from ..facts import Fact, MyVotesChanged
from .core import CoreStore

CHUNK = 500  # ids per statement: well under any backend's limit on parameters
# Table-mates told of one dot placed or taken back: a table is a handful of people; a table a crowd
# of strangers joined is not allowed to turn one tap into thousands of writes (docs/security.md).
MAX_TOLD = 30


def _chunks(ids: Sequence[Any]) -> Iterator[tuple[list[Any], str]]:
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        yield chunk, ",".join("?" * len(chunk))


def standing(db: Database, workshop_id: int, participant_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each participant's dots in the active question's vote (its table's, in table mode): on which
    ideas and themes, and how many are left, as `my_votes` answers."""
    table_mode, dots, prompt_id = db.execute("SELECT table_mode, dots, active_prompt_id FROM workshops"
                                             " WHERE id = ?", [workshop_id]).fetchone()
    ids = list(dict.fromkeys(participant_ids))
    owner: dict[int, tuple[str, int]] = {}  # participant -> its budget: ("p", itself) or ("t", table)
    for chunk, marks in _chunks(ids):
        for pid, table_id in db.execute(f"SELECT id, table_id FROM participants WHERE id IN ({marks})",
                                         chunk).fetchall():
            owner[pid] = ("t", table_id) if table_mode and table_id is not None else ("p", pid)
    counts: dict[tuple[str, int], list[tuple[Any, Any, int]]] = {budget: [] for budget in owner.values()}
    for kind, sql in (("p", "SELECT v.participant_id, v.idea_id, v.cluster_id, count(*) FROM votes v"
                            " WHERE v.participant_id IN ({}) AND v.prompt_id IS ? GROUP BY 1, 2, 3"),
                      ("t", "SELECT p.table_id, v.idea_id, v.cluster_id, count(*) FROM votes v JOIN"
                            " participants p ON p.id = v.participant_id WHERE p.table_id IN ({})"
                            " AND v.prompt_id IS ? GROUP BY 1, 2, 3")):
        for chunk, marks in _chunks(sorted({number for k, number in counts if k == kind})):
            for number, idea_id, cluster_id, n in db.execute(sql.format(marks), [*chunk, prompt_id]).fetchall():
                counts[(kind, number)].append((idea_id, cluster_id, int(n)))
    result = {}
    for pid, budget in owner.items():
        rows = counts[budget]
        result[pid] = {"ideas": {str(i): n for i, _, n in rows if i is not None},
                       "clusters": {str(c): n for _, c, n in rows if c is not None},
                       "dots_left": max(0, int(dots) - sum(n for _, _, n in rows))}
    return result


def owners(db: Database, workshop_id: int, participant_ids: Iterable[int]) -> list[int]:
    """The participants whose phones show these participants' dots: themselves and, in table
    mode, everyone at their tables."""
    ids = sorted(set(participant_ids))
    if not ids or not db.execute("SELECT table_mode FROM workshops WHERE id = ?", [workshop_id]).fetchone()[0]:
        return ids
    mates: set[int] = set(ids)
    for chunk, marks in _chunks(ids):
        mates.update(row[0] for row in db.execute(
            "SELECT id FROM participants WHERE table_id IN (SELECT table_id FROM participants"
            f" WHERE id IN ({marks}) AND table_id IS NOT NULL)", chunk).fetchall())
    return sorted(mates)


def tell(store: CoreStore, workshop_id: int, participant_ids: Iterable[int], actor: str,
         everyone: list[int] | None = None) -> list[Fact]:
    """A `my_votes_changed` for the phones of each participant whose dots in the active question's
    vote the change moved or removed (and of its table-mates, in table mode), each with where its
    dots now are (`everyone`: exactly these participants'), logged as the change's `actor` (the
    facilitator, or the author deleting its idea); call inside the change's transaction, after its
    writes."""
    if everyone is None:
        everyone = owners(store.db, workshop_id, participant_ids)
    votes = standing(store.db, workshop_id, everyone)
    return store._append_all(workshop_id, [MyVotesChanged(participant_id=pid, votes=votes[pid])
                                           for pid in everyone if pid in votes], actor)


def tell_voted(store: CoreStore, workshop_id: int, participant_id: int) -> list[Fact]:
    """After a participant placed or took back a dot: a `my_votes_changed` for its phones (its other
    tabs; the one that voted has its ack) and, in table mode, for each phone at its table (they
    share the budget), at most MAX_TOLD table-mates (docs/security.md); call inside the vote's
    transaction."""
    row = store.db.execute("SELECT w.table_mode, p.table_id FROM participants p JOIN workshops w"
                           " ON w.id = p.workshop_id WHERE p.id = ?", [participant_id]).fetchone()
    everyone = [participant_id]
    if row[0] and row[1] is not None:
        everyone += [r[0] for r in store.db.execute(
            "SELECT id FROM participants WHERE table_id = ? AND id != ? ORDER BY held, id LIMIT ?",
            [row[1], participant_id, MAX_TOLD]).fetchall()]
    return tell(store, workshop_id, (), f"participant:{participant_id}", everyone)


def active_voters(db: Database, workshop_id: int, item_id: int, column: str = "cluster_id") -> list[int]:
    """The participants with a dot on this theme (or, by `column`, idea) in the active question's
    vote (none when it is another question's: that vote is over, and no phone shows it)."""
    assert column in ("cluster_id", "idea_id")
    return [row[0] for row in db.execute(
        f"SELECT DISTINCT participant_id FROM votes WHERE {column} = ? AND prompt_id IS"
        " (SELECT active_prompt_id FROM workshops WHERE id = ?)", [item_id, workshop_id]).fetchall()]
