"""Newcomers beyond a hall's pace from one address, held until the facilitator decides, and every
idea of one participant hidden or shown at once (docs/security.md, "The vote" and "Ideas")."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import NotFound
from ..facts import Fact, NewcomerDecided
from .core import CoreStore

WAITING, TURNED_AWAY = 1, 2


def hold(store: CoreStore, participant_id: int) -> None:
    """Hold a newcomer: its ideas wait for moderation and its dots do not count yet."""
    with store._transaction() as db:
        db.execute("UPDATE participants SET held = ? WHERE id = ?", [WAITING, participant_id])


def release_newcomers(store: CoreStore, workshop_id: int, accept: bool) -> tuple[list[Fact], list[Fact]]:
    """Let every waiting newcomer in (their dots counted, their waiting ideas approved) or turn them
    away (their dots never counted, their visible ideas hidden), as one transaction: a failure part
    way leaves them all waiting, so the facilitator can decide again. A `newcomer_decided` for each
    one's phones, and an `idea_approved` or `idea_hidden` for each idea that changed."""
    with store._transaction() as db:
        ids = [r["id"] for r in store._rows("SELECT id FROM participants WHERE workshop_id = ?"
                                            " AND held = ?", (workshop_id, WAITING))]
        if not ids:
            return [], []
        marks = ",".join("?" * len(ids))
        ideas = [r["id"] for r in store._rows(f"SELECT id FROM ideas WHERE participant_id IN ({marks})"
                                              f" AND {'pending = 1' if accept else 'hidden = 0'}"
                                              " ORDER BY id", tuple(ids))]
        db.execute(f"UPDATE participants SET held = ? WHERE id IN ({marks})",
                   [0 if accept else TURNED_AWAY, *ids])
        decided = [store._append(workshop_id, NewcomerDecided(participant_id=i, accept=accept), "facilitator")
                   for i in ids]
        changed = [store.approve_idea(workshop_id, idea_id) if accept
                   else store.set_hidden(workshop_id, idea_id, True) for idea_id in ideas]
        return decided, [fact for fact in changed if fact is not None]


def hide_author_ideas(store: CoreStore, workshop_id: int, idea_id: int, hidden: bool,
                      only: Sequence[int] | None = None) -> tuple[list[int], list[int], list[Fact]]:
    """Hide (or show again) every idea of the participant who wrote `idea_id`, or only those of
    them in `only` (an undo shows just the ideas its hiding changed), as one transaction: a failure
    part way leaves them all as they were, never some hidden and some shown. The author is named
    by the first of `idea_id` and `only` still in the workshop (an undo still works once its author
    deleted the idea it was made from), else `idea_not_found`. Their ids, oldest first; the ids
    that changed; and an `idea_hidden` or `idea_shown` for each of those."""
    with store._transaction():
        author = _author(store, workshop_id, [idea_id, *(only or ())])
        rows = store._rows("SELECT id FROM ideas WHERE workshop_id = ? AND participant_id = ? ORDER BY id",
                           (workshop_id, author))
        chosen = None if only is None else set(only)
        ids = [r["id"] for r in rows if chosen is None or r["id"] in chosen]
        changed = [(i, store.set_hidden(workshop_id, i, hidden)) for i in ids]
        return ids, [i for i, fact in changed if fact], [fact for _, fact in changed if fact is not None]


def _author(store: CoreStore, workshop_id: int, idea_ids: Sequence[int]) -> int | None:
    """Who wrote the first of these ideas that is still in the workshop (None: nobody, an idea
    typed in from paper), or `idea_not_found` when none is."""
    found: dict[int, int | None] = {}
    for start in range(0, len(idea_ids), 500):
        chunk = idea_ids[start:start + 500]
        found.update((r["id"], r["participant_id"]) for r in store._rows(
            f"SELECT id, participant_id FROM ideas WHERE workshop_id = ? AND id IN ({','.join('?' * len(chunk))})",
            (workshop_id, *chunk)))
    for idea_id in idea_ids:
        if idea_id in found:
            return found[idea_id]
    raise NotFound("idea_not_found")


def vote_opened_at(store: CoreStore, workshop_id: int) -> str | None:
    """When the vote last opened (the latest change to the vote phase), if it ever did."""
    rows = store._rows("SELECT max(created_at) AS at FROM events WHERE workshop_id = ?"
                       " AND type = 'phase_changed' AND payload LIKE '%\"vote\"%'", (workshop_id,))
    return rows[0]["at"] if rows else None
