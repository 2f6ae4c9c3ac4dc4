"""Flow commands over an in-memory store: phase rules, the timer, the voting budget, results."""

from __future__ import annotations

from typing import Any

import pytest

from facilitation import commands
from facilitation.errors import CommandError
from tests.unit.commanding import do, refused, world


@pytest.fixture
def w(new_store: Any) -> dict[str, Any]:
    w = world(new_store())
    w["ideas"] = [do(w, "post_idea", {"text": t, "client_id": t}, "a")["idea"]["id"]
                  for t in ("Cykler", "Træer", "Bænke")]
    return w


def test_facilitator_only(w: dict[str, Any]) -> None:
    for name, payload in [("set_phase", {"phase": "vote"}), ("start_timer", {"seconds": 60}),
                          ("pause_timer", {}), ("resume_timer", {}), ("add_time", {"seconds": 30}),
                          ("stop_timer", {}), ("set_voting", {"dots": 3, "max_per_item": 1})]:
        assert refused(w, name, payload, who="a") == "forbidden", name


def test_phases_move_both_ways_and_only_collect_takes_ideas(w: dict[str, Any]) -> None:
    _, facts = commands.set_phase(w["store"], w["fac"], {"phase": "cluster"})
    assert facts[0].type == "phase_changed" and facts[0].payload == {"phase": "cluster"}
    assert refused(w, "post_idea", {"text": "Sent", "client_id": "late"}, who="a") == "posting_closed"
    assert refused(w, "set_phase", {"phase": "pause"}) == "invalid"
    do(w, "set_phase", {"phase": "collect"})
    assert do(w, "post_idea", {"text": "Igen", "client_id": "again"}, who="a")["idea"]["text"] == "Igen"


def test_timer_commands_and_snapshot(w: dict[str, Any]) -> None:
    timer = do(w, "start_timer", {"seconds": 300})["timer"]
    assert timer["running"] and 299_000 <= timer["remaining_ms"] <= 300_000
    paused = do(w, "pause_timer", {})["timer"]
    assert paused["running"] is False and paused["ends_at"] is None
    assert refused(w, "pause_timer", {}) == "invalid"
    assert do(w, "add_time", {"seconds": 60})["timer"]["remaining_ms"] >= 359_000
    resumed = do(w, "resume_timer", {})["timer"]
    snapshot = w["store"].snapshot(w["fac"].workshop.id, include_hidden=False)
    assert snapshot["workshop"]["timer"]["ends_at"] == resumed["ends_at"]
    assert do(w, "stop_timer", {})["timer"] == {"ends_at": None, "remaining_ms": 0, "running": False}
    assert refused(w, "start_timer", {"seconds": "5"}) == "invalid"


def test_voting_budget_per_item_cap_and_retract(w: dict[str, Any]) -> None:
    ideas = w["ideas"]
    assert refused(w, "cast_vote", {"idea_id": ideas[0]}, who="a") == "wrong_phase"
    do(w, "set_voting", {"dots": 3, "max_per_item": 2})
    do(w, "set_phase", {"phase": "vote"})
    assert do(w, "cast_vote", {"idea_id": ideas[0]}, who="a")["dots_left"] == 2
    assert do(w, "cast_vote", {"idea_id": ideas[0]}, who="a")["dots_left"] == 1
    assert refused(w, "cast_vote", {"idea_id": ideas[0]}, who="a") == "max_per_item"
    assert do(w, "cast_vote", {"idea_id": ideas[1]}, who="a")["dots_left"] == 0
    assert refused(w, "cast_vote", {"idea_id": ideas[2]}, who="a") == "no_dots_left"
    assert do(w, "retract_vote", {"idea_id": ideas[0]}, who="a")["dots_left"] == 1
    assert refused(w, "retract_vote", {"idea_id": ideas[2]}, who="a") == "no_vote_to_retract"
    assert refused(w, "cast_vote", {"idea_id": 999}, who="a") == "idea_not_found"
    assert refused(w, "cast_vote", {"idea_id": ideas[0], "cluster_id": 1}, who="a") == "invalid"
    assert refused(w, "cast_vote", {"idea_id": ideas[0]}) == "participants_only"  # the facilitator has no dots
    assert w["store"].my_votes(w["fac"].workshop.id, w["a"].participant_id) == {
        "ideas": {str(ideas[0]): 1, str(ideas[1]): 1}, "clusters": {}, "dots_left": 1}


def test_votes_on_themes_results_and_ties(w: dict[str, Any]) -> None:
    ideas = w["ideas"]
    theme = do(w, "create_cluster", {"label": "Grønt"})["cluster"]["id"]
    do(w, "move_idea", {"idea_id": ideas[1], "cluster_id": theme})
    do(w, "set_phase", {"phase": "vote"})
    do(w, "cast_vote", {"idea_id": ideas[0]}, who="a")
    do(w, "cast_vote", {"idea_id": ideas[1]}, who="b")
    do(w, "cast_vote", {"cluster_id": theme}, who="b")
    workshop = w["store"].get_workshop(w["code"])
    with pytest.raises(CommandError) as error:
        commands.results(w["store"], workshop, facilitator=False)
    assert error.value.code == "wrong_phase"
    shown = commands.results(w["store"], workshop, facilitator=True)
    assert [(i["text"], i["votes"], i["rank"]) for i in shown["ideas"]] == [
        ("Cykler", 1, 1), ("Træer", 1, 1), ("Bænke", 0, 3)]
    assert shown["themes"] == [{"id": theme, "label": "Grønt", "votes": 2, "theme_votes": 1,
                                "idea_votes": 1, "rank": 1}]
    do(w, "delete_cluster", {"cluster_id": theme})  # the theme's own dots go back to the voter
    assert w["store"].my_votes(workshop.id, w["b"].participant_id)["dots_left"] == 2


def test_vote_on_ideas_themes_or_both(w: dict[str, Any]) -> None:
    ideas = w["ideas"]
    theme = do(w, "create_cluster", {"label": "Grønt"})["cluster"]["id"]
    do(w, "move_idea", {"idea_id": ideas[1], "cluster_id": theme})
    assert w["store"].get_workshop(w["code"]).vote_on == "both"  # the default keeps both open
    assert refused(w, "set_voting", {"dots": 3, "vote_on": "everything"}) == "invalid"
    assert refused(w, "set_voting", {"dots": 3, "vote_on": None}) == "invalid"
    assert refused(w, "set_voting", {"dots": 3, "vote_on": "themes"}, who="a") == "forbidden"
    assert do(w, "set_voting", {"dots": 3, "max_per_item": 1, "vote_on": "themes"})["vote_on"] == "themes"
    do(w, "set_phase", {"phase": "vote"})
    assert refused(w, "cast_vote", {"idea_id": ideas[0]}, who="a") == "not_votable"
    assert refused(w, "cast_vote", {"idea_id": ideas[1]}, who="a") == "not_votable"  # in the theme, still an idea
    assert do(w, "cast_vote", {"cluster_id": theme}, who="a")["dots_left"] == 2
    # Left out, vote_on stays as it was; the fact tells every screen.
    assert do(w, "set_voting", {"dots": 4})["vote_on"] == "themes"
    facts = w["store"].facts_since(w["fac"].workshop.id, 0, 1000)
    assert [f.payload for f in facts if f.type == "voting_set"][-1]["vote_on"] == "themes"
    do(w, "set_voting", {"dots": 3, "vote_on": "ideas"})
    assert refused(w, "cast_vote", {"cluster_id": theme}, who="a") == "not_votable"
    assert do(w, "cast_vote", {"idea_id": ideas[1]}, who="a")["dots_left"] == 1
    # A dot placed under the old rule can still be taken back.
    assert do(w, "retract_vote", {"cluster_id": theme}, who="a")["dots_left"] == 2
    do(w, "set_voting", {"dots": 3, "vote_on": "both"})
    assert do(w, "cast_vote", {"cluster_id": theme}, who="b")["dots_left"] == 2
    assert do(w, "cast_vote", {"idea_id": ideas[0]}, who="b")["dots_left"] == 1
    assert w["store"].snapshot(w["fac"].workshop.id, include_hidden=False)["workshop"]["vote_on"] == "both"
