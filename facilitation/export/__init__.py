"""A workshop as standalone files: SQLite (made with sqlite-utils), CSV, JSON, Excel and a report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .report import Report, build_report
from .rows import COLUMNS, IDEA_COLUMNS, SCHEMA, Rows, ideas_with_themes
from .sqlite import to_sqlite
from .tables import to_csv, to_json
from .xlsx import to_xlsx

def read_rows(store: Any, workshop_id: int | None) -> Rows:
    """Everything exports read of one workshop (None: all): its tables, and the background
    questions and answers that outputs count (never export as such)."""
    return {**store.export_rows(workshop_id, COLUMNS), **store.outcome_rows(workshop_id)}


# File suffix -> (media type, writer). The SQLite file is the archive; the others are public.
FORMATS: dict[str, tuple[str, Callable[[Rows], Any]]] = {
    "sqlite": ("application/vnd.sqlite3", to_sqlite),
    "csv": ("text/csv", to_csv),  # Flask adds "; charset=utf-8" to text types, once
    "json": ("application/json", to_json),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}

__all__ = ["COLUMNS", "FORMATS", "IDEA_COLUMNS", "SCHEMA", "Report", "Rows", "build_report", "read_rows",
           "ideas_with_themes", "to_csv", "to_json", "to_sqlite", "to_xlsx"]
