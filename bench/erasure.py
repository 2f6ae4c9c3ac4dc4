"""What a participant's deletion costs on PostgreSQL: its ack, and the rewrite that takes the text
out of the files, before (VACUUM (FULL) before the ack) and now (in the background, coalesced).

    .venv/bin/python bench/erasure.py                        # 200,000 events, the local server
    .venv/bin/python bench/erasure.py --events 50000 --deletions 10 --database postgresql:///postgres

A database of its own on the server (dropped at the end) holds one workshop with `--events` ideas
and as many logged facts (the load of other workshops the rewrite copies), and a workshop whose
participant deletes its ideas. Printed, per way: the deletion's ack latency (p50, max), how many
rewrites ran and their seconds, the time until the text was out of the files, and how long a change
made while a rewrite runs waits for it (every host's changes to those tables do).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(store: object, events: int) -> None:
    """One workshop with `events` ideas and their facts, written by SQL (seconds, not minutes)."""
    big, _ = store.create_workshop("Stor", "?")  # type: ignore[attr-defined]
    person, _, _ = store.join(big.id, None, 10)  # type: ignore[attr-defined]
    raw = store.db.raw  # type: ignore[attr-defined]
    raw.execute("INSERT INTO ideas (workshop_id, participant_id, client_id, text, hidden, created_at,"
                " pending) SELECT %s, %s, 'b' || g, 'Idé nummer ' || g || ' om cykelstier', 0,"
                " '2026-12-07T18:00:00.000Z', 0 FROM generate_series(1, %s) g",
                [big.id, person.id, events])
    raw.execute("INSERT INTO events (workshop_id, seq, type, payload, actor, created_at)"
                " SELECT %s, g, 'idea_posted', json_build_object('idea', json_build_object('id', g,"
                " 'text', 'Idé nummer ' || g || ' om cykelstier'))::text, 'participant:1',"
                " '2026-12-07T18:00:00.000Z' FROM generate_series(1, %s) g", [big.id, events])
    raw.execute("UPDATE workshops SET seq = %s WHERE id = %s", [events, big.id])
    raw.execute("VACUUM ANALYZE ideas, events")


def deleting(store: object, count: int) -> tuple[object, object, list[int]]:
    """A workshop, its participant and `count` ideas of theirs to delete."""
    workshop, _ = store.create_workshop("T", "?")  # type: ignore[attr-defined]
    person, _, _ = store.join(workshop.id, None, 10)  # type: ignore[attr-defined]
    ideas = [store.post_idea(workshop.id, person.id, f"d{n}", f"Hemmelig {n}")[0].id  # type: ignore[attr-defined]
             for n in range(count)]
    return workshop, person, ideas


def timed(function: object, *args: object) -> float:
    started = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--deletions", type=int, default=20)
    parser.add_argument("--database", default=os.environ.get("IDEA_FACTORY_TEST_PG", "postgresql:///postgres"))
    args = parser.parse_args()
    import psycopg

    from facilitation.store import Store, connect

    name = f"bench_erasure_{uuid.uuid4().hex[:6]}"
    base = args.database.rpartition("/")[0]
    with psycopg.connect(args.database, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = Store(connect(f"{base}/{name}"))
    try:
        seed(store, args.events)
        rows = []
        # Before: the ack waited for VACUUM (FULL) of ideas and events, once per deletion.
        workshop, person, ideas = deleting(store, 3)
        background, store.vacuum = store.vacuum, None  # the old way alone
        def old_rewrite() -> None:  # as the ack ran it: VACUUM (FULL) on a connection of its own
            with psycopg.connect(f"{base}/{name}", autocommit=True) as raw:
                raw.execute("VACUUM (FULL) ideas, events")
        before = [timed(store.delete_idea, workshop.id, i, f"participant:{person.id}")
                  + timed(old_rewrite) for i in ideas]
        store.vacuum = background
        rows.append(("before: VACUUM FULL in the ack", before, len(before), sum(before), max(before)))
        # Now: the acks mark the tables; one rewrite in the background covers the burst.
        runs: list[float] = []
        assert store.vacuum is not None
        store.vacuum.on_run = lambda outcome, seconds: runs.append(seconds)
        workshop, person, ideas = deleting(store, args.deletions)
        first = time.perf_counter()
        acks = [timed(store.delete_idea, workshop.id, i, f"participant:{person.id}") for i in ideas]
        store.vacuum.wait(600)
        rows.append(("now: in the background", acks, len(runs), sum(runs), time.perf_counter() - first))
        # A change made while a rewrite runs waits for its lock.
        waits: list[float] = []
        writer = threading.Thread(target=lambda: waits.extend(
            timed(store.post_idea, workshop.id, person.id, f"w{n}", "Idé") for n in range(3)))
        store.vacuum.erased(["ideas", "events"], at_once=True)
        time.sleep(0.05)  # the rewrite has begun (it holds the tables) before the writer starts
        writer.start()
        writer.join()
        store.vacuum.wait(600)
    finally:
        store.close()
        with psycopg.connect(args.database, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with psycopg.connect(args.database) as conn:
        version = conn.info.server_version
    print(f"{args.events:,} events, PostgreSQL {version // 10000}.{version % 100}, {platform.node()},"
          f" {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'way':32} {'ack p50 s':>9} {'ack max s':>9} {'rewrites':>8} {'rewrite s':>9} {'text gone s':>11}")
    for label, latencies, count, seconds, gone in rows:
        print(f"{label:32} {statistics.median(latencies):9.3f} {max(latencies):9.3f} {count:8d}"
              f" {seconds:9.2f} {gone:11.2f}")
    print(f"a change made during a rewrite: {max(waits):.3f} s (the first waits for the lock)")
    print(f"rerun: .venv/bin/python bench/erasure.py --events {args.events} --deletions {args.deletions}")


if __name__ == "__main__":
    main()
