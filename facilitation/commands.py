"""Every state change as one function (store, actor, payload) -> (ack, facts).

Validation and authorization live here, once, whichever transport a command came by; a refusal is a
`CommandError`, which the transport turns into `{"ok": false, "error": {...}}`.
"""

from __future__ import annotations

from typing import Any

from .model import (
    FACILITATOR, MAX_IDEA_LENGTH, MAX_PROMPT_LENGTH, MAX_TITLE_LENGTH, PARTICIPANT, VIEWER, Actor,
    CommandError, Fact, Workshop, clean_client_id, clean_text, normalize_code,
)
from .store import Store

Result = tuple[dict[str, Any], list[Fact]]
SYNC_LIMIT = 500


def _fields(payload: object) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise CommandError("invalid", "The message must be a JSON object.")
    return payload


def _require_facilitator(actor: Actor | None) -> Actor:
    actor = _require_joined(actor)
    if not actor.is_facilitator:
        raise CommandError("forbidden", "Only the facilitator can do this.")
    return actor


def _require_joined(actor: Actor | None) -> Actor:
    if actor is None:
        raise CommandError("not_joined", "Join a workshop first.")
    return actor


def _int_field(fields: dict[str, Any], name: str) -> int:
    value = fields.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CommandError("invalid", f"{name} must be a whole number.")
    return value


def _workshop_for(store: Store, code: object) -> Workshop:
    canonical = normalize_code(code)
    workshop = store.get_workshop(canonical) if canonical else None
    if workshop is None:
        raise CommandError("not_found", "There is no workshop with that code. Check the code.")
    return workshop


def create_workshop(store: Store, payload: object) -> tuple[Workshop, str]:
    """Organiser -> a new workshop and its facilitator token."""
    fields = _fields(payload)
    title = clean_text(fields.get("title"), "title", MAX_TITLE_LENGTH)
    prompt = clean_text(fields.get("prompt"), "question", MAX_PROMPT_LENGTH)
    return store.create_workshop(title, prompt)


def join(store: Store, payload: object, cookie_token: str | None = None) -> tuple[Actor, Result]:
    """Anyone -> the actor they are in this workshop, their token and a snapshot."""
    fields = _fields(payload)
    workshop = _workshop_for(store, fields.get("code"))
    token = fields.get("facilitator_token")
    if token is not None or cookie_token is not None:
        if store.is_facilitator(workshop, token) or store.is_facilitator(workshop, cookie_token):
            actor = Actor(workshop, FACILITATOR)
            snapshot = store.snapshot(workshop.id, include_hidden=True)
            return actor, ({"role": FACILITATOR, "participant_token": None,
                            "snapshot": snapshot}, [])
        if token is not None:
            raise CommandError("forbidden", "That facilitator link is not valid for this workshop.")
    if fields.get("viewer") is True:
        snapshot = store.snapshot(workshop.id, include_hidden=False)
        return Actor(workshop, VIEWER), ({"role": VIEWER, "participant_token": None,
                                          "snapshot": snapshot}, [])
    participant, ptoken, fact = store.join(workshop.id, fields.get("participant_token"))
    actor = Actor(workshop, PARTICIPANT, participant.id)
    ack = {"role": PARTICIPANT, "participant_token": ptoken,
           "snapshot": store.snapshot(workshop.id, include_hidden=False),
           "own_idea_ids": store.own_idea_ids(participant.id)}
    return actor, (ack, [fact] if fact else [])


def post_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant (or facilitator) -> the stored idea; repeated client_id -> the same idea."""
    actor = _require_joined(actor)
    fields = _fields(payload)
    text = clean_text(fields.get("text"), "idea", MAX_IDEA_LENGTH)
    client_id = clean_client_id(fields.get("client_id"))
    if actor.participant_id is None:
        raise CommandError("forbidden", "Only participants post ideas: open the join page.")
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None or not workshop.posting_open:
        raise CommandError("posting_closed", "Posting is closed for now.")
    idea, fact = store.post_idea(actor.workshop.id, actor.participant_id, client_id, text)
    return {"idea": idea.to_dict()}, [fact] if fact else []


def set_idea_hidden(store: Store, actor: Actor | None, payload: object, hidden: bool) -> Result:
    """Facilitator -> hide or show an idea (hide_idea / show_idea)."""
    actor = _require_facilitator(actor)
    idea_id = _int_field(_fields(payload), "idea_id")
    if store.get_idea(actor.workshop.id, idea_id) is None:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    fact = store.set_hidden(actor.workshop.id, idea_id, hidden)
    return {"idea_id": idea_id, "hidden": hidden}, [fact] if fact else []


def set_posting(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> open or close posting."""
    actor = _require_facilitator(actor)
    value = _fields(payload).get("open")
    if not isinstance(value, bool):
        raise CommandError("invalid", "open must be true or false.")
    fact = store.set_posting(actor.workshop.id, value)
    return {"posting_open": value}, [fact] if fact else []


def sync(store: Store, actor: Actor | None, payload: object) -> dict[str, Any]:
    """Anyone joined -> the facts after `since`, or a snapshot when too many were missed."""
    actor = _require_joined(actor)
    since = _int_field(_fields(payload), "since")
    current = store.get_workshop(actor.workshop.code)
    in_log = current is not None and 0 <= since <= current.seq
    facts = store.facts_since(actor.workshop.id, since, SYNC_LIMIT) if in_log else None
    if facts is None:
        snapshot = store.snapshot(actor.workshop.id, include_hidden=actor.is_facilitator)
        return {"snapshot": snapshot, "seq": snapshot["seq"]}
    last = facts[-1].seq if facts else since
    return {"facts": [{"event": f.type, "data": f.to_dict()} for f in facts], "seq": last}
