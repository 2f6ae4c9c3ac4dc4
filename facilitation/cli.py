"""`python app.py export`: a workshop, or all of them, to a file, for organisers and scripts; and
`python app.py migrate-store`: the live database moved to another (SQLite to PostgreSQL)."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from . import export
from .model import normalize_code
from .store import Store, connect
from .store.postgres import DatabaseError, is_postgres
from .store.transfer import transfer

SUFFIXES = {".sqlite": "sqlite", ".db": "sqlite", ".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


def export_main(argv: list[str]) -> int:
    """Write one workshop (format from the file's suffix) or every workshop (SQLite) to --out."""
    parser = argparse.ArgumentParser(prog="python app.py export",
                                     description="Export a workshop, or all of them, to a file.")
    parser.add_argument("code", nargs="?", help="the workshop's join code")
    parser.add_argument("--all", action="store_true", help="every workshop, in one SQLite database")
    parser.add_argument("--out", required=True, help="file to write: .sqlite/.db, .csv, .xlsx, .json")
    parser.add_argument("--data-dir", default="data", help="folder of the live database")
    parser.add_argument("--database", default=os.environ.get("IDEA_FACTORY_DATABASE"), metavar="URL",
                        help="the live database's postgresql:// URL, when it is not SQLite in --data-dir"
                             " (default: the IDEA_FACTORY_DATABASE environment variable)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    fmt = SUFFIXES.get(out.suffix.lower())
    if fmt is None or fmt not in export.FORMATS:
        parser.error(f"unknown file type {out.suffix!r}: use one of {', '.join(SUFFIXES)}")
    if args.all == bool(args.code):
        parser.error("give a workshop code, or --all")
    if args.all and fmt != "sqlite":
        parser.error("--all writes one SQLite database: use --out FILE.db or FILE.sqlite")
    database: Path | str = args.database or Path(args.data_dir) / "facilitation.db"
    if isinstance(database, Path) and not database.exists():
        parser.error(f"no database at {database}")
    try:
        return write_export(args, database, out, fmt)
    except (OSError, sqlite3.Error, DatabaseError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        print(f"Could not export to {out}: {reason}.", file=sys.stderr)
        return 2


def write_export(args: argparse.Namespace, database: Path | str, out: Path, fmt: str) -> int:
    """Read the workshop(s) and write the file; 2 when the code names no workshop."""
    store = Store(connect(database))
    if args.all:
        rows = export.read_rows(store, None)
    else:
        code = normalize_code(args.code)
        workshop = store.get_workshop(code) if code else None
        if workshop is None:
            print(f"There is no workshop with the code {args.code!r}.", file=sys.stderr)
            return 2
        rows = export.read_rows(store, workshop.id)
    body = export.FORMATS[fmt][1](rows)
    out.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    print(f"Wrote {out} ({len(rows['ideas'])} ideas, {len(rows['workshops'])} workshop(s)).")
    return 0


def migrate_main(argv: list[str]) -> int:
    """Copy every workshop from one live database into another, empty one."""
    parser = argparse.ArgumentParser(
        prog="idea-factory migrate-store",
        description="Copy the live database (every workshop, with its ids) into an empty one, e.g."
                    " a SQLite data folder into the PostgreSQL that several hosts share. Stop the"
                    " server first.")
    parser.add_argument("--from", dest="source", required=True, metavar="DATABASE",
                        help="sqlite:PATH (a facilitation.db, or a data folder) or postgresql://...")
    parser.add_argument("--to", dest="target", required=True, metavar="DATABASE",
                        help="postgresql://... or sqlite:PATH; it must hold no workshops yet")
    args = parser.parse_args(argv)
    source, target = database_path(args.source), database_path(args.target)
    if isinstance(source, Path) and not source.exists():
        parser.error(f"no database at {source}")
    try:
        counts = transfer(str(source), str(target),
                          report=lambda table, rows: print(f"{table}: {rows} rows", flush=True))
    except (OSError, ValueError, sqlite3.Error, DatabaseError) as error:
        print(f"Could not migrate: {error}", file=sys.stderr)
        return 2
    print(f"Copied {counts['workshops']} workshop(s) and {counts['ideas']} ideas into {args.target}.")
    return 0


def database_path(value: str) -> Path | str:
    """A --from/--to value: a PostgreSQL URL as given; sqlite:PATH (or a bare path) as the file,
    a data folder meaning the facilitation.db inside it."""
    if is_postgres(value):
        return value
    path = Path(value.removeprefix("sqlite:"))
    return path / "facilitation.db" if path.is_dir() else path
