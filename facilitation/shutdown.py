"""A graceful stop on SIGTERM or SIGINT, for the gevent and eventlet servers.

In order: stop accepting connections; let the commands in flight finish (at most GRACE seconds);
close every Engine.IO session with a close packet, so phones and walls reconnect at once (to another
worker behind HAProxy, or to this server when it is back); copy the write-ahead log into the
database (PostgreSQL: rewrite the tables erasures left text in, if any wait for it); log one line;
exit 0. All of it within BOUND seconds.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

GRACE = 5.0  # seconds the commands in flight get to finish
FLUSH = 1.0  # seconds the close packets get to leave
STORE = 2.0  # seconds the checkpoint (or PostgreSQL's pending rewrite) gets before the exit
BOUND = GRACE + FLUSH + STORE

stopping = False  # read by app.py's serve(): the listener was closed on purpose


def install(app: Any, mode: str, stop_listening: Callable[[], None]) -> None:
    """Run `stop(...)` in a green thread of its own on SIGTERM and SIGINT."""
    from . import socketio

    def begin(name: str) -> None:
        global stopping
        if not stopping:
            stopping = True
            socketio.start_background_task(stop, app, name, stop_listening)

    if mode == "gevent":
        import gevent

        for number in (signal.SIGTERM, signal.SIGINT):
            gevent.signal_handler(number, begin, signal.Signals(number).name)
    elif mode == "eventlet":
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda received, _frame: begin(signal.Signals(received).name))


def stop(app: Any, name: str, stop_listening: Callable[[], None]) -> None:
    """The graceful stop itself; ends the process."""
    from . import socketio

    started = time.monotonic()
    status = 0
    try:
        stop_listening()
        dispatcher = app.extensions["facilitation.dispatcher"]
        while dispatcher.in_flight and time.monotonic() - started < GRACE:
            socketio.sleep(0.02)  # a command is between its start and its ack
        unfinished = dispatcher.in_flight
        socketio.sleep(0.05)  # the last acks leave their handlers for the sockets' queues
        closed = close_sessions(socketio.server.eio)
        store = app.extensions["facilitation.store"]
        if store.vacuum is not None:
            # PostgreSQL down, a table locked, older transactions or another host's rewrite still
            # running: said, not waited for. The rewrite under way counts: it ends with the process
            # while it waits, and the server finishes it only once its VACUUM statement was sent.
            if not store.vacuum.flush(STORE) and store.vacuum.unfinished:
                print(f"Idea Factory: VACUUM (FULL) of {', '.join(store.vacuum.unfinished)} not done"
                      " before the exit: erased text stays in their files until the next erasure's"
                      " rewrite (unless PostgreSQL was already running this one)",
                      file=sys.stderr, flush=True)
        else:  # SQLite: the log into the file (PostgreSQL checkpoints its own)
            store.checkpoint()
        print(f"Idea Factory stopped on {name} in {time.monotonic() - started:.1f} s:"
              f" {closed} connection(s) closed, {unfinished} command(s) cut off after {GRACE:.0f} s,"
              " database checkpointed", file=sys.stderr, flush=True)
    except BaseException as error:  # never hang on the way out
        print(f"Idea Factory stopped on {name} after an error while stopping: {error!r}",
              file=sys.stderr, flush=True)
        status = 1
    sys.stdout.flush()
    os._exit(status)  # the server loops still wait on sockets closed above: end here


def close_sessions(eio: Any) -> int:
    """Send every Engine.IO session a close packet (a reason to reconnect, unlike Socket.IO's
    disconnect) and wait up to FLUSH seconds for the packets to leave.

    python-engineio lists its sessions only in `eio.sockets` (each with `close(wait=)` and its send
    `queue`), and its public `disconnect()` closes them one after the other, waiting for each: read
    as python-engineio 4.15 has them (pinned in requirements.txt); tests/live/test_faults.py's
    SIGTERM test fails if the phones' sockets are not closed this way."""
    from . import socketio

    sessions = list(eio.sockets.values())
    for session in sessions:
        try:
            session.close(wait=False)
        except Exception:  # a session that broke meanwhile is closed anyway
            pass
    deadline = time.monotonic() + FLUSH
    while time.monotonic() < deadline and any(not s.queue.empty() for s in sessions):
        socketio.sleep(0.02)
    socketio.sleep(0.1)  # the last frames from the queues onto the wire
    return len(sessions)
