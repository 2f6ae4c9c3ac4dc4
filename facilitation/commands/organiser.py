"""Organiser commands: ideas collected on paper imported into the live list."""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import N_, BadRequest, CommandError, NotFound
from ..facts import IdeaPosted
from ..model import FACILITATOR, MAX_IDEA_LENGTH, clean_text
from .core import room_for_ideas
from .registry import Context, Payload, Result, command

MAX_IMPORT = 2000


class Paper(Payload):
    """`{"texts": [lines], "table_id"?: id}`: at most 2,000 ideas, from one table's paper form or none."""

    texts: object = None
    table_id: int | None = None


@command("import_ideas", FACILITATOR, Paper, emits=(IdeaPosted,), socket=False)  # POST /w/<code>/import
def import_ideas(ctx: Context, p: Paper) -> Result:
    """Facilitator -> ideas from paper into the active question; `idea_posted` per new idea.

    Each line is checked like a typed idea; bad lines are reported, not fatal. Importing the same
    text into the same question (from the same table) again adds nothing, so a file can be imported
    twice safely. With `table_id` (the table named on a paper form) the ideas are that table's.
    """
    if not isinstance(p.texts, list) or not p.texts:
        raise BadRequest("empty", N_("There are no ideas to import."))
    if len(p.texts) > MAX_IMPORT:
        raise BadRequest("too_long", N_("At most %(limit)s ideas can be imported at once."),
                         limit=MAX_IMPORT)
    workshop = ctx.workshop
    if p.table_id is not None and p.table_id not in {t["id"] for t in ctx.store.tables(workshop.id)}:
        raise NotFound("table_not_found")
    paper = ctx.store.paper_participant(workshop.id)
    # Two tables' forms with the same line are two ideas (two people wrote it); one form twice is one.
    where = f"{workshop.active_prompt_id}" + ("" if p.table_id is None else f":{p.table_id}")
    items: dict[str, str] = {}
    skipped: list[dict[str, Any]] = []
    repeated = 0
    for line, raw in enumerate(p.texts, start=1):
        try:
            text = clean_text(raw, "idea", MAX_IDEA_LENGTH)
        except CommandError as error:
            skipped.append({"line": line, "reason": error.render(ctx.gettext)})
            continue
        key = hashlib.sha256(f"{where}:{text}".encode()).hexdigest()[:32]
        repeated += key in items
        items[key] = text
    room_for_ideas(ctx.store, workshop.id, len(items))
    # One transaction, one commit: 2,000 lines cost one disk flush, not 2,000.
    facts, already = ctx.store.import_ideas(workshop.id, paper, workshop.active_prompt_id,
                                            list(items.items()), table_id=p.table_id)
    return {"imported": len(facts), "already_there": repeated + already, "skipped": skipped}, facts
