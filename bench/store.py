"""The store's commit rate: SQLite (the embedded default) against PostgreSQL, one process and two.

    .venv/bin/python bench/store.py                                   # both stores, 1 and 2 processes
    .venv/bin/python bench/store.py --writers 50 --seconds 10 --processes 1,2,4

Each process is one server's store under gevent, as app.py runs it (SQLite's COMMIT in gevent's
thread pool, psycopg waiting through gevent), with `--writers` green threads each posting ideas
(one change, one fact, one acknowledgement) into one of `--workshops` workshops as fast as the store
acknowledges them. Two processes on SQLite are two worker processes on one file; on PostgreSQL they
are two hosts on one database. Printed: changes acknowledged per second, per-change latency
percentiles, and changes per COMMIT (group commit). PostgreSQL is a private server started here
(Debian's binaries, fsync on, the default synchronous_commit), so the figures are its own.
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:  # a measured process: gevent first
    from gevent import monkey

    monkey.patch_all()

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one_process(database: str, writers: int, seconds: float, workshops: list[int]) -> None:
    """Post ideas from `writers` greenlets for `seconds`; print latencies and commits as JSON."""
    import gevent

    from facilitation.store import Store, connect

    store = Store(connect(database))
    if store.blocking:  # as app.py does: the disk sync off the event loop
        store.run_commit = lambda function, *args: gevent.get_hub().threadpool.apply(function, args)
    commits = [0]
    run = store.run_commit

    def counted(function, *args):  # type: ignore[no-untyped-def]
        commits[0] += 1
        return run(function, *args)

    store.run_commit = counted
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    pid = os.getpid()

    def writer(n: int) -> None:
        workshop_id = workshops[n % len(workshops)]
        participant = store.join(workshop_id, None, 10**6)[0].id
        i = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            store.post_idea(workshop_id, participant, f"{pid}-{n}-{i}", f"Idé {i} fra {n}")
            latencies.append(time.perf_counter() - started)
            i += 1

    gevent.joinall([gevent.spawn(writer, n) for n in range(writers)])
    print(json.dumps({"latencies": latencies, "commits": commits[0]}))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def measure(database: str, processes: int, args: argparse.Namespace) -> dict[str, object]:
    from facilitation.store import Store, connect

    setup = Store(connect(database))
    workshops = [setup.create_workshop(f"W{i}", "?")[0].id for i in range(args.workshops)]
    setup.close()
    child = [sys.executable, __file__, "--child", database, str(args.writers), str(args.seconds),
             ",".join(map(str, workshops))]
    procs = [subprocess.Popen(child, stdout=subprocess.PIPE) for _ in range(processes)]
    results = [json.loads(proc.communicate(timeout=args.seconds + 120)[0]) for proc in procs]
    latencies = [x for r in results for x in r["latencies"]]
    commits = sum(int(r["commits"]) for r in results)
    check = Store(connect(database))
    for workshop_id in workshops:  # every workshop's log: numbered 1..n, no gap, no double
        seqs = [r["seq"] for r in check._rows("SELECT seq FROM events WHERE workshop_id = ?"
                                                " ORDER BY seq", (workshop_id,))]
        assert seqs == list(range(1, len(seqs) + 1)), "a gap or a double in the event log"
    check.close()
    return {"changes_per_s": len(latencies) / args.seconds, "p50_ms": pct(latencies, 0.5),
            "p99_ms": pct(latencies, 0.99), "per_commit": len(latencies) / max(commits, 1),
            "changes": len(latencies)}


class Postgres:
    """A private PostgreSQL server on a Unix socket in a temporary folder (run as `postgres`)."""

    def __init__(self) -> None:
        import glob

        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.dir = Path(tempfile.mkdtemp(prefix="bench-store-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                        "-U", "postgres"], check=True, capture_output=True)
        subprocess.run([*as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-l",
                        str(self.dir / "log"), "-o", f"-k {self.dir} -c listen_addresses=''",
                        "start"], check=True, capture_output=True)
        self.as_postgres = as_postgres
        self.count = 0

    def new(self) -> str:
        import psycopg

        self.count += 1
        with psycopg.connect(f"postgresql://postgres@/postgres?host={self.dir}", autocommit=True) as db:
            db.execute(f"CREATE DATABASE bench{self.count}")
        return f"postgresql://postgres@/bench{self.count}?host={self.dir}"

    def stop(self) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"),
                        "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50, help="green threads posting, per process")
    parser.add_argument("--workshops", type=int, default=4, help="workshops they post into")
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of posting per row")
    parser.add_argument("--processes", default="1,2", help="processes (hosts), comma-separated")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = parser.parse_args()
    rows = []
    postgres = Postgres() if "postgresql" in args.stores else None
    try:
        for store in args.stores.split(","):
            for processes in [int(p) for p in args.processes.split(",")]:
                if store == "sqlite":
                    database = str(Path(tempfile.mkdtemp(prefix="bench-store-")) / "facilitation.db")
                else:
                    assert postgres is not None
                    database = postgres.new()
                rows.append({"store": store, "processes": processes, **measure(database, processes, args)})
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        if postgres is not None:
            postgres.stop()
    load = os.getloadavg()
    print(f"\nstore commit rate: {args.writers} writers per process, {args.workshops} workshops,"
          f" {args.seconds:g} s a row; {platform.node()}, {os.cpu_count()} cores,"
          f" load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")
    print("| store | processes | changes/s | p50 ms | p99 ms | changes per COMMIT |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['store']} | {row['processes']} | {row['changes_per_s']:.0f} | {row['p50_ms']:.1f} |"
              f" {row['p99_ms']:.1f} | {row['per_commit']:.1f} |")
    print("\nrerun: .venv/bin/python bench/store.py " + " ".join(sys.argv[1:]))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        one_process(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]),
                    [int(w) for w in sys.argv[5].split(",")])
    else:
        main()
