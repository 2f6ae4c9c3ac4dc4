"""A blocking raw Socket.IO client for attack tests: it sends what a client library refuses to
(binary bombs, trickled headers) and reads Engine.IO packets off a plain WebSocket."""

from __future__ import annotations

import socket
import time

from bench._wsclient import RawSocketIO

__all__ = ["RawSocketIO", "closed_within"]


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
