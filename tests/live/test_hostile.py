"""A hostile hall against the real server (issue 19): each attack sent as a laptop on the venue
network would, over raw sockets where a client library refuses to send it."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import pytest
import requests

from tests.hostile import RawSocketIO, closed_within
from tests.servers import ASYNC_MODES, LiveServer


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


def lan_address() -> str:
    """This machine's own non-loopback address: connections from it count against a client
    address (the loopback is the server's own machine, exempt)."""
    from facilitation.launch import lan_address as found

    address = found()
    if address == "127.0.0.1":
        pytest.skip("this machine has no network address but the loopback")
    return address


@pytest.fixture(scope="module", params=ASYNC_MODES)
def strict_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A server on every interface with a 2 s header deadline, 10 connections per address and
    room for 5 ideas per workshop."""
    server = LiveServer(tmp_path_factory.mktemp("strict"), request.param, "--host", "0.0.0.0",
                        "--header-timeout", "2", "--max-connections-per-address", "10",
                        "--max-ideas", "5")
    server.start()
    yield server
    server.kill()


def test_trickled_headers_are_cut_off_and_one_address_gets_few_connections(strict_server: LiveServer) -> None:
    trickling = [socket.create_connection(("127.0.0.1", strict_server.port)) for _ in range(30)]
    for conn in trickling:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    alive = list(trickling)
    while alive and time.monotonic() - started < 15:
        for conn in list(alive):  # a header byte each, as slowloris does: it resets nothing
            try:
                conn.sendall(b"X")
            except OSError:
                alive.remove(conn)
        for conn in list(alive):
            if closed_within(conn, 0.05):
                alive.remove(conn)
    assert not alive, f"{len(alive)} trickling connections outlived the header deadline"
    assert requests.get(strict_server.url + "/", timeout=5).status_code == 200

    host = lan_address()
    code = strict_server.create_workshop()["code"]
    held = [RawSocketIO(strict_server.port, host=host) for _ in range(10)]
    extra = socket.create_connection((host, strict_server.port), timeout=5)
    assert closed_within(extra, 5), "an 11th connection from one address was kept"
    assert held[0].call("join", {"code": code})["ok"]  # the ten keep working
    assert requests.get(strict_server.url + "/", timeout=5).status_code == 200  # and others get in
    held.pop().close()
    deadline = time.monotonic() + 10
    while True:  # a freed place is taken again, once the server has seen it close
        try:
            held.append(RawSocketIO(strict_server.port, host=host))
            break
        except ConnectionError:
            assert time.monotonic() < deadline, "a freed place was never given again"
    assert held[-1].call("join", {"code": code})["ok"]
    for conn in [*trickling, *held, extra]:
        conn.close()


def test_invisible_ideas_are_refused_and_line_breaks_collapsed(live_server: LiveServer, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    phone = peers(live_server.url)
    assert phone.call("join", {"code": code})["ok"]
    for n, blank in enumerate(["\u200b", "\u2800", "\u3164", "\u115f\u200d", " \n\t"]):
        ack = phone.call("post_idea", {"text": blank * 300, "client_id": f"blank-{n}"})
        assert ack["error"]["code"] == "empty", (blank, ack)
    ack = phone.call("post_idea", {"text": "Flere\n" + "\n" * 200 + "cykelstier\nnu\nog\nher\nmed\nlys",
                                   "client_id": "tall"})
    assert ack["idea"]["text"] == "Flere\n\ncykelstier\nnu\nog her med lys"
    wall = peers(live_server.url)
    ideas = wall.call("join", {"code": code, "viewer": True})["snapshot"]["ideas"]
    assert [idea["text"] for idea in ideas] == ["Flere\n\ncykelstier\nnu\nog her med lys"]


def test_a_workshop_refuses_ideas_past_max_ideas(strict_server: LiveServer, peers: Any) -> None:
    created = strict_server.create_workshop()
    url = f"{strict_server.url}/w/{created['code']}/import"
    auth = {"Authorization": f"Bearer {created['facilitator_token']}"}
    imported = requests.post(url, data={"text": "en\nto\ntre\nfire"}, headers=auth, timeout=10)
    assert imported.status_code == 200 and imported.json()["imported"] == 4
    too_many = requests.post(url, data={"text": "fem\nseks"}, headers=auth, timeout=10)
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "ideas_full"
    phone = peers(strict_server.url)
    assert phone.call("join", {"code": created["code"]})["ok"]
    assert phone.call("post_idea", {"text": "fem", "client_id": "5"})["ok"]
    refused = phone.call("post_idea", {"text": "seks", "client_id": "6"})
    assert refused["error"]["code"] == "ideas_full" and "5" in refused["error"]["message"]
