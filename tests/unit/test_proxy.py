"""Behind a reverse proxy: whose X-Forwarded-For is believed, per-address limits on the real client,
no own-machine exemption for forwarded requests, Secure cookies and HSTS over HTTPS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from facilitation import create_app
from facilitation.proxy import BALANCER_HEADER
from facilitation.views import CREATE_BURST

PROXY = "10.0.0.5"


def make_app(tmp_path: Path, **config: Any) -> Any:
    return create_app({"DATA_DIR": str(tmp_path / "data"), "ASYNC_MODE": "threading", "TESTING": True,
                       **config})


def create(client: Any, peer: str, forwarded_for: str | None = None, **headers: str) -> int:
    """POST /api/workshops from `peer`, optionally with an X-Forwarded-For; the status."""
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    response = client.post("/api/workshops", json={"title": "T", "prompt": "P"}, headers=headers,
                           environ_base={"REMOTE_ADDR": peer})
    return int(response.status_code)


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(tmp_path: Path) -> None:
    client = make_app(tmp_path).test_client()
    statuses = [create(client, "192.0.2.1", f"198.51.100.{i}") for i in range(CREATE_BURST + 1)]
    assert statuses[-1] == 429  # one stranger, whatever addresses it claims
    assert create(client, "192.0.2.2") == 201


def test_a_trusted_proxy_gives_each_client_its_own_limit_and_no_exemption(tmp_path: Path) -> None:
    client = make_app(tmp_path, TRUSTED_PROXIES=["10.0.0.0/24"]).test_client()
    statuses = [create(client, PROXY, "198.51.100.7") for _ in range(CREATE_BURST + 1)]
    assert statuses[:CREATE_BURST] == [201] * CREATE_BURST and statuses[-1] == 429
    assert create(client, PROXY, "198.51.100.8") == 201  # another phone behind the same proxy
    # A forwarded request that says it comes from this machine is still limited, as is the proxy.
    assert [create(client, PROXY, "127.0.0.1") for _ in range(CREATE_BURST + 1)][-1] == 429
    assert [create(client, PROXY) for _ in range(CREATE_BURST + 1)][-1] == 429
    # The client cannot pick its address: the chain is read from the right, past trusted hops only.
    assert create(client, PROXY, "203.0.113.1, 198.51.100.7") == 429
    assert create(client, PROXY, "198.51.100.7, 10.0.0.9") == 429
    # A request not from the proxy is judged by its own address, and loopback stays the operator's.
    assert create(client, "198.51.100.7", "203.0.113.2") == 429
    assert all(create(client, "127.0.0.1", "203.0.113.3") == 201 for _ in range(CREATE_BURST + 1))


def test_one_guesser_behind_the_proxy_does_not_lock_out_the_facilitator(tmp_path: Path) -> None:
    client = make_app(tmp_path, TRUSTED_PROXIES=[PROXY]).test_client()
    workshop = client.post("/api/workshops", json={"title": "T", "prompt": "P"},
                           environ_base={"REMOTE_ADDR": PROXY},
                           headers={"X-Forwarded-For": "198.51.100.1"}).get_json()
    code, token = workshop["code"], workshop["facilitator_token"]

    def report(forwarded_for: str, secret: str) -> int:
        return int(client.get(f"/w/{code}/report", headers={
            "X-Forwarded-For": forwarded_for, "Authorization": f"Bearer {secret}"},
            environ_base={"REMOTE_ADDR": PROXY}).status_code)

    guesses = [report("198.51.100.66", f"guess-{i}") for i in range(15)]
    assert guesses[-1] == 429
    assert report("198.51.100.1", token) == 200


def test_https_from_a_trusted_proxy_makes_cookies_secure_and_sends_hsts(tmp_path: Path) -> None:
    client = make_app(tmp_path, TRUSTED_PROXIES=[PROXY]).test_client()
    https = client.get("/", headers={"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"},
                       environ_base={"REMOTE_ADDR": PROXY})
    cookies = https.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies), cookies
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")
    # Only a trusted proxy can say the scheme was HTTPS.
    forged = client.get("/", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert "Strict-Transport-Security" not in forged.headers
    assert not any("Secure" in c for c in forged.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("secret,believed", [("the-balancer", True), ("wrong", False), (None, False)])
def test_a_worker_believes_only_its_own_balancer(tmp_path: Path, secret: str | None, believed: bool) -> None:
    client = make_app(tmp_path, BALANCER_SECRET="the-balancer", TRUSTED_PROXIES=["127.0.0.1"]).test_client()
    headers = {BALANCER_HEADER[5:].replace("_", "-").title(): secret} if secret else {}
    statuses = [create(client, "127.0.0.1", "198.51.100.7", **headers) for _ in range(CREATE_BURST + 1)]
    # Believed: the phone's own limit; not believed: a local user on 127.0.0.1, the operator's machine.
    assert (statuses[-1] == 429) is believed


def test_a_trusted_proxy_is_not_held_to_the_per_address_connection_cap() -> None:
    from facilitation.servers import AddressCounter

    counter = AddressCounter(1, ("10.0.0.0/24",))
    assert counter.enter(PROXY) and counter.enter(PROXY)  # it carries every phone's connection
    assert counter.enter("192.0.2.1") and not counter.enter("192.0.2.1")
