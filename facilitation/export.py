"""A workshop as standalone files: SQLite (made with sqlite-utils), CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from typing import Any

from sqlite_utils import Database

Rows = dict[str, list[dict[str, Any]]]
IDEA_COLUMNS = ["id", "text", "theme", "hidden", "duplicate_of", "created_at", "participant_id"]


# Each exported table: its columns, primary key and foreign keys, declared even when it is empty.
SCHEMA: dict[str, tuple[dict[str, type], str | tuple[str, ...], list[tuple[str, str, str]]]] = {
    "workshops": ({"id": int, "code": str, "title": str, "prompt": str, "posting_open": int,
                   "seq": int, "created_at": str}, "id", []),
    "participants": ({"id": int, "workshop_id": int, "created_at": str}, "id",
                     [("workshop_id", "workshops", "id")]),
    "clusters": ({"id": int, "workshop_id": int, "label": str, "position": int, "created_at": str},
                 "id", [("workshop_id", "workshops", "id")]),
    "ideas": ({"id": int, "workshop_id": int, "participant_id": int, "text": str, "hidden": int,
               "cluster_id": int, "duplicate_of": int, "created_at": str}, "id",
              [("workshop_id", "workshops", "id"), ("participant_id", "participants", "id"),
               ("cluster_id", "clusters", "id"), ("duplicate_of", "ideas", "id")]),
    "events": ({"workshop_id": int, "seq": int, "type": str, "payload": str, "actor": str,
                "created_at": str}, ("workshop_id", "seq"), [("workshop_id", "workshops", "id")]),
}


def to_sqlite(rows: Rows) -> bytes:
    """A self-contained SQLite file (rollback journal, no side files) with keys declared."""
    fd, path = tempfile.mkstemp(suffix=".sqlite")
    os.close(fd)
    try:
        db = Database(path, recreate=True)
        with db.atomic():
            for name, (columns, pk, foreign_keys) in SCHEMA.items():
                db.table(name).create(columns, pk=pk, foreign_keys=foreign_keys)
                db.table(name).insert_all(rows[name])
        db.close()
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def ideas_with_themes(rows: Rows) -> list[dict[str, Any]]:
    """Each idea with its theme's label (empty when unsorted), in the export's column order."""
    labels = {cluster["id"]: cluster["label"] for cluster in rows["clusters"]}
    return [{**{k: idea.get(k) for k in IDEA_COLUMNS}, "theme": labels.get(idea["cluster_id"], "")}
            for idea in rows["ideas"]]


def to_csv(rows: Rows) -> str:
    """The ideas as CSV, UTF-8 with a byte-order mark so spreadsheet programs keep æ, ø and å."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=IDEA_COLUMNS)
    writer.writeheader()
    writer.writerows(ideas_with_themes(rows))
    return out.getvalue()


def to_json(rows: Rows) -> str:
    """The workshop, its ideas and its event log as one JSON document."""
    document = {
        "workshop": rows["workshops"][0] if rows["workshops"] else None,
        "participant_count": len(rows["participants"]),
        "themes": [{k: c[k] for k in ("id", "label", "position")} for c in rows["clusters"]],
        "ideas": ideas_with_themes(rows),
        "events": [{**event, "payload": json.loads(event["payload"])} for event in rows["events"]],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
