"""A hall: 3 walls, a console and N phones through one evening, against our server and a bare one.

    .venv/bin/python bench/hall.py --phones 200 --seconds 5 --modes gevent --workers 1   # smoke, ~1 min
    .venv/bin/python bench/hall.py --phones 2000,10000 --workers 1,2                      # the full run

For each async mode, worker count K and phone count N it starts our server (app.py --workers K)
and, in the same run, the bare Flask-SocketIO server of bench/bare_server.py with the same events,
then plays the scenarios in order on one workshop:
  join     the first `--storm` phones join at `--storm-rate`/s (join ack latency), the rest fast;
  collect  `--posters` phones post `--rate` ideas/s for `--seconds` s: post -> wall latency, ack
           latency, ideas lost at the walls, ideas a phone received that it did not post;
  import   (ours) ideas up to `--ideas` arrive on paper (HTTP import);
  reconn   every phone drops and comes back with its token, spread over 2 s, while collecting with
           those ideas present: all back (join ack, snapshot) within how long;
  phase    the console moves collect -> cluster -> vote: phase_changed arrival at every phone;
           and the `phone_board` (every visible idea) that follows the first;
  vote     `--voters` phones place 3 dots each over `--vote-seconds` s, then try a fourth (must be
           refused): cast ack latency, the console's totals after the last cast (walls
           see the dots only once results are shown), dots counted;
  see      back to collect with phones_see_ideas on: every idea on every phone, how late.
Server CPU is the whole process tree (workers, HAProxy, Redis); per message = CPU / messages the
clients received (facts, counts and acks); `split` = those messages per worker (HAProxy's cookie).
`--hosts H` adds our server on H hosts in network namespaces over PostgreSQL and Redis, HAProxy in
front, phones from a client namespace, at most 8 on each of its addresses (tests/hosts.py; root):
`us_by_part` splits its CPU per message into hosts/PostgreSQL/Redis/HAProxy, and `hosts/ours`
compares it with ours, K=1.
RSS per phone = (tree RSS with every phone joined - RSS before) / N.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections import Counter
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _hall_worker import worker_main  # noqa: E402
from _wsclient import PER_ADDRESS, loopback_sources  # noqa: E402
from fanout import CLK_TCK, HOST, ROOT, free_port, http_json, pct, raise_nofile, wait_until_answers  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.hosts import process_tree  # noqa: E402


class Server:
    """Our app.py (K workers) or the bare server, in its own session, measured as a process tree."""

    def __init__(self, kind: str, mode: str, workers: int, workdir: Path) -> None:
        self.kind, self.mode, self.workers = kind, mode, workers
        self.port = free_port()
        self.data_dir = workdir / f"{kind}-{mode}-{workers}-{self.port}"
        self.data_dir.mkdir(parents=True)
        self.log_path = self.data_dir / "server.log"
        if kind == "bare":
            self.cmd = [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port",
                        str(self.port), "--async-mode", mode]
        else:
            self.cmd = [sys.executable, str(ROOT / "app.py"), "--host", HOST, "--port",
                        str(self.port), "--data-dir", str(self.data_dir), "--async-mode", mode,
                        "--workers", str(workers)]
        self.proc: subprocess.Popen[bytes] | None = None
    # Where the generators connect: this machine's loopback, from addresses loopback_sources() gives.
    client_host, sources, netns = HOST, [], ""

    def parts(self) -> dict[str, list[int]]:
        """The tree's processes by part, when the parts are worth telling apart."""
        return {}

    def start(self) -> None:
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        wait_until_answers(self.proc, self.port, 60, self.log_path)
        self.settle_rss()

    def settle_rss(self) -> None:
        """Wait until the tree's memory stops growing (word tables load after the server answers),
        so that RSS per phone counts phones, not the start-up."""
        last, steady = self.rss(), 0
        for _ in range(120):
            time.sleep(0.5)
            now = self.rss()
            steady = steady + 1 if abs(now - last) < 1 else 0
            if steady == 4:
                return
            last = now

    def tree(self) -> list[int]:
        assert self.proc is not None
        return process_tree([self.proc.pid])

    def cpu(self) -> dict[int, float]:
        """CPU seconds per process of the tree."""
        found = {}
        for pid in self.tree():
            try:
                rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                found[pid] = (int(rest[11]) + int(rest[12])) / CLK_TCK
            except OSError:
                pass
        return found

    def rss(self) -> float:
        """Resident MiB of the whole tree."""
        total = 0
        for pid in self.tree():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(5)
        self.log.close()


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after.get(pid, 0.0) - before.get(pid, 0.0) for pid in after)


class Console:
    """The facilitator: a python-socketio client in this process (it sends a handful of commands).

    Like the real console it reconnects and joins again when it drops (a saturated server misses
    its pings during a 10,000-phone reconnect storm), and sends a command again after a drop."""

    def __init__(self, url: str, code: str, token: str | None) -> None:
        import socketio

        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5,
                                      reconnection_delay_max=2)
        self.payload = {"code": code, "facilitator_token": token or "bare"}
        self.joined, self.drops = False, 0
        self.totals: list[tuple[float, int]] = []  # (time, dots): walls see dots only with results
        self.client.on("disconnect", self.dropped)
        self.client.on("vote_totals", lambda data: self.totals.append(
            (time.monotonic(), sum(data["ideas"].values()) + sum(data["clusters"].values()))))
        self.client.connect(url, transports=["websocket"], wait_timeout=20)
        self.join()

    def dropped(self, *_: Any) -> None:
        self.joined = False
        self.drops += 1

    def join(self) -> None:
        deadline = time.monotonic() + 120
        while not self.client.connected and time.monotonic() < deadline:
            time.sleep(0.2)  # python-socketio is reconnecting in its own thread
        ack = self.client.call("join", self.payload, timeout=60)
        assert ack["ok"], ack
        self.joined = True

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        import socketio

        for _ in range(3):
            try:
                if not self.joined:
                    self.join()
                ack = self.client.call(event, payload, timeout=60)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                continue  # it dropped meanwhile: once more, after joining again
            if not ack.get("ok"):
                raise RuntimeError(f"{event}: {ack}")
            return ack  # type: ignore[no-any-return]
        raise RuntimeError(f"{event}: no answer in three tries")


class Hosts(Server):
    """Our server on H hosts in network namespaces sharing one PostgreSQL and one Redis, HAProxy
    in front (tests/hosts.py; needs root): measured as all of those processes together, and per
    part. The phones come from a namespace of their own with many addresses (a venue's devices, as
    the hosts see them through HAProxy's X-Forwarded-For), so the per-address join limits and the
    newcomers' pace meet a hall, not one machine."""

    def __init__(self, mode: str, hosts: int, workdir: Path, phones: int) -> None:
        from tests.hosts import Hall

        self.kind, self.mode, self.workers = "hosts", mode, hosts
        self.data_dir = workdir / f"hosts-{mode}-{hosts}"
        self.data_dir.mkdir(parents=True)
        # At most PER_ADDRESS phones an address (253 addresses for up to 2,024), as a venue's Wi-Fi.
        addresses = min(4 * 253, 253 * math.ceil((phones + 3) / (253 * PER_ADDRESS)))
        self.hall = Hall(self.data_dir, hosts, mode, cookie="ideafactory_worker", clients=addresses,
                         checks=Hall.PRODUCTION)
        self.port = self.hall.port
        self.proc = None
        self.client_host, self.netns = self.hall.client_gateway, self.hall.client_namespace
        self.sources = self.hall.client_addresses()

    def parts(self) -> dict[str, list[int]]:
        return self.hall.parts()

    def start(self) -> None:
        self.hall.start()
        self.settle_rss()

    def tree(self) -> list[int]:
        return self.hall.pids()

    def stop(self) -> None:
        self.hall.close()


class Run:
    """One server, one N: the generator processes and the scenarios, in order."""

    def __init__(self, server: Server, n: int, args: argparse.Namespace) -> None:
        self.server, self.n, self.args = server, n, args
        self.rows: list[dict[str, Any]] = []
        self.procs: list[Any] = []
        self.pipes: list[Connection] = []
        self.console: Console | None = None

    def label(self) -> dict[str, Any]:
        return {"server": self.server.kind, "mode": self.server.mode, "K": self.server.workers,
                "N": self.n}

    def send_all(self, *msg: Any) -> None:
        for pipe in self.pipes:
            pipe.send(msg)

    def reports(self, reset: bool = True, timeout: float = 60) -> list[dict[str, Any]]:
        self.send_all("report", reset)
        got: dict[Connection, dict[str, Any]] = {}
        deadline = time.monotonic() + timeout
        while len(got) < len(self.pipes) and time.monotonic() < deadline:
            for pipe in wait([p for p in self.pipes if p not in got], timeout=1):
                kind, body = pipe.recv()
                if kind == "error":
                    raise RuntimeError(body)
                got[pipe] = body
        return list(got.values())

    def settle(self, done: Any, limit: float) -> float:
        """Wait until `done(reports)` (polled, not reset) or `limit` seconds; the time it took."""
        start = time.monotonic()
        while time.monotonic() - start < limit:
            if done(self.reports(reset=False)):
                break
            time.sleep(0.25)  # polling the generators with a deadline
        return time.monotonic() - start

    def idle(self) -> None:
        """Wait until the server's tree uses under 5% of a core (the previous scenario is over)."""
        last = sum(self.server.cpu().values())
        for _ in range(120):
            time.sleep(0.5)
            now = sum(self.server.cpu().values())
            if now - last < 0.025:
                return
            last = now

    def measured(self, name: str, body: Any) -> dict[str, Any]:
        """Run `body()` (returning a dict of figures) with server CPU and deliveries around it."""
        self.reports(reset=True)
        cpu0, t0 = self.server.cpu(), time.monotonic()
        figures = body()
        self.idle()
        cpu1 = self.server.cpu()
        cpu = spent(cpu0, cpu1)
        reps = self.reports(reset=True)
        got = sum(r["received"] for r in reps)
        split: Counter[str] = Counter()
        for r in reps:
            split.update(r["by_worker"])
        parts = self.server.parts()
        by_part = {part: spent(cpu0, {p: cpu1[p] for p in pids if p in cpu1})
                   for part, pids in parts.items()}
        # What the server's limits did, apart from losses: joins refused (by code) and phones held
        refused: Counter[str] = Counter()
        for r in reps:
            refused.update(r["refused"])
        figures["joins_refused"] = sum(refused.values())
        figures["held"] = sum(r["held"] for r in reps)
        row = {**self.label(), "scenario": name, **figures, "srv_cpu_s": cpu,
               "messages": got, "us_per_message": 1e6 * cpu / got if got else float("nan"),
               "us_by_part": "/".join(f"{1e6 * by_part[p] / got:.0f}" if got else "-" for p in PARTS)
               if parts else "-",
               "window_s": time.monotonic() - t0,
               "split": "/".join(f"{split[w]}" for w in sorted(split)) if self.server.workers > 1
               else "-"}
        drops: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for r in reps:
            drops.update(r["drops"])
            drops.update({f"join failed: {k}": v for k, v in r["join_fail"].items()})
            errors.update({k: v for k, v in r["ack_errors"].items() if k != "extra_vote:no_dots_left"})
        if self.console is not None and self.console.drops:
            drops["console dropped (so far)"] = self.console.drops
        row["notes"] = "; ".join(f"{k} x{v}" for k, v in (drops + errors).most_common(4))
        self.rows.append(row)
        print(f"  {name}: " + ", ".join(f"{k}={fmt(v)}" for k, v in row.items()
                                       if k not in self.label() and k != "scenario"), flush=True)
        return row

    def collect_reports(self) -> list[dict[str, Any]]:
        self.last = self.reports(reset=False)
        return self.last

    # The evening

    def play(self) -> list[dict[str, Any]]:
        args, server = self.args, self.server
        ours = server.kind in ("ours", "hosts")
        if ours:
            status, body = http_json(server.port, "POST", "/api/workshops",
                                     {"title": "Hall bench", "prompt": "What would you change?"})
            code, token = body["code"], body["facilitator_token"]
        else:
            code, token = "BARE23", None
        self.last: list[dict[str, Any]] = []
        console = self.console = Console(f"http://{HOST}:{server.port}", code, token)
        per = args.per_worker
        shares = [3 + min(self.n, args.posters)]
        rest = self.n - min(self.n, args.posters)
        shares += [per] * (rest // per) + ([rest % per] if rest % per else [])
        deadline = time.monotonic() + 3600
        ctx = mp.get_context("fork")
        ports = [server.port]
        if self.args.direct and server.workers > 1:  # past HAProxy, generator w to worker w % K
            config = (server.data_dir / "haproxy.cfg").read_text()
            ports = [int(p) for p in re.findall(r"server w\d+ 127\.0\.0\.1:(\d+)", config)]
        # Every client from an address of its own few (see _wsclient.PER_ADDRESS): the namespace's
        # with --hosts, else this machine's loopback addresses.
        addresses = server.sources or loopback_sources(sum(shares))
        sources = (addresses, math.ceil(sum(shares) / len(addresses)))
        print(f"  phones from {len(addresses)} addresses, {sources[1]} on each", flush=True)
        for wid in range(len(shares)):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, daemon=True,
                               args=(wid, ports[wid % len(ports)], code, child, deadline,
                                     server.client_host, sources, server.netns))
            proc.start()
            self.procs.append(proc)
            self.pipes.append(parent)
        try:
            self.scenarios(console, code, token, shares, ours)
        finally:
            self.send_all("stop")
            for proc in self.procs:
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
            console.client.disconnect()
        return self.rows

    def scenarios(self, console: Console, code: str, token: str | None, shares: list[int],
                  ours: bool) -> None:
        args = self.args
        idx = 0
        specs: list[list[tuple[int, str, str]]] = []
        for wid, count in enumerate(shares):
            roles = ["wall"] * 3 + ["phone"] * (count - 3) if wid == 0 else ["phone"] * count
            specs.append([(idx + i, role, "") for i, role in enumerate(roles)])
            idx += count
        rss0 = self.server.rss()
        storm = min(self.n, args.storm)

        # The storm: `storm` phones over storm/rate seconds, spread over the generators.
        firsts = [round(storm * (len(spec) - (3 if w == 0 else 0)) / self.n) + (3 if w == 0 else 0)
                  for w, spec in enumerate(specs)]
        in_storm = sum(firsts) - 3

        def join() -> dict[str, Any]:
            for pipe, spec, first in zip(self.pipes, specs, firsts):
                pipe.send(("add", spec[:first], args.storm_rate * first / max(1, in_storm), 100))
            t = self.settle(lambda reps: sum(r["joined"]["phone"] + r["joined"]["wall"]
                                             + sum(r["join_fail"].values()) for r in reps)
                            >= in_storm + 3, 60 + in_storm / args.storm_rate)
            lats = sorted(x for r in self.collect_reports() for x in r["join_lats"])
            figures = {"joined": sum(r["joined"]["phone"] for r in self.last), "join_s": t,
                       "join_p50_ms": 1000 * pct(lats, 50), "join_p99_ms": 1000 * pct(lats, 99)}
            return figures

        self.measured("join storm", join)
        for pipe, spec, first in zip(self.pipes, specs, firsts):  # the rest, as fast as it goes
            pipe.send(("add", spec[first:], 0, max(1, 200 // len(self.pipes))))
        t = self.settle(lambda reps: sum(r["joined"]["phone"] for r in reps) >= self.n, 60 + self.n / 50)
        self.idle()
        reps = self.reports(reset=True)
        joined = sum(r["joined"]["phone"] for r in reps)
        rss = self.server.rss()
        refused = sum(sum(r["refused"].values()) for r in reps)
        print(f"  all joined: {joined}/{self.n} in {t:.1f}s more (refused {refused}, held"
              f" {sum(r['held'] for r in reps)}); tree RSS {rss:.0f} MiB", flush=True)
        self.rss_per_phone = 1024 * (rss - rss0) / max(1, joined)
        n_ideas = round(args.rate * args.seconds)

        def collect(see: bool) -> Any:
            def body() -> dict[str, Any]:
                t0 = time.monotonic() + 0.5
                first = 100000 if see else 0
                self.pipes[0].send(("posts", t0, args.rate, n_ideas, first, args.posters))
                self.settle(lambda reps: sum(r["pending"] for r in reps) == 0,
                            args.seconds + 30)
                target = "phone" if see else "wall"
                audience = joined if see else 3
                self.settle(lambda reps: sum(sum(r["idea_seen"].get(target, {}).values())
                                             for r in reps) >= n_ideas * audience, 30)
                reps = self.collect_reports()
                lat = sorted(x for r in reps for x in r["idea_lat"].get(target, []))
                acks = sorted(x for r in reps for x in r["acks"].get("post_idea", []))
                seen = sum(sum(r["idea_seen"].get(target, {}).values()) for r in reps)
                # Refused ideas (a limit said no, in the ack) are counted apart, never as lost
                refused = sum(n for r in reps for k, n in r["ack_errors"].items()
                              if k.startswith("post_idea:"))
                fig = {"ideas": n_ideas, f"{target}_p50_ms": 1000 * pct(lat, 50),
                       f"{target}_p99_ms": 1000 * pct(lat, 99), "ack_p99_ms": 1000 * pct(acks, 99),
                       "posts_refused": refused, "lost": (n_ideas - refused) * audience - seen}
                if not see:
                    fig["foreign_at_phones"] = sum(r["foreign"] for r in reps)
                return fig
            return body

        self.measured("collect", collect(False))
        if ours and args.ideas > n_ideas:
            texts = [f"paper idea {i}" for i in range(args.ideas - n_ideas)]
            request = urllib.request.Request(
                f"http://{HOST}:{self.server.port}/w/{code}/import", method="POST",
                data=urllib.parse.urlencode({"text": "\n".join(texts)}).encode(),
                headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=120) as response:
                json.loads(response.read())
            self.idle()

        def phase(to: str) -> Any:
            def body() -> dict[str, Any]:
                self.reports(reset=True)
                t0 = time.monotonic()
                console.call("set_phase", {"phase": to})
                self.settle(lambda reps: sum(len(r["arrivals"].get("phone:phase_changed", []))
                                             for r in reps) >= joined, 60)
                if to == "cluster" and ours:  # phones now show every idea: the board follows
                    self.settle(lambda reps: sum(len(r["arrivals"].get("phone:phone_board", []))
                                                 for r in reps) >= joined, 60)
                self.settle(lambda reps: sum(r["pending"] for r in reps) == 0, 60)
                reps = self.collect_reports()
                lat = sorted(x - t0 for r in reps for x in r["arrivals"].get("phone:phase_changed", []))
                boards = sorted(x - t0 for r in reps for x in r["arrivals"].get("phone:phone_board", []))
                return {"phones_reached": len(lat), "phase_p50_ms": 1000 * pct(lat, 50),
                        "phase_p99_ms": 1000 * pct(lat, 99), "phase_max_ms": 1000 * pct(lat, 100),
                        "boards": len(boards), "board_p99_ms": 1000 * pct(boards, 99)}
            return body

        def reconnect() -> dict[str, Any]:
            t0 = time.monotonic()
            self.send_all("reconnect", 2.0, max(1, 200 // len(self.pipes)))
            t = self.settle(lambda reps: sum(r["joined"]["phone"] for r in reps) >= joined,
                            60 + joined / 50)
            lats = sorted(x for r in self.collect_reports() for x in r["join_lats"])
            return {"rejoined": sum(r["joined"]["phone"] for r in self.last),
                    "all_back_s": time.monotonic() - t0 if t < 60 + joined / 50 else float("nan"),
                    "rejoin_p99_ms": 1000 * pct(lats, 99)}

        if "reconnect" not in args.skip:
            self.measured("reconnect storm", reconnect)
        self.measured("phase collect->cluster", phase("cluster"))

        self.reports(reset=True)
        console.call("set_voting", {"dots": 3, "max_per_item": 1})
        if ours:  # every phone has the voting settings before the phase is timed (10,000 of them
            # still arriving held the phase change back by a second)
            self.settle(lambda reps: sum(r["events"].get("phone:voting_set", 0) for r in reps)
                        >= joined, 60)
        self.measured("phase cluster->vote", phase("vote"))
        ids = ([i["id"] for i in http_json(self.server.port, "GET", f"/api/workshops/{code}",
                                           timeout=30)[1]["ideas"]] if ours else list(range(1, 1001)))
        voters = min(joined, args.voters)

        def vote() -> dict[str, Any]:
            t0 = time.monotonic() + 0.5
            for wid, pipe in enumerate(self.pipes):
                share = math.ceil(voters * (shares[wid] - (3 if wid == 0 else 0)) / self.n)
                pipe.send(("votes", t0, args.vote_seconds, ids, 3, wid, share))
            self.settle(lambda reps: sum(r["pending"] for r in reps) == 0, args.vote_seconds + 60)
            self.settle(lambda reps: max((n for _, n in [*console.totals, *(
                x for r in reps for x in r["totals"])]), default=0) >= 3 * voters, 10)
            reps = self.collect_reports()
            acks = sorted(x for r in reps for x in r["acks"].get("cast_vote", []))
            last_cast = t0 + args.vote_seconds  # the last casts are due then
            # Walls get the dots once results are shown; the console always (on the bare server,
            # the walls do)
            totals = [(t, n) for r in reps for t, n in r["totals"]] + console.totals
            final = max((n for _, n in totals), default=0)
            reached = min((t for t, n in totals if n == final), default=float("nan"))
            extra = sum(r["ack_errors"].get("extra_vote:no_dots_left", 0) for r in reps)
            planned = sum(r["voters"] for r in reps)
            return {"voters": planned, "casts": len(acks), "cast_p50_ms": 1000 * pct(acks, 50),
                    "cast_p99_ms": 1000 * pct(acks, 99), "dots_counted": final,
                    "casts_refused": sum(n for r in reps for k, n in r["ack_errors"].items()
                                         if k.startswith("cast_vote:")),
                    "dots_expected": 3 * planned, "fourth_refused": extra,
                    "totals_after_last_cast_ms": 1000 * (reached - last_cast)}

        if "vote" not in args.skip:
            self.measured("vote storm", vote)
        if "see" not in args.skip:
            console.call("set_phase", {"phase": "collect"})
            console.call("set_rules", {"phones_see_ideas": True})
            self.idle()
            self.measured("phones_see_ideas", collect(True))
        for row in self.rows:
            row["rss_kb_per_phone"] = self.rss_per_phone


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.0f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


COLUMNS = {
    "join storm": ["joined", "joins_refused", "held", "join_s", "join_p50_ms", "join_p99_ms"],
    "collect": ["ideas", "wall_p50_ms", "wall_p99_ms", "ack_p99_ms", "posts_refused", "lost",
                "foreign_at_phones"],
    "reconnect storm": ["rejoined", "joins_refused", "held", "all_back_s", "rejoin_p99_ms"],
    "phase collect->cluster": ["phones_reached", "phase_p50_ms", "phase_p99_ms", "phase_max_ms",
                               "boards", "board_p99_ms"],
    "phase cluster->vote": ["phones_reached", "phase_p50_ms", "phase_p99_ms", "phase_max_ms"],
    "vote storm": ["voters", "casts", "cast_p50_ms", "cast_p99_ms", "casts_refused", "dots_counted",
                   "dots_expected", "fourth_refused", "totals_after_last_cast_ms"],
    "phones_see_ideas": ["ideas", "phone_p50_ms", "phone_p99_ms", "ack_p99_ms", "posts_refused",
                         "lost"],
}
COMMON = ["srv_cpu_s", "messages", "us_per_message", "us_by_part", "rss_kb_per_phone", "split"]
PARTS = ("hosts", "postgres", "redis", "haproxy")  # us_by_part: CPU per message of each, in order


def print_tables(rows: list[dict[str, Any]]) -> None:
    for scenario, columns in COLUMNS.items():
        chosen = [r for r in rows if r["scenario"] == scenario]
        if not chosen:
            continue
        head = ["server", "mode", "K", "N", *columns, *COMMON]
        body = [[fmt(r.get(c, "-")) for c in head] for r in chosen]
        widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
        print(f"\n{scenario}")
        print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for b in body:
            print("  ".join(v.rjust(w) for v, w in zip(b, widths)))
        ratio(chosen, columns)
    notes = [(r, r["notes"]) for r in rows if r.get("notes")]
    if notes:
        print("\nNotes:")
        for r, note in notes:
            print(f"  {r['server']} {r['mode']} K={r['K']} N={r['N']} {r['scenario']}: {note}")


def ratio(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """ours / bare, and hosts / ours with one worker (the price of PostgreSQL, Redis and the
    balancer), for the latency columns and CPU per message, per (mode, N)."""
    keys = [c for c in columns if c.endswith("_ms")] + ["us_per_message"]
    for kind, base_kind, base_k in (("ours", "bare", 1), ("hosts", "ours", 1)):
        for r in rows:
            if r["server"] != kind:
                continue
            base = next((b for b in rows if b["server"] == base_kind and b["mode"] == r["mode"]
                         and b["N"] == r["N"] and b["K"] == base_k), None)
            if base is None:
                continue
            parts = [f"{k} x{r[k] / base[k]:.2f}" for k in keys
                     if isinstance(r.get(k), float) and isinstance(base.get(k), float)
                     and base[k] > 0 and not math.isnan(r[k] / base[k])]
            print(f"    {kind}/{base_kind} {r['mode']} K={r['K']} N={r['N']}: " + ", ".join(parts))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--phones", default="2000,10000", help="phone counts N, comma-separated")
    parser.add_argument("--workers", default="1,2", help="worker counts K of our server")
    parser.add_argument("--modes", default="gevent,eventlet", help="async modes")
    parser.add_argument("--bare", default="yes", choices=["yes", "no"],
                        help="also measure the bare Flask-SocketIO server (K=1)")
    parser.add_argument("--rate", type=float, default=20.0, help="ideas per second while collecting")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds of collecting")
    parser.add_argument("--posters", type=int, default=200, help="phones that post")
    parser.add_argument("--ideas", type=int, default=1000, help="ideas present for the reconnect storm")
    parser.add_argument("--storm", type=int, default=2000, help="phones in the join storm")
    parser.add_argument("--storm-rate", type=float, default=100.0, help="joins per second in it")
    parser.add_argument("--voters", type=int, default=2000, help="phones in the vote storm")
    parser.add_argument("--vote-seconds", type=float, default=30.0, help="length of the vote storm")
    parser.add_argument("--per-worker", type=int, default=1000, help="phones per generator process")
    parser.add_argument("--hosts", default="", help="also our server on H hosts in network"
                        " namespaces over PostgreSQL and Redis (comma-separated H; needs root)")
    parser.add_argument("--direct", action="store_true",
                        help="with K > 1, connect the generators straight to the workers (HAProxy"
                             " holds (open-files hard limit - 500) / 2 connections: 9,750 here)")
    parser.add_argument("--skip", default="", type=lambda v: set(filter(None, v.split(","))),
                        help="scenarios to leave out, comma-separated: reconnect, vote, see")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so every server started is stopped
    raise_nofile()
    rows: list[dict[str, Any]] = []
    phones = [int(v) for v in args.phones.split(",")]
    plan = [("ours", m, int(k)) for m in args.modes.split(",") for k in args.workers.split(",")]
    plan += [("hosts", m, int(h)) for m in args.modes.split(",") for h in filter(None, args.hosts.split(","))]
    if args.bare == "yes":
        plan += [("bare", m, 1) for m in args.modes.split(",")]
    with tempfile.TemporaryDirectory(prefix="hall-") as tmp:
        for n in phones:
            for kind, mode, k in plan:
                print(f"== {kind} {mode} K={k} N={n}", flush=True)
                server = Hosts(mode, k, Path(tmp), n) if kind == "hosts" else Server(kind, mode, k, Path(tmp))
                try:
                    server.start()
                    rows += Run(server, n, args).play()
                except Exception as exc:
                    traceback.print_exc()
                    rows.append({"server": kind, "mode": mode, "K": k, "N": n,
                                 "scenario": "failed", "notes": f"{type(exc).__name__}: {exc}"})
                finally:
                    server.stop()
    print_tables(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=str))
    print(f"\nRerun: cd {shlex.quote(str(ROOT))} && .venv/bin/python bench/hall.py {shlex.join(argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
