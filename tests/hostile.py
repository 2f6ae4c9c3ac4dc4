"""A blocking raw Socket.IO client for attack tests: it sends what a client library refuses to
(binary bombs, trickled headers) and reads Engine.IO packets off a plain WebSocket."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from typing import Any

from bench._wsclient import OP_BINARY, OP_TEXT, ws_frame


class RawSocketIO:
    """One WebSocket connection speaking Engine.IO 4 / Socket.IO 5 by hand."""

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


def closed_within(conn: socket.socket, seconds: float) -> bool:
    """Whether the server closes this connection within `seconds` (whatever it sends first)."""
    conn.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if conn.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False
