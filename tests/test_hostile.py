"""A hostile hall against the real server (issue 19): each attack sent as a laptop on the venue
network would, over raw sockets where a client library refuses to send it."""

from __future__ import annotations

import os

import pytest

from tests.conftest import LiveServer
from tests.hostile import RawSocketIO, closed_within

pytestmark = pytest.mark.live


def test_a_binary_attachment_bomb_closes_the_connection(live_server: LiveServer) -> None:
    code = live_server.create_workshop()["code"]
    client = RawSocketIO(live_server.port)
    try:
        assert client.call("join", {"code": code})["ok"]
        client.send('459999999999-["post_idea",{"_placeholder":true,"num":0}]')
        try:
            for _ in range(20):
                client.send_binary(os.urandom(60_000))
        except OSError:
            pass  # closed while sending: what we want
        assert closed_within(client.sock, 10), "the server kept collecting attachments"
    finally:
        client.close()
    again = RawSocketIO(live_server.port)  # the server itself is fine
    assert again.call("join", {"code": code})["ok"]
    again.close()
