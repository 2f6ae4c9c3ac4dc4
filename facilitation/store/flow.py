"""The workshop's flow: phase, countdown, voting budget, and dots, each change one transaction."""

from __future__ import annotations

from typing import Any

from ..flow import Timer, check_votable
from ..errors import N_, CommandError, Conflict, NotFound
from ..facts import Fact, PhaseChanged, TimerChanged, VotingSet
from ..model import Workshop
from .core import CoreStore, now
from .dots import standing, tell, tell_voted


def set_phase(store: CoreStore, workshop_id: int, phase: str) -> Fact | None:
    """Move the workshop to a phase; None when it already is there."""
    with store._transaction() as db:
        changed = db.execute("UPDATE workshops SET phase = ? WHERE id = ? AND phase != ?",
                             [phase, workshop_id, phase]).rowcount
        if not changed:
            return None
        return store._append(workshop_id, PhaseChanged(phase=phase), "facilitator")


def set_timer(store: CoreStore, workshop_id: int, timer: Timer, now_ms: int) -> Fact:
    """Store the countdown and tell every screen how it now stands."""
    with store._transaction() as db:
        db.execute("UPDATE workshops SET timer_ends_at = ?, timer_remaining_ms = ?,"
                   " timer_running = ? WHERE id = ?",
                   [timer.ends_at, timer.remaining_ms, int(timer.running), workshop_id])
        return store._append(workshop_id, TimerChanged(timer=timer.view(now_ms)), "facilitator")


def set_voting(store: CoreStore, workshop_id: int, dots: int, max_per_item: int,
               vote_on: str = "both") -> Fact:
    """Set each participant's dots, how many may go on one idea or theme, and on which."""
    with store._transaction() as db:
        db.execute("UPDATE workshops SET dots = ?, max_per_item = ?, vote_on = ? WHERE id = ?",
                   [dots, max_per_item, vote_on, workshop_id])
        return store._append(workshop_id, VotingSet(dots=dots, max_per_item=max_per_item,
                                                     vote_on=vote_on), "facilitator")


def _voters(store: CoreStore, participant_id: int) -> list[int]:
    """Whose dots share one budget: the participant, or in table mode everyone at its table."""
    row = store.db.execute(
        "SELECT w.table_mode, p.table_id FROM participants p JOIN workshops w"
        " ON w.id = p.workshop_id WHERE p.id = ?", [participant_id]).fetchone()
    if not row[0] or row[1] is None:
        return [participant_id]
    return [r[0] for r in store.db.execute("SELECT id FROM participants WHERE table_id = ?",
                                           [row[1]]).fetchall()]


def _active_prompt(store: CoreStore, workshop_id: int) -> int | None:
    row = store.db.execute("SELECT active_prompt_id FROM workshops WHERE id = ?",
                           [workshop_id]).fetchone()
    return None if row[0] is None else int(row[0])


def _votes_by(store: CoreStore, participant_id: int, prompt_id: int | None,
              column: str | None = None, item_id: int | None = None) -> int:
    """Dots this participant (or its table) placed in one question's vote."""
    voters = _voters(store, participant_id)
    sql = (f"SELECT count(*) FROM votes WHERE participant_id IN ({','.join('?' * len(voters))})"
           " AND prompt_id IS ?")
    params: list[Any] = [*voters, prompt_id]
    if column is not None:
        sql += f" AND {column} = ?"
        params.append(item_id)
    return int(store.db.execute(sql, params).fetchone()[0])


def cast_vote(store: CoreStore, workshop: Workshop, participant_id: int, column: str,
              item_id: int) -> tuple[int, int, list[Fact]]:
    """Place one dot in the active question's vote, checked against its budget inside the write;
    returns the dots left, the workshop's seq it was placed at (a phone orders it among the
    `my_votes_changed` it hears by that) and a `my_votes_changed` for the phones that share the
    budget (tell_voted)."""
    with store._transaction() as db:
        row = db.execute("SELECT dots, max_per_item, vote_on, active_prompt_id, seq FROM workshops"
                         " WHERE id = ?", [workshop.id]).fetchone()
        check_votable(row[2], column)  # read inside the write: a change of rules cannot slip by
        table = "ideas" if column == "idea_id" else "clusters"
        if db.execute(f"SELECT prompt_id FROM {table} WHERE id = ?", [item_id]).fetchone()[0] != row[3]:
            raise CommandError("other_question")
        used = _votes_by(store, participant_id, row[3])
        if used >= row[0]:
            raise CommandError("no_dots_left")
        if _votes_by(store, participant_id, row[3], column, item_id) >= row[1]:
            raise CommandError("max_per_item", limit=row[1])
        db.table("votes").insert({"workshop_id": workshop.id, "participant_id": participant_id,
                                  column: item_id, "prompt_id": row[3], "created_at": now()})
        return int(row[0]) - used - 1, int(row[4]), tell_voted(store, workshop.id, participant_id)


def retract_vote(store: CoreStore, workshop: Workshop, participant_id: int, column: str,
                 item_id: int) -> tuple[int, int, list[Fact]]:
    """Take one of this participant's dots back from an item of the active question's vote;
    returns the dots left, the workshop's seq it was taken back at and the `my_votes_changed` of
    cast_vote."""
    with store._transaction() as db:
        voters = _voters(store, participant_id)
        prompt_id = _active_prompt(store, workshop.id)
        vote = db.execute(f"SELECT max(id) FROM votes WHERE {column} = ? AND prompt_id IS ?"
                          f" AND participant_id IN ({','.join('?' * len(voters))})",
                          [item_id, prompt_id, *voters]).fetchone()[0]
        if vote is None:
            raise CommandError("no_vote_to_retract")
        db.execute("DELETE FROM votes WHERE id = ?", [vote])
        dots, seq = db.execute("SELECT dots, seq FROM workshops WHERE id = ?", [workshop.id]).fetchone()
        left = max(0, int(dots) - _votes_by(store, participant_id, prompt_id))  # dots may be lowered
        return left, int(seq), tell_voted(store, workshop.id, participant_id)


def my_votes(store: CoreStore, workshop_id: int, participant_id: int) -> dict[str, Any]:
    """One participant's dots in the active question's vote: on which ideas and themes, and how
    many are left."""
    with store.lock:
        return standing(store.db, workshop_id, [participant_id])[participant_id]


def my_votes_at(store: CoreStore, workshop_id: int, participant_id: int) -> tuple[dict[str, Any], int]:
    """`my_votes`, and the workshop's seq they stand at, read together."""
    with store.lock:
        seq = store.db.execute("SELECT seq FROM workshops WHERE id = ?", [workshop_id]).fetchone()[0]
        return my_votes(store, workshop_id, participant_id), int(seq)


def vote_totals(store: CoreStore, workshop_id: int, prompt_id: int | None = None) -> dict[str, Any]:
    """One question's vote (None: the active question's): dots per idea and per theme, and how
    many participants have voted (in all and per table), with no trace of who placed which dot."""
    with store.lock:
        if prompt_id is None:
            prompt_id = _active_prompt(store, workshop_id)
        # Dots of held newcomers wait until the facilitator lets them in (docs/security.md).
        rows = store._rows("SELECT idea_id, cluster_id, count(*) AS n FROM votes WHERE"
                           " workshop_id = ? AND prompt_id IS ? AND participant_id NOT IN"
                           " (SELECT id FROM participants WHERE workshop_id = ? AND held != 0)"
                           " GROUP BY idea_id, cluster_id", (workshop_id, prompt_id, workshop_id))
        voters = store.db.execute(
            "SELECT p.table_id, count(DISTINCT v.participant_id) FROM votes v JOIN participants p"
            " ON p.id = v.participant_id WHERE v.workshop_id = ? AND v.prompt_id IS ? AND p.held = 0"
            " GROUP BY p.table_id", [workshop_id, prompt_id]).fetchall()
    return {"prompt_id": prompt_id,
            "ideas": {str(r["idea_id"]): r["n"] for r in rows if r["idea_id"] is not None},
            "clusters": {str(r["cluster_id"]): r["n"] for r in rows if r["cluster_id"] is not None},
            "voters": sum(r[1] for r in voters),
            "voters_by_table": {str(r[0]): r[1] for r in voters if r[0] is not None}}


def return_merged_dots(store: CoreStore, workshop_id: int, merge_seq: int,
                       cluster_id: int) -> tuple[int, int, list[Fact]]:
    """Undo a merge's move of dots, as one transaction: the dots merge `merge_seq` took from the
    theme it removed go onto `cluster_id` (that theme made again), from wherever a later merge took
    them, each only while its participant (or table) stays within the most dots on one theme; the
    rest stay where they are. A dot never changes hands or count, so no budget can be overspent.
    How many moved, how many stayed, and a `my_votes_changed` for the phones whose dots moved;
    `theme_not_found` for a theme gone meanwhile, and
    `other_question` (nothing changed, the record kept) for a theme of another question than the
    dots'."""
    with store._transaction() as db:
        theme = db.execute("SELECT prompt_id FROM clusters WHERE id = ? AND workshop_id = ?",
                           [cluster_id, workshop_id]).fetchone()
        if theme is None:
            raise NotFound("theme_not_found")
        prompt_id = theme[0]
        if db.execute("SELECT 1 FROM merged_dots m JOIN votes v ON v.id = m.vote_id WHERE m.workshop_id = ?"
                      " AND m.merge_seq = ? AND v.prompt_id IS NOT ? LIMIT 1",
                      [workshop_id, merge_seq, prompt_id]).fetchone():
            raise Conflict("other_question", N_("These dots belong to another question: make that the active "
                                                "question again, then undo."))
        limit, table_mode = db.execute("SELECT max_per_item, table_mode FROM workshops WHERE id = ?",
                                       [workshop_id]).fetchone()
        # Whose budget a dot is in: its participant's, or in table mode its table's (as _voters).
        budget = ("CASE WHEN p.table_id IS NOT NULL THEN 't' || p.table_id ELSE 'p' || p.id END"
                  if table_mode else "'p' || p.id")
        here: dict[str, int] = {row[0]: int(row[1]) for row in db.execute(
            f"SELECT {budget}, count(*) FROM votes v JOIN participants p ON p.id = v.participant_id"
            " WHERE v.cluster_id = ? GROUP BY 1", [cluster_id]).fetchall()}
        # Where a budget cannot take them all, the dots an earlier merge moved too go last: that
        # merge's undo takes them on to the theme they came from.
        dots = db.execute(
            f"SELECT v.id, {budget}, v.participant_id FROM merged_dots m JOIN votes v ON v.id = m.vote_id"
            " JOIN participants p ON p.id = v.participant_id WHERE m.workshop_id = ? AND m.merge_seq = ? AND v.cluster_id"
            " IS NOT NULL AND v.cluster_id != ? ORDER BY (SELECT count(*) FROM"
            " merged_dots e WHERE e.vote_id = v.id AND e.merge_seq < m.merge_seq), v.id",
            [workshop_id, merge_seq, cluster_id]).fetchall()
        moving, givers = [], set()
        for vote_id, key, giver in dots:
            if here.get(key, 0) < limit:
                here[key] = here.get(key, 0) + 1
                moving.append(vote_id)
                givers.add(giver)
        for chunk in _chunks(moving):
            marks = ",".join("?" * len(chunk))
            db.execute(f"UPDATE votes SET cluster_id = ? WHERE id IN ({marks})", [cluster_id, *chunk])
            # Back where they were before this merge: later merges of them are undone with it.
            db.execute(f"DELETE FROM merged_dots WHERE workshop_id = ? AND merge_seq > ? AND vote_id IN ({marks})",
                       [workshop_id, merge_seq, *chunk])
        # This merge's record of the dots it has dealt with (moved, or kept where they are), no other.
        for chunk in _chunks([vote_id for vote_id, _, _ in dots]):
            db.execute(f"DELETE FROM merged_dots WHERE workshop_id = ? AND merge_seq = ? AND vote_id IN"
                       f" ({','.join('?' * len(chunk))})", [workshop_id, merge_seq, *chunk])
        active = prompt_id == _active_prompt(store, workshop_id)  # another question's vote: no phone shows it
        return len(moving), len(dots) - len(moving), tell(store, workshop_id, givers, "facilitator") if active else []


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Ids in lists short enough for one statement's parameters."""
    return [ids[start:start + size] for start in range(0, len(ids), size)]
