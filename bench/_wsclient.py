"""A lean Engine.IO v4 / Socket.IO v5 client over a raw WebSocket, for load generators.

No threads and no per-message JSON: one non-blocking socket per client, driven by the caller's
epoll loop. The caller reads Socket.IO packets as bytes and decides what (little) to parse.

Handshake, in order (see docs/protocol.md of python-engineio / socket.io-protocol):
    TCP connect -> HTTP upgrade (101) -> `0{...}` (Engine.IO open) -> send `40`
    -> `40{"sid":...}` (namespace connected) -> send `420["join",{...}]` -> `430[{...}]` (ack).
Afterwards: the server's `2` (ping) is answered with `3` (pong); events arrive as `42[...]`.
"""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import select
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
RECV_SIZE = 256 * 1024
WORKER_COOKIE = re.compile(rb"ideafactory_worker=([^;\r\n]+)")

# Client states, in handshake order.
TCP, HTTP, EIO_OPEN, SIO_CONNECT, JOINING, JOINED, CLOSED = range(7)
STATE_NAMES = ("tcp", "http", "eio_open", "sio_connect", "joining", "joined", "closed")
IN, OUT = select.EPOLLIN, select.EPOLLOUT
ERRS = select.EPOLLHUP | select.EPOLLERR
# Phones behind one client address: a few, as on a venue's Wi-Fi, so that the server's limits per
# address (security.py: joins, the newcomers' pace, connections, walls' snapshots) meet a hall of
# devices and never one bench machine. 8 is within every burst (the pace lets 10 in at once).
PER_ADDRESS = 8


def loopback_sources(clients: int, per: int = PER_ADDRESS) -> list[str]:
    """Client addresses on this machine for `clients` clients, `per` on each: Linux routes all of
    127.0.0.0/8 to `lo`, so a socket bound to 127.0.1.1 reaches a server on 127.0.0.1, which sees
    127.0.1.1 as its peer (the TCP peer, REMOTE_ADDR: no header involved). 127.0.0.x is left out:
    the server exempts its own machine, 127.0.0.1, from the join limits."""
    count = -(-clients // per)
    if count > 250 * 254:
        raise ValueError(f"{clients} clients need more than 127.0.1-254.x holds")
    return [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(count)]


def ws_frame(payload: bytes, opcode: int = OP_TEXT) -> bytes:
    """One final, masked client frame (RFC 6455 requires clients to mask)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    if not n:
        return header + mask
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return header + mask + (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")


class Conn:
    """One Socket.IO client on the default namespace; the owner's event loop calls its methods."""

    __slots__ = ("idx", "sock", "fd", "state", "inbuf", "outbuf", "frag", "frag_op", "t_start",
                 "t_joined", "next_ack", "got", "error", "host", "port", "worker", "source")

    def __init__(self, idx: int, host: str, port: int, source: str = "") -> None:
        self.idx = idx
        self.host = host
        self.port = port
        self.source = source  # the client address to connect from ("": the kernel's choice)
        self.sock: socket.socket | None = None
        self.fd = -1
        self.state = TCP
        self.inbuf = bytearray()
        self.outbuf = b""
        self.frag: bytearray | None = None
        self.frag_op = 0
        self.t_start = 0.0
        self.t_joined = 0.0
        self.next_ack = 1  # ack id 0 is the join
        self.got = 0  # ideas received (counted by the owner)
        self.error = ""
        self.worker = ""  # the worker process HAProxy chose (its cookie), when there is one

    # Connection set-up

    def start(self, now: float) -> None:
        """Begin a non-blocking TCP connect; the owner waits for EPOLLOUT."""
        self.t_start = now
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.fd = sock.fileno()
        if self.source:
            sock.bind((self.source, 0))
        err = sock.connect_ex((self.host, self.port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, os.strerror(err))

    def connected(self) -> None:
        """TCP is up (EPOLLOUT fired): check for an error, then send the WebSocket upgrade."""
        assert self.sock is not None
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise OSError(err, os.strerror(err))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                   f"Host: {self.host}:{self.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.state = HTTP
        self.write_raw(request.encode())

    # Output

    def write_raw(self, data: bytes) -> bool:
        """Send bytes now if the socket takes them; keep the rest. True if some are left over."""
        assert self.sock is not None
        if self.outbuf:
            self.outbuf += data
            return True
        try:
            sent = self.sock.send(data)
        except BlockingIOError:
            sent = 0
        if sent < len(data):
            self.outbuf = data[sent:]
            return True
        return False

    def flush(self) -> bool:
        """Send what was left over (on EPOLLOUT). True if some is still left."""
        assert self.sock is not None
        if not self.outbuf:
            return False
        try:
            sent = self.sock.send(self.outbuf)
        except BlockingIOError:
            sent = 0
        self.outbuf = self.outbuf[sent:]
        return bool(self.outbuf)

    def send(self, packet: bytes) -> bool:
        """Send one Engine.IO packet as a text frame. True if output is pending."""
        return self.write_raw(ws_frame(packet))

    # Input

    def read(self) -> list[bytes] | None:
        """Read what is there; return complete text/binary payloads, or None if the peer closed.

        Control frames are handled here (ping -> pong, close -> None).
        """
        assert self.sock is not None
        try:
            data = self.sock.recv(RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError as exc:
            self.error = f"recv: {exc}"
            return None
        if not data:
            self.error = self.error or "closed by server"
            return None
        buf = self.inbuf
        buf += data
        if self.state == HTTP:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return [] if len(buf) < 65536 else None
            status = bytes(buf[:buf.find(b"\r\n")])
            if b" 101 " not in status + b" ":
                self.error = f"upgrade refused: {status.decode(errors='replace')}"
                return None
            cookie = WORKER_COOKIE.search(bytes(buf[:end]))
            if cookie:
                self.worker = cookie.group(1).decode()
            del buf[:end + 4]
            self.state = EIO_OPEN
        out: list[bytes] = []
        pos = 0
        n = len(buf)
        while n - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if n - pos < 4:
                    break
                length = (buf[pos + 2] << 8) | buf[pos + 3]
                head = 4
            elif length == 127:
                if n - pos < 10:
                    break
                length = int.from_bytes(buf[pos + 2:pos + 10], "big")
                head = 10
            if b1 & 0x80:  # servers must not mask, but unmask if one does
                head += 4
            end = pos + head + length
            if end > n:
                break
            payload = bytes(buf[pos + head:end])
            if b1 & 0x80:
                mask = buf[end - length - 4:end - length]
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            pos = end
            opcode = b0 & 0x0F
            fin = b0 & 0x80
            if opcode >= 8:
                if opcode == OP_PING:
                    self.write_raw(ws_frame(payload, OP_PONG))
                elif opcode == OP_CLOSE:
                    self.error = "websocket close frame"
                    del buf[:pos]
                    return None
                continue
            if opcode == OP_CONT:
                if self.frag is None:
                    continue
                self.frag += payload
                if fin:
                    out.append(bytes(self.frag))
                    self.frag = None
                continue
            if not fin:
                self.frag = bytearray(payload)
                self.frag_op = opcode
                continue
            out.append(payload)
        if pos:
            del buf[:pos]
        return out

    def close(self) -> None:
        """Close the socket (no goodbye: the server sees a transport close)."""
        self.state = CLOSED
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


class RawSocketIO:
    """One blocking WebSocket connection speaking Engine.IO 4 / Socket.IO 5 by hand: for attack
    tests and floods, which send what a client library refuses to."""

    def __init__(self, port: int, host: str = "127.0.0.1", source: str | None = None) -> None:
        self.sock = socket.create_connection((host, port), timeout=10,
                                             source_address=(source, 0) if source else None)
        try:
            self._handshake(host)
        except BaseException:
            self.sock.close()
            raise
        self.next_id = 1

    def _handshake(self, host: str) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0], head
        assert self.packet().startswith("0")  # Engine.IO open
        self.send("40")
        assert self.packet().startswith("40")

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed by the server")
        return data

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.buffer += self._recv()
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def packet(self) -> str:
        """The next Engine.IO text packet (pings are answered on the way)."""
        while True:
            b0, b1 = self._take(2)
            length = b1 & 0x7F
            if length == 126:
                length = int.from_bytes(self._take(2), "big")
            elif length == 127:
                length = int.from_bytes(self._take(8), "big")
            payload = self._take(length)
            if b0 & 0x0F == 0x8:
                raise ConnectionError("close frame")
            text = payload.decode()
            if text == "2":
                self.send("3")
                continue
            return text

    def send(self, text: str) -> None:
        """One Engine.IO packet in a text frame."""
        self.sock.sendall(ws_frame(text.encode(), OP_TEXT))

    def send_binary(self, data: bytes) -> None:
        """One binary frame (a Socket.IO attachment)."""
        self.sock.sendall(ws_frame(data, OP_BINARY))

    def call(self, event: str, data: Any, timeout: float = 10) -> Any:
        """Emit an event with an ack id and return the ack's first argument."""
        ack_id = self.next_id
        self.next_id += 1
        self.send(f"42{ack_id}" + json.dumps([event, data]))
        deadline = time.monotonic() + timeout
        prefix = f"43{ack_id}"
        while time.monotonic() < deadline:
            text = self.packet()
            if text.startswith(prefix):
                return json.loads(text[len(prefix):])[0]
        raise TimeoutError(f"no ack for {event}")

    def call_many(self, event: str, data: Any, count: int, timeout: float = 60) -> list[Any]:
        """Emit `count` events at once, as a flood does, and return their acks in order."""
        first = self.next_id
        self.next_id += count
        self.sock.sendall(b"".join(ws_frame((f"42{first + n}" + json.dumps([event, data])).encode(), OP_TEXT)
                                   for n in range(count)))
        acks: dict[int, Any] = {}
        deadline = time.monotonic() + timeout
        while len(acks) < count and time.monotonic() < deadline:
            text = self.packet()
            if text.startswith("43"):
                start = text.index("[")
                acks[int(text[2:start])] = json.loads(text[start:])[0]
        return [acks[first + n] for n in range(count)]

    def close(self) -> None:
        """Close the TCP connection."""
        self.sock.close()


def watch(ep: Any, c: Conn) -> None:
    """Ask epoll for output readiness too while a client has unsent bytes."""
    if c.outbuf and c.state != CLOSED:
        try:
            ep.modify(c.fd, IN | OUT)
        except OSError:
            pass


def forget(ep: Any, by_fd: dict[int, Any], c: Conn) -> None:
    """Stop watching a client and close its socket."""
    if c.fd in by_fd:
        del by_fd[c.fd]
        try:
            ep.unregister(c.fd)
        except OSError:
            pass
    c.close()


def serve(ep: Any, c: Conn, ev: int, packet: Callable[[Conn, bytes, float], None],
          lost: Callable[[Conn, str], None]) -> None:
    """One epoll event `ev` of client `c`: finish its TCP connect, send what waits, read and hand
    each packet to `packet`; a client the server closed, or whose socket failed, goes to `lost`."""
    try:
        if c.state == TCP:
            if ev & (OUT | ERRS):
                c.connected()
                ep.modify(c.fd, IN | OUT if c.outbuf else IN)
            return
        if ev & OUT and not c.flush():
            ep.modify(c.fd, IN)
        if ev & (IN | ERRS):
            packets = c.read()
            now = time.monotonic()
            if packets is None:
                lost(c, c.error or "closed")
                return
            for p in packets:
                packet(c, p, now)
                if c.state == CLOSED:
                    break
            watch(ep, c)
    except OSError as exc:
        lost(c, f"{type(exc).__name__}: {exc}")
