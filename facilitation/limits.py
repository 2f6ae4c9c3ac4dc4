"""Limits below the application, in the transport: how much one client may make the server hold.

- a slow or stalled client's send queue is bounded in packets and in bytes: past the bound it is
  dropped (one log line), and it resyncs with `sync` when it reconnects, so nobody else waits for
  it and memory stays flat;
- under gevent a WebSocket frame (or a message of several frames) larger than the message limit is
  refused at its header, before its payload is read, as eventlet does (and under eventlet, a
  message of several frames once they pass it);
- the application uses no binary Socket.IO events: a binary event or attachment closes the
  connection at once, before python-socketio would keep attachments until an announced count;
- connections that send nothing (a half-open TCP connection, a socket opened and left) are closed
  after IDLE_TIMEOUT seconds; Engine.IO pings every client each PING_INTERVAL seconds, so a
  living client is never idle that long; under eventlet and gevent each client's next ping
  waits on a timer, not on a green thread of its own (memory per phone).

Where no public option exists, a patch reaches into a library's internals: each names the
versions it was written for (pinned in requirements.txt), the upstream issue that would remove
it, and tests/live/test_limits.py checks that the patched behaviour is still there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Engine.IO: a ping every 20 s, answered within 20 s, or the client is gone.
PING_INTERVAL, PING_TIMEOUT = 20, 20
# Longer than a ping round (and a long-poll) so that only dead connections reach it.
IDLE_TIMEOUT = 60
# Packets waiting for one client: a snapshot and a burst of facts fit many times over; a client
# that stops reading for long passes it.
MAX_QUEUED_PACKETS = 2000
# Bytes waiting for one client: a 1,000-idea snapshot (~400 KB) fits twenty times; a larger one
# (a full workshop's, up to ~10 MB) is still sent when nothing else waits for that client. Without
# a bound, two viewers that never read pin 260 MB between them.
MAX_QUEUED_BYTES = 8 * 1024 * 1024
# Bytes each gevent connection reads ahead (handshakes and phones' frames are far smaller).
READ_BUFFER = 2048


def packet_bytes(pkt: Any) -> int:
    """About how many bytes an Engine.IO packet holds (its encoded Socket.IO message)."""
    data = getattr(pkt, "data", None)
    return len(data) if isinstance(data, (str, bytes)) else 16


def count_queued_bytes(eio: Any) -> None:
    """Give every Engine.IO socket of `eio` a send queue that counts the bytes it holds
    (`queued_bytes`), through the server's public `create_queue`."""
    if getattr(eio.create_queue, "counting", False):
        return
    base = type(eio.create_queue())

    class CountingQueue(base):  # type: ignore[misc, valid-type]
        queued_bytes = 0

        def put(self, item: Any, *args: Any, **kwargs: Any) -> Any:
            self.queued_bytes += packet_bytes(item)
            return super().put(item, *args, **kwargs)

        def get(self, *args: Any, **kwargs: Any) -> Any:
            item = super().get(*args, **kwargs)
            self.queued_bytes -= packet_bytes(item)
            return item

    def create_queue(*args: Any, **kwargs: Any) -> Any:
        return CountingQueue(*args, **kwargs)

    create_queue.counting = True  # type: ignore[attr-defined]
    eio.create_queue = create_queue


# Called with an Engine.IO socket just dropped for reading too slowly. Its writer may be stuck in a
# send to a full kernel buffer, and would hold the connection until the socket timeout (45-85 s).
DROP_HOOKS: list[Callable[[Any], None]] = []


def bound_send_queues(limit: int = MAX_QUEUED_PACKETS, max_bytes: int = MAX_QUEUED_BYTES) -> None:
    """Make every Engine.IO socket drop its client rather than queue more than `limit` packets or
    `max_bytes` bytes (with `count_queued_bytes`), saying so in one log line.

    Patches `engineio.socket.Socket.send` (python-engineio 4.15: no option bounds the queue);
    upstream: miguelgrinberg/python-engineio#133 (back-pressure, open) and
    miguelgrinberg/Flask-SocketIO#311 (a maximum queue size, invited, never added)."""
    from engineio import socket as eio_socket

    if getattr(eio_socket.Socket.send, "bounded", False):
        return
    original = eio_socket.Socket.send

    def send(self: Any, pkt: Any) -> None:
        queued = getattr(self.queue, "queued_bytes", 0)
        if not self.closed and (self.queue.qsize() >= limit
                                or (queued and queued + packet_bytes(pkt) > max_bytes)):
            log.warning("%s: client reads too slowly (%d messages, %d bytes waiting), dropping it",
                        self.sid, self.queue.qsize(), queued)
            for hook in DROP_HOOKS:  # e.g. cut its TCP connection (while its session is known)
                hook(self)
            self.close(wait=False, abort=True)
            return
        original(self, pkt)

    send.bounded = True  # type: ignore[attr-defined]
    eio_socket.Socket.send = send


BINARY_PACKETS = ("5", "6")  # Socket.IO's BINARY_EVENT and BINARY_ACK


def refuse_binary(server: Any) -> None:
    """Close any connection that sends a binary Socket.IO packet (or a binary frame): the app
    uses none, and python-socketio keeps each attachment until the count the packet announced
    (`459999999999-[...]` would keep them all). Public API only: Engine.IO's `on("message")`."""
    eio = server.eio
    handle = eio.handlers["message"]
    if getattr(handle, "refuses_binary", False):
        return

    def on_message(eio_sid: str, data: Any) -> Any:
        if not isinstance(data, str) or data[:1] in BINARY_PACKETS:
            log.warning("%s: binary Socket.IO packet refused, closing the connection", eio_sid)
            eio.disconnect(eio_sid)
            return None
        return handle(eio_sid, data)

    on_message.refuses_binary = True  # type: ignore[attr-defined]
    eio.on("message", on_message)


def ping_with_timers() -> None:
    """Make Engine.IO wait for each client's next ping with a timer, not a sleeping green thread
    (under eventlet and gevent; threads are left as they are).

    Patches `engineio.socket.Socket.schedule_ping` (python-engineio 4.15: no option); no upstream
    issue asks for it yet: one ping task for all clients would remove it.

    python-engineio starts a green thread per client that sleeps the ping interval; asleep, it
    holds a copy of its stack and its own Python frame stack: 6.5 KB of the 63 KB a phone cost the
    server. A timer holds a callback; the green thread that sends the ping lives a moment.
    """
    from engineio import packet
    from engineio import socket as eio_socket

    if getattr(eio_socket.Socket.schedule_ping, "timed", False):
        return
    original = eio_socket.Socket.schedule_ping

    def send_ping(self: Any) -> None:
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.send(packet.Packet(packet.PING))

    def schedule_ping(self: Any) -> None:
        mode = self.server.async_mode
        if mode not in ("gevent", "eventlet"):
            original(self)
        elif self.last_ping:  # as python-engineio: one ping at a time
            self.last_ping = None
            if mode == "gevent":
                import gevent

                gevent.spawn_later(self.server.ping_interval, send_ping, self)
            else:
                import eventlet

                eventlet.spawn_after(self.server.ping_interval, send_ping, self)

    schedule_ping.timed = True  # type: ignore[attr-defined]
    eio_socket.Socket.schedule_ping = schedule_ping


def limit_gevent_frames(max_bytes: int) -> None:
    """Refuse, at its header, a gevent-websocket frame or message larger than `max_bytes`.

    Patches `geventwebsocket.websocket.Header.decode_header` and `WebSocket.read_frame`
    (gevent-websocket 0.10.1, its last release, 2017: no size option and no upstream left to
    ask); python-engineio's own WebSocket server (simple-websocket's `max_message_size`) would
    remove it."""
    from geventwebsocket import websocket as gws
    from geventwebsocket.exceptions import FrameTooLargeException

    if getattr(gws.Header.decode_header, "limited", False):
        return
    original = gws.Header.decode_header.__func__

    def decode_header(cls: Any, stream: Any) -> Any:
        header = original(cls, stream)
        if header.length > max_bytes:
            raise FrameTooLargeException(f"frame of {header.length} bytes")
        return header

    decode_header.limited = True  # type: ignore[attr-defined]
    gws.Header.decode_header = classmethod(decode_header)
    read_frame = gws.WebSocket.read_frame
    starts = (gws.WebSocket.OPCODE_TEXT, gws.WebSocket.OPCODE_BINARY)

    def bounded_read_frame(self: Any) -> Any:
        header, payload = read_frame(self)  # each frame is within the limit: its header said so
        counter = self.handler  # the WebSocket has __slots__; its connection's handler has room
        if header.opcode in starts:
            counter.message_bytes = 0
        if header.opcode in (*starts, gws.WebSocket.OPCODE_CONTINUATION):
            counter.message_bytes += len(payload)
            if counter.message_bytes > max_bytes:  # many small frames of one message
                raise FrameTooLargeException(f"message of {counter.message_bytes} bytes")
        return header, payload

    gws.WebSocket.read_frame = bounded_read_frame


def limit_eventlet_messages() -> None:
    """Refuse an eventlet WebSocket message whose frames together pass the frame limit: eventlet
    checks each frame alone, so 8 KB frames that never end a message would be kept without end.

    Patches `eventlet.websocket.RFC6455WebSocket.Message.push` (eventlet 0.41: `max_frame_length`
    is per frame); a message-size limit in eventlet.websocket would remove it (not reported
    upstream yet; eventlet is in maintenance and deprecated)."""
    from eventlet import websocket as ews

    message = ews.RFC6455WebSocket.Message
    if getattr(message.push, "limited", False):
        return
    original = message.push

    def push(self: Any, data: bytes, final: bool = False) -> None:
        self.size = getattr(self, "size", 0) + len(data)
        if self.size > self.max_frame_length:
            raise ews.FailedConnectionError(1009, f"message of {self.size} bytes")
        original(self, data, final)

    push.limited = True  # type: ignore[attr-defined]
    message.push = push
