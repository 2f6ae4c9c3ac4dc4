"""`python app.py export`: a workshop, or all of them, to a file, for organisers and scripts."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from . import export
from .model import normalize_code
from .store import Store, connect

SUFFIXES = {".sqlite": "sqlite", ".db": "sqlite", ".csv": "csv", ".xlsx": "xlsx", ".json": "json"}


def export_main(argv: list[str]) -> int:
    """Write one workshop (format from the file's suffix) or every workshop (SQLite) to --out."""
    parser = argparse.ArgumentParser(prog="python app.py export",
                                     description="Export a workshop, or all of them, to a file.")
    parser.add_argument("code", nargs="?", help="the workshop's join code")
    parser.add_argument("--all", action="store_true", help="every workshop, in one SQLite database")
    parser.add_argument("--out", required=True, help="file to write: .sqlite/.db, .csv, .xlsx, .json")
    parser.add_argument("--data-dir", default="data", help="folder of the live database")
    args = parser.parse_args(argv)
    out = Path(args.out)
    fmt = SUFFIXES.get(out.suffix.lower())
    if fmt is None or fmt not in export.FORMATS:
        parser.error(f"unknown file type {out.suffix!r}: use one of {', '.join(SUFFIXES)}")
    if args.all == bool(args.code):
        parser.error("give a workshop code, or --all")
    if args.all and fmt != "sqlite":
        parser.error("--all writes one SQLite database: use --out FILE.db or FILE.sqlite")
    database = Path(args.data_dir) / "facilitation.db"
    if not database.exists():
        parser.error(f"no database at {database}")
    try:
        return write_export(args, database, out, fmt)
    except (OSError, sqlite3.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        print(f"Could not export to {out}: {reason}.", file=sys.stderr)
        return 2


def write_export(args: argparse.Namespace, database: Path, out: Path, fmt: str) -> int:
    """Read the workshop(s) and write the file; 2 when the code names no workshop."""
    store = Store(connect(database))
    if args.all:
        rows = store.export_rows(None, export.COLUMNS)
    else:
        code = normalize_code(args.code)
        workshop = store.get_workshop(code) if code else None
        if workshop is None:
            print(f"There is no workshop with the code {args.code!r}.", file=sys.stderr)
            return 2
        rows = store.export_rows(workshop.id, export.COLUMNS)
    body = export.FORMATS[fmt][1](rows)
    out.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    print(f"Wrote {out} ({len(rows['ideas'])} ideas, {len(rows['workshops'])} workshop(s)).")
    return 0
