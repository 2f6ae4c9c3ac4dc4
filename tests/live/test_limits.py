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

from tests.hostile import closed_within
from tests.servers import ASYNC_MODES, LiveServer, running


@pytest.fixture(params=ASYNC_MODES)
def quick_server(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A server that closes connections idle for 2 s."""
    yield from running(tmp_path / "data", request.param, "--idle-timeout", "2")


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


PING_SCRIPT = r'''
import sys
mode = sys.argv[1]
if mode == "gevent":
    from gevent import monkey
    monkey.patch_all()
else:
    import eventlet
    eventlet.monkey_patch()
import gc, json, time
import engineio, greenlet
from engineio import packet, socket as eio_socket
from facilitation.limits import ping_with_timers

ping_with_timers()
pings = []
send = eio_socket.Socket.send
def counting(self, pkt):
    if pkt.packet_type == packet.PING:
        pings.append(self.sid)
    send(self, pkt)
eio_socket.Socket.send = counting
server = engineio.Server(async_mode=mode, ping_interval=0.5, ping_timeout=1)
app = engineio.WSGIApp(server)
if mode == "gevent":
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler
    http = pywsgi.WSGIServer(("127.0.0.1", 0), app, handler_class=WebSocketHandler, log=None)
    http.start()
    port = http.server_port
else:
    import eventlet.wsgi
    listener = eventlet.listen(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    eventlet.spawn(eventlet.wsgi.server, listener, app, log_output=False)
clients = []
for _ in range(20):
    client = engineio.Client()
    client.connect(f"http://127.0.0.1:{port}", transports=["websocket"])
    clients.append(client)
time.sleep(3.2)  # six ping intervals
def asleep_in_pinger(g):
    frame = g.gr_frame
    while frame is not None:
        if frame.f_code.co_name == "_send_ping":
            return True
        frame = frame.f_back
    return False
pingers = sum(1 for g in gc.get_objects() if isinstance(g, greenlet.greenlet) and asleep_in_pinger(g))
connected = sum(c.state == "connected" for c in clients)
print(json.dumps({"pings": len(pings), "clients_pinged": len(set(pings)), "connected": connected,
                  "pingers": pingers}))
for c in clients:
    c.disconnect()
'''


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_pings_wait_on_timers_not_a_green_thread_per_client(mode: str) -> None:
    """Every client is pinged each interval and stays connected, with no green thread asleep in
    python-engineio's pinger (each held 6.5 KB of a phone's memory)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PING_SCRIPT, mode], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["connected"] == 20 and found["clients_pinged"] == 20
    assert found["pings"] >= 20 * 4  # about six rounds in 3.2 s
    assert found["pingers"] == 0


def masked_frame(opcode: int, payload: bytes, fin: bool) -> bytes:
    """A client frame (masked, as RFC 6455 requires), final or not."""
    mask = os.urandom(4)
    key = int.from_bytes((mask * (len(payload) // 4 + 1))[:len(payload)], "big")
    body = (int.from_bytes(payload, "big") ^ key).to_bytes(len(payload), "big")
    return struct.pack("!BBH", (0x80 if fin else 0) | opcode, 0x80 | 126, len(payload)) + mask + body


def test_a_message_of_many_small_frames_is_refused_past_the_limit(live_server: LiveServer) -> None:
    conn = websocket(live_server.port)
    chunk = b"x" * 8192
    sent = 0
    try:
        conn.sendall(masked_frame(0x1, b"4" + chunk, fin=False))  # a text message, to be continued
        sent += len(chunk) + 1
        for _ in range(12):  # 104 KB in frames of 8 KB, each far below the limit
            conn.sendall(masked_frame(0x0, chunk, fin=False))
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        # A server that reads as fast as they come cuts the connection while the message is still
        # being sent: that is the refusal, once more than the limit has gone out.
        assert sent > 64 * 1024, f"the server cut the connection after {sent} bytes, within the limit"
    else:
        assert closed_within(conn, 5), "the server kept collecting a message past 64 KB"
    finally:
        conn.close()  # an unclosed socket's ResourceWarning would fail a later test on this worker
    assert requests.get(live_server.url + "/", timeout=5).status_code == 200
