"""Themes (clusters) and stacks of duplicates: creating, moving, merging, each one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..facts import (
    AnswerSet, ClusterCreated, ClusterDeleted, ClusterRenamed, ClustersCreated, ClustersMerged,
    ClustersReordered, Fact, IdeaMoved, IdeasStacked, IdeaUnstacked, ThemesOnWallChanged,
)
from ..errors import CommandError
from ..model import MAX_ANSWER_LENGTH, Cluster
from .core import CoreStore, now
from .dots import active_voters, tell

# Rows of the question participants answer now; its parameter is the workshop's id.
ACTIVE = "prompt_id IS (SELECT active_prompt_id FROM workshops WHERE id = ?)"


def get_cluster(store: CoreStore, workshop_id: int, cluster_id: int) -> Cluster | None:
    """One theme of this workshop."""
    rows = store._rows("SELECT id, label, position, prompt_id FROM clusters WHERE id = ?"
                       " AND workshop_id = ?", (cluster_id, workshop_id))
    return Cluster(**rows[0]) if rows else None


def cluster_ids(store: CoreStore, workshop_id: int) -> list[int]:
    """The active question's themes in wall order."""
    rows = store._rows(f"SELECT id FROM clusters WHERE workshop_id = ? AND {ACTIVE}"
                       " ORDER BY position, id", (workshop_id, workshop_id))
    return [row["id"] for row in rows]


def _next_cluster(store: CoreStore, workshop_id: int) -> tuple[int, int | None]:
    """Where a new theme goes: after the active question's themes, in that question."""
    prompt_id = store.db.execute("SELECT active_prompt_id FROM workshops WHERE id = ?",
                                 [workshop_id]).fetchone()[0]
    position = store.db.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM clusters WHERE workshop_id = ?"
        " AND prompt_id IS ?", [workshop_id, prompt_id]).fetchone()[0]
    return int(position), prompt_id


def _insert_cluster(store: CoreStore, workshop_id: int, label: str) -> Fact:
    position, prompt_id = _next_cluster(store, workshop_id)
    cluster_id = store.db.table("clusters").insert({
        "workshop_id": workshop_id, "label": label, "position": position,
        "prompt_id": prompt_id, "created_at": now()}).last_pk
    cluster = Cluster(int(cluster_id or 0), label, position, prompt_id)
    return store._append(workshop_id, ClusterCreated(cluster=cluster.to_dict()), "facilitator")


def create_cluster(store: CoreStore, workshop_id: int, label: str) -> Fact:
    """Add a theme at the end."""
    with store._transaction():
        return _insert_cluster(store, workshop_id, label)


def rename_cluster(store: CoreStore, workshop_id: int, cluster_id: int, label: str) -> Fact | None:
    """Give a theme a new label; None when it already had it."""
    with store._transaction() as db:
        changed = db.execute("UPDATE clusters SET label = ? WHERE id = ? AND label != ?",
                             [label, cluster_id, label]).rowcount
        if not changed:
            return None
        return store._append(workshop_id, ClusterRenamed(cluster_id=cluster_id, label=label),
                             "facilitator")


def stack_of(store: CoreStore, idea_id: int) -> list[int]:
    """An idea and the duplicates stacked under it: the ids that move as one card."""
    rows = store._rows("SELECT id FROM ideas WHERE id = ? OR duplicate_of = ? ORDER BY id",
                       (idea_id, idea_id))
    return [row["id"] for row in rows]


def _move(store: CoreStore, workshop_id: int, idea_ids: Sequence[int], cluster_id: int | None) -> list[int]:
    """Put cards (each with its stacked duplicates) into a theme; the ids that changed."""
    if not idea_ids:
        return []
    cards = ",".join("?" * len(idea_ids))
    ids = [row[0] for row in store.db.execute(
        f"SELECT id FROM ideas WHERE id IN ({cards}) OR duplicate_of IN ({cards})",
        [*idea_ids, *idea_ids]).fetchall()]
    marks = ",".join("?" * len(ids))
    moved = [row[0] for row in store.db.execute(
        f"SELECT id FROM ideas WHERE id IN ({marks}) AND cluster_id IS NOT ? ORDER BY id",
        [*ids, cluster_id]).fetchall()]
    store.db.execute(f"UPDATE ideas SET cluster_id = ? WHERE id IN ({marks})", [cluster_id, *ids])
    return moved


def move_ideas(store: CoreStore, workshop_id: int, idea_ids: Sequence[int],
               cluster_id: int | None) -> Fact | None:
    """Put cards (with their stacked duplicates) into a theme, or back to unsorted (None), as
    one fact: a facilitator's one action is one change on every screen."""
    with store._transaction():
        moved = _move(store, workshop_id, idea_ids, cluster_id)
        if not moved:
            return None
        return store._append(workshop_id, IdeaMoved(idea_id=idea_ids[0], idea_ids=moved,
                                              cluster_id=cluster_id), "facilitator")


def move_idea(store: CoreStore, workshop_id: int, idea_id: int, cluster_id: int | None) -> Fact | None:
    """Put an idea (with its stacked duplicates) into a theme, or back to unsorted (None)."""
    return move_ideas(store, workshop_id, [idea_id], cluster_id)


def _ideas_in(store: CoreStore, cluster_id: int) -> list[int]:
    return [row[0] for row in store.db.execute(
        "SELECT id FROM ideas WHERE cluster_id = ? ORDER BY id", [cluster_id]).fetchall()]


# An answer as every screen receives it (`answer_set`, snapshots).
ANSWER = "SELECT id, cluster_id, idea_id, status, text, updated_at FROM answers"


def merge_clusters(store: CoreStore, workshop_id: int, source_id: int,
                   target_id: int) -> tuple[list[Fact], dict[str, Any] | None, bool]:
    """Move every idea and dot of one theme into another and remove the first, keeping its answer
    (see `_merged_answer`) and which dots moved (for the undo): `clusters_merged`, then `answer_set`
    when the surviving answer changed, then a `my_votes_changed` for each phone whose dots moved; the target's answer afterwards, and whether both answers were
    joined into it. Refused, with nothing changed, when the joined answer would be longer than an
    answer may be."""
    with store._transaction() as db:
        source, target = _answer_row(store, source_id), _answer_row(store, target_id)
        text = _merged_answer(store, source, target)  # a refusal comes before any change
        moved = _ideas_in(store, source_id)
        if source is not None and target is None:
            db.execute("UPDATE answers SET cluster_id = ?, updated_at = ? WHERE id = ?",
                       [target_id, now(), source["id"]])
        elif source is not None and target is not None:
            db.execute("DELETE FROM answers WHERE id = ?", [source["id"]])
            if text is not None:
                db.execute("UPDATE answers SET text = ?, updated_at = ? WHERE id = ?",
                           [text, now(), target["id"]])
        db.execute("UPDATE ideas SET cluster_id = ? WHERE cluster_id = ?", [target_id, source_id])
        facts = [store._append(workshop_id, ClustersMerged(source_id=source_id, target_id=target_id,
                                                         idea_ids=moved), "facilitator")]
        # The source's dots, marked with this merge's number: its undo returns them (flow.py).
        db.execute("INSERT INTO merged_dots (workshop_id, merge_seq, vote_id) SELECT ?, ?, id FROM votes"
                   " WHERE cluster_id = ?", [workshop_id, facts[0].seq, source_id])
        givers = active_voters(db, workshop_id, source_id)
        db.execute("UPDATE votes SET cluster_id = ? WHERE cluster_id = ?", [target_id, source_id])
        db.execute("DELETE FROM clusters WHERE id = ?", [source_id])
        answer = target if text is None else _answer_row(store, target_id)
        if text is not None and answer is not None:
            facts.append(store._append(workshop_id, AnswerSet(answer=answer), "facilitator"))
        facts += tell(store, workshop_id, givers, "facilitator")
        return facts, answer, text is not None and source is not None and target is not None


def _answer_row(store: CoreStore, cluster_id: int) -> dict[str, Any] | None:
    rows = store._rows(f"{ANSWER} WHERE cluster_id = ?", (cluster_id,))
    return rows[0] if rows else None


def _merged_answer(store: CoreStore, source: dict[str, Any] | None,
                   target: dict[str, Any] | None) -> str | None:
    """The surviving theme's answer text when the one that goes had an answer that changes it (else
    None): the target keeps its own answer, takes the source's if it had none, and when both have
    one keeps its status and both texts, the source's after a blank line under its theme's name."""
    if source is None:
        return None
    if target is None:
        return str(source["text"])  # the answer moves over whole, status and all
    if not source["text"]:
        return None  # a status alone: the surviving theme's status stands
    label = store.db.execute("SELECT label FROM clusters WHERE id = ?", [source["cluster_id"]]).fetchone()[0]
    text = f"{label}: {source['text']}"
    joined = text if not target["text"] else f"{target['text']}\n\n{text}"
    if len(joined) > MAX_ANSWER_LENGTH:
        raise CommandError("answers_too_long", length=len(joined), limit=MAX_ANSWER_LENGTH)
    return joined


def answered(store: CoreStore, cluster_id: int) -> bool:
    """Whether a theme has an answer (which deleting the theme would delete)."""
    return _answer_row(store, cluster_id) is not None


def delete_cluster(store: CoreStore, workshop_id: int, cluster_id: int) -> list[Fact]:
    """Remove a theme (and its answer: the command asks first); its ideas return to unsorted and
    its dots to their givers: `cluster_deleted`, then a `my_votes_changed` for each giver's phones."""
    with store._transaction() as db:
        released = _ideas_in(store, cluster_id)
        givers = active_voters(db, workshop_id, cluster_id)
        db.execute("UPDATE ideas SET cluster_id = NULL WHERE cluster_id = ?", [cluster_id])
        db.execute("DELETE FROM votes WHERE cluster_id = ?", [cluster_id])  # its dots go back
        db.execute("DELETE FROM clusters WHERE id = ?", [cluster_id])
        deleted = store._append(workshop_id, ClusterDeleted(cluster_id=cluster_id, idea_ids=released),
                                "facilitator")
        return [deleted, *tell(store, workshop_id, givers, "facilitator")]


def reorder_clusters(store: CoreStore, workshop_id: int, cluster_ids: Sequence[int]) -> Fact:
    """Set the wall order of all the workshop's themes."""
    with store._transaction() as db:
        for position, cluster_id in enumerate(cluster_ids):
            db.execute("UPDATE clusters SET position = ? WHERE id = ?", [position, cluster_id])
        return store._append(workshop_id, ClustersReordered(cluster_ids=list(cluster_ids)),
                             "facilitator")


def set_themes_on_wall(store: CoreStore, workshop_id: int, shown: bool) -> Fact | None:
    """Show the themes on the wall, or only the ideas; None when it already was so."""
    with store._transaction() as db:
        if not db.execute("UPDATE workshops SET themes_on_wall = ? WHERE id = ?"
                          " AND themes_on_wall != ?", [int(shown), workshop_id, int(shown)]).rowcount:
            return None
        return store._append(workshop_id, ThemesOnWallChanged(themes_on_wall=shown), "facilitator")


def apply_suggestions(store: CoreStore, workshop_id: int,
                      groups: Sequence[tuple[str, Sequence[int]]]) -> Fact | None:
    """Create a theme per group and move its still-unsorted ideas in: one transaction, one
    `clusters_created` fact (None when no group had an unsorted idea left)."""
    created: list[dict[str, Any]] = []
    with store._transaction() as db:
        open_ids = set(unsorted_idea_ids(store, workshop_id))
        position, prompt_id = _next_cluster(store, workshop_id)
        for label, idea_ids in groups:
            unsorted = [i for i in idea_ids if i in open_ids]
            if not unsorted:
                continue
            open_ids.difference_update(unsorted)
            cluster_id = db.table("clusters").insert({
                "workshop_id": workshop_id, "label": label, "position": position,
                "prompt_id": prompt_id, "created_at": now()}).last_pk
            cluster = Cluster(int(cluster_id or 0), label, position, prompt_id).to_dict()
            position += 1
            created.append({**cluster, "idea_ids": _move(store, workshop_id, unsorted, cluster["id"])})
        if not created:
            return None
        return store._append(workshop_id, ClustersCreated(clusters=created), "facilitator")


def theme_texts(store: CoreStore, workshop_id: int) -> list[tuple[int, str, list[str]]]:
    """Each of the active question's themes in wall order: its id, its label and the texts of its
    visible ideas."""
    themes = store._rows(f"SELECT id, label FROM clusters WHERE workshop_id = ? AND {ACTIVE}"
                         " ORDER BY position", (workshop_id, workshop_id))
    members: dict[int, list[str]] = {t["id"]: [] for t in themes}
    for row in store._rows("SELECT cluster_id, text FROM ideas WHERE workshop_id = ? AND hidden = 0"
                           " AND cluster_id IS NOT NULL ORDER BY id", (workshop_id,)):
        if row["cluster_id"] in members:  # not another question's theme
            members[row["cluster_id"]].append(row["text"])
    return [(t["id"], t["label"], members[t["id"]]) for t in themes]


def unsorted_idea_ids(store: CoreStore, workshop_id: int) -> list[int]:
    """The active question's visible ideas in no theme and stacked under no other: what
    suggestions may touch."""
    rows = store._rows(
        "SELECT id FROM ideas WHERE workshop_id = ? AND cluster_id IS NULL AND hidden = 0"
        f" AND duplicate_of IS NULL AND {ACTIVE} ORDER BY id", (workshop_id, workshop_id))
    return [row["id"] for row in rows]


def stack_tops(store: CoreStore, workshop_id: int) -> list[int]:
    """The active question's visible ideas that are not stacked under another: one per card."""
    rows = store._rows("SELECT id FROM ideas WHERE workshop_id = ? AND hidden = 0"
                       f" AND duplicate_of IS NULL AND {ACTIVE} ORDER BY id",
                       (workshop_id, workshop_id))
    return [row["id"] for row in rows]


def idea_texts(store: CoreStore, workshop_id: int, idea_ids: Sequence[int]) -> list[str]:
    """The texts of these ideas, in the order given."""
    if not idea_ids:  # PostgreSQL refuses an empty 'IN ()' (SQLite takes it)
        return []
    marks = ",".join("?" * len(idea_ids))
    rows = store._rows(f"SELECT id, text FROM ideas WHERE workshop_id = ? AND id IN ({marks})",
                       (workshop_id, *idea_ids))
    texts = {row["id"]: row["text"] for row in rows}
    return [texts[i] for i in idea_ids]


def stack_ideas(store: CoreStore, workshop_id: int, top_id: int, duplicate_ids: Sequence[int]) -> Fact:
    """Stack duplicates under one idea's card; they take its theme and keep their own text."""
    with store._transaction() as db:
        cluster_id = db.execute("SELECT cluster_id FROM ideas WHERE id = ?",
                                [top_id]).fetchone()[0]
        moving = sorted({i for d in duplicate_ids for i in stack_of(store, d)} - {top_id})
        marks = ",".join("?" * len(moving))
        db.execute(f"UPDATE ideas SET duplicate_of = ?, cluster_id = ? WHERE id IN ({marks})",
                   [top_id, cluster_id, *moving])
        fact = IdeasStacked(idea_id=top_id, duplicate_ids=moving, cluster_id=cluster_id)
        return store._append(workshop_id, fact, "facilitator")


def unstack_idea(store: CoreStore, workshop_id: int, idea_id: int) -> Fact | None:
    """Take one idea off the stack it is in, as a card of its own in the same place."""
    with store._transaction() as db:
        changed = db.execute("UPDATE ideas SET duplicate_of = NULL WHERE id = ?"
                             " AND duplicate_of IS NOT NULL", [idea_id]).rowcount
        if not changed:
            return None
        return store._append(workshop_id, IdeaUnstacked(idea_id=idea_id), "facilitator")
