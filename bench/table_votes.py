"""What telling a table's phones of each dot costs the vote: `cast_vote` and `retract_vote` by one
phone at a table of N in table mode, with the `my_votes_changed` every phone at the table now gets
(store/dots.py `tell_voted`) and, in the same run, without it (the baseline: the vote as it was).

    .venv/bin/python bench/table_votes.py                       # tables of 1, 8, 30 and 60 phones
    .venv/bin/python bench/table_votes.py --tables 8 --taps 400

Each table size gets a fresh SQLite file (as app.py opens it) with one workshop in its vote and
the table seated; a phone places a dot and takes it back, `--taps` times each, through the
commands as the dispatcher runs them (each one transaction under the write lock). Printed: per
command, the median and 99th percentile in ms and the facts it wrote. A table of 1 is a
participant's own budget (participant mode writes the same one fact: its other tabs).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facilitation import commands  # noqa: E402
from facilitation.model import FACILITATOR, Actor  # noqa: E402
from facilitation.store import Store, connect, flow  # noqa: E402


def pages(store: Store) -> int:
    """The database's size in bytes (its pages in use)."""
    with store.lock:
        count, free, size = (store.db.execute(f"PRAGMA {name}").fetchone()[0]
                             for name in ("page_count", "freelist_count", "page_size"))
    return int((count - free) * size)


def taps(size: int, count: int, tell: bool) -> tuple[dict[str, tuple[list[float], int]], float]:
    """`count` dots placed and taken back by one of `size` phones at one table: each command's
    times in ms and the facts of its last run, and the bytes the database grew by per command."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(connect(str(Path(folder) / "bench.db")))
        workshop, _ = store.create_workshop("Bench", "Q")
        fac = Actor(workshop, FACILITATOR)
        theme = commands.create_cluster(store, fac, {"label": "A"})[0]["cluster"]["id"]
        table = commands.set_tables(store, fac, {"tables": ["Bord 1"]})[0]["tables"][0]["id"]
        commands.set_rules(store, fac, {"table_mode": True})
        commands.set_voting(store, fac, {"dots": 5, "max_per_item": 5})
        phones = [commands.join(store, {"code": workshop.code})[0] for _ in range(size)]
        for phone in phones:
            commands.set_table(store, phone, {"table_id": table})
        commands.set_phase(store, fac, {"phase": "vote"})
        names = vars(flow)  # the vote's reference to dots.tell_voted, stubbed for the baseline
        told = names["tell_voted"]
        if not tell:
            names["tell_voted"] = lambda *args: []
        result: dict[str, tuple[list[float], int]] = {"cast_vote": ([], 0), "retract_vote": ([], 0)}
        before = pages(store)
        try:
            for _ in range(count):
                for name in result:
                    started = time.perf_counter()
                    _, facts = getattr(commands, name)(store, phones[0], {"cluster_id": theme})
                    result[name][0].append((time.perf_counter() - started) * 1000)
                    result[name] = (result[name][0], len(facts))
            return result, (pages(store) - before) / (2 * count)
        finally:
            names["tell_voted"] = told
            store.close()


def p99(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="1,8,30,60", help="comma-separated phones at the table")
    parser.add_argument("--taps", type=int, default=200, help="dots placed and taken back per size")
    args = parser.parse_args()
    print(f"# {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
          f"python {platform.python_version()}")
    print("| phones at the table | phones told | command | ms, median | p99 | facts | database bytes per command |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for size in (int(n) for n in args.tables.split(",")):
        for tell in (False, True):
            result, grown = taps(size, args.taps, tell)
            for name, (times, facts) in result.items():
                print(f"| {size} | {'yes' if tell else 'no (baseline)'} | `{name}` |"
                      f" {statistics.median(times):.2f} | {p99(times):.2f} | {facts} | {grown:,.0f} |")
    print(f"\nrerun: .venv/bin/python bench/table_votes.py --tables {args.tables} --taps {args.taps}")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
