"""Copy every row of one live database into another, empty one: a SQLite workshop moves to the
PostgreSQL that several hosts share (`idea-factory migrate-store`), or back.

Ids are kept, so join codes, links, exports and every phone's stored state stay valid. Both
schemas are brought up to date first, so the two have the same tables and columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlite_utils import Database

from .core import connect

# Parents before children. Columns that point forwards (a workshop's active question, an idea's
# stack) are filled in once the rows they point at are there.
ORDER = ["workshops", "prompts", "tables", "participants", "clusters", "ideas", "votes", "merged_dots", "events",
         "erasures", "settings", "answers", "background_questions", "background_options",
         "background_answers"]
LATER = {"workshops": ["active_prompt_id"], "ideas": ["duplicate_of"]}
BATCH = 1000


def _names(db: Database, table: str) -> list[str]:
    """A table's column names, on either backend."""
    if hasattr(db, "raw"):  # PostgreSQL
        return [row[0] for row in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
    return [row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()]


def _rows(db: Database, table: str, columns: list[str]) -> Iterator[list[Any]]:
    order = "workshop_id, seq" if table == "events" else ("id" if "id" in columns else "1")
    names = ", ".join(f"[{c}]" for c in columns)
    for row in db.execute(f"SELECT {names} FROM [{table}] ORDER BY {order}").fetchall():
        yield list(row)


def transfer(source: str, target: str,
             report: Callable[[str, int], None] = lambda table, rows: None) -> dict[str, int]:
    """Copy every row from the `source` database into the empty `target`; rows per table."""
    src, dst = connect(source), connect(target)
    try:
        if dst.execute("SELECT count(*) FROM workshops").fetchone()[0]:
            raise ValueError("the target database already has workshops: give an empty one")
        counts: dict[str, int] = {}
        dst.execute("BEGIN IMMEDIATE")
        try:
            pointers: list[tuple[str, list[str], list[list[Any]]]] = []
            for table in ORDER:
                counts[table] = _copy(src, dst, table, pointers)
                report(table, counts[table])
            for table, later, values in pointers:  # every row is there now
                sets = ", ".join(f"[{c}] = ?" for c in later)
                dst.conn.executemany(f"UPDATE [{table}] SET {sets} WHERE id = ?", values)
            _reset_ids(dst)
            dst.conn.commit()
        except BaseException:
            dst.conn.rollback()
            raise
        return counts
    finally:
        src.conn.close()
        dst.conn.close()


def _copy(src: Database, dst: Database, table: str,
          pointers: list[tuple[str, list[str], list[list[Any]]]]) -> int:
    """Insert a table's rows, with forward pointers left empty and noted in `pointers`."""
    columns = [c for c in _names(src, table) if c in set(_names(dst, table))]
    later = [c for c in LATER.get(table, []) if c in columns]
    marks = ", ".join("?" * len(columns))
    insert = f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({marks})"
    deferred: list[list[Any]] = []
    batch: list[list[Any]] = []
    count = 0
    for row in _rows(src, table, columns):
        if later:
            deferred.append([row[columns.index(c)] for c in later] + [row[columns.index("id")]])
            for c in later:
                row[columns.index(c)] = None
        batch.append(row)
        if len(batch) >= BATCH:
            dst.conn.executemany(insert, batch)
            count, batch = count + len(batch), []
    if batch:
        dst.conn.executemany(insert, batch)
        count += len(batch)
    if later:
        pointers.append((table, later, [v for v in deferred if any(x is not None for x in v[:-1])]))
    return count


def _reset_ids(dst: Database) -> None:
    """On PostgreSQL, new rows continue after the copied ids (SQLite does so by itself)."""
    if not hasattr(dst, "raw"):
        return
    for table in ORDER:
        if "id" in _names(dst, table):
            dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" coalesce((SELECT max(id) FROM [{table}]), 0) + 1, false)")
