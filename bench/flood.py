"""A phone's `sync` in a 1,000-idea workshop while two viewers flood the server with snapshots.

    .venv/bin/python bench/flood.py                          # gevent, 1,000 ideas, 10 s a phase
    .venv/bin/python bench/flood.py --modes gevent eventlet --seconds 20

The script starts its own server (app.py on 127.0.0.1, a free port, a temporary data folder),
imports the ideas on paper, joins one phone and measures its small `sync` (10 a second, each
waiting for its ack) in three phases of the same run:

* **baseline**: nobody else asks anything;
* **flood, reading**: two viewer sockets (in processes of their own, from addresses of their own
  as two laptops would be: 127.0.0.2 and .3) send `sync {"since": -1}`, a whole snapshot each,
  20 times a second each, and read what comes back;
* **flood, not reading**: two more viewers (127.0.0.4 and .5) do the same and never read (their
  queues grow until the server drops them).

It prints the phone's sync p50/p99/max per phase, how the flood was answered (snapshots given,
`rate_limited`, connections dropped), the server's CPU and memory, the load average and the
command to rerun it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _wsclient import RawSocketIO  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(mode: str, data: Path) -> tuple[subprocess.Popen[bytes], int]:
    """app.py on a free port; returns once it answers."""
    port = free_port()
    log = open(data / "server.log", "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(port),
                             "--data-dir", str(data), "--async-mode", mode],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1).read()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def post(url: str, body: bytes, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def workshop(port: int, ideas: int) -> dict[str, Any]:
    """A workshop with `ideas` ideas of ~250 characters, imported on paper."""
    base = f"http://{HOST}:{port}"
    created = post(base + "/api/workshops", json.dumps({"title": "Flood", "prompt": "?"}).encode(),
                   {"Content-Type": "application/json"})
    auth = {"Authorization": f"Bearer {created['facilitator_token']}",
            "Content-Type": "application/x-www-form-urlencoded"}
    texts = [f"Idé {i}: " + "flere cykelstier og bænke i byen " * 7 for i in range(ideas)]
    for start in range(0, ideas, 2000):
        body = urllib.parse.urlencode({"text": "\n".join(texts[start:start + 2000])}).encode()
        post(f"{base}/w/{created['code']}/import", body, auth)
    return created


def flooder(port: int, code: str, rate: float, reads: bool, seconds: float, source: str,
            out: Any) -> None:
    """A viewer (from its own address, as another laptop) asking for a whole snapshot `rate`
    times a second; reading the answers or not."""
    counts = {"given": 0, "limited": 0, "dropped": 0}
    try:
        viewer = RawSocketIO(port, source=source)
        viewer.call("join", {"code": code, "viewer": True})
        if not reads:
            viewer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stop = time.monotonic() + seconds

        def read() -> None:
            while time.monotonic() < stop:
                try:
                    text = viewer.packet()
                except (OSError, ConnectionError):
                    counts["dropped"] = 1
                    return
                if text.startswith("43"):
                    counts["given" if '"ok":true' in text[:40] else "limited"] += 1

        if reads:
            threading.Thread(target=read, daemon=True).start()
        n = 100
        while time.monotonic() < stop:
            try:
                viewer.send(f"42{n}" + '["sync",{"since":-1}]')
            except OSError:
                counts["dropped"] = 1
                break
            n += 1
            time.sleep(1 / rate)
        viewer.close()
    except (OSError, ConnectionError):
        counts["dropped"] = 1
    out.put(counts)


def cpu_and_rss(pid: int) -> tuple[float, float]:
    """The server's CPU seconds so far and its resident memory in MB."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:")) / 1024
    return cpu, rss


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def phase(name: str, port: int, pid: int, created: dict[str, Any], phone: RawSocketIO,
          since: dict[str, int], args: argparse.Namespace, reads: bool | None) -> dict[str, Any]:
    """The phone's sync latencies while `args.viewers` flooders run (none for the baseline)."""
    out: Any = mp.Queue()
    first = 2 if reads else 2 + args.viewers  # each phase's laptops have addresses of their own
    procs = [mp.Process(target=flooder, args=(port, created["code"], args.flood_rate, reads,
                                              args.seconds, f"127.0.0.{first + n}", out))
             for n in range(args.viewers) if reads is not None]
    for proc in procs:
        proc.start()
    time.sleep(0.5)  # the flooders have joined
    cpu0, _ = cpu_and_rss(pid)
    started, latencies, failed, rss_max = time.monotonic(), [], 0, 0.0
    while time.monotonic() - started < args.seconds - 0.5:
        t = time.monotonic()
        ack = phone.call("sync", since, timeout=30)
        latencies.append((time.monotonic() - t) * 1000)
        failed += not ack.get("ok")
        rss_max = max(rss_max, cpu_and_rss(pid)[1])
        time.sleep(max(0.0, 0.1 - (time.monotonic() - t)))
    cpu1, _ = cpu_and_rss(pid)
    flood = {"given": 0, "limited": 0, "dropped": 0}
    for proc in procs:
        counts = out.get(timeout=args.seconds + 30)
        for key in flood:
            flood[key] += counts[key]
        proc.join(10)
    return {"phase": name, "n": len(latencies), "failed": failed,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "max": max(latencies),
            "cpu": 100 * (cpu1 - cpu0) / (time.monotonic() - started), "rss": rss_max, **flood}


def run(mode: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="flood-") as folder:
        proc, port = start_server(mode, Path(folder))
        try:
            created = workshop(port, args.ideas)
            phone = RawSocketIO(port)
            joined = phone.call("join", {"code": created["code"]})
            since = {"since": joined["snapshot"]["seq"], "pseq": joined["snapshot"]["pseq"],
                     "oseq": joined["oseq"]}
            rows = [phase(name, port, proc.pid, created, phone, since, args, reads) for name, reads in
                    (("baseline", None), ("flood, reading", True), ("flood, not reading", False))]
            phone.close()
            for row in rows:
                row["mode"] = mode
            rows[-1]["log_drops"] = sum("reads too slowly" in line for line in
                                        (Path(folder) / "server.log").read_text().splitlines())
            return rows
        finally:
            proc.kill()
            proc.wait(10)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modes", nargs="+", default=["gevent"], choices=["gevent", "eventlet"])
    parser.add_argument("--ideas", type=int, default=1000)
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--flood-rate", type=float, default=20.0, help="snapshots asked per viewer per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    args = parser.parse_args(argv)
    rows = [row for mode in args.modes for row in run(mode, args)]
    head = (f"{'mode':8} {'phase':20} {'syncs':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
            f" {'snapshots':>9} {'limited':>7} {'dropped':>7} {'srv CPU%':>8} {'RSS MB':>6}")
    print(f"\n{args.ideas} ideas, {args.viewers} viewers flooding `sync {{since: -1}}` at"
          f" {args.flood_rate:g}/s each, {args.seconds:g} s a phase; a phone's small sync every 0.1 s\n")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['mode']:8} {r['phase']:20} {r['n']:5d} {r['p50']:7.1f} {r['p99']:7.1f} {r['max']:7.1f}"
              f" {r['given']:9d} {r['limited']:7d} {r['dropped']:7d} {r['cpu']:8.0f} {r['rss']:6.0f}")
    for r in rows:
        if "log_drops" in r:
            print(f"{r['mode']}: the server logged {r['log_drops']} slow readers dropped"
                  " (`client reads too slowly`)")
    load = os.getloadavg()
    print(f"\nload average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} cores")
    print("rerun: .venv/bin/python bench/flood.py " + " ".join(shlex.quote(a) for a in argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
