"""Before and after the evening: the frame, answers to themes and ideas, and background questions.

(The reads every snapshot carries, `answers` and `background`, are the core's.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..facts import AnswerSet, BackgroundSet, Fact, FrameSet
from .core import CoreStore, now

# One background question as the command hands it over: its label and its options (label, share).
Question = tuple[str, Sequence[tuple[str, float | None]]]


def set_frame(store: CoreStore, workshop_id: int, text: str) -> Fact | None:
    """Store the frame; None when it already was this text."""
    with store._transaction() as db:
        if not db.execute("UPDATE workshops SET frame = ? WHERE id = ? AND frame != ?",
                          [text, workshop_id, text]).rowcount:
            return None
        return store._append(workshop_id, FrameSet(frame=text), "facilitator")


def set_answer(store: CoreStore, workshop_id: int, column: str, item_id: int, status: str, text: str,
               actor: str) -> Fact | None:
    """Write (or rewrite) the answer to a theme (`column` cluster_id) or an idea (idea_id); None when
    it already said exactly this."""
    assert column in ("cluster_id", "idea_id")
    with store._transaction() as db:
        row = db.execute(f"SELECT id, status, text FROM answers WHERE {column} = ?", [item_id]).fetchone()
        stamp = now()
        if row is None:
            db.execute(f"INSERT INTO answers (workshop_id, {column}, status, text, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", [workshop_id, item_id, status, text, stamp, stamp])
        elif (row[1], row[2]) == (status, text):
            return None
        else:
            db.execute("UPDATE answers SET status = ?, text = ?, updated_at = ? WHERE id = ?",
                       [status, text, stamp, row[0]])
        answer = next(a for a in store.answers(workshop_id) if a[column] == item_id)
        return store._append(workshop_id, AnswerSet(answer=answer), actor)


def move_answer(store: CoreStore, workshop_id: int, from_id: int, to_id: int) -> Fact | None:
    """Move a theme's answer, status, text and all, to a theme that has none (the console's undo of
    a merge); None when the first has no answer or the second already has one."""
    with store._transaction() as db:
        if not db.execute("UPDATE answers SET cluster_id = ?, updated_at = ? WHERE cluster_id = ?"
                          " AND NOT EXISTS (SELECT 1 FROM answers WHERE cluster_id = ?)",
                          [to_id, now(), from_id, to_id]).rowcount:
            return None
        answer = next(a for a in store.answers(workshop_id) if a["cluster_id"] == to_id)
        return store._append(workshop_id, AnswerSet(answer=answer), "facilitator")


def set_background(store: CoreStore, workshop_id: int, questions: Sequence[Question]) -> Fact:
    """Replace the background questions; a question or option whose label stays keeps its id, and
    so the answers already given to it."""
    with store._transaction() as db:
        old = {q["label"]: q for q in store.background(workshop_id)}
        labels = [label for label, _ in questions]
        for label, question in old.items():
            if label not in labels:
                db.execute("DELETE FROM background_questions WHERE id = ?", [question["id"]])
        for position, (label, options) in enumerate(questions):
            if label in old:
                question_id = old[label]["id"]
                db.execute("UPDATE background_questions SET position = ? WHERE id = ?",
                           [position, question_id])
            else:
                question_id = db.execute("INSERT INTO background_questions (workshop_id, label, position)"
                                         " VALUES (?, ?, ?) RETURNING id",
                                         [workshop_id, label, position]).fetchone()[0]
            _set_options(store, question_id, options, old.get(label, {}).get("options", []))
        return store._append(workshop_id, BackgroundSet(questions=store.background(workshop_id)),
                             "facilitator")


def _set_options(store: CoreStore, question_id: int, options: Sequence[tuple[str, float | None]],
                 old: list[dict[str, Any]]) -> None:
    kept = {o["label"]: o["id"] for o in old}
    labels = [label for label, _ in options]
    for label, option_id in kept.items():
        if label not in labels:
            store.db.execute("DELETE FROM background_options WHERE id = ?", [option_id])
    for position, (label, share) in enumerate(options):
        if label in kept:
            store.db.execute("UPDATE background_options SET position = ?, share = ? WHERE id = ?",
                             [position, share, kept[label]])
        else:
            store.db.execute("INSERT INTO background_options (question_id, label, position, share)"
                             " VALUES (?, ?, ?, ?)", [question_id, label, position, share])


def background_answers(store: CoreStore, participant_id: int) -> dict[str, int]:
    """One participant's answers: question id (as text, a JSON key) -> option id."""
    rows = store._rows("SELECT question_id, option_id FROM background_answers WHERE participant_id = ?",
                       (participant_id,))
    return {str(r["question_id"]): r["option_id"] for r in rows}


def set_background_answers(store: CoreStore, participant_id: int, answers: dict[int, int]) -> None:
    """Replace one participant's answers (question id -> option id, checked by the command)."""
    with store._transaction() as db:
        db.execute("DELETE FROM background_answers WHERE participant_id = ?", [participant_id])
        db.conn.executemany("INSERT INTO background_answers (participant_id, question_id, option_id)"
                            " VALUES (?, ?, ?)", [(participant_id, q, o) for q, o in answers.items()])


def outcome_rows(store: CoreStore, workshop_id: int | None) -> dict[str, list[dict[str, Any]]]:
    """The background questions and options of one workshop (None: of all) and each participant's
    background answer, for counting in outputs (never exported as such)."""
    where, params = ("WHERE q.workshop_id = ?", (workshop_id,)) if workshop_id is not None else ("", ())
    with store.lock:
        return {
            "background_questions": store._rows(
                f"SELECT q.id, q.workshop_id, q.label, q.position FROM background_questions q {where}"
                " ORDER BY q.position, q.id", params),
            "background_options": store._rows(
                "SELECT o.id, o.question_id, o.label, o.position, o.share FROM background_options o"
                f" JOIN background_questions q ON q.id = o.question_id {where}"
                " ORDER BY o.position, o.id", params),
            "background_answers": store._rows(
                "SELECT a.participant_id, a.question_id, a.option_id FROM background_answers a"
                f" JOIN background_questions q ON q.id = a.question_id {where}", params),
        }
