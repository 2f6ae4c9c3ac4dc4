"""One generator process of bench/hall.py: many lean Socket.IO clients on one epoll loop.

The main process sends commands over a pipe (connect, post, vote, reconnect, report, stop); the
worker answers with what its clients measured. Times are CLOCK_MONOTONIC, shared by all processes,
so a receiver computes a latency from a send time the main process or another worker recorded.
"""

from __future__ import annotations

import json
import random
import resource
import select
import signal
import time
import traceback
from collections import Counter, defaultdict, deque
from multiprocessing.connection import Connection
from typing import Any

from _wsclient import EIO_OPEN, IN, JOINED, JOINING, OUT, SIO_CONNECT, Conn, forget, serve, watch

HOST = "127.0.0.1"
MARKER = b'bench '


class Client(Conn):
    """A wall or a phone: its role, its participant token, what it posted."""

    __slots__ = ("role", "token", "pending", "dots", "mine")

    def __init__(self, idx: int, host: str, port: int, role: str, source: str = "") -> None:
        super().__init__(idx, host, port, source)
        self.role = role
        self.token = ""
        self.pending: dict[int, tuple[str, float]] = {}  # ack id -> (command, sent at)
        self.dots: list[int] = []
        self.mine: set[int] = set()  # idea numbers this client posted


class HallWorker:
    """Keeps its clients connected and records every delivery the bench asks about."""

    def __init__(self, wid: int, port: int, code: str, pipe: Connection, host: str = HOST,
                 sources: tuple[list[str], int] = ([], 1)) -> None:
        self.wid = wid
        self.host = host
        self.port = port
        self.sources, self.per_source = sources  # client addresses, and clients on each
        self.code = code
        self.pipe = pipe
        self.ep = select.epoll()
        self.by_fd: dict[int, Client] = {}
        self.clients: list[Client] = []
        self.todo: deque[Client] = deque()
        self.join_rate = 0.0
        self.join_t0 = 0.0
        self.join_started = 0
        self.concurrency = 50
        self.inflight = 0
        self.posts: deque[tuple[float, Client, bytes, str]] = deque()  # due, client, packet, kind
        self.reset()

    def reset(self) -> None:
        """Start a new measurement."""
        self.events: Counter[str] = Counter()   # "role:event" -> count
        self.acks: defaultdict[str, list[float]] = defaultdict(list)
        self.ack_errors: Counter[str] = Counter()
        self.join_lats: list[float] = []
        self.join_fail: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # joins the server refused, by error code (a limit)
        self.held = 0  # phones let in but held until the facilitator admits them (the pace)
        self.idea_lat: defaultdict[str, list[float]] = defaultdict(list)  # role -> latencies
        self.idea_seen: defaultdict[str, Counter[int]] = defaultdict(Counter)  # role -> no -> count
        self.foreign = 0  # ideas a phone received that it did not post (without phones_see_ideas)
        self.arrivals: defaultdict[str, list[float]] = defaultdict(list)  # "role:event" -> times
        self.totals: list[tuple[float, int]] = []  # walls: (time, dots in vote_totals)
        self.drops: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()  # deliveries per server worker
        self.received = 0  # messages: facts, counts and acks
        self.voters = 0
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu0 = ru.ru_utime + ru.ru_stime

    # Connections

    def add(self, specs: list[tuple[int, str, str]], rate: float, concurrency: int) -> None:
        """Queue clients (index, role, token) to connect, at `rate` per second (0: as fast as
        `concurrency` handshakes in flight allow)."""
        for idx, role, token in specs:
            source = self.sources[idx // self.per_source % len(self.sources)] if self.sources else ""
            client = Client(idx, self.host, self.port, role, source)
            client.token = token
            self.clients.append(client)
            self.todo.append(client)
        self.join_rate, self.concurrency = rate, concurrency
        self.join_t0, self.join_started = time.monotonic(), 0

    def start_connects(self, now: float) -> None:
        while self.todo and self.inflight < self.concurrency:
            if self.join_rate and now < self.join_t0 + self.join_started / self.join_rate:
                return
            c = self.todo.popleft()
            self.join_started += 1
            self.inflight += 1
            try:
                c.start(now)
            except OSError as exc:
                self.fail(c, f"connect: {exc}")
                continue
            self.by_fd[c.fd] = c
            self.ep.register(c.fd, IN | OUT)

    def fail(self, c: Client, reason: str) -> None:
        was = c.state
        self.forget(c)
        if was == JOINED:
            self.drops[reason[:80]] += 1
        else:
            self.inflight -= 1
            self.join_fail[reason[:80]] += 1

    def forget(self, c: Client) -> None:
        forget(self.ep, self.by_fd, c)

    def watch(self, c: Conn) -> None:
        watch(self.ep, c)

    def command(self, c: Client, event: str, payload: dict[str, Any], now: float) -> None:
        aid = c.next_ack
        c.next_ack += 1
        c.pending[aid] = (event, now)
        c.send(b"42%d%s" % (aid, json.dumps([event, payload], separators=(",", ":")).encode()))
        self.watch(c)

    # Packets

    def packet(self, c: Client, p: bytes, now: float) -> None:
        if p[:3] == b'42[':
            end = p.find(b'"', 4)
            name = p[4:end].decode()
            self.received += 1
            self.by_worker[c.worker or f"port {self.port}"] += 1
            key = f"{c.role}:{name}"
            self.events[key] += 1
            if name in ("idea_posted", "ideas_posted"):
                self.ideas(c, p, now)
            elif name in ("phase_changed", "rules_changed", "phone_board"):
                self.arrivals[key].append(now)
            elif name == "vote_totals" and c.role == "wall":
                data = json.loads(p[2:])[1]
                self.totals.append((now, sum(data["ideas"].values()) + sum(data["clusters"].values())))
            return
        if p == b"2":
            c.send(b"3")
            self.watch(c)
        elif p[:2] == b"43":
            self.ack(c, p, now)
        elif p[:2] == b"40" and c.state == SIO_CONNECT:
            c.state = JOINING
            payload: dict[str, Any] = {"code": self.code}
            if c.role == "wall":
                payload["viewer"] = True
            elif c.token:
                payload["participant_token"] = c.token
            c.send(b'420' + json.dumps(["join", payload]).encode())
            self.watch(c)
        elif p[:1] == b"0" and c.state == EIO_OPEN:
            c.state = SIO_CONNECT
            c.send(b"40")
            self.watch(c)
        elif p[:2] in (b"41", b"44") or p == b"1":
            self.fail(c, f"server sent {p[:60]!r}")

    def ideas(self, c: Client, p: bytes, now: float) -> None:
        """Each `bench <no> <sent at>` in an idea fact or a batch of them."""
        k = p.find(MARKER)
        while k >= 0:
            k += 6
            sp = p.index(b" ", k)
            end = p.index(b'"', sp)
            no = int(p[k:sp])
            self.idea_lat[c.role].append(now - float(p[sp + 1:end]))
            self.idea_seen[c.role][no] += 1
            if c.role == "phone" and no not in c.mine:
                self.foreign += 1
            k = p.find(MARKER, end)

    def ack(self, c: Client, p: bytes, now: float) -> None:
        j = p.index(b"[", 2)
        aid = int(p[2:j])
        ok = b'"ok":true' in p[j:j + 16]
        if aid == 0 and c.state == JOINING:
            self.inflight -= 1
            if not ok:
                self.refused[refusal(p, j)] += 1
                self.fail(c, f"join refused: {p[j:j + 120]!r}")
                return
            c.state = JOINED
            self.held += b'"held":true' in p
            c.t_joined = now
            self.join_lats.append(now - c.t_start)
            if c.role == "phone":
                k = p.find(b'"participant_token":"')
                c.token = p[k + 21:p.index(b'"', k + 21)].decode()
            return
        sent = c.pending.pop(aid, None)
        if sent is None:
            return
        self.received += 1
        self.by_worker[c.worker or f"port {self.port}"] += 1
        self.acks[sent[0]].append(now - sent[1])
        if not ok:
            self.ack_errors[f"{sent[0]}:{refusal(p, j)}"] += 1

    # Scenarios

    def plan_posts(self, t0: float, rate: float, count: int, first_no: int, posters: int) -> None:
        """Post `count` ideas at `rate` per second in total from this worker's first phones."""
        phones = [c for c in self.clients if c.role == "phone" and c.state == JOINED][:posters]
        for i in range(count):
            no = first_no + i
            c = phones[i % len(phones)]
            c.mine.add(no)
            self.posts.append((t0 + i / rate, c, b"", f"idea:{no}"))

    def plan_votes(self, t0: float, seconds: float, idea_ids: list[int], dots: int, seed: int,
                   voters: int) -> None:
        """`voters` phones here place `dots` dots on distinct ideas at random moments, then one more."""
        rng = random.Random(seed)
        plan = []
        phones = [c for c in self.clients if c.role == "phone" and c.state == JOINED][:voters]
        self.voters = len(phones)
        for c in phones:
            picks = rng.sample(idea_ids, dots + 1)
            times = sorted(t0 + rng.random() * seconds for _ in range(dots))
            plan += [(t, c, b"", f"vote:{idea}") for t, idea in zip(times, picks)]
            plan.append((t0 + seconds + 2.0 + rng.random(), c, b"", f"extra:{picks[-1]}"))
        self.posts = deque(sorted(plan, key=lambda item: item[0]))

    def reconnect_all(self, seconds: float, concurrency: int) -> None:
        """Every phone drops its connection and comes back with its token, spread over `seconds`."""
        phones = [c for c in self.clients if c.role == "phone"]
        self.clients = [c for c in self.clients if c.role != "phone"]
        for c in phones:
            self.forget(c)
        self.add([(c.idx, "phone", c.token) for c in phones], len(phones) / max(seconds, 0.01),
                 concurrency)

    def due(self, now: float) -> float:
        while self.posts and self.posts[0][0] <= now:
            _, c, _, kind = self.posts.popleft()
            if c.state != JOINED:
                self.ack_errors["not connected"] += 1
                continue
            what, _, value = kind.partition(":")
            if what == "idea":
                self.command(c, "post_idea", {"text": f"bench {value} {time.monotonic():.6f}",
                                              "client_id": f"b{value}"}, now)
            else:  # a dot; the "extra" one, beyond the budget, must be refused
                self.command(c, "cast_vote", {"idea_id": int(value)}, now)
                if what == "extra":
                    c.pending[c.next_ack - 1] = ("extra_vote", now)
        return self.posts[0][0] - now if self.posts else 0.2

    def report(self) -> dict[str, Any]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        joined = [c for c in self.clients if c.state == JOINED]
        return {"wid": self.wid, "events": dict(self.events), "acks": dict(self.acks),
                "ack_errors": dict(self.ack_errors), "join_lats": self.join_lats,
                "join_fail": dict(self.join_fail), "refused": dict(self.refused), "held": self.held,
                "idea_lat": dict(self.idea_lat),
                "idea_seen": {k: dict(v) for k, v in self.idea_seen.items()},
                "foreign": self.foreign, "arrivals": dict(self.arrivals), "totals": self.totals,
                "drops": dict(self.drops), "by_worker": dict(self.by_worker),
                "received": self.received, "voters": self.voters, "cpu": ru.ru_utime + ru.ru_stime - self.cpu0,
                "joined": {"wall": sum(c.role == "wall" for c in joined),
                           "phone": sum(c.role == "phone" for c in joined)},
                "pending": len(self.todo) + self.inflight + len(self.posts)
                + sum(len(c.pending) for c in joined)}

    def control(self) -> bool:
        while self.pipe.poll():
            msg = self.pipe.recv()
            kind, rest = msg[0], msg[1:]
            if kind == "add":
                self.add(*rest)
            elif kind == "posts":
                self.plan_posts(*rest)
            elif kind == "votes":
                self.plan_votes(*rest)
            elif kind == "reconnect":
                self.reconnect_all(*rest)
            elif kind == "report":
                self.pipe.send(("report", self.report()))
                if rest and rest[0]:
                    self.reset()
            elif kind == "stop":
                return False
        return True

    def run(self, deadline: float) -> None:
        pipe_fd = self.pipe.fileno()
        self.ep.register(pipe_fd, IN)
        while time.monotonic() < deadline:
            now = time.monotonic()
            self.start_connects(now)
            timeout = min(0.05 if self.todo else 0.2, self.due(now))
            for fd, ev in self.ep.poll(max(timeout, 0.0)):
                if fd == pipe_fd:
                    if not self.control():
                        return
                    continue
                c = self.by_fd.get(fd)
                if c is None:
                    continue
                serve(self.ep, c, ev, self.packet, self.fail)


def refusal(p: bytes, j: int) -> str:
    """The error code of a refusing ack `p` whose payload starts at `j`."""
    k = p.find(b'"code":"', j)
    return p[k + 8:p.index(b'"', k + 8)].decode() if k >= 0 else "unparsed"


def enter_namespace(name: str) -> None:
    """Move this process (single-threaded, just forked) into the network namespace `name` that
    `ip netns add` made: its sockets then leave from the addresses there."""
    import ctypes
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


def worker_main(wid: int, port: int, code: str, pipe: Connection, deadline: float,
                host: str = HOST, sources: tuple[list[str], int] = ([], 1), netns: str = "") -> None:
    """Entry point of a generator process: `netns` and `sources` put its clients on the far side
    of a venue network, each group of `sources[1]` clients on an address of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if netns:
            enter_namespace(netns)
        HallWorker(wid, port, code, pipe, host, sources).run(deadline)
    except Exception:
        try:
            pipe.send(("error", traceback.format_exc()))
        except OSError:
            pass
