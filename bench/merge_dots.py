"""What telling phones their dots moved costs a merge, the whole command: `merge_clusters` sent by
a console over Socket.IO (Flask-SocketIO's test client, the app in this process, threading mode) of
a theme carrying one dot from each of N participants, each of whom now gets a `my_votes_changed` on
its own stream; on SQLite and on PostgreSQL.

    .venv/bin/python bench/merge_dots.py                        # 1,000 and 5,000 dots, both stores, 3 runs
    .venv/bin/python bench/merge_dots.py --dots 20000 --stores postgresql --runs 1

Three ways, interleaved in each run on the same workshop (the merge is undone between runs, unmeasured):
* `no telling`: store/dots.py `tell` stubbed: the merge as it was before phones were told;
* `before`: the telling as it was first built: each fact routed with a read of the workshop and an
  UPDATE of its participant (two round trips on PostgreSQL), the send order kept in a set that every
  fact scans (Turns), and every fact sent inside the command, before its ack;
* `now`: routed in one pass (an UPDATE ... RETURNING per 500 participants), the send order in a
  deque, and more than dispatch.OWN_BATCH own facts sent after the ack by a task that yields.
Printed per store, N and way: the store's transaction (under the write lock: every other change of
every workshop waits behind it), the console's ack and the moment the last phone's fact was handed
to Socket.IO (no phone is connected: their rooms are empty, so this is the server's own work, not
the network's). PostgreSQL: the local server (`postgresql:///postgres`, or --pg), a database of the
bench's own, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from facilitation import commands, create_app, dispatch, socketio  # noqa: E402
from facilitation.store import Store, clusters, streams  # noqa: E402

WAYS = ("no telling", "before", "now")


class SetTurns:
    """store/core.py's Turns as it was: every fact's turn a min() over the unsent, its sending a scan."""

    WAIT = 0.2

    def __init__(self) -> None:
        self.unsent: dict[int, set[int]] = {}
        self.changed = threading.Condition()

    def logged(self, workshop_id: int, seq: int) -> None:
        with self.changed:
            self.unsent.setdefault(workshop_id, set()).add(seq)

    def wait(self, workshop_id: int, seq: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: min(self.unsent.get(workshop_id) or {seq}) >= seq, self.WAIT)

    def sent(self, workshop_id: int, seq: int) -> None:
        with self.changed:
            unsent = self.unsent.get(workshop_id, set())
            unsent.difference_update([n for n in unsent if n <= seq])
            if not unsent:
                self.unsent.pop(workshop_id, None)
            self.changed.notify_all()

    def dropped(self, logged: list[tuple[int, int]]) -> None:
        with self.changed:
            for workshop_id, seq in logged:
                self.unsent.get(workshop_id, set()).discard(seq)
            self.changed.notify_all()


@contextmanager
def way(store: Any, name: str) -> Iterator[None]:
    """The code as `name` ran it, for the duration."""
    saved = (clusters.tell, streams.route_all, store.turns, dispatch.OWN_BATCH)
    if name == "no telling":
        clusters.tell = lambda *args, **kwargs: []  # type: ignore[assignment]
    elif name == "before":
        streams.route_all = lambda db, workshop_id, facts, actor: [  # type: ignore[assignment]
            streams.route(db, workshop_id, fact, actor) for fact in facts]
        store.turns = SetTurns()
        dispatch.OWN_BATCH = 10 ** 9
    try:
        yield
    finally:
        clusters.tell, streams.route_all, store.turns, dispatch.OWN_BATCH = saved


class Hall:
    """One workshop in its vote whose theme A carries one dot from each of `dots` participants."""

    def __init__(self, data_dir: str, database: str | None, dots: int) -> None:
        self.app = create_app({"DATA_DIR": data_dir, "ASYNC_MODE": "threading", "TESTING": True,
                               "DATABASE": database})
        self.store = self.app.extensions["facilitation.store"]
        created = self.app.test_client().post("/api/workshops", json={"title": "Bench", "prompt": "Q"}).get_json()
        self.code = created["code"]
        self.console = socketio.test_client(self.app)
        assert self.console.emit("join", {"code": self.code, "facilitator_token": created["facilitator_token"]},
                                 callback=True)["ok"]
        self.source, self.target = (self.command("create_cluster", {"label": label})["cluster"]["id"]
                                    for label in ("A", "B"))
        self.command("set_voting", {"dots": 3, "max_per_item": 1})
        self.command("set_phase", {"phase": "vote"})
        for _ in range(dots):  # as the commands run them, without a socket each
            phone, _ = commands.join(self.store, {"code": self.code})
            commands.cast_vote(self.store, phone, {"cluster_id": self.source})
        self.store.turns = type(self.store.turns)()  # their facts were never sent: nobody waits for them

    def command(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        ack = self.console.emit(name, payload, callback=True)
        assert ack["ok"], ack
        return ack  # type: ignore[no-any-return]

    def merge(self, name: str) -> tuple[float, float, float, int]:
        """Merge A into B the `name` way: store, ack and all-told ms, and the facts logged; then undo
        it (unmeasured), so the next merge finds the same dots on a theme A."""
        timed: list[float] = []
        merge = Store.merge_clusters

        def store_merge(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return merge(*args, **kwargs)
            finally:
                timed.append((time.perf_counter() - started) * 1000)

        dispatcher = self.app.extensions["facilitation.dispatcher"]
        seq = self.store.get_workshop(self.code).seq
        with way(self.store, name):
            Store.merge_clusters = store_merge  # type: ignore[method-assign]
            try:
                started = time.perf_counter()
                merged = self.command("merge_clusters", {"source_id": self.source, "target_id": self.target})
                acked = time.perf_counter()
                while dispatcher.in_flight:  # the task sending the phones' facts after the ack
                    time.sleep(0.001)
                told = time.perf_counter()
            finally:
                Store.merge_clusters = merge  # type: ignore[method-assign]
            facts = self.store.get_workshop(self.code).seq - seq
        self.source = self.command("create_cluster", {"label": "A"})["cluster"]["id"]
        self.command("return_merged_dots", {"merge_seq": merged["merge_seq"], "cluster_id": self.source})
        while dispatcher.in_flight:
            time.sleep(0.001)
        return timed[0], (acked - started) * 1000, (told - started) * 1000, facts

    def close(self) -> None:
        time.sleep(dispatch.COALESCE_INTERVAL + 0.2)  # the vote totals the last command asked for
        self.console.disconnect()
        self.store.close()


def postgres_database(server: str) -> tuple[str, Callable[[], None]]:
    """A database of the bench's own on `server`, and how to drop it."""
    import psycopg

    name = f"bench_merge_dots_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return f"{server.rpartition('/')[0]}/{name}", drop


def nothing() -> None:
    """Nothing to drop (SQLite: the file goes with its folder)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dots", default="1000,5000", help="comma-separated participants with a dot")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default="postgresql:///postgres", help="the PostgreSQL server")
    args = parser.parse_args()
    print(f"# {platform.node()}, {os.cpu_count()} cores, load {' / '.join(f'{n:.1f}' for n in os.getloadavg())};"
          f" python {platform.python_version()}; async mode threading")
    print("| store | dots on the theme | way | store ms, median | command's ack ms, median | last phone's fact"
          " handed over ms, median | worst | facts |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for kind in args.stores.split(","):
        for dots in (int(n) for n in args.dots.split(",")):
            with tempfile.TemporaryDirectory() as folder:
                database, drop = postgres_database(args.pg) if kind == "postgresql" else (None, nothing)
                try:
                    hall = Hall(folder, database, dots)
                    try:
                        results: dict[str, list[tuple[float, float, float, int]]] = {name: [] for name in WAYS}
                        for _ in range(args.runs):
                            for name in WAYS:
                                results[name].append(hall.merge(name))
                    finally:
                        hall.close()
                finally:
                    drop()
            for name in WAYS:
                runs = results[name]
                column = [statistics.median(run[i] for run in runs) for i in range(3)]
                print(f"| {kind} | {dots:,} | {name} | {column[0]:.1f} | {column[1]:.1f} | {column[2]:.1f} |"
                      f" {max(run[2] for run in runs):.1f} | {runs[0][3]:,} |", flush=True)
    print(f"\nrerun: .venv/bin/python bench/merge_dots.py --dots {args.dots} --stores {args.stores}"
          f" --runs {args.runs}")


if __name__ == "__main__":
    main()
