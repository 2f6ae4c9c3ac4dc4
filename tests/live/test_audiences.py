"""Who receives what: walls and consoles every fact, phones only what changes what a phone shows."""

from __future__ import annotations

import time
from typing import Any


def joined(peers: Any, server: Any, code: str, **extra: Any) -> tuple[Any, dict[str, Any]]:
    peer = peers(server.url)
    ack = peer.call("join", {"code": code, **extra})
    assert ack["ok"], ack
    return peer, ack


def events(peer: Any, name: str) -> list[Any]:
    return [data for event, data in peer.seen if event == name]


def test_phones_get_no_others_ideas_and_no_counts(live_server: Any, peers: Any) -> None:
    created = live_server.create_workshop()
    code = created["code"]
    console, _ = joined(peers, live_server, code, facilitator_token=created["facilitator_token"])
    wall, _ = joined(peers, live_server, code, viewer=True)
    author, _ = joined(peers, live_server, code)
    other, other_ack = joined(peers, live_server, code)
    posted = author.call("post_idea", {"text": "Flere træer", "client_id": "a"})["idea"]
    assert wall.wait_for("idea_posted")["idea"] == posted
    assert wall.wait_for("participant_count")
    assert console.call("set_posting", {"open": False})["ok"]
    closed = other.wait_for("posting_closed")  # after the idea and the count, in one connection
    assert closed["pseq"] == other_ack["snapshot"]["pseq"] + 1
    assert not events(other, "idea_posted") and not events(other, "participant_count")
    # The author's phone follows its own idea's fate, in its own numbered stream.
    assert author.wait_for("idea_posted")["oseq"] == 1
    assert console.call("hide_idea", {"idea_id": posted["id"]})["ok"]
    assert author.wait_for("idea_hidden") == {"idea_id": posted["id"], "seq": closed["seq"] + 1,
                                              "oseq": 2}
    assert console.call("set_posting", {"open": True})["ok"]
    assert other.wait_for("posting_opened")["pseq"] == closed["pseq"] + 1
    assert not events(other, "idea_hidden")


def test_a_phone_gets_the_board_when_voting_opens(live_server: Any, peers: Any) -> None:
    created = live_server.create_workshop()
    code = created["code"]
    console, _ = joined(peers, live_server, code, facilitator_token=created["facilitator_token"])
    author, _ = joined(peers, live_server, code)
    phone, ack = joined(peers, live_server, code)
    ideas = [author.call("post_idea", {"text": f"Idé {n}", "client_id": str(n)})["idea"]
             for n in range(3)]
    assert ack["snapshot"]["ideas"] == []
    assert console.call("set_phase", {"phase": "vote"})["ok"]
    changed = phone.wait_for("phase_changed")
    assert changed["phase"] == "vote" and changed["refresh"] is True
    # The board follows, once for every phone: every visible idea, at the fact's stream number.
    board = phone.wait_for("phone_board")["snapshot"]
    assert board["ideas"] == ideas and board["pseq"] == changed["pseq"]
    assert author.wait_for("phone_board")["snapshot"] == board
    assert phone.call("sync", {"since": -1})["snapshot"] == board
    # From now on every phone follows every visible idea.
    assert console.call("hide_idea", {"idea_id": ideas[0]["id"]})["ok"]
    assert phone.wait_for("idea_hidden") == {"idea_id": ideas[0]["id"], "seq": changed["seq"] + 1,
                                             "pseq": changed["pseq"] + 1}
    assert console.call("set_phase", {"phase": "results"})["ok"]
    assert "refresh" not in phone.wait_for("phase_changed")  # it has the ideas already
    # A phone that missed the change of phase gets a snapshot, not facts it cannot complete.
    missed = phone.call("sync", {"since": ack["snapshot"]["seq"], "pseq": ack["snapshot"]["pseq"],
                                 "oseq": ack["oseq"]})
    assert len(missed["snapshot"]["ideas"]) == 2


def test_phones_see_ideas_batches_others_ideas_once_a_second(live_server: Any, peers: Any) -> None:
    created = live_server.create_workshop()
    code = created["code"]
    console, _ = joined(peers, live_server, code, facilitator_token=created["facilitator_token"])
    author, _ = joined(peers, live_server, code)
    earlier = author.call("post_idea", {"text": "Før reglen", "client_id": "0"})["idea"]
    phone, _ = joined(peers, live_server, code)
    assert console.call("set_rules", {"phones_see_ideas": True})["ok"]
    rules = phone.wait_for("rules_changed")
    assert rules["rules"]["phones_see_ideas"] is True and rules["refresh"] is True
    assert phone.wait_for("phone_board")["snapshot"]["ideas"] == [earlier]
    started = time.monotonic()
    posted = [author.call("post_idea", {"text": f"Idé {n}", "client_id": str(n + 1)})["idea"]
              for n in range(6)]
    received: list[dict[str, Any]] = []
    arrivals = []
    while len(received) < len(posted):
        received += phone.wait_for("ideas_posted", timeout=5)["ideas"]
        arrivals.append(time.monotonic() - started)
    assert sorted(i["id"] for i in received) == [i["id"] for i in posted]
    assert len(arrivals) <= 2 + arrivals[-1]  # at most one message a second after the first
    assert not events(phone, "idea_posted")
