"""Organiser commands: ideas collected on paper imported into the live list."""

from __future__ import annotations

import hashlib
from typing import Any

from ..model import MAX_IDEA_LENGTH, Actor, CommandError, Fact, clean_text
from ..store import Store
from .core import Result, fields, require_facilitator

MAX_IMPORT = 2000


def import_ideas(store: Store, actor: Actor | None, payload: object) -> Result:
    """Facilitator -> ideas from paper into the active question; `idea_posted` per new idea.

    Each line is checked like a typed idea; bad lines are reported, not fatal. Importing the same
    text into the same question again adds nothing, so a file can be imported twice safely.
    """
    actor = require_facilitator(actor)
    texts = fields(payload).get("texts")
    if not isinstance(texts, list) or not texts:
        raise CommandError("empty", "There are no ideas to import.")
    if len(texts) > MAX_IMPORT:
        raise CommandError("too_long", f"At most {MAX_IMPORT} ideas can be imported at once.")
    workshop = store.get_workshop(actor.workshop.code)
    if workshop is None:
        raise CommandError("not_found", "This workshop no longer exists.")
    paper = store.paper_participant(workshop.id)
    facts: list[Fact] = []
    skipped: list[dict[str, Any]] = []
    repeated = 0
    for line, raw in enumerate(texts, start=1):
        try:
            text = clean_text(raw, "idea", MAX_IDEA_LENGTH)
        except CommandError as error:
            skipped.append({"line": line, "reason": error.message})
            continue
        key = hashlib.sha256(f"{workshop.active_prompt_id}:{text}".encode()).hexdigest()[:32]
        _, fact = store.post_idea(workshop.id, paper, key, text, prompt_id=workshop.active_prompt_id)
        if fact is None:
            repeated += 1
        else:
            facts.append(fact)
    return {"imported": len(facts), "already_there": repeated, "skipped": skipped}, facts
