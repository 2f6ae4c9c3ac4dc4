"""Rounds (questions), tables, display names, moderation rules, and participants' own edits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..facts import (
    ActivePromptChanged, Fact, IdeaDeleted, IdeaEdited, PromptAdded, RulesChanged,
    TablesSet,
)
from .core import CoreStore, now
from .dots import active_voters, tell


def prompts(store: CoreStore, workshop_id: int) -> list[dict[str, Any]]:
    """The workshop's questions in order."""
    return store._rows("SELECT id, text, position FROM prompts WHERE workshop_id = ?"
                       " ORDER BY position, id", (workshop_id,))


def add_prompt(store: CoreStore, workshop_id: int, text: str) -> Fact:
    """Add a question at the end (the active one stays until the facilitator switches)."""
    with store._transaction() as db:
        position = db.execute("SELECT coalesce(max(position), -1) + 1 FROM prompts"
                              " WHERE workshop_id = ?", [workshop_id]).fetchone()[0]
        prompt_id = db.table("prompts").insert({"workshop_id": workshop_id, "text": text,
                                                "position": position, "created_at": now()}).last_pk
        prompt = {"id": prompt_id, "text": text, "position": position}
        return store._append(workshop_id, PromptAdded(prompt=prompt), "facilitator")


def set_active_prompt(store: CoreStore, workshop_id: int, prompt_id: int) -> Fact | None:
    """Make a question the one participants answer now; None when it already is."""
    with store._transaction() as db:
        text = db.execute("SELECT text FROM prompts WHERE id = ?", [prompt_id]).fetchone()[0]
        changed = db.execute("UPDATE workshops SET active_prompt_id = ?, prompt = ? WHERE id = ?"
                             " AND active_prompt_id IS NOT ?",
                             [prompt_id, text, workshop_id, prompt_id]).rowcount
        if not changed:
            return None
        return store._append(workshop_id, ActivePromptChanged(prompt_id=prompt_id, prompt=text),
                             "facilitator")


def tables(store: CoreStore, workshop_id: int) -> list[dict[str, Any]]:
    """The workshop's tables (groups) in order."""
    return store._rows("SELECT id, name, position FROM tables WHERE workshop_id = ?"
                       " ORDER BY position, id", (workshop_id,))


def set_tables(store: CoreStore, workshop_id: int, names: Sequence[str]) -> Fact:
    """Replace the list of tables; a table whose name stays keeps its id and its ideas."""
    with store._transaction() as db:
        existing = {t["name"]: t["id"] for t in tables(store, workshop_id)}
        for name, table_id in existing.items():
            if name not in names:
                for table in ("ideas", "participants"):
                    db.execute(f"UPDATE {table} SET table_id = NULL WHERE table_id = ?", [table_id])
                db.execute("DELETE FROM tables WHERE id = ?", [table_id])
        for position, name in enumerate(names):
            if name in existing:
                db.execute("UPDATE tables SET position = ? WHERE id = ?", [position, existing[name]])
            else:
                db.table("tables").insert({"workshop_id": workshop_id, "name": name,
                                           "position": position})
        return store._append(workshop_id, TablesSet(tables=tables(store, workshop_id)), "facilitator")


def participant(store: CoreStore, participant_id: int) -> dict[str, Any]:
    """A participant's chosen name and table, whether it is held (a newcomer beyond a hall's
    pace) and when it joined."""
    return store._rows("SELECT id, name, table_id, held, created_at FROM participants WHERE id = ?",
                       (participant_id,))[0]


def set_participant(store: CoreStore, participant_id: int, **choice: Any) -> None:
    """Remember a participant's display name or table (no fact: nobody else needs it now)."""
    with store._transaction() as db:
        for column in ("name", "table_id"):
            if column in choice:
                db.execute(f"UPDATE participants SET {column} = ? WHERE id = ?",
                           [choice[column], participant_id])


def set_rules(store: CoreStore, workshop_id: int, rules: dict[str, Any]) -> Fact:
    """Change any rule (names, moderation, cap, table mode, language, wall paging, the public outcome
    page); announce all."""
    with store._transaction() as db:
        for column, value in rules.items():
            db.execute(f"UPDATE workshops SET {column} = ? WHERE id = ?", [value, workshop_id])
        row = db.execute("SELECT names, pre_moderation, idea_cap, table_mode, language,"
                         " phones_see_ideas, wall_paused, vote_closed_to_newcomers, outcome_public"
                         " FROM workshops WHERE id = ?", [workshop_id]).fetchone()
        current = {"names": row[0], "pre_moderation": bool(row[1]), "idea_cap": row[2],
                   "table_mode": bool(row[3]), "language": row[4],
                   "phones_see_ideas": bool(row[5]), "wall_paused": bool(row[6]),
                   "vote_closed_to_newcomers": bool(row[7]), "outcome_public": bool(row[8])}
        return store._append(workshop_id, RulesChanged(rules=current), "facilitator")


def ideas_posted_by(store: CoreStore, column: str, value: int) -> int:
    """How many ideas a participant (or, in table mode, a table) has posted."""
    return int(store.db.execute(f"SELECT count(*) FROM ideas WHERE {column} = ?",
                                [value]).fetchone()[0])


def edit_idea(store: CoreStore, workshop_id: int, idea_id: int, text: str, actor: str,
              requeue: bool = False) -> Fact | None:
    """Change an idea's text (back to the approval queue if `requeue`); None when unchanged. The
    old text leaves the log and the files as a deleted idea's does: a participant may be taking
    back what it should not have written (the logged facts carry the new text instead)."""
    with store._transaction() as db:
        if not db.execute("UPDATE ideas SET text = ?, pending = max(pending, ?) WHERE id = ?"
                          " AND text != ?", [text, int(requeue), idea_id, text]).rowcount:
            return None
        _scrub_log(db, workshop_id, idea_id, text)
        fact = store._idea_fact(workshop_id, idea_id, IdeaEdited, actor)
    store.erased(("ideas", "events"))
    return fact


def delete_idea(store: CoreStore, workshop_id: int, idea_id: int, actor: str) -> list[Fact]:
    """Remove an idea for good, its text scrubbed from the event log too, and its dots (given back
    to their givers, if the vote is the active question's: `idea_deleted`, then a `my_votes_changed`
    for each giver's phones)."""
    with store._transaction() as db:
        givers = active_voters(db, workshop_id, idea_id, "idea_id")
        db.execute("DELETE FROM votes WHERE idea_id = ?", [idea_id])
        db.execute("UPDATE ideas SET duplicate_of = NULL WHERE duplicate_of = ?", [idea_id])
        db.execute("DELETE FROM ideas WHERE id = ?", [idea_id])
        _scrub_log(db, workshop_id, idea_id)
        facts = [store._append(workshop_id, IdeaDeleted(idea_id=idea_id), actor), *tell(store, workshop_id, givers, actor)]
    store.erased(("ideas", "events"))  # the tables that held its text
    return facts


# The WHERE clause is the expression of the index idx_events_workshop_id_idea_id (schema.py m017,
# and its PostgreSQL twin), exactly: otherwise every edit and deletion reads the workshop's whole
# log on the writer, under the write lock (tests/unit/test_store.py checks the plan).
SCRUB = ("UPDATE events SET payload = json_set(payload, '$.idea.text', ?)"
         " WHERE workshop_id = ? AND json_extract(payload, '$.idea.id') = ?")


def _scrub_log(db: Any, workshop_id: int, idea_id: int, text: str = "") -> None:
    """Put `text` in place of the idea's text in the facts logged so far (they are read with its
    current row anyway: this is for the files)."""
    db.execute(SCRUB, [text, workshop_id, idea_id])
