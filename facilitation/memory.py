"""Garbage collection that does not stall a hall.

CPython's cycle collector scans every tracked object of its oldest generation from time to time.
With 10,000 phones connected that is about 1.4 million objects (the connections themselves, which
are not garbage) and a pause of up to 0.9 s on this machine, long enough to hold every idea, ack
and vote behind it. So every few seconds the objects that survived since the last round are
collected once and then frozen (`gc.freeze()`): they are long-lived, and frozen objects are never
scanned again. A frozen object that becomes unreachable is still freed by reference counting; only
a reference cycle among them (a connection that closed) waits, until enough connections have
closed since the last full collection to be worth one: then the whole heap is scanned once.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

from flask import Flask
from flask_socketio import SocketIO

log = logging.getLogger(__name__)

INTERVAL = 2.0  # seconds between rounds: what survives this long is frozen
# A full collection once this many connections closed, and at least this share of those open.
FULL_AFTER_CLOSED, FULL_SHARE = 1000, 0.5
SLOW = 0.1  # a full collection taking longer than this is logged


class Collector:
    """Collects and freezes the survivors of each round; a full collection after many closes."""

    def __init__(self, open_connections: Callable[[], int]) -> None:
        self.open_connections = open_connections
        self.closed = 0  # connections closed since the last full collection

    def connection_closed(self) -> None:
        self.closed += 1

    def due_full(self) -> bool:
        """Whether enough connections closed for their cycles to be worth a scan of everything."""
        return self.closed >= max(FULL_AFTER_CLOSED, FULL_SHARE * self.open_connections())

    def round(self) -> None:
        """Collect what is not frozen (everything, when a full collection is due), then freeze it."""
        if self.due_full():
            started = time.monotonic()
            gc.unfreeze()
            gc.collect()
            took = time.monotonic() - started
            if took > SLOW:
                log.info("full garbage collection after %d closed connections: %.2f s",
                         self.closed, took)
            self.closed = 0
        else:
            gc.collect()  # the frozen generation is not scanned: only this round's survivors
        gc.freeze()

    def run(self, sleep: Callable[[float], None]) -> None:
        """Rounds forever; `sleep` is the async mode's (socketio.sleep)."""
        while True:
            sleep(INTERVAL)
            try:
                self.round()
            except Exception:  # never let bookkeeping end the server's collector
                log.exception("garbage collection round failed")


def start_collector(app: Flask, socketio: SocketIO) -> Collector:
    """Run the collector's rounds in the background of the serving process."""
    collector = app.extensions["facilitation.collector"] = Collector(
        lambda: len(socketio.server.eio.sockets))
    gc.freeze()  # what start-up built (libraries, word tables) lives as long as the server
    socketio.start_background_task(collector.run, socketio.sleep)
    return collector
