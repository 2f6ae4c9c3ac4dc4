"""A wall that stops reading but keeps answering pings is dropped once its send queue passes its
bound, with one log line, and its socket leaves the server (issue 26, item 6; the bound is issue
15's, facilitation/limits.py)."""

from __future__ import annotations

import socket
import subprocess
import time

import requests
import websocket

from facilitation.limits import MAX_QUEUED_PACKETS
from tests.servers import LiveServer


def stuck_wall(port: int, code: str) -> websocket.WebSocket:
    """A wall that joins over a raw WebSocket, then never reads again (a small receive buffer, as
    a frozen tablet's)."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                     timeout=20, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 32768),))
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send("40")
    assert ws.recv().startswith("40")
    ws.send('420["join",{"code":"%s","viewer":true}]' % code)
    while not (answer := ws.recv()).startswith("430"):  # facts may come first
        pass
    assert '"ok":true' in answer
    return ws


def server_holds(port: int, local_port: int) -> bool:
    """Whether the server process still has the connection from `local_port` open."""
    lines = subprocess.run(["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
                           capture_output=True, text=True).stdout.splitlines()
    return any(f":{local_port} " in line and "users:" in line for line in lines)


def test_a_wall_that_stops_reading_is_dropped_and_the_drop_logged(fresh_server: LiveServer) -> None:
    server = fresh_server
    created = server.create_workshop()
    ws = stuck_wall(server.port, created["code"])
    local_port = ws.sock.getsockname()[1]
    headers = {"Authorization": f"Bearer {created['facilitator_token']}"}
    batches = 0
    while "reads too slowly" not in server.log.read_text():
        # The kernel's buffers take a few MB first (the server's send buffer grows to 4 MB).
        assert batches < 10, "the wall's queue was never bounded"
        lines = "\n".join(f"Idé {batches}-{i} " + "x" * 480 for i in range(MAX_QUEUED_PACKETS))
        response = requests.post(f"{server.url}/w/{created['code']}/import", data={"text": lines},
                                 headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        batches += 1
        ws.send("3")  # a pong, blindly: the wall looks alive
        time.sleep(1)
    dropped = time.monotonic()
    # Its writer was stuck in a send to the full kernel buffer: the drop cuts the connection, so
    # the server lets it go at once (it held it 34-84 s until the socket timed out).
    while server_holds(server.port, local_port):
        assert time.monotonic() - dropped < 10, "the dropped wall's socket is still the server's"
        time.sleep(0.2)  # polling with a deadline
    assert server.log.read_text().count("reads too slowly") == 1
    assert requests.get(server.url + "/", timeout=10).status_code == 200
    ws.sock.close()
