"""Live: phases, the countdown and dot voting over real sockets, including racing voters."""

from __future__ import annotations

import queue
import threading
from typing import Any

import requests


def setup(server: Any, peers: Any, phones: int) -> tuple[Any, list[Any], dict[str, Any]]:
    created = server.create_workshop()
    facilitator = peers(server.url)
    assert facilitator.call("join", {"code": created["code"],
                                     "facilitator_token": created["facilitator_token"]})["ok"]
    clients = [peers(server.url) for _ in range(phones)]
    for client in clients:
        assert client.call("join", {"code": created["code"]})["ok"]
    return facilitator, clients, created


def test_phase_and_timer_reach_every_screen(live_server: Any, peers: Any) -> None:
    facilitator, (phone,), created = setup(live_server, peers, 1)
    assert facilitator.call("set_phase", {"phase": "cluster"})["ok"]
    assert phone.wait_for("phase_changed")["phase"] == "cluster"
    assert phone.call("post_idea", {"text": "For sent", "client_id": "x"})["error"]["code"] \
        == "posting_closed"
    started = facilitator.call("start_timer", {"seconds": 300})
    fact = phone.wait_for("timer_changed")
    assert fact["timer"] == started["timer"] and fact["timer"]["running"]
    late = peers(live_server.url).call("join", {"code": created["code"]})
    assert late["snapshot"]["workshop"]["timer"]["ends_at"] == started["timer"]["ends_at"]
    assert late["snapshot"]["workshop"]["phase"] == "cluster"
    assert phone.call("set_phase", {"phase": "vote"})["error"]["code"] == "forbidden"


def test_racing_votes_never_overspend(live_server: Any, peers: Any) -> None:
    facilitator, phones, created = setup(live_server, peers, 4)
    ideas = [phones[0].call("post_idea", {"text": f"Idé {n}", "client_id": str(n)})["idea"]["id"]
             for n in range(5)]
    assert facilitator.call("set_voting", {"dots": 3, "max_per_item": 3})["ok"]
    wall = peers(live_server.url)
    assert wall.call("join", {"code": created["code"], "viewer": True})["ok"]
    assert facilitator.call("set_phase", {"phase": "vote"})["ok"]
    acks: queue.Queue[dict[str, Any]] = queue.Queue()

    def vote(phone: Any) -> None:
        # Each phone fires 8 casts at once without waiting: only 3 may land.
        events = [threading.Thread(target=lambda n=n: acks.put(
            phone.call("cast_vote", {"idea_id": ideas[n % 5]}))) for n in range(8)]
        for thread in events:
            thread.start()
        for thread in events:
            thread.join(20)

    voters = [threading.Thread(target=vote, args=(phone,)) for phone in phones]
    for thread in voters:
        thread.start()
    for thread in voters:
        thread.join(30)
    answers = [acks.get_nowait() for _ in range(acks.qsize())]
    assert len(answers) == 32
    assert sum(a["ok"] for a in answers) == 12  # 4 phones x 3 dots, never more
    assert {a["error"]["code"] for a in answers if not a["ok"]} == {"no_dots_left"}
    totals = facilitator.wait_for("vote_totals", lambda t: sum(t["ideas"].values()) == 12)
    assert set(totals) == {"ideas", "clusters", "voters", "voters_by_table", "prompt_id"}
    assert totals["voters"] == 4 and totals["voters_by_table"] == {}  # how many have voted, not who
    walled = wall.wait_for("vote_totals", lambda t: t["voters"] == 4)  # a wall: how many, not what
    assert walled["ideas"] == {} and walled["clusters"] == {}
    late = peers(live_server.url)  # nor a wall joining late, whoever has the code
    assert late.call("join", {"code": created["code"], "viewer": True})["ok"]
    assert late.wait_for("vote_totals")["ideas"] == {}
    received = [phones[1].events.get_nowait()[0] for _ in range(phones[1].events.qsize())]
    assert "phase_changed" in received and "vote_totals" not in received  # phones never see totals
    results = requests.get(f"{live_server.url}/api/workshops/{created['code']}/results", timeout=5)
    assert results.status_code == 403 and results.json()["error"]["code"] == "wrong_phase"
    assert facilitator.call("set_phase", {"phase": "results"})["ok"]
    shown = wall.wait_for("vote_totals", lambda t: sum(t["ideas"].values()) == 12)  # results: all see
    assert shown["voters"] == 4
    ranked = requests.get(f"{live_server.url}/api/workshops/{created['code']}/results", timeout=5).json()
    assert sum(i["votes"] for i in ranked["ideas"]) == 12 and ranked["ideas"][0]["rank"] == 1
    assert phones[0].call("cast_vote", {"idea_id": ideas[0]})["error"]["code"] == "wrong_phase"


def test_waiting_ideas_reach_only_the_facilitator(live_server: Any, peers: Any) -> None:
    facilitator, (phone, other), created = setup(live_server, peers, 2)
    wall = peers(live_server.url)
    assert wall.call("join", {"code": created["code"], "viewer": True})["ok"]
    assert facilitator.call("set_rules", {"pre_moderation": True})["ok"]
    posted = phone.call("post_idea", {"text": "Hemmelig indtil godkendt", "client_id": "1"})
    assert posted["ok"] and posted["idea"]["pending"]
    full = facilitator.wait_for("idea_queued")
    assert full["idea"]["text"] == "Hemmelig indtil godkendt"
    redacted = wall.wait_for("idea_queued")
    assert redacted == {"idea_id": posted["idea"]["id"], "seq": full["seq"]}
    assert "Hemmelig" not in str(wall.call("sync", {"since": full["seq"] - 1})["facts"])
    # The author's phone learns its idea waits, in its own stream; other phones learn nothing.
    assert phone.wait_for("idea_queued") == {**redacted, "oseq": 1}  # first in its own stream
    assert "Hemmelig" not in str(other.call("sync", {"since": 0, "pseq": 0, "oseq": 0}))
    back = peers(live_server.url).call("join", {"code": created["code"],
                                                "participant_token": None})
    assert back["snapshot"]["ideas"] == []
    assert facilitator.call("approve_idea", {"idea_id": posted["idea"]["id"]})["ok"]
    assert wall.wait_for("idea_approved")["idea"]["text"] == "Hemmelig indtil godkendt"
