"""Commands for rounds (questions), tables, names, moderation rules, and one's own ideas."""

from __future__ import annotations

from typing import Annotated, Any

from ..errors import N_, CommandError, Conflict, Forbidden, NotFound
from ..facts import (
    ActivePromptChanged, IdeaApproved, IdeaDeleted, IdeaEdited, MyVotesChanged, PromptAdded,
    RulesChanged, TablesSet,
)
from ..model import (
    FACILITATOR, LANGUAGES, MAX_IDEA_LENGTH, MAX_PROMPT_LENGTH, PARTICIPANT, Idea, clean_text, is_whole,
)
from .registry import Context, IdeaRef, Payload, Result, Text, command

NAME_RULES = ("optional", "required", "forbidden")
MAX_TABLES = 100
MAX_NAME_LENGTH = 40


class NewPrompt(Payload):
    """`{"text"}` (1-300 characters)"""

    text: Annotated[str, Text("question", MAX_PROMPT_LENGTH)]


@command("add_prompt", FACILITATOR, NewPrompt, emits=(PromptAdded,))
def add_prompt(ctx: Context, p: NewPrompt) -> Result:
    """Facilitator -> a new question at the end of the list; `prompt_added`.

    Ack: `{"ok", "prompt": {"id", "text", "position"}}`
    """
    fact = ctx.store.add_prompt(ctx.workshop_id, p.text)
    return {"prompt": fact.payload["prompt"]}, [fact]


class PromptRef(Payload):
    """`{"prompt_id"}`"""

    prompt_id: int


@command("set_active_prompt", FACILITATOR, PromptRef, emits=(ActivePromptChanged,),
         refreshes=("vote_totals",))
def set_active_prompt(ctx: Context, p: PromptRef) -> Result:
    """Facilitator -> the question new ideas answer, and whose themes and vote every screen shows,
    from now on; `active_prompt_changed` (screens get that question's `vote_totals`).

    Ack: `{"ok", "prompt_id"}`
    """
    if p.prompt_id not in {q["id"] for q in ctx.store.prompts(ctx.workshop_id)}:
        raise NotFound("question_not_found")
    fact = ctx.store.set_active_prompt(ctx.workshop_id, p.prompt_id)
    return {"prompt_id": p.prompt_id}, [fact] if fact else []


class Tables(Payload):
    """`{"tables": [names]}` (at most 100, 1-40 characters)"""

    tables: object = None


@command("set_tables", FACILITATOR, Tables, emits=(TablesSet,))
def set_tables(ctx: Context, p: Tables) -> Result:
    """Facilitator -> the tables (groups) participants can pick; `tables_set`.

    Ack: `{"ok", "tables": [{"id", "name", "position"}]}`
    """
    if not isinstance(p.tables, list) or len(p.tables) > MAX_TABLES:
        raise CommandError("invalid", N_("tables must be a list of at most %(limit)s names."),
                           limit=MAX_TABLES)
    names = list(dict.fromkeys(clean_text(name, "table name", MAX_NAME_LENGTH) for name in p.tables))
    fact = ctx.store.set_tables(ctx.workshop_id, names)
    return {"tables": fact.payload["tables"]}, [fact]


class TableChoice(Payload):
    """`{"table_id": id or null}`"""

    table_id: int | None = None


@command("set_table", PARTICIPANT, TableChoice, refreshes=("participant_count",))
def set_table(ctx: Context, p: TableChoice) -> Result:
    """Participant -> the table they sit at (remembered), or null; their ideas carry it; a table
    wall's count follows (`participant_count`).

    Ack: `{"ok", "table_id"}`
    """
    if p.table_id is not None and p.table_id not in {t["id"] for t in ctx.store.tables(ctx.workshop_id)}:
        raise NotFound("table_not_found")
    seat = ctx.store.participant(ctx.participant_id)["table_id"]
    if (ctx.workshop.table_mode and ctx.workshop.phase in ("vote", "results") and seat is not None
            and seat != p.table_id):  # moving would take the table's dots along and spend them twice
        raise Forbidden("wrong_phase", N_("You cannot change table while voting."))
    ctx.store.set_participant(ctx.participant_id, table_id=p.table_id)
    return {"table_id": p.table_id}, []


class DisplayName(Payload):
    """`{"name": 1-40 characters or null}`"""

    name: Annotated[str | None, Text("name", MAX_NAME_LENGTH)] = None


@command("set_name", PARTICIPANT, DisplayName)
def set_name(ctx: Context, p: DisplayName) -> Result:
    """Participant -> the display name shown with their new ideas, or null to stay anonymous.

    Ack: `{"ok", "name"}`
    """
    if ctx.workshop.names == "forbidden":
        raise Forbidden("names_forbidden")
    ctx.store.set_participant(ctx.participant_id, name=p.name)
    return {"name": p.name}, []


@command("set_rules", FACILITATOR, dict, emits=(RulesChanged,))
def set_rules(ctx: Context, data: dict[str, Any]) -> Result:
    """Facilitator -> names, pre-moderation, idea cap, table mode, language, wall paging, the vote
    closed to newcomers, the public outcome page (any of them); `rules_changed`.

    Payload: any of `{"names": "optional" or "required" or "forbidden", "pre_moderation": bool,
        "idea_cap": 1-1000 or null, "table_mode": bool, "language": "da" or "en",
        "phones_see_ideas": bool, "wall_paused": bool, "vote_closed_to_newcomers": bool,
        "outcome_public": bool}`
    Ack: `{"ok", "rules"}`
    """
    rules: dict[str, Any] = {}
    if "names" in data:
        if data["names"] not in NAME_RULES:
            raise CommandError("invalid", N_("names must be one of: %(choices)s."),
                               choices=", ".join(NAME_RULES))
        rules["names"] = data["names"]
    for flag in ("pre_moderation", "table_mode", "phones_see_ideas", "wall_paused",
                 "vote_closed_to_newcomers", "outcome_public"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise CommandError("invalid", N_("%(name)s must be true or false."), name=flag)
            rules[flag] = int(data[flag])
    if "language" in data:
        if data["language"] not in LANGUAGES:
            raise CommandError("invalid", N_("language must be da or en."))
        rules["language"] = data["language"]
    if "idea_cap" in data:
        cap = data["idea_cap"]
        if cap is not None and not (is_whole(cap) and 1 <= cap <= 1000):
            raise CommandError("invalid", N_("idea_cap must be a number from 1 to 1000, or null."))
        rules["idea_cap"] = cap
    fact = ctx.store.set_rules(ctx.workshop_id, rules)
    return {"rules": fact.payload["rules"]}, [fact]


@command("approve_idea", FACILITATOR, IdeaRef, emits=(IdeaApproved,))
def approve_idea(ctx: Context, ref: IdeaRef) -> Result:
    """Facilitator -> a waiting idea goes on the wall; `idea_approved`.

    Ack: `{"ok", "idea_id"}`
    """
    idea = ctx.idea(ref.idea_id)
    fact = ctx.store.approve_idea(ctx.workshop_id, idea.id)
    return {"idea_id": idea.id}, [fact] if fact else []


def _own_idea(ctx: Context, idea_id: int) -> Idea:
    idea = ctx.idea(idea_id)
    if idea.id not in {own.id for own in ctx.store.own_ideas(ctx.participant_id)}:
        raise Forbidden("not_your_idea")
    if not ctx.workshop.accepts_ideas:
        raise Conflict("posting_closed", N_("Ideas can only be changed while posting is open."))
    return idea


class IdeaText(Payload):
    """`{"idea_id", "text"}`"""

    idea_id: int
    text: Annotated[str, Text("idea", MAX_IDEA_LENGTH)]


@command("edit_idea", PARTICIPANT, IdeaText, emits=(IdeaEdited,))
def edit_idea(ctx: Context, p: IdeaText) -> Result:
    """Participant -> new text for their own idea while posting is open; `idea_edited`.

    Who: participant (own ideas)
    Ack: `{"ok", "idea"}`
    """
    idea = _own_idea(ctx, p.idea_id)
    # Under pre-moderation an edited idea is approved again before the wall shows the new text.
    fact = ctx.store.edit_idea(ctx.workshop_id, idea.id, p.text, ctx.actor.label,
                               ctx.workshop.pre_moderation)
    return {"idea": fact.payload["idea"] if fact else idea.to_dict()}, [fact] if fact else []


@command("delete_idea", PARTICIPANT, IdeaRef, emits=(IdeaDeleted, MyVotesChanged))
def delete_idea(ctx: Context, ref: IdeaRef) -> Result:
    """Participant -> their own idea removed for good while posting is open; `idea_deleted`, then
    `my_votes_changed` to the phones whose dots were on it (a vote reopened for more ideas).

    Who: participant (own ideas)
    Ack: `{"ok", "idea_id"}`
    """
    idea = _own_idea(ctx, ref.idea_id)
    facts = ctx.store.delete_idea(ctx.workshop_id, idea.id, ctx.actor.label)
    return {"idea_id": idea.id}, facts
