"""Measure broadcast fan-out of a live workshop: N clients join, P posters post R ideas/s for T s.

    .venv/bin/python bench/fanout.py                       # N=200,1000,2000, R=20, T=20, both modes
    .venv/bin/python bench/fanout.py --clients 50 --seconds 3 --modes eventlet   # smoke run

For each async mode and each N the script starts its own server (app.py on 127.0.0.1, a free port,
a temporary data dir), creates a workshop over HTTP in which phones see everyone's ideas
(phones_see_ideas: a phone gets its own idea at once, others' in batches at least 1 s apart),
connects N lean WebSocket clients as phones (raw Engine.IO v4 / Socket.IO v5, see _wsclient.py),
8 from each client address (127.0.1.1, 127.0.1.2, ...: the server's limits per address meet a
hall, not one machine; what they refuse or hold is counted apart from losses), spread over several
worker processes, lets P of them post R ideas/s in total for T seconds, and waits until every
client has every idea (or a drain timeout). Each idea's text carries its send time ("bench <no> <CLOCK_MONOTONIC>"), which is
system-wide on Linux, so a receiving process computes the delivery latency itself.

The server and the generator share the machine; the table shows both CPU figures so a reader can
tell which one was the bottleneck. Everything is bounded in time; the server is always killed.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import resource
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from array import array
from collections import Counter, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _wsclient import (  # noqa: E402
    CLOSED, EIO_OPEN, IN, JOINED, JOINING, OUT, PER_ADDRESS, SIO_CONNECT, STATE_NAMES, TCP, Conn, RawSocketIO,
    forget, loopback_sources, serve, watch,
)

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else
# A phone's own idea comes as `idea_posted`, others' in `ideas_posted` batches (phones_see_ideas)
IDEA_PREFIXES = (b'42["idea_posted"', b'42["ideas_posted')
MARKER = b'"bench '
# The server allows each participant a burst of 10 ideas, then 0.5/s; stay under the sustained rate.
POSTER_RATE = 0.4
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Worker process: many clients on one epoll loop


@dataclass
class Spec:
    """What one worker process does."""

    wid: int
    poster: bool
    first: int  # index of its first client
    count: int
    port: int
    code: str
    concurrency: int  # handshakes in flight at once
    connect_timeout: float
    max_ideas: int
    hard_deadline: float  # time.monotonic() after which the worker exits whatever happens
    sources: list[str]  # the address each client connects from, in order


class Worker:
    """Connects its clients, keeps them alive, records idea deliveries; posters also post."""

    def __init__(self, spec: Spec, pipe: Connection) -> None:
        self.spec = spec
        self.pipe = pipe
        self.ep = select.epoll()
        self.by_fd: dict[int, Conn] = {}
        self.clients = [Conn(spec.first + i, HOST, spec.port, source) for i, source in enumerate(spec.sources)]
        self.join_packet = ('420["join",{"code":"%s"}]' % spec.code).encode()
        # Connect phase
        self.todo = deque(self.clients)
        self.inflight = 0
        self.joined = 0
        self.failed = 0
        self.fail_reasons: Counter[str] = Counter()
        self.refused = 0  # joins the server refused (a limit), apart from failures
        self.held = 0  # phones let in but held until the facilitator admits them (the pace)
        self.connect_times: list[float] = []
        self.connect_reported = False
        # Deliveries
        self.count = array("i", [0]) * spec.max_ideas
        self.seen = {c.idx: bytearray(spec.max_ideas) for c in self.clients}  # counted once each
        self.maxlat = array("d", [-1.0]) * spec.max_ideas
        self.lats = array("d")
        self.total_got = 0
        self.t_last_recv = 0.0
        self.disconnects = 0
        self.drop_reasons: Counter[str] = Counter()
        self.other_events = 0
        # Post phase
        self.cpu_go = 0.0
        self.wait_go = 0.0
        self.t_go = 0.0
        self.drain_n = -1
        self.drain_deadline = 0.0
        self.result_sent = False
        self.stop = False
        # Posting (poster worker only)
        self.post_plan: tuple[float, float, int] | None = None  # t0, rate, n_ideas
        self.next_idea = 0
        self.posters: list[Conn] = []
        self.pending_acks: dict[tuple[int, int], tuple[int, float]] = {}
        self.ack_ok = 0
        self.ack_fail = 0
        self.ack_fail_codes: Counter[str] = Counter()
        self.held_posts: list[int] = []  # acked as pending (a held phone's): never broadcast
        self.refused_posts: list[int] = []  # refused in the ack (a limit): never broadcast
        self.ack_lats = array("d")
        self.post_lags = array("d")
        self.send_errors = 0
        self.t_first_send = 0.0
        self.t_last_send = 0.0
        self.posted_reported = False

    # Helpers

    def watch(self, c: Conn) -> None:
        watch(self.ep, c)

    def drop(self, c: Conn, reason: str) -> None:
        """Forget a client: a failed handshake or a disconnect after joining."""
        was = c.state
        forget(self.ep, self.by_fd, c)
        if was == JOINED:
            self.disconnects += 1
            self.drop_reasons[reason] += 1
        elif was != CLOSED:
            self.inflight -= 1
            self.failed += 1
            self.fail_reasons[f"{STATE_NAMES[was]}: {reason}"] += 1

    # Packets

    def packet(self, c: Conn, p: bytes, now: float) -> None:
        """Handle one Engine.IO packet (bytes) of client c, received at `now`."""
        if p[:16] in IDEA_PREFIXES:
            k = p.find(MARKER, 16)
            if k < 0:
                self.other_events += 1
            seen = self.seen[c.idx]
            while k >= 0:
                k += 7
                sp = p.index(b" ", k)
                end = p.index(b'"', sp)
                i = int(p[k:sp])
                if 0 <= i < self.spec.max_ideas and not seen[i]:
                    seen[i] = 1
                    lat = now - float(p[sp + 1:end])
                    c.got += 1
                    self.total_got += 1
                    self.t_last_recv = now
                    self.lats.append(lat)
                    self.count[i] += 1
                    if lat > self.maxlat[i]:
                        self.maxlat[i] = lat
                k = p.find(MARKER, end)
            return
        if p[:2] == b"42":
            self.other_events += 1  # participant_joined and friends: only counted
            return
        if p == b"2":
            c.send(b"3")
            self.watch(c)
            return
        if p[:2] == b"43":
            self.ack(c, p, now)
            return
        if p[:2] == b"40" and c.state == SIO_CONNECT:
            c.state = JOINING
            c.send(self.join_packet)
            self.watch(c)
            return
        if p[:1] == b"0" and c.state == EIO_OPEN:
            c.state = SIO_CONNECT
            c.send(b"40")
            self.watch(c)
            return
        if p[:2] in (b"41", b"44") or p == b"1":
            self.drop(c, f"server sent {p[:60]!r}")

    def ack(self, c: Conn, p: bytes, now: float) -> None:
        """An ack: of the join (id 0) or of a post."""
        j = p.index(b"[", 2)
        aid = int(p[2:j])
        ok = b'"ok":true' in p[j:j + 16]
        if aid == 0 and c.state == JOINING:
            if not ok:
                self.refused += 1
                self.drop(c, f"join refused: {p[j:j + 200]!r}")
                return
            c.state = JOINED
            self.held += b'"held":true' in p
            c.t_joined = now
            self.inflight -= 1
            self.joined += 1
            self.connect_times.append(now - c.t_start)
            return
        sent = self.pending_acks.pop((c.idx, aid), None)
        if sent is None:
            return
        self.ack_lats.append(now - sent[1])
        if ok:
            self.ack_ok += 1
            if b'"pending":true' in p:
                self.held_posts.append(sent[0])
        else:
            self.ack_fail += 1
            self.refused_posts.append(sent[0])
            try:
                self.ack_fail_codes[json.loads(p[j:])[0]["error"]["code"]] += 1
            except (ValueError, KeyError, IndexError, TypeError):
                self.ack_fail_codes["unparsed"] += 1

    # Phases

    def start_connects(self, now: float) -> None:
        """Open new connections while fewer than `concurrency` handshakes are in flight."""
        while self.todo and self.inflight < self.spec.concurrency:
            c = self.todo.popleft()
            self.inflight += 1
            try:
                c.start(now)
            except OSError as exc:
                c.state = TCP
                self.drop(c, f"connect: {exc}")
                continue
            self.by_fd[c.fd] = c
            self.ep.register(c.fd, IN | OUT)

    def check_connect_done(self, now: float) -> None:
        """Report to the main process once every client joined or failed, or time is up."""
        if self.connect_reported:
            return
        timed_out = now > self.t_connect_deadline
        if self.joined + self.failed < self.spec.count and not timed_out:
            return
        if timed_out:
            if self.todo:
                self.failed += len(self.todo)
                self.fail_reasons["not started: connect timeout"] += len(self.todo)
                for c in self.todo:
                    c.close()
                self.todo.clear()
            for c in self.clients:
                if c.state not in (JOINED, CLOSED):
                    self.drop(c, "connect timeout")
        self.connect_reported = True
        self.posters = [c for c in self.clients if c.state == JOINED]
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.pipe.send(("joined", {
            "wid": self.spec.wid, "joined": self.joined, "failed": self.failed,
            "refused": self.refused, "held": self.held,
            "fail_reasons": dict(self.fail_reasons), "connect_times": self.connect_times,
            "t_first_start": min((c.t_start for c in self.clients if c.t_start), default=now),
            "t_last_joined": max((c.t_joined for c in self.clients if c.t_joined), default=now),
            "cpu": ru.ru_utime + ru.ru_stime,
        }))

    def post_due(self, now: float) -> float:
        """Post the ideas whose time has come; return the seconds until the next one."""
        if self.post_plan is None or not self.posters:
            return 0.2
        t0, rate, n = self.post_plan
        while self.next_idea < n:
            i = self.next_idea
            due = t0 + i / rate
            if now < due:
                return due - now
            c = self.posters[i % len(self.posters)]
            self.next_idea += 1
            if c.state != JOINED:
                self.send_errors += 1
                continue
            aid = c.next_ack
            c.next_ack += 1
            t = time.monotonic()
            packet = ('42%d["post_idea",{"text":"bench %d %.6f","client_id":"b%d"}]'
                      % (aid, i, t, i)).encode()
            self.pending_acks[(c.idx, aid)] = (i, t)
            try:
                c.send(packet)
            except OSError as exc:
                self.send_errors += 1
                self.drop(c, f"send: {exc}")
                continue
            self.watch(c)
            self.post_lags.append(t - due)
            if not self.t_first_send:
                self.t_first_send = t
            self.t_last_send = t
            now = time.monotonic()
        return 0.2

    def check_posted(self, now: float) -> None:
        """Poster: report once every idea is sent and acked (or 10 s after the last send)."""
        if self.posted_reported or self.post_plan is None:
            return
        if self.next_idea < self.post_plan[2]:
            return
        if self.pending_acks and now < self.t_last_send + 10.0:
            return
        self.posted_reported = True
        self.pipe.send(("posted", {
            "sent": len(self.post_lags), "ack_ok": self.ack_ok, "ack_fail": self.ack_fail,
            "ack_missing": len(self.pending_acks), "ack_fail_codes": dict(self.ack_fail_codes),
            "held_posts": self.held_posts, "refused_posts": self.refused_posts,
            "ack_lats": self.ack_lats, "post_lags": self.post_lags,
            "send_errors": self.send_errors, "posters": len(self.posters),
            "t_first_send": self.t_first_send, "t_last_send": self.t_last_send,
        }))

    def check_drained(self, now: float) -> None:
        """Send the results once every open client has every idea, or at the drain deadline."""
        if self.result_sent or self.drain_n < 0:
            return
        live = [c for c in self.clients if c.state == JOINED]
        complete = (self.total_got >= self.drain_n * len(live)
                    and all(c.got >= self.drain_n for c in live))
        if not complete and now < self.drain_deadline:
            return
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.result_sent = True
        self.pipe.send(("result", {
            "wid": self.spec.wid, "count": self.count, "maxlat": self.maxlat, "lats": self.lats,
            "total_got": self.total_got, "t_last_recv": self.t_last_recv,
            "complete": complete, "live": len(live), "disconnects": self.disconnects,
            "drop_reasons": dict(self.drop_reasons), "other_events": self.other_events,
            "cpu_post": ru.ru_utime + ru.ru_stime - self.cpu_go, "t_result": now,
            "wait_post": run_delay() - self.wait_go,
        }))

    def control(self) -> None:
        """Messages from the main process."""
        while self.pipe.poll():
            try:
                msg = self.pipe.recv()
            except EOFError:
                self.stop = True
                return
            kind = msg[0]
            if kind == "go":
                ru = resource.getrusage(resource.RUSAGE_SELF)
                self.cpu_go = ru.ru_utime + ru.ru_stime
                self.wait_go = run_delay()
                self.t_go = time.monotonic()
                if self.spec.poster:
                    self.post_plan = msg[1]
            elif kind == "drain":
                self.drain_n, self.drain_deadline = msg[1], msg[2]
            elif kind == "stop":
                self.stop = True

    def run(self) -> None:
        """The event loop: one thread, epoll over every socket and the control pipe."""
        pipe_fd = self.pipe.fileno()
        self.ep.register(pipe_fd, IN)
        self.t_connect_deadline = time.monotonic() + self.spec.connect_timeout
        while not self.stop:
            now = time.monotonic()
            if now > self.spec.hard_deadline:
                break
            if not self.connect_reported:
                self.start_connects(now)
                self.check_connect_done(now)
            timeout = min(0.2, self.post_due(now))
            for fd, ev in self.ep.poll(max(timeout, 0.0)):
                if fd == pipe_fd:
                    self.control()
                    continue
                c = self.by_fd.get(fd)
                if c is None:
                    continue
                serve(self.ep, c, ev, self.packet, self.drop)
            now = time.monotonic()
            if self.spec.poster:
                self.check_posted(now)
            self.check_drained(now)
        for c in self.clients:
            c.close()


def worker_main(spec: Spec, pipe: Connection) -> None:
    """Entry point of a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides when to stop
    try:
        Worker(spec, pipe).run()
    except Exception:
        try:
            pipe.send(("error", traceback.format_exc()))
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# The server under test


def log_tail(path: Path, lines: int = 15) -> str:
    """The end of a server's output."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until_answers(proc: subprocess.Popen[bytes], port: int, timeout: float, log_path: Path) -> None:
    """Wait until a server started as `proc` answers HTTP on `port`; its output (`log_path`) in the
    error when it exits or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1.0):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {timeout:.0f}s:\n{log_tail(log_path)}")


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def http_json(port: int, method: str, path: str, body: dict[str, Any] | None = None,
              timeout: float = 5.0) -> tuple[int, dict[str, Any]]:
    """A small JSON request to the server under test."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"{}")


def run_delay(pid: int | str = "self") -> float:
    """Seconds the process's main thread has waited for a CPU (run queue), /proc/<pid>/schedstat."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


class Server:
    """app.py in a subprocess on a free port with a throw-away data dir."""

    def __init__(self, mode: str, workdir: Path, root: Path = ROOT) -> None:
        self.mode = mode
        self.root = root
        self.port = free_port()
        self.data_dir = workdir / f"data-{mode}-{self.port}"
        self.log_path = workdir / f"server-{mode}-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait until it answers HTTP."""
        cmd = [sys.executable, str(self.root / "app.py"), "--host", HOST, "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--async-mode", self.mode]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        wait_until_answers(self.proc, self.port, timeout, self.log_path)

    def create_workshop(self) -> str:
        """A fresh workshop in which phones see everyone's ideas while collecting; its join code.

        By default a phone shows only its own ideas (the wall shows them all), so without the rule
        there is no broadcast to N phones to measure: each phone would get 1 idea in N."""
        status, body = http_json(self.port, "POST", "/api/workshops",
                                 {"title": "Fan-out bench", "prompt": "How fast is the broadcast?"})
        if status != 201:
            raise RuntimeError(f"POST /api/workshops -> {status} {body}")
        console = RawSocketIO(self.port)
        try:
            joined = console.call("join", {"code": body["code"], "facilitator_token": body["facilitator_token"]})
            rules = console.call("set_rules", {"phones_see_ideas": True})
        finally:
            console.close()
        if not (joined.get("ok") and rules.get("ok")):
            raise RuntimeError(f"facilitator: join {joined}, set_rules {rules}")
        return str(body["code"])

    def cpu(self) -> float:
        """User+system CPU seconds of the server process so far (all its threads)."""
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / CLK_TCK

    def memory(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) in MiB."""
        assert self.proc is not None
        found = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    found[key] = int(value.split()[0]) / 1024
        return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's output."""
        return log_tail(self.log_path, lines)

    def problems(self) -> list[str]:
        """Error-looking lines from the server's output."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []
        keys = ("Traceback", "Error", "error", "Exception", "WARNING", "Too many")
        return [line for line in text if any(k in line for k in keys)]

    def stop(self) -> None:
        """Terminate, then kill; never wait unboundedly."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


# ---------------------------------------------------------------------------------------------
# One run: a mode and a client count


def pct(values: list[float] | array, q: float) -> float:
    """Nearest-rank percentile of sorted values (NaN if empty)."""
    if not len(values):
        return float("nan")
    return float(values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))])


@dataclass
class Row:
    """Everything measured in one run."""

    mode: str
    n: int
    posters: int = 0
    workers: int = 0
    joined: int = 0
    join_failed: int = 0
    join_refused: int = 0
    held: int = 0
    posts_held: int = 0
    connect_total: float = float("nan")
    connect_p50: float = float("nan")
    connect_p99: float = float("nan")
    ideas: int = 0
    ack_fail: int = 0
    ack_missing: int = 0
    fan_p50: float = float("nan")
    fan_p95: float = float("nan")
    fan_p99: float = float("nan")
    fan_max: float = float("nan")
    del_p50: float = float("nan")
    del_p99: float = float("nan")
    expected: int = 0
    received: int = 0
    incomplete_ideas: int = 0
    disconnects: int = 0
    srv_cpu_pct: float = float("nan")
    srv_rss: float = float("nan")
    srv_rss_joined: float = float("nan")
    srv_hwm: float = float("nan")
    srv_cpu_connect: float = float("nan")
    gen_cpu_pct: float = float("nan")
    machine_pct: float = float("nan")
    srv_wait_pct: float = float("nan")
    gen_wait_pct: float = float("nan")
    window: float = float("nan")
    ack_p50: float = float("nan")
    ack_p99: float = float("nan")
    post_rate: float = float("nan")
    post_lag_max: float = float("nan")
    drained: bool = False
    notes: list[str] = field(default_factory=list)


def split_clients(n: int, posters: int, per_worker: int) -> list[tuple[bool, int]]:
    """(is_poster, count) per worker: one poster worker, receivers in roughly equal shares."""
    shares = [(True, posters)]
    rest = n - posters
    if rest > 0:
        workers = max(1, math.ceil(rest / per_worker))
        base, extra = divmod(rest, workers)
        shares += [(False, base + (1 if w < extra else 0)) for w in range(workers)]
    return shares


def run_one(mode: str, n: int, args: argparse.Namespace, workdir: Path) -> Row:
    """Start a server, run the scenario, tear everything down; always bounded in time."""
    row = Row(mode, n)
    posters = min(n, args.posters or math.ceil(args.rate / POSTER_RATE))
    row.posters = posters
    n_ideas = max(1, round(args.rate * args.seconds))
    connect_timeout = args.connect_timeout or 30.0 + 0.06 * n
    server = Server(mode, workdir, Path(args.server_root))
    procs: list[mp.process.BaseProcess] = []
    pipes: list[Connection] = []
    ctx = mp.get_context("fork")
    try:
        server.start()
        code = server.create_workshop()
        shares = split_clients(n, posters, args.per_worker)
        row.workers = len(shares)
        hard_deadline = (time.monotonic() + connect_timeout + args.settle_max + args.seconds
                         + args.drain + 60.0)
        first = 0
        # A few phones an address, as a hall's devices: the server's limits per address meet a
        # hall, not one machine (and are counted as refused or held, never as lost)
        sources = loopback_sources(n)
        for wid, (is_poster, count) in enumerate(shares):
            conc = max(1, round(args.connect_concurrency * count / n))
            spec = Spec(wid, is_poster, first, count, server.port, code, conc, connect_timeout,
                        n_ideas, hard_deadline,
                        [sources[(first + i) // PER_ADDRESS] for i in range(count)])
            first += count
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker_main, args=(spec, child), daemon=True)
            proc.start()
            child.close()
            procs.append(proc)
            pipes.append(parent)
        by_pipe = {p: i for i, p in enumerate(pipes)}
        cpu_connect0 = server.cpu()

        def collect(kind: str, wanted: list[Connection], deadline: float,
                    on_tick: Any = None) -> dict[int, dict[str, Any]]:
            got: dict[int, dict[str, Any]] = {}
            waiting = list(wanted)
            while waiting and time.monotonic() < deadline:
                for p in wait(waiting, timeout=0.2):
                    try:
                        msg = p.recv()
                    except EOFError:
                        waiting.remove(p)
                        row.notes.append(f"worker {by_pipe[p]} died")
                        continue
                    if msg[0] == "error":
                        waiting.remove(p)
                        row.notes.append(f"worker {by_pipe[p]} crashed: {msg[1].splitlines()[-1]}")
                        print(msg[1], file=sys.stderr)
                    elif msg[0] == kind:
                        waiting.remove(p)
                        got[by_pipe[p]] = msg[1]
                if on_tick:
                    on_tick()
                if server.proc is not None and server.proc.poll() is not None:
                    row.notes.append(f"server exited with {server.proc.returncode}")
                    break
            for p in waiting:
                row.notes.append(f"worker {by_pipe[p]}: no '{kind}' in time")
            return got

        # 1. Connect and join.
        joined = collect("joined", pipes, time.monotonic() + connect_timeout + 15.0)
        times = sorted(t for r in joined.values() for t in r["connect_times"])
        row.joined = sum(r["joined"] for r in joined.values())
        row.join_failed = n - row.joined
        row.join_refused = sum(r["refused"] for r in joined.values())
        row.held = sum(r["held"] for r in joined.values())
        reasons: Counter[str] = Counter()
        for r in joined.values():
            reasons.update(r["fail_reasons"])
        for reason, count in reasons.most_common(5):
            row.notes.append(f"join failed x{count}: {reason}")
        if joined:
            row.connect_total = (max(r["t_last_joined"] for r in joined.values())
                                 - min(r["t_first_start"] for r in joined.values()))
        row.connect_p50, row.connect_p99 = pct(times, 50), pct(times, 99)
        print(f"  [{mode} N={n}] joined {row.joined}/{n} in {row.connect_total:.1f}s;"
              f" settling...", flush=True)

        # 2. Settle: wait until the server is idle (the join broadcasts are out).
        settle_deadline = time.monotonic() + args.settle_max
        last = server.cpu()
        while time.monotonic() < settle_deadline:
            time.sleep(0.5)
            now_cpu = server.cpu()
            if now_cpu - last < 0.05:
                break
            last = now_cpu
        else:
            row.notes.append(f"server still busy after {args.settle_max:.0f}s settle")
        row.srv_cpu_connect = server.cpu() - cpu_connect0
        row.srv_rss_joined = server.memory()[0]

        # 3. Post for T seconds, sampling the server.
        samples: list[tuple[float, float, float, float, float, float]] = []

        def assert_pid_delay() -> float:
            assert server.proc is not None
            return run_delay(server.proc.pid)

        def sample() -> None:
            try:
                busy, total = machine_cpu()
                samples.append((time.monotonic(), server.cpu(), busy, total, server.memory()[0],
                                assert_pid_delay()))
            except OSError:
                pass

        t0 = time.monotonic() + 0.3
        for p in pipes:
            p.send(("go", (t0, args.rate, n_ideas)))
        while time.monotonic() < t0:
            time.sleep(0.01)
        sample()
        posted = collect("posted", [pipes[0]], t0 + args.seconds + 30.0, sample).get(0)
        if posted is None:
            row.notes.append("poster did not finish")
            posted = {"sent": 0, "ack_ok": 0, "ack_fail": 0, "ack_missing": 0, "ack_fail_codes": {},
                      "held_posts": [], "refused_posts": [],
                      "ack_lats": array("d"), "post_lags": array("d"), "send_errors": 0,
                      "t_first_send": t0, "t_last_send": t0}
        row.ideas = posted["sent"]
        row.ack_fail = posted["ack_fail"]
        row.ack_missing = posted["ack_missing"]
        for code_, count in posted["ack_fail_codes"].items():
            row.notes.append(f"post ack failed x{count}: {code_}")
        if posted["send_errors"]:
            row.notes.append(f"{posted['send_errors']} posts not sent (poster disconnected)")
        acks = sorted(posted["ack_lats"])
        row.ack_p50, row.ack_p99 = pct(acks, 50), pct(acks, 99)
        if posted["sent"] > 1:
            row.post_rate = (posted["sent"] - 1) / max(1e-9, posted["t_last_send"]
                                                      - posted["t_first_send"])
        row.post_lag_max = max(posted["post_lags"], default=float("nan"))

        # Ideas refused in their ack or held (pending) are never broadcast: counted apart, not lost
        row.posts_held = len(posted["held_posts"])
        sent = sorted(set(range(row.ideas)) - set(posted["refused_posts"]) - set(posted["held_posts"]))

        # 4. Drain: every client should get every idea; then collect.
        drain_deadline = time.monotonic() + args.drain
        for p in pipes:
            p.send(("drain", len(sent), drain_deadline))
        results = collect("result", pipes, drain_deadline + 15.0, sample)
        sample()

        count = array("i", [0]) * n_ideas
        maxlat = array("d", [-1.0]) * n_ideas
        lats = array("d")
        for r in results.values():
            for i in range(n_ideas):
                count[i] += r["count"][i]
                if r["maxlat"][i] > maxlat[i]:
                    maxlat[i] = r["maxlat"][i]
            lats.extend(r["lats"])
            row.disconnects += r["disconnects"]
            for reason, c in r["drop_reasons"].items():
                row.notes.append(f"disconnected x{c}: {reason}")
        fan = sorted(maxlat[i] for i in sent if count[i] > 0)
        row.fan_p50, row.fan_p95, row.fan_p99 = pct(fan, 50), pct(fan, 95), pct(fan, 99)
        row.fan_max = fan[-1] if fan else float("nan")
        row.incomplete_ideas = sum(1 for i in sent if count[i] < row.joined)
        dl = sorted(lats)
        row.del_p50, row.del_p99 = pct(dl, 50), pct(dl, 99)
        row.expected = row.joined * len(sent)
        row.received = sum(r["total_got"] for r in results.values())
        row.drained = len(results) == len(pipes) and all(r["complete"] for r in results.values())

        # Post phase = from the first post until the last delivery (at least T seconds).
        t_end = max([t0 + args.seconds] + [r["t_last_recv"] for r in results.values()])
        start = samples[0]
        end = next((s for s in samples if s[0] >= t_end), samples[-1])
        row.window = end[0] - start[0]
        if row.window > 0:
            row.srv_cpu_pct = 100 * (end[1] - start[1]) / row.window
            row.machine_pct = 100 * (end[2] - start[2]) / row.window  # of one core
            gen = sum(r["cpu_post"] * min(1.0, row.window / max(1e-9, r["t_result"] - t0))
                      for r in results.values())
            row.gen_cpu_pct = 100 * gen / row.window
            row.srv_wait_pct = 100 * (end[5] - start[5]) / row.window
            gen_wait = sum(r["wait_post"] * min(1.0, row.window / max(1e-9, r["t_result"] - t0))
                           for r in results.values())
            row.gen_wait_pct = 100 * gen_wait / row.window / max(1, len(results))
        row.srv_rss = max(s[4] for s in samples)
        row.srv_hwm = server.memory()[1]
    except Exception as exc:  # one broken run must not lose the others
        row.notes.append(f"run failed: {type(exc).__name__}: {exc}")
        traceback.print_exc()
    finally:
        for p in pipes:
            try:
                p.send(("stop",))
            except OSError:
                pass
        for proc in procs:
            proc.join(5)
            if proc.is_alive():
                proc.terminate()
                proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)
        problems = server.problems()
        server.stop()
        if problems:
            row.notes.append(f"server log: {len(problems)} error-looking lines, e.g. {problems[0][:160]}")
    return row


# ---------------------------------------------------------------------------------------------
# Output


def fmt_ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f}" if seconds >= 0.1 \
        else f"{seconds * 1000:.1f}"


def fmt(value: float, spec: str = ".0f") -> str:
    return "-" if isinstance(value, float) and math.isnan(value) else format(value, spec)


def print_tables(rows: list[Row], args: argparse.Namespace) -> None:
    """The main table and a details table, as plain text."""
    head = ["mode", "N", "ideas", "ack fail", "refused", "held", "connect s", "conn p50 ms", "conn p99 ms",
            "fan p50 ms", "fan p95", "fan p99", "fan max", "dlv p50 ms", "dlv p99",
            "lost", "lost %", "srv CPU %", "srv RSS MB", "gen CPU %"]
    body = []
    for r in rows:
        lost = r.expected - r.received
        body.append([r.mode, str(r.n), str(r.ideas), str(r.ack_fail + r.ack_missing),
                     str(r.join_refused), f"{r.held}/{r.posts_held}",
                     fmt(r.connect_total, ".1f"), fmt_ms(r.connect_p50), fmt_ms(r.connect_p99),
                     fmt_ms(r.fan_p50), fmt_ms(r.fan_p95), fmt_ms(r.fan_p99), fmt_ms(r.fan_max),
                     fmt_ms(r.del_p50), fmt_ms(r.del_p99), str(lost),
                     fmt(100 * lost / r.expected if r.expected else float("nan"), ".2f"),
                     fmt(r.srv_cpu_pct), fmt(r.srv_rss), fmt(r.gen_cpu_pct)])
    print_table(head, body)
    print()
    head2 = ["mode", "N", "posters", "procs", "join fail", "disconn", "incompl ideas",
             "post rate/s", "post lag max ms", "ack p50 ms", "ack p99 ms", "window s",
             "machine CPU %", "other CPU %", "srv runq %", "gen runq %", "srv CPU s (join)", "srv RSS MB (joined)", "srv peak MB", "drained"]
    body2 = []
    for r in rows:
        body2.append([r.mode, str(r.n), str(r.posters), str(r.workers), str(r.join_failed),
                      str(r.disconnects), str(r.incomplete_ideas), fmt(r.post_rate, ".1f"),
                      fmt_ms(r.post_lag_max), fmt_ms(r.ack_p50), fmt_ms(r.ack_p99),
                      fmt(r.window, ".1f"), fmt(r.machine_pct),
                      fmt(r.machine_pct - r.srv_cpu_pct - r.gen_cpu_pct),
                      fmt(r.srv_wait_pct), fmt(r.gen_wait_pct), fmt(r.srv_cpu_connect, ".1f"),
                      fmt(r.srv_rss_joined), fmt(r.srv_hwm), "yes" if r.drained else "NO"])
    print_table(head2, body2)
    notes = [(r, note) for r in rows for note in r.notes]
    if notes:
        print("\nNotes:")
        for r, note in notes:
            print(f"  {r.mode} N={r.n}: {note}")
    print(f"\nLegend: R={args.rate:g} ideas/s for T={args.seconds:g}s; N clients include the posters"
          f" (each posts <= {POSTER_RATE}/s). fan = emit -> received by every client, per idea"
          " (over ideas); dlv = per delivery; lost = joined clients x ideas broadcast - received (ideas"
          " refused in their ack, counted in ack fail, or held are never broadcast: not lost);"
          " refused = joins the server refused (a limit); held = phones held by the newcomers'"
          f" pace / their posts ({PER_ADDRESS} clients an address, from 127.0.1.1 on);"
          " phones see everyone's ideas (phones_see_ideas: batched, at least 1 s apart);"
          " CPU % = of one core"
          " over the post phase (first post -> last delivery); machine CPU % is all processes, of"
          f" one core ({os.cpu_count()} cores); other = machine - server - generator (anything else"
          " running: it competes for the same cores); runq % = share of the post phase the server's (main)"
          " thread / an average generator process waited for a CPU (/proc/<pid>/schedstat);"
          " gen = generator worker processes.")


def print_table(head: list[str], body: list[list[str]]) -> None:
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(head)]
    line = "  ".join(h.rjust(w) for h, w in zip(head, widths))
    print(line)
    print("-" * len(line))
    for b in body:
        print("  ".join(v.rjust(w) for v, w in zip(b, widths)))


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--clients", default="200,1000,2000", help="client counts N, comma-separated")
    parser.add_argument("--rate", type=float, default=20.0, help="ideas per second, all posters")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the post phase")
    parser.add_argument("--modes", default="eventlet,gevent", help="server async modes")
    parser.add_argument("--posters", type=int, default=0,
                        help=f"posting clients (0: rate/{POSTER_RATE}, under the rate limit)")
    parser.add_argument("--per-worker", type=int, default=400,
                        help="receiving clients per generator process")
    parser.add_argument("--connect-concurrency", type=int, default=100,
                        help="handshakes in flight at once, over all generator processes")
    parser.add_argument("--connect-timeout", type=float, default=0.0,
                        help="seconds for all clients to join (0: 30 + 0.06 x N)")
    parser.add_argument("--settle-max", type=float, default=60.0,
                        help="most seconds to wait for the server to go idle after the joins")
    parser.add_argument("--drain", type=float, default=30.0,
                        help="most seconds to wait for deliveries after the last post")
    parser.add_argument("--server-root", default=str(ROOT),
                        help="folder holding the app.py to start (e.g. an exported commit)")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    args.client_counts = [int(v) for v in args.clients.split(",") if v.strip()]
    args.mode_list = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in args.mode_list if m not in ("eventlet", "gevent", "threading")]
    if bad or not args.client_counts or min(args.client_counts) < 1 or args.rate <= 0:
        parser.error(f"bad --modes {bad} or --clients / --rate")
    return args


def rerun_command(args: argparse.Namespace) -> str:
    """The exact command line for these settings, from the repository root."""
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) \
        else sys.executable
    parts = [python, "bench/fanout.py", "--clients", args.clients, "--rate", f"{args.rate:g}",
             "--seconds", f"{args.seconds:g}", "--modes", args.modes]
    defaults = parse_args([])
    if Path(args.server_root).resolve() != ROOT:
        parts += ["--server-root", args.server_root]
    for name in ("posters", "per_worker", "connect_concurrency", "connect_timeout", "settle_max",
                 "drain"):
        if getattr(args, name) != getattr(defaults, name):
            parts += [f"--{name.replace('_', '-')}", f"{getattr(args, name):g}"]
    return f"cd {shlex.quote(str(ROOT))} && {shlex.join(parts)}"


def raise_nofile() -> int:
    """Raise the soft open-files limit to the hard limit (inherited by the worker processes)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    nofile = raise_nofile()
    need = max(args.client_counts) + 64
    if nofile < need:
        print(f"warning: open-files limit {nofile} < {need}; connections will fail", file=sys.stderr)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        for mode in args.mode_list:
            for n in args.client_counts:
                print(f"== {mode}, N={n}, R={args.rate:g}/s, T={args.seconds:g}s", flush=True)
                t = time.monotonic()
                row = run_one(mode, n, args, Path(tmp))
                rows.append(row)
                print(f"  done in {time.monotonic() - t:.0f}s: fan p99 {fmt_ms(row.fan_p99)} ms,"
                      f" lost {row.expected - row.received}, server CPU {fmt(row.srv_cpu_pct)}%",
                      flush=True)
    print()
    print_tables(rows, args)
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=1, default=str))
    print(f"\nRerun: {rerun_command(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
