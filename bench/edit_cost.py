"""What an idea's edit costs as its workshop's log grows, on SQLite and PostgreSQL: before (no index
on the facts about each idea: the scrub reads the whole log) and now (m017's index), in one run.

    .venv/bin/python bench/edit_cost.py                              # 2,000, 20,000, 200,000 facts
    .venv/bin/python bench/edit_cost.py --events 2000,20000 --edits 50 --stores sqlite

An edit rewrites the idea's text in every fact logged about it (store/rounds.py SCRUB), on the
writer, under the write lock, so every change of every workshop waits behind it. Per store and log
size, a database of its own (a temporary SQLite file as app.py opens it; a PostgreSQL database on
`--database`'s server, dropped at the end) holds one workshop with `--events` ideas and as many
`idea_posted` facts, written by SQL from a real fact's payload. Then, with the index dropped
(before) and created again (now), `--edits` edits of ideas spread over the log and as many new
ideas. Printed: the edit as a participant's ack waits for it (its transaction, commit and, on
SQLite, the checkpoint that takes the old text out of the files; PostgreSQL's rewrite runs in the
background and is left out here), the scrub statement alone (in a transaction rolled back), a new
idea's post (what the index costs every fact), the index's build time (an existing database's
migration) and its size.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INDEX = "idx_events_workshop_id_idea_id"
CREATE = {  # schema.py m017 and its PostgreSQL twin, as they create it
    "sqlite": f"CREATE INDEX {INDEX} ON events (workshop_id, json_extract(payload, '$.idea.id'))",
    "postgresql": f"CREATE INDEX {INDEX} ON events (workshop_id, ((payload::jsonb #>> '{{idea,id}}')::bigint))",
}

TEXT = "Idé nummer {} om cykelstier og grønne gårde i kvarteret"  # each generated idea's


def pct(values: list[float], q: float) -> float:
    """The q-quantile as bench/store.py takes it (p99 of 100 values: the largest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextmanager
def database(store_kind: str, server: str) -> Iterator[str]:
    """A new, empty database's location, removed afterwards."""
    if store_kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench_edit_") as folder:
            yield str(Path(folder) / "facilitation.db")
        return
    import psycopg

    name = f"bench_edit_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(store: Any, events: int) -> tuple[int, int, list[int]]:
    """One workshop with `events` ideas and their facts (one posted the real way, its fact's
    payload the model of the others); its id, a participant's, and the ideas' ids."""
    workshop, _ = store.create_workshop("Borgermøde", "Hvad skal vi gøre?")
    person, _, _ = store.join(workshop.id, None, 10)
    model, _ = store.post_idea(workshop.id, person.id, "m", "Idé nummer 0 om cykelstier")
    db, pg = store.db, hasattr(store.db, "raw")
    seq = db.execute("SELECT seq FROM workshops WHERE id = ?", [workshop.id]).fetchone()[0]
    # Generated rows: ids and seqs after the model's, each fact about its own idea.
    series = ("generate_series(1, ?) g" if pg else
              "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?) SELECT g FROM s)")
    text = "'" + TEXT.replace("{}", "' || (g + ?) || '") + "'"
    db.execute("BEGIN")
    db.execute(f"INSERT INTO ideas (id, workshop_id, participant_id, client_id, text, hidden, created_at,"
               f" pending, prompt_id) SELECT g + ?, ?, ?, 'b' || g, {text}, 0, created_at, 0, prompt_id"
               f" FROM {series}, (SELECT created_at, prompt_id FROM ideas WHERE id = ?) AS m",
               [model.id, workshop.id, person.id, model.id, events - 1, model.id])
    new_payload = ("jsonb_set(jsonb_set(payload::jsonb, '{idea,id}', to_jsonb(g + ?)), '{idea,text}',"
                   f" to_jsonb({text}))::text" if pg else
                   f"json_set(payload, '$.idea.id', g + ?, '$.idea.text', {text})")
    db.execute(f"INSERT INTO events (workshop_id, seq, type, payload, actor, created_at, phones, recipient)"
               f" SELECT workshop_id, g + ?, type, {new_payload}, actor, created_at,"
               f" phones, recipient FROM {series}, (SELECT * FROM events WHERE workshop_id = ? AND seq = ?) AS m",
               [seq, model.id, model.id, events - 1, workshop.id, seq])
    db.execute("UPDATE workshops SET seq = ? WHERE id = ?", [seq + events - 1, workshop.id])
    db.execute("COMMIT")
    if pg:  # explicit ids: the identity continues after them, as migrate-store leaves it
        db.execute("SELECT setval(pg_get_serial_sequence('ideas', 'id'), (SELECT max(id) FROM ideas))")
        db.raw.execute("VACUUM ANALYZE ideas, events")  # as autovacuum would have by now
    last = model.id + events - 1  # the generated facts are about the ideas they name
    assert db.execute("SELECT count(*) FROM events WHERE workshop_id = ? AND json_extract(payload, '$.idea.id') = ?"
                      " AND payload LIKE ?", [workshop.id, last, f'%"{TEXT.format(last)}"%']).fetchone()[0] == 1
    return workshop.id, person.id, [model.id + n for n in range(events)]


def timed(function: Callable[..., Any], *args: Any) -> float:
    """Milliseconds `function(*args)` took."""
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def scrub_alone(store: Any, workshop_id: int, idea_id: int) -> float:
    """Milliseconds of the scrub statement alone, in a transaction rolled back."""
    from facilitation.store.rounds import SCRUB

    store.db.execute("BEGIN")
    try:
        return timed(store.db.execute, SCRUB, ["x", workshop_id, idea_id])
    finally:
        store.db.execute("ROLLBACK")


def index_mb(store: Any) -> float:
    """The index's size on disk."""
    if hasattr(store.db, "raw"):
        return float(store.db.execute(f"SELECT pg_relation_size('{INDEX}')").fetchone()[0]) / 1e6
    return float(store.db.execute("SELECT sum(pgsize) FROM dbstat WHERE name = ?", [INDEX]).fetchone()[0]) / 1e6


def measure(store_kind: str, events: int, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Before and now on one database of `events` facts."""
    from facilitation.store import Store, connect

    rows = []
    with database(store_kind, args.database) as location:
        store = Store(connect(location))
        if store.vacuum is not None:  # PostgreSQL's rewrite runs after the ack: not timed here
            store.vacuum.close()
            store.vacuum = None
        try:
            workshop_id, person, ideas = seed(store, events)
            edited = iter(random.Random(1).sample(ideas, 2 * args.edits))
            build = 0.0
            for way in ("before", "now"):
                if way == "before":
                    store.db.execute(f"DROP INDEX {INDEX}")
                else:
                    build = timed(store.db.execute, CREATE[store_kind]) / 1000
                    if store_kind == "postgresql":
                        store.db.execute("ANALYZE events")
                targets = [next(edited) for _ in range(args.edits)]
                scrubs = [scrub_alone(store, workshop_id, i) for i in targets]
                edits = [timed(store.edit_idea, workshop_id, i, f"Ændret {i}: {way}", f"participant:{person}")
                         for i in targets]
                posts = [timed(store.post_idea, workshop_id, person, f"{way}{n}", f"Ny idé {n}")
                         for n in range(args.edits)]
                rows.append({"store": store_kind, "events": events, "way": way, "edit": edits,
                             "scrub": scrubs, "post": posts, "build": build if way == "now" else None,
                             "mb": index_mb(store) if way == "now" else None})
        finally:
            store.close()
    return rows


def versions(args: argparse.Namespace) -> str:
    """The stores' versions, for the table's heading."""
    parts = [f"SQLite {sqlite3.sqlite_version}"]
    if "postgresql" in args.stores:
        import psycopg

        with psycopg.connect(args.database) as conn:
            version = conn.info.server_version
        parts.append(f"PostgreSQL {version // 10000}.{version % 100}")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="2000,20000,200000", help="log sizes, comma-separated")
    parser.add_argument("--edits", type=int, default=100, help="edits (and posts) per way and size")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--database", default=os.environ.get("IDEA_FACTORY_TEST_PG", "postgresql:///postgres"),
                        help="the PostgreSQL server (a database of its own is made there and dropped)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = [row for kind in args.stores.split(",") for events in map(int, args.events.split(","))
            for row in measure(kind, events, args)]
    load_after = os.getloadavg()
    print(f"\nedit cost: {args.edits} edits and posts per row; {versions(args)}; {platform.node()},"
          f" {os.cpu_count()} cores; load {' / '.join(f'{x:.1f}' for x in load_before)} at start,"
          f" {' / '.join(f'{x:.1f}' for x in load_after)} at the end\n")
    print("| store | facts | index | edit p50 ms | edit p99 ms | scrub p50 ms | scrub p99 ms |"
          " post p50 ms | post p99 ms | index built in s | index MB |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        extra = f"{row['build']:.2f} | {row['mb']:.2f}" if row["way"] == "now" else "- | -"
        print(f"| {row['store']} | {row['events']:,} | {'no (before)' if row['way'] == 'before' else 'yes (now)'} |"
              + "".join(f" {statistics.median(row[k]):.2f} | {pct(row[k], 0.99):.2f} |" for k in ("edit", "scrub", "post"))
              + f" {extra} |")
    print("\nrerun: .venv/bin/python bench/edit_cost.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
