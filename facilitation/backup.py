"""`idea-factory backup` and `idea-factory restore`: a consistent copy of the live SQLite database,
taken while phones post (SQLite's online backup API), and putting one back while no server runs."""

from __future__ import annotations

import argparse
import fcntl
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import IO

DATABASE = "facilitation.db"
LOCK = "server.lock"  # every server process holds it shared; restore needs it alone


def hold_data_dir(data_dir: Path) -> IO[str]:
    """Mark the data folder in use by a server for as long as the returned file stays open."""
    handle = open(data_dir / LOCK, "a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def copy_database(source: Path, target: Path) -> dict[str, int]:
    """Copy a live database into a new standalone file, consistently, and check the copy.

    One backup step copies every page inside one read transaction: in WAL mode writers go on
    meanwhile, and the copy is the database as of that transaction's start (a copy in several steps
    would start over at every write of another process, forever during a busy workshop)."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    src = sqlite3.connect(source, timeout=30)  # reads only; read-only mode would need the -shm file
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        counts = check(dst)
    finally:
        dst.close()
        src.close()
    with open(partial, "rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, target)
    return counts


def check(db: sqlite3.Connection) -> dict[str, int]:
    """The counts of an Idea Factory database that passes SQLite's integrity check; else ValueError."""
    verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise ValueError(f"it fails SQLite's integrity check ({verdict})")
    try:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("workshops", "participants", "ideas", "votes")}
    except sqlite3.DatabaseError as error:
        raise ValueError(f"it is not an Idea Factory database ({error})") from None


def backup_main(argv: list[str]) -> int:
    """`idea-factory backup --data-dir D --out FILE`."""
    parser = argparse.ArgumentParser(prog="idea-factory backup", description=(
        "Copy the live database consistently into FILE, while the server runs and phones post."))
    parser.add_argument("--data-dir", default="data", help="folder of the live database")
    parser.add_argument("--out", required=True, help="file to write (replaced only once complete)")
    args = parser.parse_args(argv)
    source = Path(args.data_dir) / DATABASE
    if os.environ.get("IDEA_FACTORY_DATABASE", "").startswith("postgres"):
        parser.error("the store is PostgreSQL (IDEA_FACTORY_DATABASE): back it up with pg_dump"
                     " (docs/deploy.md, \"Back up\")")
    if not source.is_file():
        parser.error(f"no database at {source}")
    started = time.monotonic()
    try:
        counts = copy_database(source, Path(args.out))
    except (OSError, sqlite3.Error, ValueError) as error:
        print(f"Could not back up to {args.out}: {getattr(error, 'strerror', None) or error}.", file=sys.stderr)
        return 2
    size = Path(args.out).stat().st_size
    print(f"Backed up {counts['workshops']} workshops, {counts['ideas']} ideas, {counts['votes']} dots to"
          f" {args.out} ({size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s).")
    return 0


def restore_main(argv: list[str]) -> int:
    """`idea-factory restore --data-dir D --from FILE`: with every server of D stopped."""
    parser = argparse.ArgumentParser(prog="idea-factory restore", description=(
        "Put a backup back as the live database. Stop the server first; the database it replaces"
        " is kept beside it."))
    parser.add_argument("--data-dir", default="data", help="folder of the live database")
    parser.add_argument("--from", dest="source", required=True, help="backup file to restore")
    args = parser.parse_args(argv)
    data_dir, source = Path(args.data_dir), Path(args.source)
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as probe:
            counts = check(probe)
    except (sqlite3.Error, ValueError) as error:
        print(f"{source} cannot be restored: {error}.", file=sys.stderr)
        return 2
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(data_dir / LOCK, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"A server is running on {data_dir}: stop it (all its workers), then restore.",
                  file=sys.stderr)
            return 2
        return put_back(data_dir, source, counts)


def put_back(data_dir: Path, source: Path, counts: dict[str, int]) -> int:
    """Keep the current database aside, then the backup in its place (no stale -wal left)."""
    live = data_dir / DATABASE
    kept = None
    if live.exists():
        kept = data_dir / f"facilitation.before-restore-{time.strftime('%Y%m%dT%H%M%S')}.db"
        copy_database(live, kept)
    copy_database(source, data_dir / f".{DATABASE}.restoring")
    for suffix in ("-wal", "-shm"):  # the old log must never be replayed onto the restored file
        (data_dir / (DATABASE + suffix)).unlink(missing_ok=True)
    os.replace(data_dir / f".{DATABASE}.restoring", live)
    print(f"Restored {counts['workshops']} workshops, {counts['ideas']} ideas from {source} into {live}"
          + (f"; the database it replaced is {kept}." if kept else ".")
          + " The server migrates it to this version when it starts.")
    return 0
