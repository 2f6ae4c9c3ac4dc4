"""A workshop (or all of them) as one standalone SQLite file, ready for Datasette."""

from __future__ import annotations

import os
import tempfile

from sqlite_utils import Database

from .background import counts_table
from .rows import SCHEMA, Rows

# Who took part, as counts only: a participant's own answers are never in the archive, and a group
# of fewer than 5 has no number (count NULL, fewer_than_5 1).
BACKGROUND = {"workshop_id": int, "question": str, "option": str, "no_answer": int, "count": int,
              "fewer_than_5": int, "percent": int, "share": float}

# One row per idea with everything an organiser asks first; Datasette lists it beside the tables.
OVERVIEW = """
CREATE VIEW idea_overview AS
SELECT ideas.id, ideas.workshop_id, ideas.text, prompts.text AS question, clusters.label AS theme,
       tables.name AS "table", ideas.author,
       (SELECT count(*) FROM votes WHERE votes.idea_id = ideas.id) AS votes,
       ideas.hidden, ideas.pending, ideas.duplicate_of, ideas.created_at
FROM ideas
LEFT JOIN prompts ON prompts.id = ideas.prompt_id
LEFT JOIN clusters ON clusters.id = ideas.cluster_id
LEFT JOIN tables ON tables.id = ideas.table_id
"""


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
            db.table("background").create(BACKGROUND, foreign_keys=[("workshop_id", "workshops", "id")])
            db.table("background").insert_all(counts_table(rows))
            db.execute(OVERVIEW)
        # Full-text search on idea text, as `sqlite-utils enable-fts` makes it (Datasette finds it).
        db.table("ideas").enable_fts(["text"], fts_version="FTS5")
        db.execute("VACUUM")
        db.close()
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)
