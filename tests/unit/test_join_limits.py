"""Join limits (docs/security.md): new participants per address, a device recognised without its
token, and an idea allowance that survives re-joining; a hall behind one NAT still gets in."""

from __future__ import annotations

from typing import Any

from facilitation import socketio
from facilitation.security import BARE_JOIN_BURST


def device_client(app: Any, address: str) -> tuple[Any, Any]:
    """A browser at `address`: an HTTP client (with its cookies) and a Socket.IO client over it."""
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    return http, None


def connect(app: Any, http: Any) -> Any:
    return socketio.test_client(app, flask_test_client=http)


def join(app: Any, http: Any, code: str, token: str | None = None) -> dict[str, Any]:
    sock = connect(app, http)
    ack = sock.emit("join", {"code": code, "participant_token": token}, callback=True)
    sock.disconnect()
    return ack  # type: ignore[no-any-return]


def test_a_script_without_the_join_page_gets_few_participants(app: Any, client: Any) -> None:
    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()["code"]
    script, _ = device_client(app, "10.20.0.1")  # never loads the join page: no device cookie
    acks = [join(app, script, code) for _ in range(BARE_JOIN_BURST + 5)]
    assert all(a["ok"] for a in acks[:BARE_JOIN_BURST])
    assert [a["error"]["code"] for a in acks[BARE_JOIN_BURST:]] == ["rate_limited"] * 5
    snapshot = client.get(f"/api/workshops/{code}").get_json()
    assert snapshot["workshop"]["participant_count"] == BARE_JOIN_BURST


def test_a_hall_behind_one_address_gets_in_and_a_device_is_one_participant(app: Any, client: Any) -> None:
    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()["code"]
    phones = []
    for _ in range(120):  # 120 phones behind the venue's NAT, each its own browser
        phone, _ = device_client(app, "10.30.0.1")
        assert phone.get(f"/join/{code}").status_code == 200  # the page gives the device cookie
        phones.append(phone)
    acks = [join(app, phone, code) for phone in phones]
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:1]
    # Re-joining without the token (cleared storage, a private tab) is the same participant.
    again = [join(app, phone, code) for phone in phones[:50]]
    assert all(a["ok"] for a in again)
    assert client.get(f"/api/workshops/{code}").get_json()["workshop"]["participant_count"] == 120


def test_the_idea_allowance_survives_rejoining(app: Any, client: Any) -> None:
    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()["code"]
    phone, _ = device_client(app, "10.40.0.1")
    phone.get(f"/join/{code}")
    sent = []
    for round_ in range(4):
        sock = connect(app, phone)
        assert sock.emit("join", {"code": code}, callback=True)["ok"]  # no token: a "new" phone
        for n in range(10):
            ack = sock.emit("post_idea", {"text": f"Idé {round_}-{n}", "client_id": f"{round_}-{n}"},
                            callback=True)
            sent.append(ack["ok"])
        sock.disconnect()
    assert sent.count(True) <= 12, sent.count(True)  # 10 at once, then one per 2 s: not 40
    assert client.get(f"/api/workshops/{code}").get_json()["workshop"]["participant_count"] == 1


def test_invalid_ideas_do_not_use_up_the_allowance(app: Any, client: Any) -> None:
    code = client.post("/api/workshops", json={"title": "T", "prompt": "Q"}).get_json()["code"]
    phone, _ = device_client(app, "10.50.0.1")
    sock = connect(app, phone)
    assert sock.emit("join", {"code": code}, callback=True)["ok"]
    for bad in [{"text": ""}, {"text": 5, "client_id": "x"}, {"client_id": "y"}, "nonsense"] * 5:
        assert not sock.emit("post_idea", bad, callback=True)["ok"]
    ack = sock.emit("post_idea", {"text": "Endelig en idé", "client_id": "ok"}, callback=True)
    assert ack["ok"], ack
