"""Transport limits against the real server (facilitation/limits.py): idle connections time out, a huge
WebSocket frame is refused at its header in both async modes, and a client that stops reading has a
bounded queue."""

from __future__ import annotations

import base64
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import ASYNC_MODES, LiveServer


@pytest.fixture(params=ASYNC_MODES)
def quick_server(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A server that closes connections idle for 2 s."""
    server = LiveServer(tmp_path / "data", request.param, "--idle-timeout", "2")
    server.start()
    yield server
    server.kill()


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


def test_idle_and_half_open_connections_are_closed(quick_server: LiveServer, peers: Any) -> None:
    created = quick_server.create_workshop()
    phone = peers(quick_server.url)
    assert phone.call("join", {"code": created["code"]})["ok"]
    silent = [socket.create_connection(("127.0.0.1", quick_server.port)) for _ in range(20)]
    halves = [socket.create_connection(("127.0.0.1", quick_server.port)) for _ in range(20)]
    for conn in halves:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a request that never ends
    started = time.monotonic()
    assert all(closed_within(conn, 8) for conn in silent + halves)
    assert time.monotonic() - started < 8
    for conn in silent + halves:
        conn.close()
    # A living client answers pings: it is not idle, and keeps its connection.
    assert phone.call("sync", {"since": 0})["ok"]


def websocket(port: int) -> socket.socket:
    """A raw WebSocket connection to the Engine.IO endpoint, after the HTTP upgrade."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    conn.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += conn.recv(4096)
    assert b" 101 " in reply.split(b"\r\n")[0], reply
    return conn


def test_a_huge_websocket_frame_is_refused_at_its_header(live_server: LiveServer) -> None:
    conn = websocket(live_server.port)
    size = 10 * 1024 * 1024
    header = struct.pack("!BBQ", 0x81, 0x80 | 127, size) + os.urandom(4)  # text, masked, 10 MB
    conn.sendall(header + b"4" + b"x" * 65536)
    started = time.monotonic()
    assert closed_within(conn, 5), "the server kept reading a 10 MB frame"
    assert requests.get(live_server.url + "/", timeout=5).status_code == 200
    assert time.monotonic() - started < 5
    conn.close()


def test_a_client_that_stops_reading_is_dropped_not_queued_for() -> None:
    import engineio
    from engineio import packet
    from engineio import socket as eio_socket

    from facilitation.limits import MAX_QUEUED_PACKETS, bound_send_queues

    bound_send_queues()
    server = engineio.Server(async_mode="threading")
    client = eio_socket.Socket(server, "slow")
    sent = 0
    while not client.closed and sent < MAX_QUEUED_PACKETS + 100:
        client.send(packet.Packet(packet.MESSAGE, data="x" * 100))
        sent += 1
    assert client.closed and sent == MAX_QUEUED_PACKETS + 1
    assert client.queue.qsize() <= MAX_QUEUED_PACKETS + 1
