"""A burst of newcomers made visible and harmless, and one participant's ideas off the wall at once
(docs/security.md): the facilitator lets held newcomers in or turns them away, and hides (or shows
again) every idea of whoever wrote one."""

from __future__ import annotations


from ..facts import IdeaApproved, IdeaHidden, IdeaShown, NewcomerDecided
from ..model import FACILITATOR
from .registry import Context, Payload, Result, command


class Decision(Payload):
    """`{"accept": bool}`"""

    accept: bool


@command("admit_newcomers", FACILITATOR, Decision, emits=(NewcomerDecided, IdeaApproved, IdeaHidden),
         refreshes=("participant_count", "vote_totals"))
def admit_newcomers(ctx: Context, decision: Decision) -> Result:
    """Facilitator -> every held newcomer let in (their waiting ideas onto the wall, their dots
    counted; `idea_approved` each) or turned away (their ideas hidden, `idea_hidden` each; their
    dots never count); each newcomer's phones hear `newcomer_decided` first.

    Ack: `{"ok", "accept", "ideas"}` (`ideas`: how many changed)
    """
    decided, ideas = ctx.store.release_newcomers(ctx.workshop_id, decision.accept)
    return {"accept": decision.accept, "ideas": len(ideas)}, [*decided, *ideas]


class AuthorIdeas(Payload):
    """`{"idea_id", "hidden"?: bool (default true), "idea_ids"?: [ids]}`: one idea names its author
        (the first of `idea_id` and `idea_ids` still in the workshop: the author may have deleted the
        idea an undo names); `idea_ids`, if given, only these of the author's ideas change (the undo
        sends the ack's `changed_ids`)
    """

    idea_id: int
    hidden: bool = True
    idea_ids: list[int] | None = None


@command("hide_author_ideas", FACILITATOR, AuthorIdeas, emits=(IdeaHidden, IdeaShown))
def hide_author_ideas(ctx: Context, p: AuthorIdeas) -> Result:
    """Facilitator -> every idea of the participant who wrote `idea_id` hidden (or, to undo, shown
    again: only those that hiding changed, when `idea_ids` names them), in one transaction;
    `idea_hidden` / `idea_shown` for each that changed.

    Ack: `{"ok", "idea_ids", "hidden", "changed", "changed_ids"}` (`idea_ids`: the author's ideas
        this command covered; `changed_ids`: those it hid or showed, the ones an undo gives back)
    """
    ids, changed, facts = ctx.store.hide_author_ideas(ctx.workshop_id, p.idea_id, p.hidden, p.idea_ids)
    return {"idea_ids": ids, "hidden": p.hidden, "changed": len(facts), "changed_ids": changed}, facts
