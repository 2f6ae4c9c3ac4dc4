"""Commands that run the evening: phases, the countdown, and dot voting."""

from __future__ import annotations

from typing import Any

from ..flow import Timer, check_phase, check_seconds, check_vote_on, check_voting, rank
from ..model import Actor, CommandError, Workshop
from ..store import Store, now_ms
from .core import Result, fields, int_field, require_facilitator, require_joined


def _current(store: Store, actor: Actor) -> Workshop:
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None:
        raise CommandError("not_found", "This workshop no longer exists.")
    return workshop


def set_phase(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the workshop moves to a phase (forwards or back); `phase_changed`."""
    actor = require_facilitator(actor)
    phase = check_phase(fields(payload).get("phase"))
    fact = store.set_phase(actor.workshop.id, phase)
    return {"phase": phase}, [fact] if fact else []


def _timer(store: Store, actor: Actor | None, change: Any) -> Result:
    actor = require_facilitator(actor)
    workshop = _current(store, actor)
    clock = now_ms()
    timer = change(Timer(workshop.timer_ends_at, workshop.timer_remaining_ms,
                         workshop.timer_running), clock)
    fact = store.set_timer(actor.workshop.id, timer, clock)
    return {"timer": fact.payload["timer"]}, [fact]


def start_timer(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a countdown of `seconds` starts now; `timer_changed`."""
    seconds = check_seconds(fields(payload).get("seconds"))
    return _timer(store, actor, lambda timer, clock: timer.start(seconds, clock))


def pause_timer(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the countdown stops, keeping what is left; `timer_changed`."""
    fields(payload)
    return _timer(store, actor, lambda timer, clock: timer.pause(clock))


def resume_timer(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a paused countdown runs again; `timer_changed`."""
    fields(payload)
    return _timer(store, actor, lambda timer, clock: timer.resume(clock))


def add_time(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> seconds added to (or, negative, taken from) the countdown; `timer_changed`."""
    seconds = check_seconds(fields(payload).get("seconds"), allow_negative=True)
    return _timer(store, actor, lambda timer, clock: timer.add(seconds, clock))


def stop_timer(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> no countdown any more; `timer_changed`."""
    fields(payload)
    return _timer(store, actor, lambda timer, clock: Timer())


def set_voting(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> each participant's dots, the most on one item, and whether dots go on ideas,
    themes or both (unchanged when left out); `voting_set`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    dots, max_per_item = check_voting(data.get("dots"), data.get("max_per_item", 1))
    vote_on = check_vote_on(data["vote_on"]) if "vote_on" in data else _current(store, actor).vote_on
    fact = store.set_voting(actor.workshop.id, dots, max_per_item, vote_on)
    return {"dots": dots, "max_per_item": max_per_item, "vote_on": vote_on}, [fact]


def _vote_target(store: Store, actor: Actor, payload: object) -> tuple[str, int]:
    data = fields(payload)
    if ("idea_id" in data) == ("cluster_id" in data):
        raise CommandError("invalid", "Vote for one idea_id or one cluster_id.")
    if "cluster_id" in data:
        cluster_id = int_field(data, "cluster_id")
        if store.get_cluster(actor.workshop.id, cluster_id) is None:
            raise CommandError("not_found", "There is no such theme in this workshop.")
        return "cluster_id", cluster_id
    idea = store.get_idea(actor.workshop.id, int_field(data, "idea_id"))
    if idea is None or idea.hidden:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    return "idea_id", idea.duplicate_of if idea.duplicate_of is not None else idea.id


def _voter(store: Store, actor: Actor | None) -> tuple[Actor, Workshop, int]:
    actor = require_joined(actor)
    if actor.participant_id is None:
        raise CommandError("forbidden", "Only participants vote.")
    workshop = _current(store, actor)
    if workshop.phase != "vote":
        raise CommandError("wrong_phase", "Voting is not open now.")
    return actor, workshop, actor.participant_id


def cast_vote(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> one dot on an idea or a theme, as the vote allows (`not_votable` otherwise); ack
    with the dots left (totals go to screens)."""
    actor, workshop, participant_id = _voter(store, actor)
    column, item_id = _vote_target(store, actor, payload)
    left = store.cast_vote(workshop, participant_id, column, item_id)
    return {"dots_left": left, column: item_id}, []


def retract_vote(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> one of their dots taken back; ack with the dots left."""
    actor, workshop, participant_id = _voter(store, actor)
    column, item_id = _vote_target(store, actor, payload)
    left = store.retract_vote(workshop, participant_id, column, item_id)
    return {"dots_left": left, column: item_id}, []


def results(store: Store, workshop: Workshop, facilitator: bool) -> dict[str, Any]:
    """Ideas and themes ranked by dots, ties sharing a rank; for all once results are shown."""
    if not facilitator and workshop.phase not in ("results", "closed"):
        raise CommandError("wrong_phase", "The results are shown after the vote.")
    totals = store.vote_totals(workshop.id)
    snapshot = store.snapshot(workshop.id, include_hidden=False)
    ideas = [{"id": i["id"], "text": i["text"], "cluster_id": i["cluster_id"],
              "votes": totals["ideas"].get(str(i["id"]), 0)}
             for i in snapshot["ideas"] if i["duplicate_of"] is None]
    themes = []
    for cluster in snapshot["clusters"]:
        idea_votes = sum(i["votes"] for i in ideas if i["cluster_id"] == cluster["id"])
        direct = totals["clusters"].get(str(cluster["id"]), 0)
        themes.append({"id": cluster["id"], "label": cluster["label"], "votes": direct + idea_votes,
                       "theme_votes": direct, "idea_votes": idea_votes})
    return {"phase": workshop.phase, "ideas": rank(ideas), "themes": rank(themes)}
