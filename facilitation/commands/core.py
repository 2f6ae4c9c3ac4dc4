"""Commands of the live core: create, join, post, moderate, sync; and the checks all commands share."""

from __future__ import annotations

from typing import Any

from ..model import (
    FACILITATOR, MAX_IDEA_LENGTH, MAX_PARTICIPANTS, MAX_PROMPT_LENGTH, MAX_TITLE_LENGTH, PARTICIPANT, VIEWER, Actor,
    LANGUAGES, CommandError, Fact, Workshop, clean_client_id, clean_text, normalize_code,
)
from ..store import Store

Result = tuple[dict[str, Any], list[Fact]]
SYNC_LIMIT = 500


def fields(payload: object) -> dict[str, Any]:
    """The payload as a mapping; anything but a JSON object (or nothing) is refused."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise CommandError("invalid", "The message must be a JSON object.")
    return payload


def require_facilitator(actor: Actor | None) -> Actor:
    """The actor, if it is the workshop's facilitator."""
    actor = require_joined(actor)
    if not actor.is_facilitator:
        raise CommandError("forbidden", "Only the facilitator can do this.")
    return actor


def require_joined(actor: Actor | None) -> Actor:
    """The actor, if the connection has joined a workshop."""
    if actor is None:
        raise CommandError("not_joined", "Join a workshop first.")
    return actor


def int_field(data: dict[str, Any], name: str) -> int:
    """A whole-number field (booleans are not numbers here)."""
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CommandError("invalid", f"{name} must be a whole number.")
    return value


def workshop_for(store: Store, code: object) -> Workshop:
    """The workshop a typed code names, or `not_found`."""
    canonical = normalize_code(code)
    workshop = store.get_workshop(canonical) if canonical else None
    if workshop is None:
        raise CommandError("not_found", "There is no workshop with that code. Check the code.")
    return workshop


def create_workshop(store: Store, payload: object) -> tuple[Workshop, str]:
    """Organiser -> a new workshop and its facilitator token."""
    data = fields(payload)
    title = clean_text(data.get("title"), "title", MAX_TITLE_LENGTH)
    prompt = clean_text(data.get("prompt"), "question", MAX_PROMPT_LENGTH)
    language = data.get("language") or "da"
    if language not in LANGUAGES:
        raise CommandError("invalid", "language must be da or en.")
    return store.create_workshop(title, prompt, language)


def join(store: Store, payload: object, cookie_token: str | None = None,
         organiser: bool = False, limit: int = MAX_PARTICIPANTS) -> tuple[Actor, Result]:
    """Anyone -> the actor they are in this workshop, their token and a snapshot.

    A wall (`viewer`) is a viewer even in the facilitator's browser, so a projector never receives
    what only the console may show. `organiser` (signed in to /admin) facilitates every workshop.
    """
    data = fields(payload)
    workshop = workshop_for(store, data.get("code"))
    if data.get("viewer") is True:
        return _screen(store, workshop, VIEWER)
    token = data.get("facilitator_token")
    if (organiser or store.is_facilitator(workshop, token)
            or store.is_facilitator(workshop, cookie_token)):
        return _screen(store, workshop, FACILITATOR)
    if token is not None:
        raise CommandError("forbidden", "That facilitator link is not valid for this workshop.")
    participant, ptoken, _ = store.join(workshop.id, data.get("participant_token"),
                                        limit)
    own = store.own_ideas(participant.id)
    ack = {"role": PARTICIPANT, "participant_token": ptoken,
           "snapshot": store.snapshot(workshop.id, include_hidden=False),
           "own_idea_ids": [idea.id for idea in own],
           "own_ideas": [idea.to_dict() for idea in own],
           "profile": {k: v for k, v in store.participant(participant.id).items() if k != "id"},
           "votes": store.my_votes(workshop.id, participant.id)}
    return Actor(workshop, PARTICIPANT, participant.id), (ack, [])


def _screen(store: Store, workshop: Workshop, role: str) -> tuple[Actor, Result]:
    """A wall's or a console's join: no participant, the snapshot its role may see."""
    snapshot = store.snapshot(workshop.id, include_hidden=role == FACILITATOR)
    return Actor(workshop, role), ({"role": role, "participant_token": None, "snapshot": snapshot}, [])


def post_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant (or facilitator) -> the stored idea; repeated client_id -> the same idea."""
    actor = require_joined(actor)
    data = fields(payload)
    text = clean_text(data.get("text"), "idea", MAX_IDEA_LENGTH)
    client_id = clean_client_id(data.get("client_id"))
    if actor.participant_id is None:
        raise CommandError("forbidden", "Only participants post ideas: open the join page.")
    again = store.idea_by_client_id(actor.participant_id, client_id)
    if again is not None:
        return {"idea": again.to_dict()}, []  # a resend from the outbox: the rules were checked then
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None or workshop.phase != "collect" or not workshop.posting_open:
        raise CommandError("posting_closed", "Posting is closed for now.")
    placement = _placement(store, workshop, actor.participant_id)
    idea, fact = store.post_idea(actor.workshop.id, actor.participant_id, client_id, text,
                                 **placement)
    return {"idea": idea.to_dict()}, [fact] if fact else []


def _placement(store: Store, workshop: Workshop, participant_id: int) -> dict[str, Any]:
    """Where a new idea goes (question, table, name, queue), after the workshop's rules."""
    who = store.participant(participant_id)
    if workshop.names == "required" and not who["name"]:
        raise CommandError("name_required", "Write your name first: this workshop shows names.")
    if workshop.table_mode and who["table_id"] is None:
        raise CommandError("table_required", "Choose your table first.")
    if workshop.idea_cap is not None:
        column, value = ("table_id", who["table_id"]) if workshop.table_mode \
            else ("participant_id", participant_id)
        if store.ideas_posted_by(column, value) >= workshop.idea_cap:
            raise CommandError("idea_cap", f"You have sent the most ideas allowed ({workshop.idea_cap}).")
    return {"prompt_id": workshop.active_prompt_id, "table_id": who["table_id"],
            "author": None if workshop.names == "forbidden" else who["name"],
            "pending": workshop.pre_moderation}


def set_idea_hidden(store: Store, actor: Actor | None, payload: object, hidden: bool) -> Result:
    """Facilitator -> hide or show an idea (hide_idea / show_idea)."""
    actor = require_facilitator(actor)
    idea_id = int_field(fields(payload), "idea_id")
    if store.get_idea(actor.workshop.id, idea_id) is None:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    fact = store.set_hidden(actor.workshop.id, idea_id, hidden)
    return {"idea_id": idea_id, "hidden": hidden}, [fact] if fact else []


def set_posting(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> open or close posting."""
    actor = require_facilitator(actor)
    value = fields(payload).get("open")
    if not isinstance(value, bool):
        raise CommandError("invalid", "open must be true or false.")
    fact = store.set_posting(actor.workshop.id, value)
    return {"posting_open": value}, [fact] if fact else []


def sync(store: Store, actor: Actor | None, payload: object) -> dict[str, Any]:
    """Anyone joined -> the facts after `since`, or a snapshot when too many were missed."""
    actor = require_joined(actor)
    since = int_field(fields(payload), "since")
    current = store.get_workshop(actor.workshop.code)
    if current is None:
        raise CommandError("not_found", "This workshop has been deleted.")
    in_log = 0 <= since <= current.seq
    facts = store.facts_since(actor.workshop.id, since, SYNC_LIMIT) if in_log else None
    if facts is None:
        snapshot = store.snapshot(actor.workshop.id, include_hidden=actor.is_facilitator)
        return {"snapshot": snapshot, "seq": snapshot["seq"]}
    last = facts[-1].seq if facts else since
    return {"facts": [{"event": f.type, "data": f.to_dict() if actor.is_facilitator else f.public_dict()}
                      for f in facts], "seq": last}
