"""What every export reads: the tables and columns of a workshop, and its ideas as organisers read them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

Rows = dict[str, list[dict[str, Any]]]
IDEA_COLUMNS = ["id", "text", "question", "theme", "table", "author", "votes", "duplicate_of",
                "created_at", "participant_id", "answer_status", "answer"]
W = ("workshop_id", "workshops", "id")
# Spreadsheets have no time zones: CSV and Excel times are written as the clock in the hall read them.
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")

# Each exported table: its columns, primary key and foreign keys, declared even when it is empty.
# Tokens, token hashes and addresses are never exported.
SCHEMA: dict[str, tuple[dict[str, type], str | tuple[str, ...], list[tuple[str, str, str]]]] = {
    "workshops": ({"id": int, "code": str, "title": str, "prompt": str, "posting_open": int,
                   "phase": str, "dots": int, "max_per_item": int, "vote_on": str, "names": str,
                   "pre_moderation": int, "idea_cap": int, "table_mode": int,
                   "active_prompt_id": int, "seq": int, "created_at": str, "frame": str,
                   "outcome_public": int, "language": str}, "id", []),
    "prompts": ({"id": int, "workshop_id": int, "text": str, "position": int, "created_at": str},
                "id", [W]),
    "tables": ({"id": int, "workshop_id": int, "name": str, "position": int}, "id", [W]),
    "participants": ({"id": int, "workshop_id": int, "name": str, "kind": str, "table_id": int,
                      "created_at": str}, "id", [W, ("table_id", "tables", "id")]),
    "clusters": ({"id": int, "workshop_id": int, "prompt_id": int, "label": str, "position": int,
                  "created_at": str}, "id", [W, ("prompt_id", "prompts", "id")]),
    "ideas": ({"id": int, "workshop_id": int, "prompt_id": int, "participant_id": int,
               "table_id": int, "author": str, "text": str, "hidden": int, "pending": int,
               "cluster_id": int, "duplicate_of": int, "created_at": str}, "id",
              [W, ("prompt_id", "prompts", "id"), ("participant_id", "participants", "id"),
               ("table_id", "tables", "id"), ("cluster_id", "clusters", "id"),
               ("duplicate_of", "ideas", "id")]),
    "votes": ({"id": int, "workshop_id": int, "prompt_id": int, "participant_id": int,
               "idea_id": int, "cluster_id": int, "created_at": str}, "id",
              [W, ("prompt_id", "prompts", "id"), ("participant_id", "participants", "id"),
               ("idea_id", "ideas", "id"), ("cluster_id", "clusters", "id")]),
    "answers": ({"id": int, "workshop_id": int, "cluster_id": int, "idea_id": int, "status": str,
                 "text": str, "created_at": str, "updated_at": str}, "id",
                [W, ("cluster_id", "clusters", "id"), ("idea_id", "ideas", "id")]),
    "events": ({"workshop_id": int, "seq": int, "type": str, "payload": str, "actor": str,
                "created_at": str}, ("workshop_id", "seq"), [W]),
}
COLUMNS = {table: list(spec[0]) for table, spec in SCHEMA.items()}


def ideas_with_themes(rows: Rows) -> list[dict[str, Any]]:
    """Each idea with its question, theme and table by name and its dots, in export column order;
    hidden ideas and ideas still waiting for approval never appear in these (public) formats."""
    names = {key: {row["id"]: row[field] for row in rows[table]}
             for key, table, field in [("question", "prompts", "text"), ("theme", "clusters", "label"),
                                       ("table", "tables", "name")]}
    votes: dict[int, int] = {}
    for vote in rows["votes"]:
        if vote["idea_id"] is not None:
            votes[vote["idea_id"]] = votes.get(vote["idea_id"], 0) + 1
    answers = answer_lookup(rows)
    return [{**{k: idea.get(k) for k in IDEA_COLUMNS},
             "question": names["question"].get(idea["prompt_id"], ""),
             "theme": names["theme"].get(idea["cluster_id"], ""),
             "table": names["table"].get(idea["table_id"], ""),
             "votes": votes.get(idea["id"], 0),
             **_answer_columns(answers(idea))}
            for idea in rows["ideas"] if not idea["hidden"] and not idea["pending"]]


def answer_lookup(rows: Rows) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """What became of an idea: its own answer, else its card's (a stacked duplicate), else its
    theme's; None when nothing has been answered for it yet."""
    by_idea = {a["idea_id"]: a for a in rows.get("answers", []) if a["idea_id"] is not None}
    by_theme = {a["cluster_id"]: a for a in rows.get("answers", []) if a["cluster_id"] is not None}

    def lookup(idea: dict[str, Any]) -> dict[str, Any] | None:
        return (by_idea.get(idea["id"]) or by_idea.get(idea.get("duplicate_of"))
                or by_theme.get(idea.get("cluster_id")))
    return lookup


def _answer_columns(answer: dict[str, Any] | None) -> dict[str, str]:
    return {"answer_status": answer["status"] if answer else "", "answer": answer["text"] if answer else ""}


def people(rows: Rows) -> int:
    """How many participants are people: not the stand-in that paper ideas are imported as."""
    return sum(1 for row in rows["participants"] if row.get("kind", "person") != "paper")
