"""Voting bugs found from outside (issue 11), against the real server: a waiting idea takes no dot,
a dot on an idea hidden later can be taken back, dots left never go negative, and a table's phones
cannot spend its budget twice by moving between tables during the vote."""

from __future__ import annotations

from typing import Any


def workshop_with(live_server: Any, peers: Any, **rules: Any) -> tuple[dict[str, Any], Any]:
    created = live_server.create_workshop()
    console = peers(live_server.url)
    assert console.call("join", {"code": created["code"], "facilitator_token": created["facilitator_token"]})["ok"]
    if rules:
        assert console.call("set_rules", rules)["ok"]
    return created, console


def phone(live_server: Any, peers: Any, code: str) -> Any:
    joined = peers(live_server.url)
    assert joined.call("join", {"code": code})["ok"]
    return joined


def test_waiting_and_hidden_ideas_and_lowered_budgets(live_server: Any, peers: Any) -> None:
    created, console = workshop_with(live_server, peers)
    voter = phone(live_server, peers, created["code"])
    shown = voter.call("post_idea", {"text": "Synlig", "client_id": "1"})["idea"]["id"]
    later_hidden = voter.call("post_idea", {"text": "Skjules senere", "client_id": "2"})["idea"]["id"]
    assert console.call("set_rules", {"pre_moderation": True})["ok"]
    waiting = voter.call("post_idea", {"text": "Venter", "client_id": "3"})["idea"]["id"]
    assert console.call("set_voting", {"dots": 3, "max_per_item": 3})["ok"]
    assert console.call("set_phase", {"phase": "vote"})["ok"]

    refused = voter.call("cast_vote", {"idea_id": waiting})
    assert not refused["ok"] and refused["error"]["code"] == "idea_not_found"
    assert voter.call("cast_vote", {"idea_id": later_hidden})["ok"]
    assert console.call("hide_idea", {"idea_id": later_hidden})["ok"]
    taken_back = voter.call("retract_vote", {"idea_id": later_hidden})
    assert taken_back["ok"] and taken_back["dots_left"] == 3

    for _ in range(3):
        assert voter.call("cast_vote", {"idea_id": shown})["ok"]
    assert console.call("set_voting", {"dots": 1, "max_per_item": 1})["ok"]
    lowered = voter.call("retract_vote", {"idea_id": shown})
    assert lowered["ok"] and lowered["dots_left"] == 0  # 2 dots still placed on a budget of 1


def test_a_table_cannot_spend_its_dots_twice(live_server: Any, peers: Any) -> None:
    created, console = workshop_with(live_server, peers)
    assert console.call("set_tables", {"tables": ["Bord 1", "Bord 2"]})["ok"]
    assert console.call("set_rules", {"table_mode": True})["ok"]
    rejoined = console.call("join", {"code": created["code"], "facilitator_token": created["facilitator_token"]})
    tables = [t["id"] for t in rejoined["snapshot"]["tables"]]
    first, second = phone(live_server, peers, created["code"]), phone(live_server, peers, created["code"])
    for member in (first, second):
        assert member.call("set_table", {"table_id": tables[0]})["ok"]
    idea = first.call("post_idea", {"text": "Fælles idé", "client_id": "x"})["idea"]["id"]
    assert console.call("set_voting", {"dots": 3, "max_per_item": 3})["ok"]
    assert console.call("set_phase", {"phase": "vote"})["ok"]
    for _ in range(3):
        assert first.call("cast_vote", {"idea_id": idea})["ok"]
    moved = first.call("set_table", {"table_id": tables[1]})
    assert not moved["ok"] and moved["error"]["code"] == "wrong_phase"
    assert second.call("cast_vote", {"idea_id": idea})["error"]["code"] == "no_dots_left"
    totals = console.wait_for("vote_totals", lambda d: d["ideas"].get(str(idea)) == 3, timeout=5)
    assert totals["ideas"][str(idea)] == 3
