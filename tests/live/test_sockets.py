"""End-to-end: the real server, real python-socketio clients, under eventlet and gevent."""

from __future__ import annotations

import sqlite3
from typing import Any

import requests


def joined(peers: Any, server: Any, code: str, **extra: Any) -> tuple[Any, dict[str, Any]]:
    """A connected client that has joined the workshop, and its join ack."""
    peer = peers(server.url)
    ack = peer.call("join", {"code": code, **extra})
    assert ack["ok"], ack
    return peer, ack


def test_join_unknown_code_is_not_found(live_server: Any, peers: Any) -> None:
    peer = peers(live_server.url)
    ack = peer.call("join", {"code": "ZZZZZZ"})
    assert ack == {"ok": False, "error": {"code": "not_found", "message": ack["error"]["message"]}}
    assert ack["error"]["message"]


def test_join_gives_participant_token_and_snapshot(live_server: Any, peers: Any) -> None:
    workshop = live_server.create_workshop(prompt="Hvordan gør vi byen bedre?")
    _, ack = joined(peers, live_server, workshop["code"].lower())
    assert ack["role"] == "participant"
    assert len(ack["participant_token"]) >= 20
    assert ack["snapshot"]["workshop"]["prompt"] == "Hvordan gør vi byen bedre?"
    assert ack["snapshot"]["ideas"] == []
    assert ack["snapshot"]["seq"] == 0  # arrivals are counted, not logged as changes
    # A phone's snapshot holds what a phone shows: no counts, and its phone stream's number.
    assert "participant_count" not in ack["snapshot"]["workshop"] and ack["snapshot"]["pseq"] == 0
    assert ack["oseq"] == 0


def test_post_is_broadcast_to_the_room_with_next_seq(live_server: Any, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    wall, wall_ack = joined(peers, live_server, code, viewer=True)
    phone, _ = joined(peers, live_server, code)
    assert wall.wait_for("participant_count") == {"participant_count": 1, "participants_by_table": {},
                                                  "newcomers_held": 0, "newcomers_since": None}

    ack = phone.call("post_idea", {"text": "  Flere bænke i Fælledparken  ", "client_id": "c1"})
    assert ack["ok"] and ack["idea"]["text"] == "Flere bænke i Fælledparken"
    fact = wall.wait_for("idea_posted")
    assert fact == {"idea": ack["idea"], "seq": wall_ack["snapshot"]["seq"] + 1}


def test_same_client_id_returns_the_same_idea(live_server: Any, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    phone, _ = joined(peers, live_server, code)
    first = phone.call("post_idea", {"text": "Grønne tage", "client_id": "same"})
    again = phone.call("post_idea", {"text": "Grønne tage", "client_id": "same"})
    assert first["ok"] and again["ok"] and first["idea"] == again["idea"]
    snapshot = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()
    assert [i["text"] for i in snapshot["ideas"]] == ["Grønne tage"]


def test_facilitator_hides_and_shows_ideas(live_server: Any, peers: Any) -> None:
    workshop = live_server.create_workshop()
    code, token = workshop["code"], workshop["facilitator_token"]
    phone, _ = joined(peers, live_server, code)
    facilitator, fac_ack = joined(peers, live_server, code, facilitator_token=token)
    assert fac_ack["role"] == "facilitator" and fac_ack["participant_token"] is None
    idea = phone.call("post_idea", {"text": "Skjul mig", "client_id": "1"})["idea"]

    assert facilitator.call("hide_idea", {"idea_id": idea["id"]})["ok"]
    hidden = phone.wait_for("idea_hidden")
    assert hidden["idea_id"] == idea["id"]
    public = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()
    assert public["ideas"] == []
    private = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5,
                           headers={"Authorization": f"Bearer {token}"}).json()
    assert [i["hidden"] for i in private["ideas"]] == [True]
    rejoined = peers(live_server.url).call("join", {"code": code})
    assert rejoined["snapshot"]["ideas"] == []

    assert facilitator.call("show_idea", {"idea_id": idea["id"]})["ok"]
    shown = phone.wait_for("idea_shown")
    assert shown["idea"]["id"] == idea["id"]
    assert shown["seq"] == hidden["seq"] + 1
    missing = facilitator.call("hide_idea", {"idea_id": 999999})
    assert missing["error"]["code"] == "idea_not_found"


def test_closed_posting_refuses_ideas(live_server: Any, peers: Any) -> None:
    workshop = live_server.create_workshop()
    code = workshop["code"]
    phone, _ = joined(peers, live_server, code)
    facilitator, _ = joined(peers, live_server, code,
                            facilitator_token=workshop["facilitator_token"])
    assert facilitator.call("set_posting", {"open": False})["ok"]
    phone.wait_for("posting_closed")
    ack = phone.call("post_idea", {"text": "For sent", "client_id": "1"})
    assert ack["error"]["code"] == "posting_closed"
    assert facilitator.call("set_posting", {"open": True})["ok"]
    phone.wait_for("posting_opened")
    assert phone.call("post_idea", {"text": "Nu igen", "client_id": "2"})["ok"]


def test_sync_returns_missed_facts_or_a_snapshot(live_server: Any, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    wall, ack = joined(peers, live_server, code, viewer=True)
    phone, phone_ack = joined(peers, live_server, code)
    seq = ack["snapshot"]["seq"]
    for n in range(3):
        phone.call("post_idea", {"text": f"Idé {n}", "client_id": str(n)})
    missed = wall.call("sync", {"since": seq})
    assert [f["event"] for f in missed["facts"]] == ["idea_posted"] * 3
    assert [f["data"]["seq"] for f in missed["facts"]] == [seq + 1, seq + 2, seq + 3]
    assert missed["seq"] == seq + 3
    assert wall.call("sync", {"since": seq + 3}) == {"ok": True, "facts": [], "seq": seq + 3}
    ahead = wall.call("sync", {"since": seq + 100})
    assert len(ahead["snapshot"]["ideas"]) == 3 and ahead["seq"] == seq + 3
    assert wall.call("sync", {"since": "x"})["error"]["code"] == "invalid"
    # A phone's streams: its own ideas (its own stream, `oseq`), never others'; without its stream
    # numbers, a snapshot of what a phone shows.
    streams = {"since": seq, "pseq": phone_ack["snapshot"]["pseq"], "oseq": phone_ack["oseq"]}
    own = phone.call("sync", streams)
    assert [(f["event"], f["data"]["oseq"]) for f in own["facts"]] == [("idea_posted", n) for n in (1, 2, 3)]
    assert own["oseq"] == 3
    assert phone.call("sync", {**streams, "oseq": 3}) == {"ok": True, "facts": [], "seq": seq, "oseq": 3}
    assert phone.call("sync", {"since": seq})["snapshot"]["ideas"] == []


def test_acked_ideas_survive_kill_and_identity_survives_restart(fresh_server: Any,
                                                                 peers: Any) -> None:
    code = fresh_server.create_workshop()["code"]
    phone, ack = joined(peers, fresh_server, code)
    token = ack["participant_token"]
    posted = [phone.call("post_idea", {"text": f"Idé {n} æøå", "client_id": str(n)})["idea"]
              for n in range(5)]
    fresh_server.kill()
    fresh_server.start()

    again, ack = joined(peers, fresh_server, code, participant_token=token)
    assert ack["participant_token"] == token
    assert ack["own_idea_ids"] == [idea["id"] for idea in posted]
    assert ack["own_ideas"] == posted
    resent = again.call("post_idea", {"text": "Idé 4 æøå", "client_id": "4"})
    assert resent["idea"] == posted[4]  # the outbox resending after a restart makes no duplicate


def test_reconnecting_client_resyncs_and_outbox_is_sent_once(live_server: Any,
                                                              peers: Any) -> None:
    created = live_server.create_workshop()
    code = created["code"]
    console, _ = joined(peers, live_server, code, facilitator_token=created["facilitator_token"])
    phone, ack = joined(peers, live_server, code)
    token = ack["participant_token"]
    mine = phone.call("post_idea", {"text": "Min idé", "client_id": "m"})["idea"]
    seen = {"since": ack["snapshot"]["seq"], "pseq": ack["snapshot"]["pseq"], "oseq": ack["oseq"]}
    other, _ = joined(peers, live_server, code)
    phone.close()  # the phone drops off the venue Wi-Fi
    for n in range(3):
        other.call("post_idea", {"text": f"Mens du var væk {n}", "client_id": str(n)})
    assert console.call("hide_idea", {"idea_id": mine["id"]})["ok"]
    assert console.call("set_posting", {"open": False})["ok"]
    assert console.call("set_posting", {"open": True})["ok"]

    back, ack = joined(peers, live_server, code, participant_token=token)
    missed = back.call("sync", seen)
    # What concerns this phone, in order: its idea's fate (own stream), posting (all phones).
    assert [(f["event"], f["data"].get("oseq"), f["data"].get("pseq")) for f in missed["facts"]] == [
        ("idea_posted", 1, None), ("idea_hidden", 2, None), ("posting_closed", None, seen["pseq"] + 1),
        ("posting_opened", None, seen["pseq"] + 2)]
    assert missed["oseq"] == 2 and "Mens du var væk" not in str(missed)
    for _ in range(2):  # typed offline; the first send's ack was lost, so it is sent again
        assert back.call("post_idea", {"text": "Skrevet offline", "client_id": "off-1"})["ok"]
    snapshot = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()
    assert [i["text"] for i in snapshot["ideas"]].count("Skrevet offline") == 1


def test_long_polling_transport_works(live_server: Any, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    wall = peers(live_server.url, transports=["polling"])
    assert wall.call("join", {"code": code, "viewer": True})["role"] == "viewer"
    phone, _ = joined(peers, live_server, code)
    phone.call("post_idea", {"text": "Via polling", "client_id": "p"})
    assert wall.wait_for("idea_posted")["idea"]["text"] == "Via polling"


def test_viewer_is_not_counted_and_cannot_post(live_server: Any, peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    wall, ack = joined(peers, live_server, code, viewer=True)
    assert ack["snapshot"]["workshop"]["participant_count"] == 0
    assert wall.call("post_idea", {"text": "x", "client_id": "1"})["error"]["code"] == "participants_only"


def test_flooding_is_rate_limited_without_losing_acked_ideas(live_server: Any,
                                                              peers: Any) -> None:
    code = live_server.create_workshop()["code"]
    phone, _ = joined(peers, live_server, code)
    acks = [phone.call("post_idea", {"text": f"Spam {n}", "client_id": str(n)}) for n in range(15)]
    accepted = [a["idea"]["text"] for a in acks if a["ok"]]
    refused = [a["error"]["code"] for a in acks if not a["ok"]]
    assert len(accepted) >= 10 and refused and set(refused) == {"rate_limited"}
    snapshot = requests.get(f"{live_server.url}/api/workshops/{code}", timeout=5).json()
    assert [i["text"] for i in snapshot["ideas"]] == accepted


def test_http_contract(live_server: Any, tmp_path: Any) -> None:
    created = requests.post(live_server.url + "/api/workshops",
                            json={"title": "Idea Factory", "prompt": "Hvad nu?"}, timeout=5)
    assert created.status_code == 201
    body = created.json()
    code, token = body["code"], body["facilitator_token"]
    assert set(body) >= {"code", "facilitator_token", "join_url", "wall_url", "facilitator_url"}
    assert body["join_url"] == f"{live_server.url}/join/{code}"
    for bad in [{"title": "x"}, {"title": 1, "prompt": "y"}, [], None]:
        response = requests.post(live_server.url + "/api/workshops", json=bad, timeout=5)
        assert response.status_code == 400 and response.json()["error"]["code"]
    missing = requests.get(live_server.url + "/api/workshops/ZZZZZZ", timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    for path in [f"/join/{code}", f"/w/{code}/wall"]:
        page = requests.get(live_server.url + path, timeout=5)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert requests.get(live_server.url + "/join/ZZZZZZ", timeout=5).status_code == 404
    qr = requests.get(f"{live_server.url}/w/{code}/qr.svg", timeout=5)
    assert qr.headers["Content-Type"].startswith("image/svg+xml") and b"<path" in qr.content

    assert requests.get(f"{live_server.url}/w/{code}/export.sqlite", timeout=5).status_code == 401
    export = requests.get(f"{live_server.url}/w/{code}/export.sqlite", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    path = tmp_path / "export.sqlite"
    path.write_bytes(export.content)
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(ideas)")]
    assert "text" in columns


def test_paper_import_over_http_reaches_every_screen(live_server: Any, peers: Any) -> None:
    created = live_server.create_workshop()
    wall, _ = joined(peers, live_server, created["code"], viewer=True)
    response = requests.post(f"{live_server.url}/w/{created['code']}/import",
                             data={"text": "Fra papir 1\nFra papir 2"}, timeout=10,
                             headers={"Authorization": f"Bearer {created['facilitator_token']}"})
    assert response.status_code == 200 and response.json()["imported"] == 2
    first = wall.wait_for("idea_posted")
    second = wall.wait_for("idea_posted")
    assert [first["idea"]["text"], second["idea"]["text"]] == ["Fra papir 1", "Fra papir 2"]
    assert second["seq"] == first["seq"] + 1
