"""A workshop's visible ideas as CSV and JSON, the formats organisers open first."""

from __future__ import annotations

import csv
import io
import json

from .background import counts_table, groups_records
from .report import parse_time
from .rows import IDEA_COLUMNS, LOCAL_TIME, Rows, answer_lookup, ideas_with_themes, people


def inert(value: object) -> object:
    """A cell a spreadsheet will not run: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# The CSV's times read as the clock in the hall, like the Excel export's; the header says the zone.
CSV_TIME = "created_at (Europe/Copenhagen)"
CSV_COLUMNS = [CSV_TIME if column == "created_at" else column for column in IDEA_COLUMNS]


def hall_time(value: object) -> str:
    """A stored UTC time as Copenhagen wall-clock time, `YYYY-MM-DD HH:MM:SS`."""
    moment = parse_time(value)
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def to_csv(rows: Rows) -> str:
    """The ideas as CSV, UTF-8 with a byte-order mark so spreadsheet programs keep æ, ø and å;
    times in Copenhagen time."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for idea in ideas_with_themes(rows):
        record = {k: inert(v) for k, v in idea.items() if k != "created_at"}
        writer.writerow({**record, CSV_TIME: hall_time(idea["created_at"])})
    return out.getvalue()


def theme_answer(rows: Rows, cluster_id: int) -> dict[str, str]:
    """A theme's answer as two fields (status, text), empty when it has none yet."""
    answer = answer_lookup(rows)({"id": None, "cluster_id": cluster_id})
    return {"answer_status": answer["status"] if answer else "", "answer": answer["text"] if answer else ""}


def to_json(rows: Rows) -> str:
    """The workshop, its questions, tables, themes and visible ideas with their answers, the
    background counts (none under 5) and where groups agree, as one JSON document (the full event
    log, with hidden and declined ideas, is in the SQLite export only)."""
    document = {
        "workshop": rows["workshops"][0] if rows["workshops"] else None,
        "participant_count": people(rows),
        "questions": [{k: p[k] for k in ("id", "text", "position")} for p in rows["prompts"]],
        "tables": [{k: t[k] for k in ("id", "name", "position")} for t in rows["tables"]],
        "themes": [{**{k: c[k] for k in ("id", "prompt_id", "label", "position")}, **theme_answer(rows, c["id"])}
                   for c in sorted(rows["clusters"], key=lambda c: (c["prompt_id"] or 0,
                                                                    c["position"], c["id"]))],
        "ideas": ideas_with_themes(rows),
        "background": [{k: v for k, v in c.items() if k != "workshop_id"} for c in counts_table(rows)],
        "groups": groups_records(rows),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
