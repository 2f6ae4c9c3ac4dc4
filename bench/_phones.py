"""Phones that behave like the real one under faults: an outbox, the same participant again after a
reconnect, the same `client_id` sent again until acknowledged. For bench/faults.py and the fault
tests (tests/test_faults.py).

Each phone is a python-socketio client on a thread of its own (a few hundred fit in one process).
It writes an idea every `every` seconds into its outbox and sends the outbox in order; an idea
leaves it only with an `ok` ack, as in static/js/phone.js. A dropped connection is reconnected after
RECONNECT seconds (the browser's client waits 0.5-1.5 s), joining with the participant token.
Given client addresses (bench/_wsclient.loopback_sources), PER_ADDRESS phones connect from each,
as a hall's devices do, so the server's limits per address apply to them as to a hall.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from typing import Any

import socketio

from bench._wsclient import PER_ADDRESS

RECONNECT = 0.5  # seconds between reconnection attempts
ACK_TIMEOUT = 15.0  # seconds a command waits for its ack before the phone gives up on the connection


class Phone:
    """One participant's phone posting ideas through faults."""

    def __init__(self, url: str, code: str, every: float = 2.0, transport: str = "websocket",
                 source: str = "") -> None:
        self.url, self.code, self.every, self.transport = url, code, every, transport
        self.source = source  # the client address to connect from ("": the kernel's choice)
        self.held = False  # let in, but held by the newcomers' pace until the facilitator decides
        self.token: str | None = None
        self.outbox: list[tuple[str, str]] = []  # (client_id, text), oldest first
        self.acked: list[str] = []
        self.errors: Counter[str] = Counter()  # error codes and failures the phone saw
        self.writing = True
        self.stopped = threading.Event()
        self.online = threading.Event()
        self.down_since: float | None = time.monotonic()
        self.outages: list[tuple[float, float]] = []  # (went down, back) for every drop
        self.client: Any = None
        self.joined_once = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(ACK_TIMEOUT + 5)
        self.disconnect()

    def dropped(self) -> None:
        """The connection is gone (noticed now)."""
        if self.down_since is None:
            self.down_since = time.monotonic()
        self.online.clear()

    def disconnect(self) -> None:
        client, self.client = self.client, None
        self.dropped()
        if client is not None:
            try:
                client.disconnect()
            except Exception:
                pass

    def connect(self) -> bool:
        """Connect and join as the same participant; whether it worked."""
        sock = None
        if self.source:  # websocket-client takes a socket already connected, from the address
            where = urllib.parse.urlsplit(self.url)
            try:
                sock = socket.create_connection((where.hostname, where.port), timeout=10,
                                                source_address=(self.source, 0))
            except OSError as error:
                self.errors[f"connect: {type(error).__name__}"] += 1
                return False
        client = socketio.Client(reconnection=False, websocket_extra_options={"socket": sock} if sock else {})
        client.on("disconnect", lambda *_: self.dropped())
        try:
            client.connect(self.url, transports=[self.transport], wait_timeout=10)
            ack = client.call("join", {"code": self.code, "participant_token": self.token},
                              timeout=ACK_TIMEOUT)
        except Exception as error:
            self.errors[f"connect: {type(error).__name__}"] += 1
            try:
                client.disconnect()
            except Exception:
                pass
            if sock is not None:
                sock.close()
            return False
        if not ack.get("ok"):
            self.errors[f"join: {ack['error']['code']}"] += 1
            client.disconnect()
            return False
        self.token = ack["participant_token"]
        self.held = bool(ack.get("profile", {}).get("held"))
        self.client = client
        if self.down_since is not None and self.joined_once:
            self.outages.append((self.down_since, time.monotonic()))
        self.down_since, self.joined_once = None, True
        self.online.set()
        return True

    def run(self) -> None:
        next_idea = time.monotonic()
        while not self.stopped.is_set():
            if self.writing and time.monotonic() >= next_idea:
                self.outbox.append((uuid.uuid4().hex, f"Idé {len(self.acked) + len(self.outbox)}"))
                next_idea += self.every
            if self.client is None or not self.online.is_set():
                self.disconnect()
                if not self.connect():
                    self.stopped.wait(RECONNECT)
                    continue
            if not self.outbox:
                self.stopped.wait(0.05)
                continue
            self.send(*self.outbox[0])

    def send(self, client_id: str, text: str) -> None:
        answered = threading.Event()
        answers: list[Any] = []
        try:
            self.client.emit("post_idea", {"text": text, "client_id": client_id},
                             callback=lambda ack: (answers.append(ack), answered.set()))
        except Exception as error:
            self.errors[f"post: {type(error).__name__}"] += 1
            self.disconnect()
            return
        deadline = time.monotonic() + ACK_TIMEOUT
        # As the browser does: a connection that drops gives up on the ack at once (the idea
        # stays in the outbox and goes again after the reconnect).
        while not answered.wait(0.05):
            if not self.online.is_set() or time.monotonic() > deadline:
                self.errors["post: no answer" if self.online.is_set() else "post: dropped"] += 1
                self.disconnect()
                return
        ack = answers[0]
        if ack.get("ok"):
            self.acked.append(client_id)
            self.outbox.pop(0)
            return
        code = ack["error"]["code"]
        self.errors[code] += 1
        if code not in ("rate_limited", "server_error", "storage_full", "not_joined"):
            self.outbox.pop(0)  # refused for good (as the phone does): it goes back to the text box
        self.stopped.wait(1.0 if code == "rate_limited" else 0.5)


class Crowd:
    """Many phones on one workshop."""

    def __init__(self, url: str, code: str, count: int, every: float = 2.0,
                 sources: list[str] | None = None) -> None:
        self.phones = [Phone(url, code, every, source=sources[i // PER_ADDRESS] if sources else "")
                       for i in range(count)]

    def start(self, timeout: float = 120) -> None:
        """Start every phone and wait until all are online."""
        for phone in self.phones:
            phone.start()
        self.wait_online(timeout)

    def wait_online(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for phone in self.phones:
            if not phone.online.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def drain(self, timeout: float) -> bool:
        """Stop writing and wait until every outbox is empty; whether it emptied."""
        for phone in self.phones:
            phone.writing = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(not p.outbox for p in self.phones):
                return True
            time.sleep(0.1)  # polling with a deadline
        return False

    def stop(self) -> None:
        for phone in self.phones:
            phone.stopped.set()
        for phone in self.phones:
            phone.stop()

    def acked(self) -> set[str]:
        return {client_id for phone in self.phones for client_id in phone.acked}

    def held(self) -> int:
        """Phones held by the newcomers' pace (a limit, not a fault)."""
        return sum(phone.held for phone in self.phones)

    def errors(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for phone in self.phones:
            total.update(phone.errors)
        return total

    def longest_away(self, since: float) -> float:
        """The longest a phone was away, for drops after `since`."""
        return max((back - down for p in self.phones for down, back in p.outages
                    if down >= since - 0.5), default=0.0)

    def back_after(self, since: float) -> float | None:
        """Seconds from `since` until the last phone dropped after it was back (None: none dropped;
        inf: one is still away)."""
        if any(not p.online.is_set() for p in self.phones):
            return float("inf")
        backs = [back for p in self.phones for down, back in p.outages if down >= since - 0.5]
        return max(backs) - since if backs else None
