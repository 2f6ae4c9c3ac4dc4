"""Organiser commands: ideas collected on paper imported into the live list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import N_, BadRequest, CommandError
from ..facts import Fact, IdeaPosted
from ..model import FACILITATOR, MAX_IDEA_LENGTH, clean_text
from .registry import Context, Result, command

MAX_IMPORT = 2000


@dataclass(frozen=True)
class Paper:
    """`{"texts": [lines]}`: at most 2,000 ideas."""

    texts: object = None


@command("import_ideas", FACILITATOR, Paper, emits=(IdeaPosted,), socket=False)  # POST /w/<code>/import
def import_ideas(ctx: Context, p: Paper) -> Result:
    """Facilitator -> ideas from paper into the active question; `idea_posted` per new idea.

    Each line is checked like a typed idea; bad lines are reported, not fatal. Importing the same
    text into the same question again adds nothing, so a file can be imported twice safely.
    """
    if not isinstance(p.texts, list) or not p.texts:
        raise BadRequest("empty", N_("There are no ideas to import."))
    if len(p.texts) > MAX_IMPORT:
        raise BadRequest("too_long", N_("At most %(limit)s ideas can be imported at once."),
                         limit=MAX_IMPORT)
    workshop = ctx.workshop
    paper = ctx.store.paper_participant(workshop.id)
    facts: list[Fact] = []
    skipped: list[dict[str, Any]] = []
    repeated = 0
    for line, raw in enumerate(p.texts, start=1):
        try:
            text = clean_text(raw, "idea", MAX_IDEA_LENGTH)
        except CommandError as error:
            skipped.append({"line": line, "reason": error.render(ctx.gettext)})
            continue
        key = hashlib.sha256(f"{workshop.active_prompt_id}:{text}".encode()).hexdigest()[:32]
        _, fact = ctx.store.post_idea(workshop.id, paper, key, text, prompt_id=workshop.active_prompt_id)
        if fact is None:
            repeated += 1
        else:
            facts.append(fact)
    return {"imported": len(facts), "already_there": repeated, "skipped": skipped}, facts
