"""An operator's worst evening, one fault at a time, with a few hundred phones posting through outboxes.

    .venv/bin/python bench/faults.py                       # 200 phones, every fault, ~5 min
    .venv/bin/python bench/faults.py --phones 300 --faults worker,sighup

It starts `app.py --workers 2` (gevent) over a fresh data folder, a workshop and N phones
(bench/_phones.py: an outbox, the same participant after a reconnect, one idea every `--every` s
each), then, in order and with the phones posting throughout:
  worker   kill -9 of one worker (the supervisor restarts it; HAProxy sends its phones to the other)
  redis    kill -9 of the private Redis
  haproxy  kill -9 of HAProxy
  sighup   kill -HUP: every worker replaced, one at a time (a rolling upgrade)
  sigterm  SIGTERM to the whole service, then started again as a service manager would
and, apart, `full` (a single server whose data folder is an 8 MB tmpfs that fills up, then is freed
after 5 s; needs root) and `check` (the start-up `PRAGMA quick_check` on a database of
`--check-ideas` ideas).
Per fault: acked (ideas acknowledged from the fault until every phone was back and its outbox empty),
lost (acked but not in the database: must be 0), the longest time `GET /` did not answer, seconds
from the fault until the last phone that dropped was back online (for sighup and sigterm this
includes starting the new workers), the longest one phone was away, and the errors the phones saw.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._phones import Crowd  # noqa: E402
from bench._wsclient import loopback_sources  # noqa: E402

FAULTS = ("worker", "redis", "haproxy", "sighup", "sigterm", "full", "check")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Service:
    """`app.py` (with `--workers K` when K > 1) over a data folder, started and stopped here."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        self.data_dir, self.workers, self.port = data_dir, workers, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"{data_dir.name}.log"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(self.port),
                 "--data-dir", str(self.data_dir), "--workers", str(self.workers)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not answers(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)  # polling with a deadline

    def children(self, program: str) -> list[int]:
        assert self.proc is not None
        pids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(p) for p in pids
                if program in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(60)


def wait_for(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)  # polling with a deadline


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/", timeout=5).status_code == 200
    except requests.RequestException:
        return False


class Watch:
    """GET / every 50 ms: the longest stretch without an answer."""

    def __init__(self, url: str) -> None:
        self.url, self.longest, self.failing_since = url, 0.0, None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            asked = time.monotonic()
            if answers(self.url):
                if self.failing_since is not None:
                    self.longest = max(self.longest, asked - self.failing_since)
                self.failing_since = None
            elif self.failing_since is None:
                self.failing_since = asked

    def stop(self) -> float:
        self.stopped.set()
        self.thread.join(10)
        if self.failing_since is not None:
            self.longest = max(self.longest, time.monotonic() - self.failing_since)
        return self.longest


def stored(data_dir: Path) -> set[str]:
    db = sqlite3.connect(data_dir / "facilitation.db")
    try:
        return {row[0] for row in db.execute("SELECT client_id FROM ideas")}
    finally:
        db.close()


def measure(name: str, crowd: Crowd, url: str, data_dir: Path, fault, settle: float = 3.0,
            timeout: float = 120.0) -> dict[str, object]:
    """Run `fault()` with the phones posting; wait until every phone is back and has sent its
    outbox; the row of the table."""
    acked_before, errors_before = crowd.acked(), crowd.errors()
    watch = Watch(url)
    time.sleep(1)
    started = time.monotonic()
    fault()  # returns once the service has done its part (restarted, replaced)
    time.sleep(0.5)
    while time.monotonic() - started < timeout and not crowd.wait_online(0):
        time.sleep(0.1)  # polling with a deadline
    time.sleep(settle)
    for phone in crowd.phones:  # every outbox sent before counting
        phone.writing = False
    crowd.drain(timeout)
    back, away = crowd.back_after(started), crowd.longest_away(started)
    longest = watch.stop()
    acked = crowd.acked() - acked_before
    errors = crowd.errors() - errors_before
    for phone in crowd.phones:
        phone.writing = True
    return {"fault": name, "acked": len(acked), "lost": len(acked - stored(data_dir)),
            "unanswered_s": f"{longest:.2f}",
            "phones_back_s": "none dropped" if back is None else f"{back:.1f}",
            "longest_away_s": "-" if back is None else f"{away:.1f}",
            "held": crowd.held(),
            "errors": ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"}


def posting_crowd(service: Service, title: str, args: argparse.Namespace) -> Crowd:
    """A new workshop on the service, and args.phones phones posting to it from their own addresses."""
    code = requests.post(service.url + "/api/workshops", json={"title": title, "prompt": "?"},
                         timeout=30).json()["code"]
    crowd = Crowd(service.url, code, args.phones, every=args.every,
                  sources=loopback_sources(args.phones))
    crowd.start(timeout=300)
    return crowd


def group_faults(args: argparse.Namespace, tmp: Path) -> list[dict[str, object]]:
    service = Service(tmp / "group", 2)
    service.start()
    crowd = posting_crowd(service, "Fejl", args)
    rows = []

    def restarts() -> int:
        return service.log.read_text().count("restarting it")

    def kill(program: str):
        def fault() -> None:
            before = restarts()
            os.kill(service.children(program)[0], signal.SIGKILL)
            wait_for(lambda: restarts() > before and answers(service.url), 60)
        return fault

    def upgrade() -> None:
        before = service.log.read_text().count("upgrade done")
        assert service.proc is not None
        service.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: service.log.read_text().count("upgrade done") > before, 180)

    def restart() -> None:
        service.stop()
        service.start()

    assert service.proc is not None
    plan = {"worker": kill("app.py"), "redis": kill("redis-server"), "haproxy": kill("haproxy"),
            "sighup": upgrade, "sigterm": restart}
    try:
        time.sleep(3)
        for name, fault in plan.items():
            if name in args.faults:
                rows.append(measure(name, crowd, service.url, service.data_dir, fault))
                print(rows[-1], flush=True)
    finally:
        crowd.stop()
        service.stop()
    return rows


def full_disk(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    disk = tmp / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], check=True)
    service = Service(disk / "data", 1)
    try:
        service.start()
        crowd = posting_crowd(service, "Fuld", args)
        filler = disk / "filler"

        def fill_then_free() -> None:
            stat = os.statvfs(disk)
            with open(filler, "wb") as out:
                out.write(b"\0" * max(0, stat.f_bavail * stat.f_frsize - 100_000))
            threading.Timer(5.0, filler.unlink).start()

        try:
            row = measure("full", crowd, service.url, service.data_dir, fill_then_free, settle=8.0)
        finally:
            crowd.stop()
            service.stop()
            kept = Path(tempfile.gettempdir()) / "faults-full.log"  # the tmpfs goes with its log
            kept.write_bytes(service.log.read_bytes())
            print(f"the server's log of `full`: {kept}", flush=True)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    return row


def quick_check(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    """The start-up check's cost on a database of `--check-ideas` ideas (and their events)."""
    from facilitation.launch import check_database
    from facilitation.store import Store, connect

    path = tmp / "check" / "facilitation.db"
    path.parent.mkdir()
    store = Store(connect(path))
    workshop, _ = store.create_workshop("T", "Q")
    with store.db.conn:
        store.db.conn.executemany(
            "INSERT INTO participants (workshop_id, token_hash, created_at) VALUES (?, ?, 'x')",
            [(workshop.id, f"p{i}") for i in range(args.check_ideas // 10)])
        store.db.conn.executemany(
            "INSERT INTO ideas (workshop_id, participant_id, client_id, text, created_at)"
            " VALUES (?, ?, ?, ?, 'x')",
            [(workshop.id, 1 + i % (args.check_ideas // 10), f"c{i}",
              f"Idé nummer {i}: flere cykelstier og bænke ved havnen " * 3) for i in range(args.check_ideas)])
        store.db.conn.executemany(
            "INSERT INTO events (workshop_id, seq, type, payload, created_at) VALUES (?, ?, 'idea_posted', ?, 'x')",
            [(workshop.id, i + 1, '{"idea": {"id": %d, "text": "%s"}}' % (i, "x" * 150))
             for i in range(args.check_ideas)])
    store.checkpoint()
    store.db.conn.close()
    size = path.stat().st_size / 1e6
    seconds = min(check_database(path) for _ in range(3))
    return {"fault": "check", "acked": "-", "lost": "-", "unanswered_s": "-", "phones_back_s": "-",
            "longest_away_s": "-", "held": "-",
            "errors": f"quick_check of {args.check_ideas:,} ideas ({size:.0f} MB): {seconds * 1000:.0f} ms"}


def print_table(rows: list[dict[str, object]]) -> None:
    head = ["fault", "acked", "lost", "unanswered_s", "phones_back_s", "longest_away_s", "held", "errors"]
    body = [[str(r[h]) for h in head] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for b in body:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(b, widths)) + " |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200, help="phones posting (default 200)")
    parser.add_argument("--every", type=float, default=4.0, help="seconds between a phone's ideas")
    parser.add_argument("--faults", default=",".join(FAULTS),
                        type=lambda v: [f for f in v.split(",") if f], help="which, in order")
    parser.add_argument("--check-ideas", type=int, default=100_000, help="ideas for `check`")
    args = parser.parse_args(argv)
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so every server started is stopped
    for name in ("socketio", "engineio", "socketio.client", "engineio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # the phones' clients: counted instead
    rows = []
    with tempfile.TemporaryDirectory(prefix="faults-") as name:
        tmp = Path(name)
        if set(args.faults) & {"worker", "redis", "haproxy", "sighup", "sigterm"}:
            rows += group_faults(args, tmp)
        if "full" in args.faults:
            rows.append(full_disk(args, tmp))
        if "check" in args.faults:
            rows.append(quick_check(args, tmp))
    print()
    print_table(rows)
    load = os.getloadavg()
    print(f"\n{args.phones} phones, one idea every {args.every:g} s each; {os.cpu_count()} cores,"
          f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")
    print("rerun: .venv/bin/python bench/faults.py " + shlex.join(argv))
    return 0 if all(r["lost"] in (0, "-") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
