"""Commands for rounds (questions), tables, names, moderation rules, and one's own ideas."""

from __future__ import annotations

from typing import Any

from ..model import (
    LANGUAGES, MAX_IDEA_LENGTH, MAX_PROMPT_LENGTH, Actor, CommandError, Idea, clean_text,
)
from ..store import Store
from .core import Result, fields, int_field, require_facilitator, require_joined

NAME_RULES = ("optional", "required", "forbidden")
MAX_TABLES = 100
MAX_NAME_LENGTH = 40


def add_prompt(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a new question at the end of the list; `prompt_added`."""
    actor = require_facilitator(actor)
    text = clean_text(fields(payload).get("text"), "question", MAX_PROMPT_LENGTH)
    fact = store.add_prompt(actor.workshop.id, text)
    return {"prompt": fact.payload["prompt"]}, [fact]


def set_active_prompt(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the question new ideas answer from now on; `active_prompt_changed`."""
    actor = require_facilitator(actor)
    prompt_id = int_field(fields(payload), "prompt_id")
    if prompt_id not in {p["id"] for p in store.prompts(actor.workshop.id)}:
        raise CommandError("not_found", "There is no such question in this workshop.")
    fact = store.set_active_prompt(actor.workshop.id, prompt_id)
    return {"prompt_id": prompt_id}, [fact] if fact else []


def set_tables(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> the tables (groups) participants can pick; `tables_set`."""
    actor = require_facilitator(actor)
    raw = fields(payload).get("tables")
    if not isinstance(raw, list) or len(raw) > MAX_TABLES:
        raise CommandError("invalid", f"tables must be a list of at most {MAX_TABLES} names.")
    names = list(dict.fromkeys(clean_text(name, "table name", MAX_NAME_LENGTH) for name in raw))
    fact = store.set_tables(actor.workshop.id, names)
    return {"tables": fact.payload["tables"]}, [fact]


def _participant(actor: Actor | None) -> Actor:
    actor = require_joined(actor)
    if actor.participant_id is None:
        raise CommandError("forbidden", "Only participants can do this.")
    return actor


def set_table(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> the table they sit at (remembered), or null; their ideas carry it."""
    actor = _participant(actor)
    data = fields(payload)
    table_id = None if data.get("table_id") is None else int_field(data, "table_id")
    if table_id is not None and table_id not in {t["id"] for t in store.tables(actor.workshop.id)}:
        raise CommandError("not_found", "There is no such table in this workshop.")
    store.set_participant(actor.participant_id, table_id=table_id)  # type: ignore[arg-type]
    return {"table_id": table_id}, []


def set_name(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> the display name shown with their new ideas, or null to stay anonymous."""
    actor = _participant(actor)
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is not None and workshop.names == "forbidden":
        raise CommandError("forbidden", "This workshop is anonymous: names are not shown.")
    raw = fields(payload).get("name")
    name = None if raw is None else clean_text(raw, "name", MAX_NAME_LENGTH)
    store.set_participant(actor.participant_id, name=name)  # type: ignore[arg-type]
    return {"name": name}, []


def set_rules(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> names, pre-moderation, idea cap, table mode (any of them); `rules_changed`."""
    actor = require_facilitator(actor)
    data = fields(payload)
    rules: dict[str, Any] = {}
    if "names" in data:
        if data["names"] not in NAME_RULES:
            raise CommandError("invalid", f"names must be one of: {', '.join(NAME_RULES)}.")
        rules["names"] = data["names"]
    for flag in ("pre_moderation", "table_mode"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise CommandError("invalid", f"{flag} must be true or false.")
            rules[flag] = int(data[flag])
    if "language" in data:
        if data["language"] not in LANGUAGES:
            raise CommandError("invalid", "language must be da or en.")
        rules["language"] = data["language"]
    if "idea_cap" in data:
        cap = data["idea_cap"]
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= 1000):
            raise CommandError("invalid", "idea_cap must be a number from 1 to 1000, or null.")
        rules["idea_cap"] = cap
    fact = store.set_rules(actor.workshop.id, rules)
    return {"rules": fact.payload["rules"]}, [fact]


def approve_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> a waiting idea goes on the wall; `idea_approved`."""
    actor = require_facilitator(actor)
    idea_id = int_field(fields(payload), "idea_id")
    if store.get_idea(actor.workshop.id, idea_id) is None:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    fact = store.approve_idea(actor.workshop.id, idea_id)
    return {"idea_id": idea_id}, [fact] if fact else []


def _own_idea(store: Store, actor: Actor, data: dict[str, Any]) -> Idea:
    idea = store.get_idea(actor.workshop.id, int_field(data, "idea_id"))
    if idea is None:
        raise CommandError("not_found", "There is no such idea in this workshop.")
    if idea.id not in {own.id for own in store.own_ideas(actor.participant_id)}:  # type: ignore[arg-type]
        raise CommandError("forbidden", "You can only change your own ideas.")
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None or workshop.phase != "collect" or not workshop.posting_open:
        raise CommandError("posting_closed", "Ideas can only be changed while posting is open.")
    return idea


def edit_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> new text for their own idea while posting is open; `idea_edited`."""
    actor = _participant(actor)
    data = fields(payload)
    text = clean_text(data.get("text"), "idea", MAX_IDEA_LENGTH)
    idea = _own_idea(store, actor, data)
    workshop = store.get_workshop(actor.workshop.code)
    # Under pre-moderation an edited idea is approved again before the wall shows the new text.
    requeue = workshop is not None and workshop.pre_moderation
    fact = store.edit_idea(actor.workshop.id, idea.id, text, actor.label, requeue)
    return {"idea": fact.payload["idea"] if fact else idea.to_dict()}, [fact] if fact else []


def delete_idea(store: Store, actor: Actor | None, payload: object) -> Result:
    """Participant -> their own idea removed for good while posting is open; `idea_deleted`."""
    actor = _participant(actor)
    idea = _own_idea(store, actor, fields(payload))
    fact = store.delete_idea(actor.workshop.id, idea.id, actor.label)
    return {"idea_id": idea.id}, [fact]
