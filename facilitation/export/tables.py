"""A workshop's visible ideas as CSV and JSON, the formats organisers open first."""

from __future__ import annotations

import csv
import io
import json

from .rows import IDEA_COLUMNS, Rows, ideas_with_themes, people


def inert(value: object) -> object:
    """A cell a spreadsheet will not run: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Rows) -> str:
    """The ideas as CSV, UTF-8 with a byte-order mark so spreadsheet programs keep æ, ø and å."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=IDEA_COLUMNS)
    writer.writeheader()
    writer.writerows({k: inert(v) for k, v in idea.items()} for idea in ideas_with_themes(rows))
    return out.getvalue()


def to_json(rows: Rows) -> str:
    """The workshop, its questions, tables, themes and visible ideas as one JSON document (the full
    event log, with hidden and declined ideas, is in the SQLite export only)."""
    document = {
        "workshop": rows["workshops"][0] if rows["workshops"] else None,
        "participant_count": people(rows),
        "questions": [{k: p[k] for k in ("id", "text", "position")} for p in rows["prompts"]],
        "tables": [{k: t[k] for k in ("id", "name", "position")} for t in rows["tables"]],
        "themes": [{k: c[k] for k in ("id", "label", "position")} for c in rows["clusters"]],
        "ideas": ideas_with_themes(rows),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
