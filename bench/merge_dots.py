"""What telling phones their dots moved costs a merge: `merge_clusters` of a theme carrying one dot
from each of N participants, with the `my_votes_changed` each of them now gets (store/dots.py) and,
in the same run, without it (the baseline: the merge as it was before phones were told).

    .venv/bin/python bench/merge_dots.py                       # 100, 1,000 and 5,000 dots, 3 runs each
    .venv/bin/python bench/merge_dots.py --dots 1000 --runs 5

Each run is a fresh SQLite file (as app.py opens it) with one workshop in its vote; the merge runs
as the command does, in one transaction under the write lock, so every other change of every
workshop waits behind it. Printed: the command's time (median and worst of the runs) and its facts.
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
from facilitation.store import Store, clusters, connect  # noqa: E402


def merge_ms(dots: int, tell: bool) -> tuple[float, int]:
    """One merge of a theme with `dots` participants' dots: its time in ms and its facts."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(connect(str(Path(folder) / "bench.db")))
        workshop, _ = store.create_workshop("Bench", "Q")
        fac = Actor(workshop, FACILITATOR)
        source, target = (commands.create_cluster(store, fac, {"label": label})[0]["cluster"]["id"]
                          for label in ("A", "B"))
        commands.set_voting(store, fac, {"dots": 3, "max_per_item": 1})
        commands.set_phase(store, fac, {"phase": "vote"})
        for _ in range(dots):
            phone, _ = commands.join(store, {"code": workshop.code})
            commands.cast_vote(store, phone, {"cluster_id": source})
        names = vars(clusters)  # the merge's reference to dots.tell, stubbed for the baseline
        told = names["tell"]
        if not tell:
            names["tell"] = lambda *args: []
        try:
            started = time.perf_counter()
            _, facts = commands.merge_clusters(store, fac, {"source_id": source, "target_id": target})
            return (time.perf_counter() - started) * 1000, len(facts)
        finally:
            names["tell"] = told
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dots", default="100,1000,5000", help="comma-separated participants with a dot")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"# {platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
          f"python {platform.python_version()}")
    print("| dots on the theme | phones told | merge ms, median | worst | facts |")
    print("|---:|---|---:|---:|---:|")
    for dots in (int(n) for n in args.dots.split(",")):
        for tell in (False, True):
            runs = [merge_ms(dots, tell) for _ in range(args.runs)]
            times = [ms for ms, _ in runs]
            print(f"| {dots:,} | {'yes' if tell else 'no (baseline)'} | {statistics.median(times):.1f} |"
                  f" {max(times):.1f} | {runs[0][1]:,} |")
    print(f"\nrerun: .venv/bin/python bench/merge_dots.py --dots {args.dots} --runs {args.runs}")


if __name__ == "__main__":
    main()
